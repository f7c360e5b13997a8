// Tier (b): the INSTALLED .vsix in a real VS Code (code-server) driven through Debian chromium like a
// user: open the view, open the demo bucket, expand to a day and see complete / in-progress / empty
// partitions, preview a file, download a partition, run the dedupe (DuckDB from the .vsix). Screenshots go
// to test-output/e2e/; with UPDATE_SCREENSHOTS=1 the tree one is copied to media/screenshots/tree.png (README).
// Usage: node scripts/vscode/e2e.mjs asapp-exports-linux-x64.vsix
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startCodeServer, launchChromium, CODE_SERVER, tmpdir, elapsed, projectRoot } from './lib.mjs';

const vsix = path.resolve(process.argv[2] || 'asapp-exports-linux-x64.vsix');
if (!fs.existsSync(vsix)) { console.error(`${vsix} is missing: run npm run package first.`); process.exit(1); }
const out = path.join(projectRoot, 'test-output', 'e2e');
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const ws = tmpdir('asapp-e2e-ws-');
fs.writeFileSync(path.join(ws, 'README.txt'), 'end-to-end test workspace\n');
// the demo's clock, pinned: day 2024-01-03 has hours 00-09 complete (04 empty) and 10 in progress
const DEMO_NOW = '2024-01-03T10:30:00Z';
const DAY = 'dt=2024-01-03';

const results = [];
// context menus ignore a click that comes right after they open (the right button's release)
async function clickMenu(name) {
  const entry = page.getByRole('menuitem', { name, exact: true });
  await entry.waitFor({ timeout: 15_000 });
  await page.waitForTimeout(500);
  await entry.click();
}
async function step(name, fn) {
  const t = performance.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ✔ ${name} (${Math.round(performance.now() - t)} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`  ✘ ${name}: ${e.message.split('\n')[0]}`);
    throw e;
  }
}

