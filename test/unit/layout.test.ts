import assert from 'node:assert/strict';
import {
  parseBucketName, formatBucketName, parseExportUri, formatExportPrefix, formatExportUri, parseFileName, formatFileName,
  parsePartitionSegment, parseS3Uri, decryptedName, deepestLevel, partitionSortKey,
} from '../../src/core/layout';
import { LayoutError } from '../../src/core/errors';

describe('layout: bucket names', () => {
  it('parses the guide example into env, company and region', () => {
    assert.deepEqual(parseBucketName('asapp-preprod-acme-exports-us-east-1'), {
      bucket: 'asapp-preprod-acme-exports-us-east-1', conventional: true, env: 'preprod', company: 'acme', region: 'us-east-1',
    });
  });
  it('keeps hyphens inside the company name', () => {
    const b = parseBucketName('asapp-prod-big-co-exports-eu-west-2');
    assert.equal(b.company, 'big-co');
    assert.equal(b.region, 'eu-west-2');
  });
  it('allows custom bucket names, marked non-conventional', () => {
    assert.deepEqual(parseBucketName('my-team-data'), { bucket: 'my-team-data', conventional: false });
  });
  for (const bad of ['', 'ab', 'Upper-Case', '-leading', 'trailing-', 'has_underscore', 'a..b', '192.168.1.1', 'x'.repeat(64)]) {
    it(`rejects ${JSON.stringify(bad)} with a LayoutError that says why`, () => {
      assert.throws(() => parseBucketName(bad), (e: unknown) => e instanceof LayoutError && /bucket name/.test(e.message));
    });
  }
  it('formats from parts, company without spaces', () => {
    assert.equal(formatBucketName({ env: 'preprod', company: 'Acme' }), 'asapp-preprod-acme-exports-us-east-1');
    assert.equal(formatBucketName({ env: 'prod', company: 'big co', region: 'us-west-2' }), 'asapp-prod-bigco-exports-us-west-2');
  });
});

describe('layout: export paths', () => {
  it('parses the guide download example (a day of an hourly feed)', () => {
    const loc = parseExportUri('s3://asapp-preprod-acme-exports-us-east-1/convos_delta_ended/version=1/format=jsonl/dt=2019-01-20/');
    assert.deepEqual(loc, {
      bucket: 'asapp-preprod-acme-exports-us-east-1', subFolder: '', feed: 'convos_delta_ended', version: 1, format: 'jsonl', dt: '2019-01-20',
    });
    assert.equal(deepestLevel(loc), 'dt');
  });
  it('parses hr and mi and a file name', () => {
    const loc = parseExportUri('s3://b-1/rep_activity/version=1/format=jsonl/dt=2024-02-29/hr=23/mi=45/rep_activity.jsonl.gz');
    assert.equal(loc.hr, '23');
    assert.equal(loc.mi, '45');
    assert.equal(loc.fileName, 'rep_activity.jsonl.gz');
  });
  it('finds a sub-folder before the feed (even nested), or takes it from a hint', () => {
    assert.equal(parseExportUri('s3://b-1/acme/exports/utterances/version=2/').subFolder, 'acme/exports');
    const hinted = parseExportUri('s3://b-1/acme/utterances/', { subFolder: '/acme/' });
    assert.equal(hinted.subFolder, 'acme');
    assert.equal(hinted.feed, 'utterances');
    assert.throws(() => parseExportUri('s3://b-1/other/utterances/', { subFolder: 'acme' }), /not under the sub-folder/);
  });
  it('parses a bucket root and a feed without partitions', () => {
    assert.deepEqual(parseExportUri('s3://b-1'), { bucket: 'b-1', subFolder: '' });
    assert.deepEqual(parseExportUri('s3://b-1/dim_queues/'), { bucket: 'b-1', subFolder: '', feed: 'dim_queues' });
  });
  it('a daily feed has no hr and no mi', () => {
    const loc = parseExportUri('s3://b-1/dim_queues/version=1/format=jsonl/dt=2024-01-02/dim_queues.jsonl.gz');
    assert.equal(loc.hr, undefined);
    assert.equal(loc.fileName, 'dim_queues.jsonl.gz');
  });
  const badPaths: Array<[string, RegExp]> = [
    ['s3://b-1/f/version=0/', /positive whole number/],
    ['s3://b-1/f/version=1/format=jsonl/dt=2019-13-01/', /date YYYY-MM-DD/],
    ['s3://b-1/f/version=1/format=jsonl/dt=2019-02-30/', /date YYYY-MM-DD/],
    ['s3://b-1/f/version=1/format=jsonl/dt=2019-01-01/hr=24/', /hour 00–23/],
    ['s3://b-1/f/version=1/format=jsonl/dt=2019-01-01/hr=7/', /hour 00–23/],
    ['s3://b-1/f/version=1/format=jsonl/dt=2019-01-01/hr=01/mi=60/', /minute 00–59/],
    ['s3://b-1/f/version=1/dt=2019-01-01/', /out of order/],
    ['s3://b-1/f/version=1/format=jsonl/dt=2019-01-01/mi=15/', /out of order/],
    ['s3://b-1/f/version=1/format=jsonl/junk/x', /not a partition/],
    ['s3://b-1/version=1/', /without a feed/],
    ['https://b-1/f/', /not an S3 URI/],
    ['s3://b-1/f//version=1/', /empty path segment/],
  ];
  for (const [uri, why] of badPaths) {
    it(`rejects ${uri}`, () => assert.throws(() => parseExportUri(uri), (e: unknown) => e instanceof LayoutError && why.test(e.message)));
  }
  it('formats prefixes and URIs and round-trips', () => {
    const loc = { bucket: 'b-1', subFolder: 'acme', feed: 'convos_metrics', version: 1, format: 'jsonl', dt: '2024-01-02', hr: '5' };
    assert.equal(formatExportPrefix(loc), 'acme/convos_metrics/version=1/format=jsonl/dt=2024-01-02/hr=05/');
    const uri = formatExportUri({ ...loc, hr: '05', fileName: 'convos_metrics.jsonl.01.gz' });
    assert.equal(uri, 's3://b-1/acme/convos_metrics/version=1/format=jsonl/dt=2024-01-02/hr=05/convos_metrics.jsonl.01.gz');
    assert.deepEqual(parseExportUri(uri, { subFolder: 'acme' }), { ...loc, hr: '05', fileName: 'convos_metrics.jsonl.01.gz' });
    assert.equal(formatExportPrefix({ bucket: 'b-1', subFolder: '' }), '');
    assert.throws(() => formatExportPrefix({ bucket: 'b-1', subFolder: '', feed: 'f', dt: '2024-01-01' }), /without the levels above/);
    assert.throws(() => formatExportPrefix({ bucket: 'b-1', subFolder: '../x' }), /must not contain/);
  });
  it('parses S3 URIs generically', () => {
    assert.deepEqual(parseS3Uri('s3://b-1/a/b'), { bucket: 'b-1', key: 'a/b' });
    assert.deepEqual(parseS3Uri('s3://b-1'), { bucket: 'b-1', key: '' });
  });
  it('ignores other k=v segments as partitions only where a file name may stand', () => {
    assert.equal(parsePartitionSegment('foo=bar'), undefined);
    assert.equal(parsePartitionSegment('plain'), undefined);
  });
  it('orders partitions by export time', () => {
    const keys = [{ dt: '2024-01-02', hr: '01' }, { dt: '2024-01-01', hr: '23', mi: '45' }, { dt: '2024-01-02' }, { dt: '2024-01-02', hr: '01', mi: '15' }];
    assert.deepEqual(keys.map(partitionSortKey).sort(), ['2024-01-01/23/45', '2024-01-02//', '2024-01-02/01/', '2024-01-02/01/15']);
  });
});

