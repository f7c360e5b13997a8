// Tier (a): mocha INSIDE code-server's extension host with the real `vscode` API. code-server refuses
// --extensionDevelopmentPath/--extensionTestsPath on its command line, but the browser workbench reads
// them from the `payload` URL parameter and calls window.codeAutomationExit(code) when the runner ends
// (what @vscode/test-web relies on). Mocha's output arrives through window.codeAutomationLog.
// Usage: node scripts/vscode/exthost-test.mjs [extensionDir] [testsEntry]
import fs from 'node:fs';
import path from 'node:path';
import { startCodeServer, launchChromium, tmpdir, elapsed, projectRoot } from './lib.mjs';

const extDir = path.resolve(process.argv[2] || projectRoot);
const testsEntry = path.resolve(process.argv[3] || path.join(extDir, 'dist/test/integration.js'));
const TIMEOUT_MS = Number(process.env.EXTHOST_TIMEOUT_MS || 300_000);
if (!fs.existsSync(testsEntry)) { console.error(`${testsEntry} is missing: run node esbuild.js first.`); process.exit(1); }

const ws = tmpdir('asapp-ws-');
fs.writeFileSync(path.join(ws, 'readme.txt'), 'integration test workspace\n');
const results = path.join(tmpdir('asapp-results-'), 'stats.json');
// the extension host inherits code-server's environment
const cs = await startCodeServer({ workspace: ws, env: { EXT_TEST_RESULTS: results, ASAPP_TEST_WORKSPACE: ws } });
const { context, close } = await launchChromium();
let code = 1;
try {
  const page = context.pages()[0] ?? await context.newPage();
  const done = new Promise(resolve => page.exposeFunction('codeAutomationExit', c => resolve(c)));
  await page.exposeFunction('codeAutomationLog', (level, msg) => {
    if (level !== 'trace' && level !== 'debug') process.stdout.write(String(msg).replace(/^/gm, '  ') + '\n');
  });
  const remote = p => `vscode-remote://${new URL(cs.url).host}${p}`;
  const payload = JSON.stringify([['extensionDevelopmentPath', remote(extDir)], ['extensionTestsPath', remote(testsEntry)]]);
  await page.goto(`${cs.url}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(payload)}`);
  console.log(`[${elapsed()}] workbench loading, tests run inside the extension host…`);
  let timer;
  code = await Promise.race([done, new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`no result after ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS); })]);
  clearTimeout(timer);
  console.log(`[${elapsed()}] extension host test runner exit code: ${code}`);
} catch (e) {
  console.error('runner error:', e.message);
  console.error(cs.log().slice(-4000));
} finally {
  await close();
  await cs.stop();
}
let stats = {};
try { stats = JSON.parse(fs.readFileSync(results, 'utf8')); } catch {}
for (const d of [path.dirname(results), ws]) fs.rmSync(d, { recursive: true, force: true });
const failed = stats.failures ?? 1;
console.log(`vscode-exthost: ${stats.passes ?? 0} passed, ${failed} failed`);
process.exit(code === 0 && failed === 0 && (stats.passes ?? 0) > 0 ? 0 : 1);
