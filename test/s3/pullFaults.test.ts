// Failures a healthy server will not produce on demand, made by test/support/faultProxy.ts sitting in
// front of the real server (fauxqs or Ceph RGW): 503 SlowDown, connection resets and stalls mid-body,
// a flipped byte, the server going away mid-pull. Each case checks the pull still ends with every file
// complete and byte-exact, and never a partial file under a final name.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { executeDownload } from '../../src/core/download/execute';
import { planDownload } from '../../src/core/download/plan';
import { downloadObject } from '../../src/core/download/transfer';
import type { ExportLocation } from '../../src/core/layout';
import { startS3Target, type S3Target } from '../support/s3Target';
import { startFaultProxy, type FaultProxy } from '../support/faultProxy';
import { gz, jsonlRows, putObject, seedObjects, type SeedObject } from '../../bench/lib/seed';
import { filesUnder } from '../support/files';

const FEED = 'convos_metrics/version=1/format=jsonl/';
const FAST_RETRY = { retries: 4, baseDelayMs: 20, maxDelayMs: 100 };

function md5(b: Buffer): string {
  return createHash('md5').update(b).digest('hex');
}

describe(`pull under faults (${process.env.S3_TIER ?? 'fauxqs'})`, function () {
  this.timeout(60_000);
  let target: S3Target;
  let s3: S3Client;
  let bucket: string;
  let tmp: string;
  let proxy: FaultProxy | undefined;
  const bodies = new Map<string, Buffer>();
  const big = gz(jsonlRows(20_000, 3)); // ~1 MB: several chunks, so faults land mid-body
  const bigKey = `${FEED}dt=2024-01-01/hr=00/convos_metrics.jsonl.gz`;

  /** A client that talks to the server through the fault proxy, with SDK retries off (ours are tested). */
  const viaProxy = (p: FaultProxy) => target.client({ endpoint: p.endpoint, maxAttempts: 1 });
  const loc = (): ExportLocation => ({ bucket, subFolder: '', feed: 'convos_metrics', version: 1, format: 'jsonl' });

  before(async () => {
    target = await startS3Target();
    s3 = target.client();
    bucket = await target.createBucket('faults');
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'pull-faults-'));
    const objects: SeedObject[] = [{ key: bigKey, body: big }];
    for (let h = 1; h < 4; h++) {
      objects.push({ key: `${FEED}dt=2024-01-01/hr=0${h}/convos_metrics.jsonl.gz`, body: gz(jsonlRows(8000, 10 + h)) });
    }
    for (let h = 0; h < 4; h++) objects.push({ key: `${FEED}dt=2024-01-01/hr=0${h}/_SUCCESS`, body: Buffer.alloc(0) });
    for (const o of objects) bodies.set(o.key, o.body as Buffer);
    await seedObjects(s3, bucket, objects);
  });
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });
  after(async () => {
    await target?.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  async function assertComplete(out: string): Promise<void> {
    for (const [key, body] of bodies) {
      if (key.endsWith('_SUCCESS')) continue;
      assert.equal(md5(await fs.readFile(path.join(out, key))), md5(body), key);
    }
    assert.deepEqual((await filesUnder(out)).filter(f => f.endsWith('.part')), []);
  }

  it('retries 503 SlowDown answers and completes', async () => {
    proxy = await startFaultProxy(target.endpoint);
    let slowDowns = 0;
    proxy.setRule(r => (r.method === 'GET' && r.url.includes('.gz') && slowDowns++ < 3 ? { kind: 'status', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' } : undefined));
    const client = viaProxy(proxy);
    const out = path.join(tmp, 'slowdown');
    const s = await executeDownload(client, await planDownload(client, { location: loc(), outDir: out }), { retry: FAST_RETRY });
    assert.equal(s.failed.length, 0, JSON.stringify(s.failed));
    assert.equal(s.retries, 3);
    assert.equal(s.downloaded.files, 4);
    await assertComplete(out);
  });

  it('retries connection resets mid-body, continuing the partial file with a ranged If-Match GET', async () => {
    proxy = await startFaultProxy(target.endpoint);
    let resets = 0;
    proxy.setRule(r => (r.method === 'GET' && r.url.includes('hr=00') && r.url.includes('.gz') && resets++ < 2 ? { kind: 'reset', afterBytes: 300_000 } : undefined));
    const client = viaProxy(proxy);
    const out = path.join(tmp, 'reset');
    const s = await executeDownload(client, await planDownload(client, { location: loc(), outDir: out }), { retry: FAST_RETRY });
    assert.equal(s.failed.length, 0, JSON.stringify(s.failed));
    assert.equal(s.retries, 2);
    const gets = proxy.requests.filter(r => r.url.includes('hr=00') && r.url.includes('.gz'));
    assert.equal(gets.length, 3);
    assert.match(gets[1].range ?? '', /^bytes=\d+-$/, 'the retry asks only for the rest');
    assert.ok(gets[1].ifMatch, 'the retry is guarded by If-Match');
    await assertComplete(out);
  });

  it('aborts a stalled body with the idle watchdog and retries', async () => {
    proxy = await startFaultProxy(target.endpoint);
    let stalls = 0;
    proxy.setRule(r => (r.method === 'GET' && r.url.includes('hr=00') && r.url.includes('.gz') && stalls++ < 1 ? { kind: 'stall', afterBytes: 100_000 } : undefined));
    const client = viaProxy(proxy);
    const dest = path.join(tmp, 'stall', 'f.jsonl.gz');
    const t0 = Date.now();
    const r = await downloadObject(client, { bucket, key: bigKey, size: big.length }, dest, { idleTimeoutMs: 400, retry: FAST_RETRY });
    assert.equal(r.retries, 1);
    assert.ok(Date.now() - t0 < 10_000);
    assert.ok((await fs.readFile(dest)).equals(big));
  });

  it('retries a body whose bytes do not match the MD5 ETag', async () => {
    proxy = await startFaultProxy(target.endpoint);
    let flips = 0;
    proxy.setRule(r => (r.method === 'GET' && r.url.includes('hr=00') && flips++ < 1 ? { kind: 'corrupt', atByte: 5000 } : undefined));
    const client = viaProxy(proxy);
    const dest = path.join(tmp, 'corrupt', 'f.jsonl.gz');
    const r = await downloadObject(client, { bucket, key: bigKey, size: big.length }, dest, { retry: FAST_RETRY });
    assert.equal(r.retries, 1);
    assert.equal(r.md5Verified, true);
    assert.ok((await fs.readFile(dest)).equals(big));
  });

  it('server killed mid-pull: no half file under a final name, and a re-run completes, resuming', async () => {
    proxy = await startFaultProxy(target.endpoint);
    proxy.killAfterBytes(600_000);
    const client = viaProxy(proxy);
    const out = path.join(tmp, 'killed');
    const plan = await planDownload(client, { location: loc(), outDir: out });
    const first = await executeDownload(client, plan, { concurrency: 2, retry: { retries: 2, baseDelayMs: 20, maxDelayMs: 50 } });
    await proxy.killed;
    assert.ok(first.failed.length > 0, 'the pull reports the files it could not finish');
    // every file under a final name is complete and verified
    for (const f of await filesUnder(out)) {
      const body = bodies.get(f);
      if (body) assert.equal(md5(await fs.readFile(path.join(out, f))), md5(body), `${f} under its final name is whole`);
    }
    const partials = (await filesUnder(out)).filter(f => f.endsWith('.part'));
    const partialBytes = (await Promise.all(partials.map(f => fs.stat(path.join(out, f))))).reduce((n, st) => n + st.size, 0);
    assert.ok(partialBytes > 0, 'the bytes that arrived before the kill are kept (flushed) for the next run');

    // the server is back (a new proxy in front of it): the re-run finishes, continuing the partial file
    await proxy.stop();
    proxy = await startFaultProxy(target.endpoint);
    const again = viaProxy(proxy);
    const second = await executeDownload(again, await planDownload(again, { location: loc(), outDir: out }), { retry: FAST_RETRY });
    assert.equal(second.failed.length, 0, JSON.stringify(second.failed));
    assert.ok(second.resumedBytes > 0, 'the partial file was continued, not fetched again');
    assert.equal(second.partitionsCompleted, 4);
    await assertComplete(out);
  });

  it('re-downloads an object that changed between runs', async () => {
    const out = path.join(tmp, 'changed');
    const request = { location: loc(), outDir: out };
    await executeDownload(s3, await planDownload(s3, request));
    const key = `${FEED}dt=2024-01-01/hr=02/convos_metrics.jsonl.gz`;
    const changed = gz(jsonlRows(8000, 999));
    await putObject(s3, bucket, key, changed);
    bodies.set(key, changed);
    const s = await executeDownload(s3, await planDownload(s3, request));
    assert.equal(s.downloaded.files, 1);
    assert.equal(s.skippedUnchanged.files, 3);
    await assertComplete(out);
  });
});
