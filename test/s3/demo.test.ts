import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { startS3Target, type S3Target } from '../support/s3Target';
import { generateSampleExports } from '../../src/core/sample/generate';
import { s3Sink, MULTIPART_THRESHOLD } from '../../src/core/sample/sinks';
import { startDemo, DEMO_ENVIRONMENTS, type DemoHandle } from '../../src/core/demo';
import { getPartitionSummary } from '../../src/core/catalog';
import { parseExportKey } from '../../src/core/layout';
import { decryptMessage, unlockPrivateKey } from '../../src/core/pgp';
import { readToolProfile } from '../../src/core/awsProfile';
import { main } from '../../src/cli/main';

const ROOT = resolve(__dirname, '..', '..');

async function listAll(client: S3Client, bucket: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) out.set(o.Key!, o.Size ?? 0);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

function capture() {
  let text = '';
  return { write: (s: string) => { text += s; return true; }, get text() { return text; } };
}

describe('sample exports on S3', () => {
  let target: S3Target;
  before(async () => { target = await startS3Target(); });
  after(async () => { await target.stop(); });

  it('stores every object of the manifest, with the partition states the catalog reads back', async () => {
    const client = target.client();
    const bucket = await target.createBucket('sample');
    const m = await generateSampleExports(s3Sink(client, bucket), { seed: 5, days: 1, now: '2024-01-01T06:10:00Z', subFolder: 'acme', concurrency: 16 });
    const stored = await listAll(client, bucket);
    assert.equal(stored.size, m.objects);
    for (const f of m.files) assert.equal(stored.get(f.key), f.bytes, f.key);
    for (const p of m.partitions) {
      const summary = await getPartitionSummary(client, parseExportKey(bucket, p.prefix, { subFolder: 'acme' }));
      assert.equal(summary.state, p.state, p.prefix);
      assert.equal(summary.fileCount, p.files.length, p.prefix);
      assert.equal(summary.bytes, p.bytes, p.prefix);
    }
  });

  it('uploads bodies over 8 MiB as multipart (single PUTs that big fail on the local server)', async () => {
    const client = target.client();
    const bucket = await target.createBucket('big');
    const m = await generateSampleExports(s3Sink(client, bucket), {
      feeds: ['utterances'], days: 1, splits: 1, fileBytes: 9 * 1024 * 1024, now: '2024-01-01T01:00:00Z', docs: false, duplicateRate: 0,
    });
    const file = m.files[0];
    assert.ok(file.bytes > MULTIPART_THRESHOLD, `${file.bytes} bytes`);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: file.key }));
    assert.match(head.ETag ?? '', /-\d+"?$/, 'a multipart ETag');
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: file.key }));
    const body = Buffer.from(await got.Body!.transformToByteArray());
    assert.equal(body.length, file.bytes);
    assert.equal(gunzipSync(body).toString('utf8').split('\n').filter(Boolean).length, file.rows);
  });
});

