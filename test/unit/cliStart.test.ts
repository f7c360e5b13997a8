// CLI start-up: the command table main.ts dispatches on without loading every family, the built launcher
// (dist/cli.js) with its V8 code cache, and a reader that closes the pipe early (`… | head`).
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMMAND_FAMILIES, allCommands, main } from '../../src/cli/main';

const ROOT = path.resolve(__dirname, '../..');
const DIST = path.join(ROOT, 'dist');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cli: string, args: string[], o: { env?: NodeJS.ProcessEnv; closeStdout?: boolean } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // The reader goes away before the CLI writes anything: its first write fails with EPIPE.
    if (o.closeStdout) child.stdout.destroy();
    else child.stdout.on('data', d => { stdout += d; });
    child.stderr.on('data', d => { stderr += d; });
    child.on('error', reject);
    child.on('close', code => resolve({ code, stdout, stderr }));
  });
}

function capture() {
  let text = '';
  return { out: { write: (t: string) => { text += t; return true; } }, text: () => text };
}

describe('CLI start', () => {
  it('the dispatch table names every command of every family once, in the order of --help', async () => {
    const names = allCommands().map(c => c.name);
    assert.deepEqual(COMMAND_FAMILIES.map(([n]) => n), names);
    const out = capture();
    const err = capture();
    assert.equal(await main(['--help'], { stdout: out.out, stderr: err.out, env: {}, cwd: ROOT }), 0);
    for (const n of names) assert.match(out.text(), new RegExp(`^  ${n.replace(/ /g, ' ')}\\s`, 'm'));
  });

  it('dispatches a two-word command and its help through the table', async () => {
    const out = capture();
    const err = capture();
    assert.equal(await main(['help', 'schema', 'diff'], { stdout: out.out, stderr: err.out, env: {}, cwd: ROOT }), 0);
    assert.match(out.text(), /^Usage: asapp-exports schema diff/);
    const bad = capture();
    assert.equal(await main(['schema', 'nope'], { stdout: capture().out, stderr: bad.out, env: {}, cwd: ROOT }), 2);
    assert.match(bad.text(), /unknown command "schema nope"/);
  });

  it('a command that loads DuckDB (an external module) still works when it runs from the code cache', async function () {
    this.timeout(60_000);
    const cli = path.join(DIST, 'cli.js');
    assert.ok(existsSync(cli), 'dist/cli.js is missing: run `node esbuild.js` first (npm test does)');
    for (const f of await fs.readdir(DIST)) if (f.endsWith('.dedupe.v8cache')) await fs.rm(path.join(DIST, f));
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-start-duckdb-'));
    try {
      const part = path.join(tmp, 'in/convos_metrics/version=1/format=jsonl/dt=2024-01-01/hr=00');
      await fs.mkdir(part, { recursive: true });
      const { gzipSync } = await import('node:zlib');
      await fs.writeFile(path.join(part, 'convos_metrics.jsonl.gz'), gzipSync('{"issue_id":"1","first_utterance_ts":"2024-01-01T00:00:00Z"}\n'));
      for (const round of ['compiles and writes the cache', 'runs from the cache']) {
        const r = await run(cli, ['dedupe', 'run', 'convos_metrics', '--in', path.join(tmp, 'in'), '--out', path.join(tmp, `${round.length}.parquet`), '--json']);
        assert.equal(r.code, 0, `${round}: ${r.stderr}`);
        assert.equal(JSON.parse(r.stdout).rowsOut, 1);
      }
      assert.ok((await fs.readdir(DIST)).some(f => f.endsWith('.dedupe.v8cache')), 'the first run wrote no cache');
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  });

  describe('built CLI (dist/cli.js → dist/cliMain.js through a V8 code cache)', function () {
    this.timeout(60_000);
    let dir: string;
    let cli: string;
    const cacheFiles = async (d: string) => (await fs.readdir(d).catch(() => [] as string[])).filter(n => n.endsWith('.v8cache'));

    before(async function () {
      if (!existsSync(path.join(DIST, 'cli.js')) || !existsSync(path.join(DIST, 'cliMain.js'))) {
        assert.fail('dist/cli.js or dist/cliMain.js is missing: run `node esbuild.js` first (npm test does)');
      }
      // A private copy, so the cache files of this test are its own.
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-start-'));
      await fs.mkdir(path.join(dir, 'dist'));
      for (const f of ['cli.js', 'cliMain.js']) await fs.copyFile(path.join(DIST, f), path.join(dir, 'dist', f));
      cli = path.join(dir, 'dist', 'cli.js');
    });
    after(async () => {
      await fs.chmod(path.join(dir, 'dist'), 0o755).catch(() => undefined);
      await fs.rm(dir, { recursive: true, force: true });
    });

    it('writes the cache beside the bundle after a successful command, keeps it, and replaces a corrupt one', async () => {
      const first = await run(cli, ['--version']);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^\d+\.\d+\.\d+/);
      const [cache] = await cacheFiles(path.join(dir, 'dist'));
      assert.ok(cache, 'no code cache was written');
      const file = path.join(dir, 'dist', cache);
      assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
      const before = (await fs.stat(file)).mtimeMs;
      const second = await run(cli, ['--version']);
      assert.equal(second.code, 0);
      assert.equal(second.stdout, first.stdout);
      assert.equal((await fs.stat(file)).mtimeMs, before, 'an accepted cache is not rewritten');
      await fs.writeFile(file, Buffer.from('not a V8 code cache at all'));
      const third = await run(cli, ['--version']);
      assert.equal(third.code, 0, third.stderr);
      assert.equal(third.stdout, first.stdout);
      assert.ok((await fs.stat(file)).size > 1000, 'the rejected cache was not replaced');
      // Another command compiles other functions: it gets a cache of its own; a failed run writes none.
      assert.equal((await run(cli, ['tables'])).code, 0);
      assert.equal((await run(cli, ['schema', 'nope'])).code, 2);
      const names = await cacheFiles(path.join(dir, 'dist'));
      assert.equal(names.length, 2, names.join(', '));
      assert.ok(names.some(n => n.endsWith('.tables.v8cache')), names.join(', '));
    });

    // (As root the read-only folder is still writable, so only the shared-folder rule is shown then.)
    it('falls back to a private per-user folder when the bundle folder is read-only, and never uses a folder others can write', async () => {
      for (const f of await cacheFiles(path.join(dir, 'dist'))) await fs.rm(path.join(dir, 'dist', f));
      const xdg = path.join(dir, 'xdg');
      const env = { ...process.env, XDG_CACHE_HOME: xdg, TMPDIR: path.join(dir, 'tmp') };
      await fs.mkdir(env.TMPDIR, { recursive: true });
      await fs.chmod(path.join(dir, 'dist'), 0o555);
      try {
        const r = await run(cli, ['--version'], { env });
        assert.equal(r.code, 0, r.stderr);
        if (process.getuid?.() !== 0) {
          const own = path.join(xdg, 'asapp-exports');
          assert.equal((await cacheFiles(own)).length, 1);
          assert.equal((await fs.stat(own)).mode & 0o777, 0o700);
        }
      } finally {
        await fs.chmod(path.join(dir, 'dist'), 0o755);
      }
      // A cache folder that others may write is ignored (a planted cache would be code): still works.
      for (const f of await cacheFiles(path.join(dir, 'dist'))) await fs.rm(path.join(dir, 'dist', f));
      const shared = path.join(dir, 'shared');
      await fs.mkdir(path.join(shared, 'asapp-exports'), { recursive: true });
      await fs.chmod(path.join(shared, 'asapp-exports'), 0o777);
      await fs.writeFile(path.join(shared, 'asapp-exports', '.cliMain.0000000000000000.v8cache'), 'planted');
      const r = await run(cli, ['--version'], { env: { ...env, XDG_CACHE_HOME: shared } });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await cacheFiles(path.join(shared, 'asapp-exports')), ['.cliMain.0000000000000000.v8cache']);
    });

    it('with --enable-source-maps the bundle is loaded the plain way (Node maps its stack traces), without a cache', async () => {
      for (const f of await cacheFiles(path.join(dir, 'dist'))) await fs.rm(path.join(dir, 'dist', f));
      const r = await run(cli, ['--version'], { env: { ...process.env, NODE_OPTIONS: '--enable-source-maps' } });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^\d+\.\d+\.\d+/);
      assert.deepEqual(await cacheFiles(path.join(dir, 'dist')), []);
    });

    it('a reader that closes stdout early (`… | head`) ends the command quietly with code 0', async () => {
      for (const args of [['tables'], ['--help']]) {
        const r = await run(cli, args, { closeStdout: true });
        assert.equal(r.stderr, '', `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.code, 0, args.join(' '));
      }
    });

    it('a failure before the reader left still exits 1 with its message', async () => {
      const r = await run(cli, ['preview', path.join(dir, 'missing.jsonl')], { closeStdout: true });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /missing\.jsonl/);
    });
  });
});
