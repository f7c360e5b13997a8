// The catalog against a real S3 server (fauxqs in-process, or Ceph RGW with S3_TIER=rgw): every level of
// the layout, paging over > 1,000 keys and > 1,000 common prefixes, partition states, unknown entries,
// sub-folders, ordered range walks.
import assert from 'node:assert/strict';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  getPartitionSummary,
  listChildren,
  listDatesNewestFirst,
  listFeeds,
  summarizeEntries,
  walkPartitions,
  type CatalogEntry,
  type PartitionSummary,
} from '../../src/core/catalog';
import { LayoutError } from '../../src/core/errors';
import { formatExportPrefix, partitionSortKey, type ExportLocation } from '../../src/core/layout';
import { startS3Target, type S3Target } from '../support/s3Target';
import { consecutiveDates, partitionObjects, putObjects, type SeedObject } from '../support/seed';

const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
const MANY_DAYS = 1200;
const BIG_FILES = 1050;

async function collect<T>(gen: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

/** Counts the requests a client sends (to prove that listings stay cheap). */
function countRequests(client: S3Client): { count: number } {
  const counter = { count: 0 };
  client.middlewareStack.add(next => args => { counter.count++; return next(args); }, { step: 'initialize', name: 'countRequests' });
  return counter;
}

describe(`catalog (${process.env.S3_TIER ?? 'fauxqs'})`, function () {
  this.timeout(60_000);
  let target: S3Target;
  let s3: S3Client;
  let bucket: string;
  let plainBucket: string;
  const sub = 'acme';
  let root: { bucket: string; subFolder: string };
  const at = (extra: Partial<ExportLocation>): ExportLocation => ({ ...root, ...extra });
  const fmt = (feed: string, version = 1): ExportLocation => at({ feed, version, format: 'jsonl' });

  before(async () => {
    target = await startS3Target();
    s3 = target.client();
    bucket = await target.createBucket('catalog');
    plainBucket = await target.createBucket('plain');
    root = { bucket, subFolder: sub };
    const objects: SeedObject[] = [];
    const add = (loc: Partial<ExportLocation>, state: 'complete' | 'in-progress' | 'empty', files?: SeedObject[]) =>
      objects.push(...partitionObjects({ location: at(loc), state, files }));

    // convos_metrics: hourly; the last hour of 2024-01-02 still in progress; version=2 started later.
    for (const hr of HOURS) add({ ...fmt('convos_metrics'), dt: '2024-01-01', hr }, 'complete', [{ key: 'convos_metrics.jsonl.gz', body: 'x'.repeat(100) }]);
    for (const hr of HOURS.slice(0, 6)) add({ ...fmt('convos_metrics'), dt: '2024-01-02', hr }, hr === '05' ? 'in-progress' : 'complete');
    add({ ...fmt('convos_metrics', 2), dt: '2024-01-02', hr: '00' }, 'complete');
    // Layout violations under a format: shown as 'other', never a crash.
    objects.push({ key: `${formatExportPrefix(fmt('convos_metrics'))}tmp/scratch.txt`, body: 'x' });
    objects.push({ key: `${formatExportPrefix(fmt('convos_metrics'))}dt=2024-13-01/x`, body: 'x' });
    // utterances: split files, an encrypted split, an unknown file.
    add({ ...fmt('utterances'), dt: '2024-01-01', hr: '00' }, 'complete', [
      { key: 'utterances.jsonl.00.gz', body: 'a'.repeat(10) },
      { key: 'utterances.jsonl.01.gz', body: 'b'.repeat(20) },
      { key: 'utterances.jsonl.02.gz.enc', body: 'c'.repeat(30) },
      { key: 'notes.txt', body: 'd'.repeat(5) },
    ]);
    // rep_activity: minutely partitions.
    for (const hr of ['00', '01']) for (const mi of ['00', '15', '30', '45']) add({ ...fmt('rep_activity'), dt: '2024-01-01', hr, mi }, 'complete');
    // dim_queues: daily, one empty and one in-progress day.
    for (const [i, dt] of consecutiveDates('2024-01-01', 5).entries()) add({ ...fmt('dim_queues'), dt }, i === 2 ? 'empty' : i === 4 ? 'in-progress' : 'complete');
    // many_days: > 1,000 dt= prefixes (only _SUCCESS, cheapest to seed).
    for (const dt of consecutiveDates('2020-01-01', MANY_DAYS)) add({ ...fmt('many_days'), dt }, 'empty');
    // big_partition: > 1,000 keys in one partition.
    add({ ...fmt('big_partition'), dt: '2024-01-01' }, 'complete',
      Array.from({ length: BIG_FILES }, (_, i) => ({ key: `big_partition.jsonl.${String(i % 100).padStart(2, '0')}.gz.${String(i).padStart(4, '0')}`, body: 'x'.repeat(i % 7) })));
    // A bucket without sub-folder.
    const plain = partitionObjects({ location: { bucket: plainBucket, subFolder: '', feed: 'dim_queues', version: 1, format: 'jsonl', dt: '2024-02-01' }, state: 'complete' });
    await Promise.all([putObjects(s3, bucket, objects), putObjects(s3, plainBucket, plain)]);
  });
  after(async () => { await target?.stop(); });

  describe('listChildren, one level at a time', () => {
    it('lists feeds under the sub-folder without ListBuckets', async () => {
      const page = await listChildren(s3, at({}));
      assert.deepEqual(page.items.map(e => [e.kind, e.name]), [
        ['feed', 'big_partition'], ['feed', 'convos_metrics'], ['feed', 'dim_queues'], ['feed', 'many_days'], ['feed', 'rep_activity'], ['feed', 'utterances'],
      ]);
      assert.equal(page.nextToken, undefined);
      assert.equal(page.items[1].prefix, 'acme/convos_metrics/');
      assert.deepEqual(page.items[1].location, { bucket, subFolder: 'acme', feed: 'convos_metrics' });
    });

    it('shows the sub-folder itself when browsing the bucket root without it', async () => {
      const page = await listChildren(s3, { bucket, subFolder: '' });
      assert.deepEqual(page.items.map(e => e.name), ['acme']);
    });

    it('lists feeds at the root of a bucket without sub-folder', async () => {
      const page = await listChildren(s3, { bucket: plainBucket, subFolder: '' });
      assert.deepEqual(page.items.map(e => [e.kind, e.prefix]), [['feed', 'dim_queues/']]);
    });

    it('lists versions, formats, dt, hr and mi, typed with their location', async () => {
      const versions = await listChildren(s3, at({ feed: 'convos_metrics' }));
      assert.deepEqual(versions.items.map(e => [e.kind, e.name, e.location.version]), [['version', 'version=1', 1], ['version', 'version=2', 2]]);
      const formats = await listChildren(s3, at({ feed: 'convos_metrics', version: 1 }));
      assert.deepEqual(formats.items.map(e => [e.kind, e.location.format]), [['format', 'jsonl']]);
      const dts = await listChildren(s3, fmt('convos_metrics'));
      assert.deepEqual(dts.items.filter(e => e.kind === 'dt').map(e => e.location.dt), ['2024-01-01', '2024-01-02']);
      const hrs = await listChildren(s3, { ...fmt('convos_metrics'), dt: '2024-01-02' });
      assert.deepEqual(hrs.items.map(e => [e.kind, e.location.hr]), HOURS.slice(0, 6).map(h => ['hr', h]));
      const mis = await listChildren(s3, { ...fmt('rep_activity'), dt: '2024-01-01', hr: '01' });
      assert.deepEqual(mis.items.map(e => [e.kind, e.location.mi]), [['mi', '00'], ['mi', '15'], ['mi', '30'], ['mi', '45']]);
      assert.equal(mis.items[2].prefix, 'acme/rep_activity/version=1/format=jsonl/dt=2024-01-01/hr=01/mi=30/');
      const files = await listChildren(s3, mis.items[2].location);
      assert.deepEqual(files.items.map(e => [e.kind, e.name]), [['file', '_SUCCESS'], ['file', 'rep_activity.jsonl.gz']], 'S3 byte order');
      const data = files.items[1];
      assert.equal(data.object?.size, 10);
      assert.equal(data.location.fileName, 'rep_activity.jsonl.gz');
      assert.match(data.object?.etag ?? '', /^"[0-9a-f]{32}"$/);
    });

    it('shows prefixes that break the layout as "other" instead of failing', async () => {
      const warnings: string[] = [];
      const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m) };
      const page = await listChildren(s3, fmt('convos_metrics'), { logger });
      const others = page.items.filter(e => e.kind === 'other');
      assert.deepEqual(others.map(e => e.name), ['dt=2024-13-01', 'tmp']);
      assert.equal(others[0].location.dt, undefined);
      assert.equal(warnings.length, 2);
      assert.match(warnings.join('\n'), /dt=2024-13-01.*does not follow the export layout/);
    });

    it('shows every file of a partition, unknown ones included, with split/gzip/encryption parsed', async () => {
      const page = await listChildren(s3, { ...fmt('utterances'), dt: '2024-01-01', hr: '00' });
      const byName = new Map(page.items.map(e => [e.name, e.object?.file]));
      assert.deepEqual([...byName.keys()].sort(), ['_SUCCESS', 'notes.txt', 'utterances.jsonl.00.gz', 'utterances.jsonl.01.gz', 'utterances.jsonl.02.gz.enc']);
      assert.deepEqual(byName.get('notes.txt'), { kind: 'other', name: 'notes.txt' });
      assert.deepEqual(byName.get('utterances.jsonl.02.gz.enc'), { kind: 'data', name: 'utterances.jsonl.02.gz.enc', feed: 'utterances', format: 'jsonl', split: 2, compression: 'gzip', encrypted: true });
      assert.equal(byName.get('_SUCCESS')?.kind, 'success');
    });

    it(`pages ${MANY_DAYS} dt= prefixes with continuation tokens, one page per call`, async () => {
      const counter = countRequests(s3);
      const first = await listChildren(s3, fmt('many_days'));
      assert.equal(counter.count, 1, 'one request per call');
      assert.equal(first.items.length, 1000);
      assert.ok(first.nextToken);
      const second = await listChildren(s3, fmt('many_days'), { continuationToken: first.nextToken });
      assert.equal(second.items.length, MANY_DAYS - 1000);
      assert.equal(second.nextToken, undefined);
      assert.deepEqual([...first.items, ...second.items].map(e => e.location.dt), consecutiveDates('2020-01-01', MANY_DAYS));
    });

    it('follows tokens with small pages without loss or duplicates (short pages never end the listing)', async () => {
      const all: CatalogEntry[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await listChildren(s3, fmt('many_days'), { pageSize: 97, continuationToken: token });
        assert.ok(page.items.length <= 97);
        all.push(...page.items);
        token = page.nextToken;
        pages++;
      } while (token);
      assert.ok(pages >= Math.ceil(MANY_DAYS / 97));
      assert.deepEqual(all.map(e => e.location.dt), consecutiveDates('2020-01-01', MANY_DAYS));
    });

    it(`pages ${BIG_FILES + 1} keys of one partition`, async () => {
      const loc = { ...fmt('big_partition'), dt: '2024-01-01' };
      const first = await listChildren(s3, loc);
      assert.equal(first.items.length, 1000);
      const second = await listChildren(s3, loc, { continuationToken: first.nextToken });
      assert.equal(first.items.length + second.items.length, BIG_FILES + 1);
    });
  });

  describe('partition summaries', () => {
    it('reads complete, in-progress and empty partitions with file counts and bytes (_SUCCESS excluded)', async () => {
      const complete = await getPartitionSummary(s3, { ...fmt('convos_metrics'), dt: '2024-01-01', hr: '07' });
      assert.deepEqual([complete.state, complete.hasSuccess, complete.fileCount, complete.bytes], ['complete', true, 1, 100]);
      assert.equal(complete.prefix, 'acme/convos_metrics/version=1/format=jsonl/dt=2024-01-01/hr=07/');
      const inProgress = await getPartitionSummary(s3, { ...fmt('convos_metrics'), dt: '2024-01-02', hr: '05' });
      assert.deepEqual([inProgress.state, inProgress.hasSuccess, inProgress.fileCount, inProgress.bytes], ['in-progress', false, 1, 10]);
      const empty = await getPartitionSummary(s3, { ...fmt('dim_queues'), dt: '2024-01-03' });
      assert.deepEqual([empty.state, empty.hasSuccess, empty.fileCount, empty.bytes, empty.files], ['empty', true, 0, 0, []]);
    });

    it('counts unknown files in a partition', async () => {
      const s = await getPartitionSummary(s3, { ...fmt('utterances'), dt: '2024-01-01', hr: '00' });
      assert.deepEqual([s.state, s.fileCount, s.bytes], ['complete', 4, 65]);
      assert.ok(s.files.some(f => f.name === 'notes.txt' && f.file.kind === 'other'));
    });

    it(`reads every page of a partition with ${BIG_FILES} files`, async () => {
      const s = await getPartitionSummary(s3, { ...fmt('big_partition'), dt: '2024-01-01' });
      assert.equal(s.state, 'complete');
      assert.equal(s.fileCount, BIG_FILES);
      assert.equal(s.bytes, Array.from({ length: BIG_FILES }, (_, i) => i % 7).reduce((a, b) => a + b, 0));
      assert.equal(new Set(s.files.map(f => f.key)).size, BIG_FILES);
    });

    it('reports a partition that has sub-partitions and no objects with its child prefixes', async () => {
      const s = await getPartitionSummary(s3, { ...fmt('convos_metrics'), dt: '2024-01-02' });
      assert.deepEqual([s.state, s.fileCount, s.childPrefixes.length], ['in-progress', 0, 6]);
    });
  });

  describe('summarizeEntries', () => {
    it('gives hourly days totals of the hours below them, in the order of the page', async () => {
      const page = await listChildren(s3, fmt('convos_metrics'));
      const summaries = await summarizeEntries(s3, page.items);
      assert.equal(summaries.length, page.items.length);
      const byName = new Map(page.items.map((e, i) => [e.name, summaries[i]]));
      assert.equal(byName.get('tmp'), undefined, "'other' entries get no summary");
      const day1 = byName.get('dt=2024-01-01');
      assert.deepEqual([day1?.fileCount, day1?.hasSuccess, day1?.childPrefixes.length], [0, false, 24]);
      assert.deepEqual(day1?.below, { partitions: 24, complete: 24, inProgress: 0, empty: 0, files: 24, bytes: 2400 });
      assert.deepEqual(byName.get('dt=2024-01-02')?.below, { partitions: 6, complete: 5, inProgress: 1, empty: 0, files: 6, bytes: 60 });
    });

    it('agrees with getPartitionSummary on daily partitions', async () => {
      const page = await listChildren(s3, fmt('dim_queues'));
      const summaries = await summarizeEntries(s3, page.items);
      for (const [i, e] of page.items.entries()) {
        const one = await getPartitionSummary(s3, e.location);
        const s = summaries[i];
        assert.deepEqual([s?.state, s?.fileCount, s?.bytes, s?.hasSuccess, s?.prefix], [one.state, one.fileCount, one.bytes, one.hasSuccess, one.prefix]);
        assert.deepEqual(s?.files.map(f => [f.key, f.name, f.size, f.etag]), one.files.map(f => [f.key, f.name, f.size, f.etag]));
      }
      assert.deepEqual(summaries.map(s => s?.state), ['complete', 'complete', 'empty', 'complete', 'in-progress']);
    });

    it('summarizes a page of 1,000 days with a few flat listings, not one request per day', async () => {
      const c = target.client();
      const page = await listChildren(c, fmt('many_days'));
      const counter = countRequests(c);
      const summaries = await summarizeEntries(c, page.items);
      assert.equal(summaries.filter(s => s?.state === 'empty').length, 1000);
      assert.ok(counter.count <= 40, `${counter.count} requests`);
    });
  });

  describe('walkPartitions', () => {
    const key = (s: PartitionSummary) => partitionSortKey(s.location);

    it('walks a daily feed in a date range, in order, with states', async () => {
      const got = await collect(walkPartitions(s3, fmt('dim_queues'), { from: '2024-01-02', to: '2024-01-05' }));
      assert.deepEqual(got.map(s => [s.location.dt, s.state]), [
        ['2024-01-02', 'complete'], ['2024-01-03', 'empty'], ['2024-01-04', 'complete'], ['2024-01-05', 'in-progress'],
      ]);
    });

    it('walks an hourly feed down to hr= leaves, honouring hour bounds', async () => {
      const all = await collect(walkPartitions(s3, fmt('convos_metrics'), {}));
      assert.equal(all.length, 30);
      assert.deepEqual(all.map(key), [...all.map(key)].sort());
      const ranged = await collect(walkPartitions(s3, fmt('convos_metrics'), { from: '2024-01-01T22', to: '2024-01-02T01' }));
      assert.deepEqual(ranged.map(s => `${s.location.dt}T${s.location.hr}`), ['2024-01-01T22', '2024-01-01T23', '2024-01-02T00', '2024-01-02T01']);
      const today = await collect(walkPartitions(s3, fmt('convos_metrics'), { from: '2024-01-02' }));
      assert.deepEqual(today.map(s => s.state), ['complete', 'complete', 'complete', 'complete', 'complete', 'in-progress']);
    });

    it('walks a minutely feed in time order', async () => {
      const got = await collect(walkPartitions(s3, fmt('rep_activity'), { from: '2024-01-01T01', to: '2024-01-01T01' }));
      assert.deepEqual(got.map(s => `${s.location.hr}:${s.location.mi}`), ['01:00', '01:15', '01:30', '01:45']);
    });

    it(`yields ${MANY_DAYS} days in order with bounded concurrency`, async () => {
      const got = await collect(walkPartitions(s3, fmt('many_days'), {}, { concurrency: 8 }));
      assert.deepEqual(got.map(s => s.location.dt), consecutiveDates('2020-01-01', MANY_DAYS));
      assert.ok(got.every(s => s.state === 'empty'));
    });

    it('skips days before `from` with StartAfter instead of listing them', async () => {
      const c = target.client();
      const counter = countRequests(c);
      const days = consecutiveDates('2020-01-01', MANY_DAYS);
      const got = await collect(walkPartitions(c, fmt('many_days'), { from: days[MANY_DAYS - 3] }));
      assert.deepEqual(got.map(s => s.location.dt), days.slice(-3));
      assert.ok(counter.count <= 1 + 3, `one listing of dates from \`from\` on, then at most one flat listing per day (${counter.count} requests)`);
    });

    it('rejects malformed or inverted ranges with a layout error', async () => {
      await assert.rejects(collect(walkPartitions(s3, fmt('dim_queues'), { from: '2024-1-2' })), (e: unknown) => e instanceof LayoutError && /YYYY-MM-DD/.test(e.message));
      await assert.rejects(collect(walkPartitions(s3, fmt('dim_queues'), { from: '2024-01-05', to: '2024-01-01' })), LayoutError);
      await assert.rejects(collect(walkPartitions(s3, at({ feed: 'dim_queues' }), {})), (e: unknown) => e instanceof LayoutError && /version and format/.test(e.message));
    });
  });

  describe('feeds and newest-first dates', () => {
    it('lists feeds with versions and the latest complete partition', async () => {
      const feeds = await listFeeds(s3, root);
      const byName = new Map(feeds.map(f => [f.feed, f]));
      assert.deepEqual([...byName.keys()], ['big_partition', 'convos_metrics', 'dim_queues', 'many_days', 'rep_activity', 'utterances']);
      assert.deepEqual(byName.get('convos_metrics')?.versions, [1, 2]);
      assert.deepEqual(byName.get('convos_metrics')?.latestComplete?.location, { ...fmt('convos_metrics', 2), dt: '2024-01-02', hr: '00' });
      assert.equal(byName.get('dim_queues')?.latestComplete?.location.dt, '2024-01-04');
      const rep = byName.get('rep_activity')?.latestComplete?.location;
      assert.deepEqual([rep?.dt, rep?.hr, rep?.mi], ['2024-01-01', '01', '45']);
      assert.equal(byName.get('many_days')?.latestComplete, undefined, 'only empty partitions: nothing complete');
      assert.deepEqual(byName.get('utterances')?.formats, ['jsonl']);
    });

    it('finds feeds in a bucket without sub-folder', async () => {
      const feeds = await listFeeds(s3, { bucket: plainBucket, subFolder: '' });
      assert.deepEqual(feeds.map(f => [f.feed, f.latestComplete?.location.dt]), [['dim_queues', '2024-02-01']]);
    });

    it('pages dates newest first', async () => {
      const days = consecutiveDates('2020-01-01', MANY_DAYS).reverse();
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await listDatesNewestFirst(s3, fmt('many_days'), { pageSize: 500, continuationToken: token });
        seen.push(...page.items.map(e => e.location.dt as string));
        token = page.nextToken;
      } while (token);
      assert.deepEqual(seen, days);
    });
  });
});