// The demo always runs its own in-process server (never the tier's), so these run once, on the fauxqs tier.
if ((process.env.S3_TIER ?? 'fauxqs') === 'fauxqs') {
  describe('demo', function () {
    this.timeout(120_000);
    let dir: string;
    before(async () => { dir = await mkdtemp(join(tmpdir(), 'demo-test-')); });
    after(async () => { await rm(dir, { recursive: true, force: true }); });

    describe('startDemo at a fixed time', () => {
      let demo: DemoHandle;
      const steps: number[] = [];
      before(async () => {
        demo = await startDemo({ dir: join(dir, 'fixed'), now: new Date('2024-03-05T14:37:00Z'), days: 2, size: 'tiny' }, s => steps.push(s.index));
      });
      after(async () => { await demo?.stop(); });

      it('reports the five steps in order and serves both buckets on 127.0.0.1', async () => {
        assert.deepEqual(steps, [1, 2, 3, 4, 5]);
        assert.match(demo.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.deepEqual(demo.environments.map(e => [e.env, e.bucket, e.profile]), [
          ['prod', 'asapp-prod-acme-exports-us-east-1', 'asapp-demo-prod'],
          ['preprod', 'asapp-preprod-acme-exports-us-east-1', 'asapp-demo-preprod'],
        ]);
      });

      it('lists the feeds and the day with complete, empty and in-progress partitions', () => {
        assert.deepEqual(demo.feeds.map(f => f.feed), ['convos_metrics', 'dim_queues', 'export_docs', 'rep_activity', 'utterances']);
        assert.deepEqual(demo.feeds.find(f => f.feed === 'convos_metrics')!.versions, [1, 2]);
        assert.equal(demo.feeds.find(f => f.feed === 'utterances')!.latestComplete?.prefix, 'utterances/version=1/format=jsonl/dt=2024-03-05/hr=13/');
        assert.equal(demo.day?.dt, '2024-03-05');
        const states = demo.day!.partitions.map(p => `${p.location.hr}:${p.state}`);
        const expected = Array.from({ length: 15 }, (_, h) => `${String(h).padStart(2, '0')}:${h === 4 ? 'empty' : h === 14 ? 'in-progress' : 'complete'}`);
        assert.deepEqual(states, expected);
        // What the listing says matches what the generator wrote.
        for (const p of demo.day!.partitions) {
          const truth = demo.manifest.partitions.find(t => t.prefix === p.prefix)!;
          assert.equal(p.fileCount, truth.files.length);
          assert.equal(p.bytes, truth.bytes);
        }
      });

      it('keeps secrets in 0600 files and writes working profiles to the demo AWS files only', async () => {
        for (const f of [demo.files.privateKey, demo.files.passphrase, demo.files.awsCredentials]) {
          assert.equal((await stat(f)).mode & 0o777, 0o600, f);
        }
        const profile = await readToolProfile('asapp-demo-preprod', demo.env);
        assert.deepEqual(profile, { profile: 'asapp-demo-preprod', bucket: DEMO_ENVIRONMENTS[1].bucket, subFolder: 'exports', region: 'us-east-1', endpoint: demo.endpoint });
        assert.match(await readFile(demo.files.awsCredentials, 'utf8'), /\[asapp-demo-prod\]\naws_access_key_id = AKIA[A-Z2-7]{16}\naws_secret_access_key = /);
      });

      it('stores the vendor-encrypted export, which the demo key decrypts', async () => {
        assert.match(demo.encryptedExport ?? '', /convos_metrics\.jsonl\.gz\.enc$/);
        const key = await unlockPrivateKey(await readFile(demo.files.privateKey, 'utf8'), (await readFile(demo.files.passphrase, 'utf8')).trim());
        const res = await fetch(`${demo.endpoint}/${DEMO_ENVIRONMENTS[0].bucket}/${demo.manifest.encryptedFile}`);
        assert.equal(res.status, 200);
        const plain = await decryptMessage(new Uint8Array(await res.arrayBuffer()), key);
        const rows = gunzipSync(Buffer.from(plain.data)).toString('utf8').split('\n').filter(Boolean);
        assert.equal(rows.length, demo.manifest.files.find(f => f.key === demo.manifest.encryptedFile)!.rows);
        // The plain copy is gone.
        const gone = await fetch(`${demo.endpoint}/${DEMO_ENVIRONMENTS[0].bucket}/${demo.manifest.encryptedFile!.replace(/\.enc$/, '')}`);
        assert.equal(gone.status, 404);
      });

      it('stops the server', async () => {
        const endpoint = demo.endpoint;
        await demo.stop();
        await assert.rejects(fetch(endpoint));
        await stat(demo.files.privateKey); // --dir given: the files stay
      });
    });

    it('`demo --once` through main() exits 0 and prints the feeds and one day with its states', async () => {
      const out = capture();
      const err = capture();
      const before = new Date();
      const code = await main(['demo', '--once', '--json'], { stdout: out, stderr: err, env: { ...process.env }, cwd: dir });
      const after = new Date();
      assert.equal(code, 0, err.text);
      const summary = JSON.parse(out.text);
      assert.equal(summary.ok, true);
      assert.equal(summary.running, false);
      assert.deepEqual(summary.feeds.map((f: { feed: string }) => f.feed), ['convos_metrics', 'dim_queues', 'export_docs', 'rep_activity', 'utterances']);
      const parts: Array<{ hr: string; state: string }> = summary.day.partitions;
      assert.deepEqual(parts.filter(p => p.state === 'empty').map(p => p.hr), ['04']);
      const today = before.toISOString().slice(0, 10);
      if (summary.day.dt === today || summary.day.dt === after.toISOString().slice(0, 10)) {
        // Today: every hour up to the current one, the current one in progress.
        const last = parts[parts.length - 1];
        assert.equal(last.state, 'in-progress');
        assert.ok([before.getUTCHours(), after.getUTCHours()].includes(Number(last.hr)));
        assert.ok(parts.slice(0, -1).every(p => p.state !== 'in-progress'));
      } else {
        // Before 05:00 UTC the demo shows yesterday, whose 24 hours are all done.
        assert.equal(parts.length, 24);
        assert.ok(parts.every(p => p.state !== 'in-progress'));
      }
      // The temp folder is removed after --once.
      await assert.rejects(stat(summary.dir));
    });

    it('rejects a bad port with exit 2 before starting anything', async () => {
      const bad = capture();
      assert.equal(await main(['demo', '--port', 'abc'], { stdout: capture(), stderr: bad, env: {}, cwd: dir }), 2);
      assert.match(bad.text, /--port "abc" is not a port number/);
      assert.equal(await main(['demo', 'extra'], { stdout: capture(), stderr: capture(), env: {}, cwd: dir }), 2);
    });

    it('without --once keeps serving until cancelled, printing the endpoint and commands to try', async () => {
      const out = capture();
      const controller = new AbortController();
      const running = main(['demo'], { stdout: out, stderr: capture(), env: { ...process.env }, cwd: dir, signal: controller.signal });
      const deadline = Date.now() + 90_000;
      while (!out.text.includes('Press Ctrl-C to stop.') && Date.now() < deadline) await new Promise(r => setTimeout(r, 100));
      const endpoint = /keeps running at (http:\/\/127\.0\.0\.1:\d+)/.exec(out.text)?.[1];
      assert.ok(endpoint, out.text);
      assert.match(out.text, new RegExp(`npx asapp-exports feeds --endpoint ${endpoint.replace(/\./g, '\\.')} --profile asapp-demo-prod`));
      assert.match(out.text, /export AWS_SHARED_CREDENTIALS_FILE=\S+ AWS_CONFIG_FILE=\S+/);
      const res = await fetch(`${endpoint}/${DEMO_ENVIRONMENTS[0].bucket}?list-type=2&prefix=dim_queues/&delimiter=/`);
      assert.equal(res.status, 200);
      controller.abort();
      assert.equal(await running, 0);
      await assert.rejects(fetch(endpoint));
    });

    describe('the built CLI', () => {
      before(function () {
        this.timeout(120_000);
        execFileSync(process.execPath, ['esbuild.js'], { cwd: ROOT, stdio: 'pipe' });
      });

      const run = (cmd: string, args: string[]) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
          const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'untouched-credentials') } });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', d => { stdout += d; });
          child.stderr.on('data', d => { stderr += d; });
          child.on('error', fail);
          child.on('close', code => done({ code, stdout, stderr }));
        });

      it('`node dist/cli.js demo --once` exits 0 with the journey and the listing, and nothing on stderr', async () => {
        const keep = join(dir, 'kept');
        const r = await run(process.execPath, ['dist/cli.js', 'demo', '--once', '--dir', keep]);
        assert.equal(r.code, 0, r.stderr);
        for (const n of [1, 2, 3, 4, 5]) assert.match(r.stdout, new RegExp(`^\\[${n}/5\\] `, 'm'));
        assert.match(r.stdout, /^\[5\/5\] Browsing s3:\/\/asapp-prod-acme-exports-us-east-1\/ with profile asapp-demo-prod$/m);
        assert.match(r.stdout, /^ {6}convos_metrics +v1,v2 +dt=/m);
        assert.match(r.stdout, /^ {6}hr=04 +empty +0 +0 B$/m);
        assert.match(r.stdout, /the key pair and demo AWS files stay in/);
        await stat(join(keep, 'private-key.asc'));
        assert.equal(r.stderr, '');
        await assert.rejects(stat(join(dir, 'untouched-credentials')), 'the user\'s AWS files are not written');
      });

      it('`npx asapp-exports demo --once` works from the repository', async () => {
        const r = await run('npx', ['--no-install', 'asapp-exports', 'demo', '--once']);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^\[5\/5\] Browsing /m);
      });
    });
  });
}
