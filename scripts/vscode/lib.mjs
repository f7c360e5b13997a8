// Shared by the VS Code tiers: start code-server (a real VS Code 1.100.3 server + browser workbench) with a
// throwaway profile, and Debian chromium through playwright-core. Everything they write lands under one
// temp root that stop()/close() remove; nothing goes to $HOME.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const projectRoot = root;
export const CODE_SERVER = process.env.CODE_SERVER || path.join(root, '.vscode-test/code-server/node_modules/.bin/code-server');

// code-server (config.yaml, coder-logs), @vscode/deviceid and chromium all write under the XDG dirs.
export const xdg = dir => ({ XDG_CONFIG_HOME: path.join(dir, 'xdg-config'), XDG_DATA_HOME: path.join(dir, 'xdg-data'),
  XDG_CACHE_HOME: path.join(dir, 'xdg-cache') });

export function tmpdir(prefix) { return fs.mkdtempSync(path.join(process.env.TMPDIR || os.tmpdir(), prefix)); }

/** A port nobody listens on right now (the machine is shared: never a fixed one). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export const elapsed = (t0 => () => `${((performance.now() - t0) / 1000).toFixed(1)}s`)(performance.now());

export async function startCodeServer({ workspace, settings = {}, env: extraEnv = {} }) {
  const dir = tmpdir('asapp-cs-');
  const ud = path.join(dir, 'ud'), exts = path.join(dir, 'exts');
  fs.mkdirSync(path.join(ud, 'User'), { recursive: true });
  fs.mkdirSync(exts, { recursive: true });
  fs.writeFileSync(path.join(ud, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off', 'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true, 'update.mode': 'none', 'workbench.tips.enabled': false,
    'workbench.enableExperiments': false, 'workbench.welcomePage.walkthroughs.openOnInstall': false,
    ...settings }, null, 2));
  const port = await freePort();
  const env = { ...process.env, ...xdg(dir), TMPDIR: dir, ...extraEnv };
  const common = ['--user-data-dir', ud, '--extensions-dir', exts];
  const proc = spawn(CODE_SERVER, ['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
    '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--ignore-last-opened', ...common, workspace], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  proc.stdout.on('data', d => { log += d; });
  proc.stderr.on('data', d => { log += d; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { const r = await fetch(`${url}/healthz`); if (r.ok) break; } catch {}
    if (i > 600 || proc.exitCode !== null) throw new Error('code-server did not start:\n' + log);
    await new Promise(r => setTimeout(r, 100));
  }
  return {
    url, ud, exts, env, common, log: () => log,
    async stop() {
      if (proc.exitCode === null) await new Promise(res => { proc.once('exit', res); proc.kill('SIGTERM'); setTimeout(res, 5000); });
      // the extension host and language servers may outlive the server: end its process group (ours, by id)
      try { process.kill(-proc.pid, 'SIGKILL'); } catch {}
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchChromium() {
  const dir = tmpdir('asapp-chromium-');
  const context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
    env: { ...process.env, ...xdg(dir) }, executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    viewport: { width: 1400, height: 860 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return { context, async close() { await context.close().catch(() => {}); fs.rmSync(dir, { recursive: true, force: true }); } };
}
