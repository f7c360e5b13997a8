// `ls` and `feeds` end to end against a real S3 server (fauxqs, or Ceph RGW with S3_TIER=rgw): main()
// in-process with captured output, and one spawn of the built CLI for exit codes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { runCli, s3CliEnv } from '../support/cli';
import { writeAwsProfiles } from '../../src/core/awsProfile';
import type { PartitionState } from '../../src/core/catalog';
import { startS3Target, type S3Target } from '../support/s3Target';
import { consecutiveDates, partitionObjects, putObjects, type SeedObject } from '../support/seed';

const ROOT = path.resolve(__dirname, '../..');
const DAYS = 2500;
const SUB = 'acme';
const FEED = 'dim_queues';

interface Run { code: number; stdout: string; stderr: string }

/** complete (2 objects), empty (1), in progress (1): a third each, cheap to seed. */
function stateOf(i: number): PartitionState {
  return (['complete', 'empty', 'in-progress'] as const)[i % 3];
}

describe(`ls and feeds commands (${process.env.S3_TIER ?? 'fauxqs'})`, function () {
  this.timeout(120_000);
  let target: S3Target;
  let s3: S3Client;
  let bucket: string;
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  const dates = consecutiveDates('2018-01-01', DAYS);
  let formatUri: string;

  async function cli(...argv: string[]): Promise<Run> {
    return runCli(argv, { env, cwd: tmp });
  }

  before(async () => {
    target = await startS3Target();
    s3 = target.client();
    bucket = await target.createBucket('lscli');
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ls-cli-'));
    env = s3CliEnv(target, tmp);
    const base = { bucket, subFolder: SUB, feed: FEED, version: 1, format: 'jsonl' };
    formatUri = `s3://${bucket}/${SUB}/${FEED}/version=1/format=jsonl/`;
    const objects: SeedObject[] = [];
    dates.forEach((dt, i) => objects.push(...partitionObjects({ location: { ...base, dt }, state: stateOf(i), files: [{ key: `${FEED}.jsonl.gz`, body: 'x'.repeat(1 + (i % 50)) }] })));
    // A small hourly feed for the partition-level and file-level views.
    for (const hr of ['00', '01']) {
      objects.push(...partitionObjects({
        location: { ...base, feed: 'utterances', dt: '2024-01-01', hr },
        state: hr === '00' ? 'complete' : 'in-progress',
        files: [{ key: 'utterances.jsonl.00.gz', body: 'abc' }, { key: 'utterances.jsonl.01.gz.enc', body: 'abcdef' }, { key: 'notes.txt', body: 'n' }],
      }));
    }
    await putObjects(s3, bucket, objects);
    await writeAwsProfiles([{
      profile: 'asapp-test', bucket, subFolder: SUB, region: 'us-east-1', endpoint: target.endpoint,
      credentials: { accessKeyId: target.credentials.accessKeyId, secretAccessKey: target.credentials.secretAccessKey },
    }], env);
  });
  after(async () => {
    await target?.stop();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it(`ls --json --all returns all ${DAYS} dt= partitions in order with their states, files and bytes`, async () => {
    const r = await cli('ls', formatUri, '--json', '--all');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.level, 'dt');
    assert.equal(doc.count, DAYS);
    assert.equal(doc.nextToken, undefined);
    assert.deepEqual(doc.items.map((e: { name: string }) => e.name), dates.map(d => `dt=${d}`));
    const expected = dates.map((_, i) => {
      const state = stateOf(i);
      const files = state === 'empty' ? 0 : 1;
      return { state, files, bytes: files ? 1 + (i % 50) : 0, hasSuccess: state !== 'in-progress' };
    });
    assert.deepEqual(doc.items.map((e: { state: string; files: number; bytes: number; hasSuccess: boolean }) => ({ state: e.state, files: e.files, bytes: e.bytes, hasSuccess: e.hasSuccess })), expected);
    assert.equal(doc.items[0].uri, `${formatUri}dt=${dates[0]}/`);
    assert.ok(!r.stdout.includes(target.credentials.secretAccessKey));
  });

  it('ls without --all gives one page and a token that continues where it stopped', async () => {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await cli('ls', formatUri, '--json', ...(token ? ['--next', token] : []));
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.ok(doc.count <= 1000);
      names.push(...doc.items.map((e: { name: string }) => e.name));
      token = doc.nextToken;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(names, dates.map(d => `dt=${d}`));
  });

  it('prints a human table with a --next hint', async () => {
    const r = await cli('ls', formatUri, '--page-size', '3');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^PARTITION\s+STATE\s+FILES\s+SIZE$/);
    assert.match(lines[1], /^dt=2018-01-01\/\s+complete\s+1\s+1 B$/);
    assert.match(lines[2], /^dt=2018-01-02\/\s+empty\s+0\s+0 B$/);
    assert.match(lines[3], /^dt=2018-01-03\/\s+in progress\s+1\s+3 B$/);
    assert.match(lines[4], /^More entries: asapp-exports ls s3:\/\/.* --next \S+ {3}\(or --all\)$/);
  });

  it('shows totals for a day of an hourly feed, states of its hours, and the files of an hour', async () => {
    const feedUri = `s3://${bucket}/${SUB}/utterances/version=1/format=jsonl/`;
    const days = JSON.parse((await cli('ls', feedUri, '--json')).stdout);
    assert.deepEqual(days.items[0].below, { partitions: 2, complete: 1, inProgress: 1, empty: 0, files: 6, bytes: 20 });
    assert.equal(days.items[0].leaf, false);
    const hours = await cli('ls', `${feedUri}dt=2024-01-01/`);
    assert.match(hours.stdout, /hr=00\/\s+complete\s+3\s+10 B/);
    assert.match(hours.stdout, /hr=01\/\s+in progress\s+3\s+10 B/);
    const files = await cli('ls', `${feedUri}dt=2024-01-01/hr=00/`);
    assert.equal(files.code, 0, files.stderr);
    assert.match(files.stdout, /hr=00\/ {2}complete, 3 files, 10 B/);
    assert.match(files.stdout, /utterances\.jsonl\.01\.gz\.enc\s+6 B\s+jsonl, split 01, gz, enc/);
    assert.match(files.stdout, /notes\.txt\s+1 B\s+unknown/);
    const json = JSON.parse((await cli('ls', `${feedUri}dt=2024-01-01/hr=01/`, '--json')).stdout);
    assert.deepEqual(json.partition, { leaf: true, state: 'in-progress', hasSuccess: false, files: 3, bytes: 10 });
    assert.deepEqual(json.items.map((f: { name: string }) => f.name), ['notes.txt', 'utterances.jsonl.00.gz', 'utterances.jsonl.01.gz.enc']);
  });

  it('hints at --sub-folder when a sub-folder is listed as if it were a feed', async () => {
    const r = await cli('ls', `s3://${bucket}/${SUB}/`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /looks like a sub-folder, not a feed: add --sub-folder acme/);
    const right = await cli('ls', `s3://${bucket}/${SUB}/`, '--sub-folder', SUB);
    assert.deepEqual(right.stdout.trim().split('\n'), ['dim_queues/', 'utterances/']);
  });

  describe('feeds', () => {
    const saved: Record<string, string | undefined> = {};
    // The SDK resolves --profile keys through process.env's file locations.
    before(() => {
      for (const v of ['AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE']) { saved[v] = process.env[v]; process.env[v] = env[v]; }
    });
    after(() => {
      for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
    });

    it('lists feeds of the bucket and sub-folder recorded in --profile, with the latest complete partition', async () => {
      const noKeys = { ...env };
      delete noKeys.AWS_ACCESS_KEY_ID;
      delete noKeys.AWS_SECRET_ACCESS_KEY;
      delete noKeys.AWS_ENDPOINT_URL_S3;
      const saveEnv = env;
      env = noKeys;
      try {
        const r = await cli('feeds', '--profile', 'asapp-test', '--json');
        assert.equal(r.code, 0, r.stderr);
        const doc = JSON.parse(r.stdout);
        assert.equal(doc.uri, `s3://${bucket}/${SUB}/`);
        const lastComplete = dates.filter((_, i) => stateOf(i) === 'complete').pop();
        assert.deepEqual(doc.feeds.map((f: { feed: string; versions: number[]; latestComplete?: { partition: string } }) => [f.feed, f.versions, f.latestComplete?.partition]), [
          [FEED, [1], lastComplete],
          ['utterances', [1], '2024-01-01T00'],
        ]);
        const root = await cli('ls', '--profile', 'asapp-test');
        assert.equal(root.code, 0, root.stderr);
        assert.deepEqual(root.stdout.trim().split('\n'), ['dim_queues/', 'utterances/']);
        const human = await cli('feeds', '--profile', 'asapp-test');
        assert.match(human.stdout, new RegExp(`dim_queues\\s+1\\s+jsonl\\s+${lastComplete}\\s+1`));
      } finally {
        env = saveEnv;
      }
    });

    it('takes the bucket from the URI, and fails as a usage error with neither URI nor profile', async () => {
      const r = await cli('feeds', `s3://${bucket}/${SUB}`, '--json');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).feeds.length, 2);
      const none = await cli('feeds');
      assert.equal(none.code, 2);
      assert.match(none.stderr, /Name the bucket .* or a --profile/);
    });
  });

  it('reports a missing bucket with advice and exit code 1', async () => {
    const r = await cli('ls', 's3://no-such-bucket-asapp-test/feed/', '--json');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Bucket "no-such-bucket-asapp-test" does not exist/);
    assert.equal(JSON.parse(r.stdout).error.code, 's3.no-such-bucket');
  });

  it('the built CLI lists partitions and exits 2 on a bad URI', async () => {
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
    const ok = await run(['ls', formatUri, '--page-size', '2']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /dt=2018-01-02\/\s+empty/);
    assert.ok(!/NodeVersionSupportWarning/.test(ok.stderr));
    const bad = await run(['ls', 'not-a-uri']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /is not an s3:\/\/ URI/);
  });
});
