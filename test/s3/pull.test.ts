// pull against whichever server S3_TIER names (fauxqs in-process, or Ceph RGW): plan from the catalog,
// mirror the layout, skip in-progress partitions, skip unchanged files, re-fetch changed ones, resume a
// partial temp file (If-Match + Range, and the 412 path), refuse keys that would leave the folder.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { executeDownload } from '../../src/core/download/execute';
import { planDownload } from '../../src/core/download/plan';
import { MANIFEST_FILE } from '../../src/core/download/manifest';
import { downloadObject, tempPathFor } from '../../src/core/download/transfer';
import { isCancellation } from '../../src/core/errors';
import type { ExportLocation } from '../../src/core/layout';
import { startS3Target, type S3Target } from '../support/s3Target';
import { startFaultProxy } from '../support/faultProxy';
import { gz, jsonlRows, putObject, seedObjects, type SeedObject } from '../../bench/lib/seed';
import { filesUnder } from '../support/files';

const FEED = 'convos_metrics/version=1/format=jsonl/';

function md5(b: Buffer): string {
  return createHash('md5').update(b).digest('hex');
}

describe(`pull (${process.env.S3_TIER ?? 'fauxqs'})`, function () {
  this.timeout(60_000);
  let target: S3Target;
  let s3: S3Client;
  let bucket: string;
  let tmp: string;
  const bodies = new Map<string, Buffer>();
  const loc = (extra: Partial<ExportLocation> = {}): ExportLocation => ({ bucket, subFolder: 'sub', feed: 'convos_metrics', ...extra });

  before(async () => {
    target = await startS3Target();
    s3 = target.client();
    bucket = await target.createBucket('pull');
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'pull-test-'));
    const objects: SeedObject[] = [];
    const add = (key: string, body: Buffer) => {
      bodies.set(key, body);
      objects.push({ key: `sub/${key}`, body });
    };
    let seed = 1;
    for (const dt of ['2024-01-01', '2024-01-02']) {
      for (const hr of ['00', '01', '02']) {
        add(`${FEED}dt=${dt}/hr=${hr}/convos_metrics.jsonl.gz`, gz(jsonlRows(200, seed++)));
        add(`${FEED}dt=${dt}/hr=${hr}/_SUCCESS`, Buffer.alloc(0));
      }
    }
    // in progress: files, no _SUCCESS
    add(`${FEED}dt=2024-01-02/hr=03/convos_metrics.jsonl.gz`, gz(jsonlRows(50, 99)));
    // empty: only _SUCCESS
    add(`${FEED}dt=2024-01-02/hr=04/_SUCCESS`, Buffer.alloc(0));
    // out of range
    add(`${FEED}dt=2024-01-03/hr=00/convos_metrics.jsonl.gz`, gz(jsonlRows(10, 7)));
    add(`${FEED}dt=2024-01-03/hr=00/_SUCCESS`, Buffer.alloc(0));
    // a feed exported in another format than jsonl
    add('other_feed/version=1/format=parquet/dt=2024-01-01/hr=00/other_feed.parquet', Buffer.from('PAR1 not really'));
    add('other_feed/version=1/format=parquet/dt=2024-01-01/hr=00/_SUCCESS', Buffer.alloc(0));
    await seedObjects(s3, bucket, objects);
  });
  after(async () => {
    await target?.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('pulls the complete partitions of a range into a mirror of the layout, and reports the in-progress one', async () => {
    const out = path.join(tmp, 'range');
    const plan = await planDownload(s3, { location: loc(), from: '2024-01-01', to: '2024-01-02', outDir: out });
    assert.equal(plan.version, 1);
    assert.equal(plan.format, 'jsonl');
    assert.deepEqual(plan.skippedIncomplete.map(p => p.prefix), [`sub/${FEED}dt=2024-01-02/hr=03/`]);
    assert.equal(plan.totals.toDownload.files, 6);
    const summary = await executeDownload(s3, plan, { concurrency: 4 });
    assert.equal(summary.downloaded.files, 6);
    assert.equal(summary.failed.length, 0);
    const files = await filesUnder(out);
    assert.deepEqual(files.filter(f => f.endsWith('.gz')), [
      ...['00', '01', '02'].map(h => `${FEED}dt=2024-01-01/hr=${h}/convos_metrics.jsonl.gz`),
      ...['00', '01', '02'].map(h => `${FEED}dt=2024-01-02/hr=${h}/convos_metrics.jsonl.gz`),
    ]);
    // _SUCCESS locally for each complete partition and the empty one; none for the in-progress one
    assert.equal(files.filter(f => f.endsWith('_SUCCESS')).length, 7);
    assert.ok(!files.some(f => f.includes('hr=03')));
    assert.ok(files.includes(MANIFEST_FILE));
    assert.ok(!files.some(f => f.endsWith('.part')), 'no temp file left');
    for (const f of files.filter(f => f.endsWith('.gz'))) {
      assert.equal(md5(await fs.readFile(path.join(out, f))), md5(bodies.get(f)!), f);
    }
  });

  it('skips unchanged files on a re-run and re-fetches an object re-delivered with the same size', async () => {
    const out = path.join(tmp, 'rerun');
    const request = { location: loc(), from: '2024-01-01', to: '2024-01-01', outDir: out };
    await executeDownload(s3, await planDownload(s3, request));
    const again = await planDownload(s3, request);
    assert.equal(again.totals.toDownload.files, 0);
    assert.equal(again.totals.unchanged.files, 3);
    const second = await executeDownload(s3, again);
    assert.equal(second.downloaded.files, 0);
    assert.equal(second.skippedUnchanged.files, 3);

    // same size, different bytes → new ETag → fetched again (aws s3 sync would skip it)
    const key = `${FEED}dt=2024-01-01/hr=01/convos_metrics.jsonl.gz`;
    const old = bodies.get(key)!;
    const changed = Buffer.from(old);
    changed[changed.length - 9] ^= 0x55; // inside the gzip trailer CRC: same length, different bytes
    await putObject(s3, bucket, `sub/${key}`, changed);
    const third = await executeDownload(s3, await planDownload(s3, request));
    assert.equal(third.downloaded.files, 1);
    assert.ok((await fs.readFile(path.join(out, key))).equals(changed));
    await putObject(s3, bucket, `sub/${key}`, old);

    // a deleted local copy is fetched again even though the manifest knows the object
    await fs.rm(path.join(out, key));
    const fourth = await executeDownload(s3, await planDownload(s3, request));
    assert.equal(fourth.downloaded.files, 1);
    assert.ok((await fs.readFile(path.join(out, key))).equals(old));
  });

  it('plans an hour range across days from one flat listing', async () => {
    const proxy = await startFaultProxy(target.endpoint);
    let plan;
    try {
      plan = await planDownload(target.client({ endpoint: proxy.endpoint }), { location: loc(), from: '2024-01-01T01', to: '2024-01-02T01', outDir: path.join(tmp, 'hours') });
    } finally {
      await proxy.stop();
    }
    // version= and format= are looked up level by level; the partitions come from ONE flat listing
    const flat = proxy.requests.filter(r => r.url.includes('list-type=2') && !r.url.includes('delimiter='));
    assert.equal(flat.length, 1, proxy.requests.map(r => r.url).join('\n'));
    assert.deepEqual(plan.partitions.map(p => p.prefix.replace(`sub/${FEED}`, '')), [
      'dt=2024-01-01/hr=01/', 'dt=2024-01-01/hr=02/', 'dt=2024-01-02/hr=00/', 'dt=2024-01-02/hr=01/',
    ]);
    await assert.rejects(planDownload(s3, { location: loc(), from: '2024-01-02', to: '2024-01-01', outDir: tmp }), /--from must not be after --to/);
    await assert.rejects(planDownload(s3, { location: loc(), from: '2024-13-01', outDir: tmp }), /not a date/);
  });

  it('finds a format other than jsonl (the jsonl listing made meanwhile is thrown away)', async () => {
    const proxy = await startFaultProxy(target.endpoint);
    let plan;
    try {
      plan = await planDownload(target.client({ endpoint: proxy.endpoint }), { location: loc({ feed: 'other_feed' }), outDir: path.join(tmp, 'parquet') });
    } finally {
      await proxy.stop();
    }
    assert.equal(plan.format, 'parquet');
    assert.deepEqual(plan.partitions.map(p => p.files.map(f => f.key)), [['sub/other_feed/version=1/format=parquet/dt=2024-01-01/hr=00/other_feed.parquet']]);
    const flat = proxy.requests.filter(r => r.url.includes('list-type=2') && !r.url.includes('delimiter='));
    assert.equal(flat.length, 2, 'the jsonl guess and the parquet listing');
    const s = await executeDownload(s3, plan);
    assert.equal(s.downloaded.files, 1);
  });

  it('pulls a single partition, and an in-progress one only when asked', async () => {
    const out = path.join(tmp, 'single');
    const one = await planDownload(s3, { location: loc({ version: 1, format: 'jsonl', dt: '2024-01-02', hr: '01' }), outDir: out });
    assert.deepEqual(one.partitions.map(p => p.prefix), [`sub/${FEED}dt=2024-01-02/hr=01/`]);
    const inProgress = loc({ version: 1, format: 'jsonl', dt: '2024-01-02', hr: '03' });
    const skipped = await planDownload(s3, { location: inProgress, outDir: out });
    assert.equal(skipped.partitions.length, 0);
    assert.equal(skipped.skippedIncomplete.length, 1);
    const taken = await planDownload(s3, { location: inProgress, outDir: out, includeIncomplete: true });
    const s = await executeDownload(s3, taken);
    assert.equal(s.downloaded.files, 1);
    const files = await filesUnder(out);
    assert.ok(files.includes(`${FEED}dt=2024-01-02/hr=03/convos_metrics.jsonl.gz`));
    assert.ok(!files.includes(`${FEED}dt=2024-01-02/hr=03/_SUCCESS`), 'no local _SUCCESS for a partition that has none on S3');
  });

  it('refuses keys that would leave the output folder and still pulls the rest', async () => {
    const prefix = `sub/${FEED}dt=2024-02-01/hr=00/`;
    const evil = [`${prefix}..\\..\\..\\evil.jsonl.gz`, `${prefix}..`, `${prefix}../../../../../../evil2.jsonl.gz`];
    await seedObjects(s3, bucket, [
      { key: `${prefix}convos_metrics.jsonl.gz`, body: gz(jsonlRows(5)) },
      { key: `${prefix}_SUCCESS`, body: Buffer.alloc(0) },
      ...evil.map(key => ({ key, body: Buffer.from('pwned') })),
    ]);
    const base = path.join(tmp, 'evil');
    const out = path.join(base, 'out');
    const plan = await planDownload(s3, { location: loc({ version: 1, format: 'jsonl', dt: '2024-02-01' }), outDir: out });
    const listed = plan.partitions.flatMap(p => p.files);
    const refusedKeys = listed.filter(f => f.action === 'refused').map(f => f.key);
    // fauxqs and RGW both store these keys verbatim: every one of them is refused, the `../` one included
    assert.deepEqual([...refusedKeys].sort(), [...evil].sort());
    const s = await executeDownload(s3, plan);
    assert.equal(s.downloaded.files, 1);
    assert.deepEqual(s.refused.map(r => r.key).sort(), [...refusedKeys].sort());
    assert.ok(s.refused.every(r => /refused key/.test(r.reason)));
    const all = await filesUnder(base);
    assert.deepEqual(all.filter(f => !f.startsWith('out/')), [], 'nothing outside the output folder');
    assert.ok(!all.some(f => f.includes('evil')));
    assert.ok(!all.includes(`out/${FEED}dt=2024-02-01/hr=00/_SUCCESS`), 'a partition with a refused key is not marked complete');
    for (const key of evil) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  });

  it('continues a partial temp file with If-Match + Range, and starts over on 412 when the object changed', async () => {
    const key = `sub/${FEED}dt=2024-03-01/hr=00/convos_metrics.jsonl.gz`;
    const body = gz(jsonlRows(3000, 5));
    await putObject(s3, bucket, key, body);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const dest = path.join(tmp, 'resume', 'a.jsonl.gz');
    await fs.mkdir(path.dirname(dest), { recursive: true });
    const half = Math.floor(body.length / 2);
    await fs.writeFile(tempPathFor(dest, head.ETag), body.subarray(0, half));
    const r = await downloadObject(s3, { bucket, key, size: body.length, etag: head.ETag }, dest);
    assert.equal(r.resumedBytes, half);
    assert.equal(r.md5Verified, true);
    assert.ok((await fs.readFile(dest)).equals(body));

    // a partial file of an older version: the listing is stale, If-Match fails with 412, the file restarts
    const stale = '"0123456789abcdef0123456789abcdef"';
    const dest2 = path.join(tmp, 'resume', 'b.jsonl.gz');
    await fs.writeFile(tempPathFor(dest2, stale), Buffer.from('old bytes of another version'));
    const r2 = await downloadObject(s3, { bucket, key, size: body.length, etag: stale }, dest2, { retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50 } });
    assert.equal(r2.retries, 1);
    assert.ok((await fs.readFile(dest2)).equals(body));
    assert.deepEqual((await fs.readdir(path.dirname(dest2))).filter(n => n.endsWith('.part')), []);
  });

  it('does not hash a multipart object (its ETag is no MD5), and does hash one re-uploaded as a single part since the listing', async () => {
    const key = `sub/${FEED}dt=2024-03-03/hr=00/convos_metrics.jsonl.gz`;
    const body = randomBytes(11 * 1024 * 1024);
    await new Upload({ client: s3, params: { Bucket: bucket, Key: key, Body: body }, partSize: 5 * 1024 * 1024 }).done();
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    assert.match(head.ETag ?? '', /-\d+"?$/, 'a multipart ETag');
    const dest = path.join(tmp, 'multipart', 'm.jsonl.gz');
    const r = await downloadObject(s3, { bucket, key, size: body.length, etag: head.ETag }, dest);
    assert.equal(r.md5Verified, false);
    assert.ok((await fs.readFile(dest)).equals(body));

    // the listing said multipart; the object is now a single-part upload with a plain MD5 ETag
    const small = gz(jsonlRows(500, 8));
    await putObject(s3, bucket, key, small);
    const dest2 = path.join(tmp, 'multipart', 's.jsonl.gz');
    const r2 = await downloadObject(s3, { bucket, key, size: small.length, etag: head.ETag }, dest2);
    assert.equal(r2.md5Verified, true);
    assert.ok((await fs.readFile(dest2)).equals(small));
  });

  it('downloads a 0-byte data object', async () => {
    const key = `sub/${FEED}dt=2024-03-02/hr=00/convos_metrics.jsonl`;
    await putObject(s3, bucket, key, Buffer.alloc(0));
    const dest = path.join(tmp, 'zero', 'z.jsonl');
    const r = await downloadObject(s3, { bucket, key, size: 0 }, dest);
    assert.equal(r.size, 0);
    assert.equal((await fs.stat(dest)).size, 0);
  });

  it('stops on cancellation: no temp files, finished files and the manifest agree, the folder is unlocked', async () => {
    const prefix = `sub/${FEED}dt=2024-04-01/`;
    const objects: SeedObject[] = [];
    for (let h = 0; h < 6; h++) {
      objects.push({ key: `${prefix}hr=${String(h).padStart(2, '0')}/convos_metrics.jsonl.gz`, body: gz(jsonlRows(5_000, h + 10)) });
      objects.push({ key: `${prefix}hr=${String(h).padStart(2, '0')}/_SUCCESS`, body: Buffer.alloc(0) });
    }
    await seedObjects(s3, bucket, objects);
    const out = path.join(tmp, 'cancel');
    const plan = await planDownload(s3, { location: loc(), from: '2024-04-01', to: '2024-04-01', outDir: out });
    const controller = new AbortController();
    let err: unknown;
    try {
      await executeDownload(s3, plan, {
        concurrency: 2,
        signal: controller.signal,
        progressIntervalMs: 5,
        onProgress: p => { if (p.bytesDone > 0) controller.abort(); },
      });
    } catch (e) {
      err = e;
    }
    assert.ok(isCancellation(err), `expected a cancellation, got ${String(err)}`);
    const files = await filesUnder(out);
    assert.deepEqual(files.filter(f => f.endsWith('.part') || f.endsWith('.tmp') || f.endsWith('.lock')), []);
    const text = await fs.readFile(path.join(out, MANIFEST_FILE), 'utf8').catch(() => '{"files":{}}');
    const manifest = JSON.parse(text) as { files: Record<string, { size: number }> };
    for (const [rel, entry] of Object.entries(manifest.files)) {
      assert.equal((await fs.stat(path.join(out, rel))).size, entry.size, rel);
    }
    for (const f of files.filter(f => f.endsWith('.gz'))) assert.ok(manifest.files[f], `${f} is on disk but not in the manifest`);
    // and the next run finishes the job
    const rest = await executeDownload(s3, await planDownload(s3, { location: loc(), from: '2024-04-01', to: '2024-04-01', outDir: out }));
    assert.equal(rest.downloaded.files + rest.skippedUnchanged.files, 6);
    assert.equal(rest.partitionsCompleted, 6);
  });
});