describe('layout: file names', () => {
  it('parses the plain, split, gzip and encrypted forms', () => {
    assert.deepEqual(parseFileName('convos_metrics.jsonl'), { kind: 'data', name: 'convos_metrics.jsonl', feed: 'convos_metrics', format: 'jsonl', encrypted: false });
    assert.deepEqual(parseFileName('utterances.jsonl.03.gz'), {
      kind: 'data', name: 'utterances.jsonl.03.gz', feed: 'utterances', format: 'jsonl', split: 3, compression: 'gzip', encrypted: false,
    });
    const enc = parseFileName('utterances.jsonl.gz.enc');
    assert.equal(enc.kind === 'data' && enc.encrypted && enc.compression, 'gzip');
    const encOnly = parseFileName('x.jsonl.enc');
    assert.ok(encOnly.kind === 'data' && encOnly.encrypted && !encOnly.compression);
  });
  it('covers split numbers 00 to 99', () => {
    for (let n = 0; n <= 99; n++) {
      const name = formatFileName({ feed: 'f', split: n, gzip: true });
      const parsed = parseFileName(name);
      assert.ok(parsed.kind === 'data' && parsed.split === n, name);
    }
    assert.throws(() => formatFileName({ feed: 'f', split: 100 }), /outside 00–99/);
  });
  it('recognises markers and keeps unknown files as other', () => {
    assert.deepEqual(parseFileName('_SUCCESS'), { kind: 'success', name: '_SUCCESS' });
    assert.deepEqual(parseFileName('export_docs.yaml'), { kind: 'docs', name: 'export_docs.yaml' });
    for (const name of ['notes.txt', 'f.jsonl.1.gz', 'f.json', 'f.jsonl.gz.tmp', '.hidden', 'f.jsonl.100']) {
      assert.equal(parseFileName(name).kind, 'other', name);
    }
  });
  it('names the decrypted file', () => {
    assert.equal(decryptedName('a.jsonl.gz.enc'), 'a.jsonl.gz');
    assert.equal(decryptedName('a.jsonl.gz'), 'a.jsonl.gz');
  });
});