const cs = await startCodeServer({ workspace: ws, env: { ASAPP_EXPORTS_DEMO_NOW: DEMO_NOW }, settings: { 'explorer.compactFolders': false } });
console.log(`[${elapsed()}] code-server up`);
const { context, close } = await launchChromium();
let page;
try {
  await step('installs the .vsix into VS Code', async () => {
    execFileSync(CODE_SERVER, ['--install-extension', vsix, ...cs.common], { env: cs.env, stdio: 'pipe' });
    const installed = execFileSync(CODE_SERVER, ['--list-extensions', '--show-versions', ...cs.common], { env: cs.env }).toString();
    if (!/asapp-exports\.asapp-exports@/.test(installed)) throw new Error(`not listed: ${installed}`);
  });
  page = context.pages()[0] ?? await context.newPage();
  page.on('pageerror', e => console.log('  pageerror:', e.message));
  await page.goto(`${cs.url}/?folder=${encodeURIComponent(ws)}`);
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 90_000 });
  console.log(`[${elapsed()}] workbench visible`);

  await step('opens the ASAPP Exports view with its welcome content', async () => {
    const icon = page.locator('.part.activitybar [aria-label^="ASAPP Exports"]').first();
    await icon.waitFor({ timeout: 60_000 });
    await icon.click();
    await page.getByRole('button', { name: 'Generate Key Pair' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Open the Demo Bucket' }).waitFor();
    await page.screenshot({ path: path.join(out, 'welcome.png') });
  });

  await step('opens the demo bucket and expands to a day with complete, in-progress and empty partitions', async () => {
    await page.getByRole('button', { name: 'Open the Demo Bucket' }).click();
    const expand = async name => {
      const row = page.getByRole('treeitem', { name }).first();
      await row.waitFor({ timeout: 60_000 });
      if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
      return row;
    };
    await expand(/^demo prod/);
    await expand(/^convos_metrics/);
    await expand(/^version=1/);
    await expand(/^format=jsonl/);
    await expand(new RegExp(`^${DAY}`));
    await page.getByRole('treeitem', { name: /^hr=00, complete · 1 file/ }).first().waitFor({ timeout: 30_000 });
    await page.getByRole('treeitem', { name: /^hr=04, empty · 0 files/ }).first().waitFor();
    await page.getByRole('treeitem', { name: /^hr=10, in progress · 1 file/ }).first().waitFor();
    // a wider side bar, so that the partition descriptions show whole in the picture: drag its sash
    const bar = await page.locator('.part.sidebar').boundingBox();
    for (const sash of await page.locator('.monaco-sash.vertical').all()) {
      const b = await sash.boundingBox();
      if (!bar || !b || Math.abs(b.x + b.width / 2 - (bar.x + bar.width)) > 6 || b.height < bar.height / 2) continue;
      const y = b.y + b.height * 0.9;
      await page.mouse.move(b.x + b.width / 2, y);
      await page.mouse.down();
      await page.mouse.move(b.x + b.width / 2 + 200, y, { steps: 8 });
      await page.mouse.up();
      break;
    }
    await page.mouse.move(1000, 500); // no hover tooltip over the tree in the picture
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(out, 'tree.png') });
  });

  await step('previews a file in a read-only editor', async () => {
    await page.getByRole('treeitem', { name: /^hr=00, complete/ }).first().click();
    await page.getByRole('treeitem', { name: /^convos_metrics\.jsonl\.gz/ }).first().click();
    await page.locator('.tabs-container .tab', { hasText: 'convos_metrics.jsonl.gz (preview).jsonl' }).waitFor({ timeout: 30_000 });
    await page.locator('.editor-instance .view-lines', { hasText: 'issue_id' }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(out, 'preview.png') });
  });

  await step('downloads a partition from its context menu and writes its files', async () => {
    await page.getByRole('treeitem', { name: /^hr=01, complete/ }).first().click({ button: 'right' });
    await clickMenu('Download');
    await page.locator('.notifications-toasts', { hasText: /Downloaded 1 file/ }).waitFor({ timeout: 60_000 });
    const dir = path.join(ws, 'asapp-exports', 'convos_metrics', 'version=1', 'format=jsonl', DAY, 'hr=01');
    const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    if (!files.includes('convos_metrics.jsonl.gz')) throw new Error(`not on disk: ${dir}: ${files}`);
    await page.screenshot({ path: path.join(out, 'download.png') });
  });

  await step('runs the dedupe with DuckDB from the .vsix on the downloaded folder', async () => {
    await page.keyboard.press('Control+Shift+E');
    const explorerRow = name => page.locator('.explorer-folders-view').getByRole('treeitem', { name }).first();
    for (const name of ['asapp-exports', 'convos_metrics']) {
      const row = explorerRow(name);
      await row.waitFor({ timeout: 30_000 });
      if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    }
    await explorerRow('version=1').click({ button: 'right' });
    await clickMenu('Run Dedupe Locally…');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('convos_metrics');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'convos_metrics' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'JSON Lines' }).first().click();
    await page.locator('.notifications-toasts', { hasText: /convos_metrics: \d+ rows in, \d+ out/ }).waitFor({ timeout: 60_000 });
    if (!fs.existsSync(path.join(ws, 'asapp-exports', 'convos_metrics', 'convos_metrics.deduped.jsonl'))) throw new Error('no dedupe output file');
    await page.screenshot({ path: path.join(out, 'dedupe.png') });
  });
} catch (e) {
  console.error('E2E FAILED:', e.message);
  try { await page?.screenshot({ path: path.join(out, 'failure.png') }); } catch {}
  console.error(cs.log().slice(-3000));
} finally {
  await close();
  await cs.stop();
  fs.rmSync(ws, { recursive: true, force: true });
}
const passed = results.filter(r => r.ok).length;
const STEPS = 6; // steps after a failure do not run: they count as failed
const failed = STEPS - passed;
// the README's picture: refreshed on request (UPDATE_SCREENSHOTS=1) or when missing, so test runs leave the checkout clean
const readmeShot = path.join(projectRoot, 'media', 'screenshots', 'tree.png');
if ((process.env.UPDATE_SCREENSHOTS === '1' || !fs.existsSync(readmeShot)) && fs.existsSync(path.join(out, 'tree.png')) && results.find(r => r.name.startsWith('opens the demo'))?.ok) {
  fs.mkdirSync(path.join(projectRoot, 'media', 'screenshots'), { recursive: true });
  fs.copyFileSync(path.join(out, 'tree.png'), path.join(projectRoot, 'media', 'screenshots', 'tree.png'));
}
console.log(`[${elapsed()}] screenshots in ${path.relative(projectRoot, out)}/`);
console.log(`vscode-e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
