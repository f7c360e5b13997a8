// The pull and preview commands end to end: main() in-process with captured output (fast), and one
// spawn of the built CLI for exit codes and the non-terminal progress output.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { runCli, s3CliEnv } from '../support/cli';
import { encryptForRecipient, generateKeyPair } from '../../src/core/pgp';
import { startS3Target, type S3Target } from '../support/s3Target';
import { gz, jsonlRows, seedObjects, type SeedObject } from '../../bench/lib/seed';

const FEED = 'convos_metrics/version=1/format=jsonl/';
const ROOT = path.resolve(__dirname, '../..');

interface Run { code: number; stdout: string; stderr: string }

describe(`pull and preview commands (${process.env.S3_TIER ?? 'fauxqs'})`, function () {
  this.timeout(60_000);
  let target: S3Target;
  let s3: S3Client;
  let bucket: string;
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let keyFile: string;
  let passFile: string;

  async function cli(...argv: string[]): Promise<Run> {
    return cliWith({}, ...argv);
  }
  async function cliWith(o: { tty?: boolean }, ...argv: string[]): Promise<Run> {
    return runCli(argv, { env, cwd: tmp, tty: o.tty });
  }

  before(async () => {
    target = await startS3Target();
    s3 = target.client();
    bucket = await target.createBucket('cli');
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'pull-cli-'));
    env = s3CliEnv(target, tmp);
    const pair = await generateKeyPair({ name: 'CLI Test', email: 'c@example.com', passphrase: 'secret-pass' });
    keyFile = path.join(tmp, 'key.asc');
    passFile = path.join(tmp, 'pass.txt');
    await fs.writeFile(keyFile, pair.privateKeyArmored, { mode: 0o600 });
    await fs.writeFile(passFile, 'secret-pass\n', { mode: 0o600 });
    const objects: SeedObject[] = [];
    for (const hr of ['00', '01']) {
      objects.push({ key: `sub/${FEED}dt=2024-01-01/hr=${hr}/convos_metrics.jsonl.gz`, body: gz(jsonlRows(100, Number(hr) + 1)) });
      objects.push({ key: `sub/${FEED}dt=2024-01-01/hr=${hr}/_SUCCESS`, body: Buffer.alloc(0) });
    }
    objects.push({ key: `sub/${FEED}dt=2024-01-01/hr=02/convos_metrics.jsonl.gz`, body: gz(jsonlRows(10)) }); // in progress
    const enc = Buffer.from((await encryptForRecipient(gz(jsonlRows(30, 9)), pair.publicKeyArmored)) as Uint8Array);
    objects.push({ key: `sub/${FEED}dt=2024-01-02/hr=00/convos_metrics.jsonl.gz.enc`, body: enc });
    objects.push({ key: `sub/${FEED}dt=2024-01-02/hr=00/_SUCCESS`, body: Buffer.alloc(0) });
    await seedObjects(s3, bucket, objects);
  });
  after(async () => {
    await target?.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('--dry-run --json prints the plan and writes nothing', async () => {
    const r = await cli('pull', `s3://${bucket}/sub/convos_metrics`, '--sub-folder', 'sub', '--from', '2024-01-01', '--to', '2024-01-01', '--out', 'dry', '--dry-run', '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.plan.totals.toDownload.files, 2);
    assert.equal(doc.plan.skippedIncomplete.length, 1);
    assert.equal(existsSync(path.join(tmp, 'dry')), false);
  });

  it('pulls a day, prints the summary, and a re-run skips everything', async () => {
    const uri = `s3://${bucket}/sub/convos_metrics/version=1`;
    const r = await cli('pull', uri, '--from', '2024-01-01', '--to', '2024-01-01', '--out', 'day');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /downloaded\s+2 files/);
    assert.match(r.stdout, /skipped incomplete\s+1 partition/);
    assert.match(r.stdout, /hr=02/);
    assert.ok(existsSync(path.join(tmp, 'day', FEED, 'dt=2024-01-01/hr=00/convos_metrics.jsonl.gz')));
    const again = await cli('pull', uri, '--from', '2024-01-01', '--to', '2024-01-01', '--out', 'day', '--json');
    assert.equal(again.code, 0, again.stderr);
    const doc = JSON.parse(again.stdout);
    assert.equal(doc.summary.downloaded.files, 0);
    assert.equal(doc.summary.skippedUnchanged.files, 2);
  });

  it('draws a progress bar in place on a terminal and clears it before the summary', async () => {
    const r = await cliWith({ tty: true }, 'pull', `s3://${bucket}/sub/convos_metrics/version=1`, '--from', '2024-01-01', '--to', '2024-01-01', '--out', 'tty');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\r\[[#.]{24}\] \d+\/2 files .* MB\/s {2}ETA/);
    assert.ok(r.stderr.endsWith('\r\x1b[K'), 'the bar is erased at the end');
    assert.ok(!r.stdout.includes('\r'), 'the summary on stdout has no redraws');
  });

  it('decrypts .enc files with --decrypt --key, keeping the encrypted file unless --delete-encrypted', async () => {
    const base = ['pull', `s3://${bucket}/sub/convos_metrics/version=1/format=jsonl/dt=2024-01-02/`, '--out', 'enc', '--decrypt', '--key', keyFile, '--passphrase-file', passFile];
    const r = await cli(...base);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /decrypted\s+1 file/);
    const dir = path.join(tmp, 'enc', FEED, 'dt=2024-01-02/hr=00');
    assert.deepEqual((await fs.readdir(dir)).sort(), ['_SUCCESS', 'convos_metrics.jsonl.gz', 'convos_metrics.jsonl.gz.enc']);
    assert.ok(!r.stdout.includes('secret-pass') && !r.stderr.includes('secret-pass'));
    const p = await cli('preview', path.join(dir, 'convos_metrics.jsonl.gz'), '-n', '3', '--json');
    assert.equal(JSON.parse(p.stdout).records.length, 3);
    const del = await cli(...base, '--delete-encrypted');
    assert.equal(del.code, 0, del.stderr);
    assert.deepEqual((await fs.readdir(dir)).sort(), ['_SUCCESS', 'convos_metrics.jsonl.gz']);
    // the deleted .enc does not count as missing: nothing is fetched again
    const third = await cli(...base, '--delete-encrypted', '--json');
    assert.equal(JSON.parse(third.stdout).summary.downloaded.files, 0);
  });

  it('rejects bad usage with exit code 2', async () => {
    assert.equal((await cli('pull')).code, 2);
    assert.equal((await cli('pull', `s3://${bucket}/sub/convos_metrics`, '--concurrency', 'lots')).code, 2);
    const both = await cli('pull', `s3://${bucket}/sub/convos_metrics/version=1/format=jsonl/dt=2024-01-01/`, '--from', '2024-01-01');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /either a partition/);
    assert.equal((await cli('preview', `s3://${bucket}/sub/`)).code, 2);
  });

  it('previews an S3 object as a table and as JSON', async () => {
    const uri = `s3://${bucket}/sub/${FEED}dt=2024-01-01/hr=00/convos_metrics.jsonl.gz`;
    const t = await cli('preview', uri, '-n', '5', '--table');
    assert.equal(t.code, 0, t.stderr);
    const lines = t.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^line\s+issue_id\s+company_marker/);
    assert.equal(lines.length, 3 + 5);
    assert.match(t.stderr, /5 records of s3:\/\/.*\(gzip\)/);
    const j = await cli('preview', uri, '-n', '2', '--json');
    const doc = JSON.parse(j.stdout);
    assert.deepEqual(doc.records.map((r: { line: number }) => r.line), [1, 2]);
    assert.ok(doc.columns.some((c: { name: string }) => c.name === 'handle_time_s'));
    const enc = await cli('preview', `s3://${bucket}/sub/${FEED}dt=2024-01-02/hr=00/convos_metrics.jsonl.gz.enc`);
    assert.equal(enc.code, 1);
    assert.match(enc.stderr, /encrypted: give your private key/);
  });

  it('the built CLI exits 0 on success and writes plain progress lines, no bar redraws, when not on a terminal', async function () {
    const cliJs = path.join(ROOT, 'dist/cli.js');
    if (!existsSync(cliJs)) assert.fail('dist/cli.js is missing: run `node esbuild.js` first (npm test does)');
    const run = (args: string[]) =>
      new Promise<Run>((resolve, reject) => {
        const child = spawn(process.execPath, [cliJs, ...args], { cwd: tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', d => { stdout += d; });
        child.stderr.on('data', d => { stderr += d; });
        child.on('error', reject);
        child.on('close', code => resolve({ code: code ?? -1, stdout, stderr }));
      });
    const ok = await run(['pull', `s3://${bucket}/sub/convos_metrics/version=1/format=jsonl/dt=2024-01-01/hr=01/`, '--out', 'spawned']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /downloaded\s+1 file/);
    assert.ok(!ok.stderr.includes('\r'), 'no progress bar redraws when stderr is not a terminal');
    assert.match(ok.stderr, /^pull: \d+\/1 files/m);
    assert.ok(!/NodeVersionSupportWarning/.test(ok.stderr));
    const bad = await run(['pull', 's3://Not_A_Bucket/x']);
    assert.notEqual(bad.code, 0);
  });
});
