// Real failures and real paging, against whichever server S3_TIER names: the same cases on fauxqs and on
// a real Ceph RADOS Gateway. Each case asserts what the server said (HTTP status, S3 error name) AND the
// advice the user gets from toS3Error. Credentials are checked only by RGW: on fauxqs the auth cases
// talk to the S3 error stub of test/support/authStub.ts instead (see authServer below).
import assert from 'node:assert/strict';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { listChildren, type CatalogEntry } from '../../src/core/catalog';
import { S3Error } from '../../src/core/errors';
import { formatExportPrefix, SUCCESS_MARKER, type ExportLocation } from '../../src/core/layout';
import { toS3Error } from '../../src/core/s3Errors';
import { STUB, startAuthStub, type AuthStub, type StubResponse } from '../support/authStub';
import { startS3Target, UNKNOWN_ACCESS_KEY_ID, type S3Target } from '../support/s3Target';

const tier = process.env.S3_TIER ?? 'fauxqs';

/** The error a request fails with; fails the test when it succeeds. */
async function failure(request: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await request;
  } catch (err) {
    return err as Error;
  }
  return assert.fail('the request succeeded; it should have failed');
}

function statusOf(err: { $metadata?: { httpStatusCode?: number } }): number | undefined {
  return err.$metadata?.httpStatusCode;
}

/** The mapped error, asserted to be an S3Error with the given code, whose message never holds the secret. */
function mapped(err: unknown, ctx: Parameters<typeof toS3Error>[1], code: string, secret?: string): S3Error {
  const e = toS3Error(err, ctx);
  assert.ok(e instanceof S3Error, `expected an S3Error, got ${e.name}: ${e.message}`);
  assert.equal(e.code, code, e.message);
  if (secret) assertNoSecret(e, secret);
  return e;
}

/** Neither the secret nor the wrong secret derived from it (same first characters) may appear. */
function assertNoSecret(e: Error, secret: string): void {
  const head = secret.slice(0, 12);
  assert.ok(!e.message.includes(head) && !String(e).includes(head), 'the advice must never contain the secret key');
}

/** Runs `worker` over `items` with at most `limit` requests in flight. */
async function pool<T>(items: T[], limit: number, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async () => {
    while (next < items.length) await worker(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}

/** 'YYYY-MM-DD' for `n` days after 2020-01-01. */
function day(n: number): string {
  return new Date(Date.UTC(2020, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
}

describe(`real S3 failures and paging (${tier})`, function () {
  this.timeout(120_000);
  let target: S3Target;
  let s3: S3Client;
  let bucket: string;
  const partition = 'convos_metrics/version=1/format=jsonl/dt=2024-01-02/hr=05/';
  const dataKey = `${partition}convos_metrics.jsonl.gz`;
  const successKey = `${partition}${SUCCESS_MARKER}`;
  const data = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz'.repeat(100));
  let etag: string;

  before(async () => {
    target = await startS3Target();
    s3 = target.client();
    bucket = await target.createBucket('failures');
    // Buffers, not streams: RGW (Pacific) answers 411 to the SDK's aws-chunked streaming uploads.
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: dataKey, Body: data }));
    etag = put.ETag ?? '';
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: successKey, Body: Buffer.alloc(0) }));
  });
  after(async () => {
    await target?.stop();
  });

  /**
   * Runs an auth case where credentials are checked. On RGW that is the server under test itself; fauxqs
   * checks no credentials (the same request would get a 200), so there the case talks to the S3 error
   * stub, which answers what AWS and RGW answer — and the case also checks what the client sent it.
   */
  async function onAuthServer(answer: StubResponse, run: (at: { endpoint?: string; stub?: AuthStub }) => Promise<void>): Promise<void> {
    if (target.checksCredentials) return run({});
    const stub = await startAuthStub(answer);
    try {
      await run({ endpoint: stub.endpoint, stub });
    } finally {
      await stub.stop();
    }
  }

  describe('credentials (RGW: the real server; fauxqs: the S3 error stub)', () => {
    it('a wrong secret is 403 SignatureDoesNotMatch: "decrypt the credentials file again", the secret never shown', async () => {
      await onAuthServer(STUB.signatureDoesNotMatch, async ({ endpoint, stub }) => {
        const client = target.wrongSecretClient(endpoint ? { endpoint } : {});
        const err = await failure(client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: partition, Delimiter: '/' })));
        assert.equal(err.name, 'SignatureDoesNotMatch');
        assert.equal(statusOf(err), 403);
        const e = mapped(err, { operation: 'listing', bucket, key: partition, profile: 'asapp-prod' }, 's3.signature-mismatch', target.credentials.secretAccessKey);
        assert.match(e.message, /The secret key does not match the access key id \(listing s3:\/\/.*\): the credentials of profile 'asapp-prod'/);
        assert.match(e.message, /decrypt the credentials file again/);
        assert.equal(e.s3Code, 'SignatureDoesNotMatch');
        if (stub) assert.match(String(stub.requests[0]?.headers.authorization), new RegExp(`Credential=${target.credentials.accessKeyId}/`));
      });
    });

    it('a wrong secret on GET is the same 403 SignatureDoesNotMatch; on HEAD (no body) it is a plain 403 access denied', async () => {
      await onAuthServer(STUB.signatureDoesNotMatch, async ({ endpoint }) => {
        const client = target.wrongSecretClient(endpoint ? { endpoint } : {});
        const get = await failure(client.send(new GetObjectCommand({ Bucket: bucket, Key: dataKey, Range: 'bytes=0-99' })));
        assert.equal(get.name, 'SignatureDoesNotMatch');
        assert.equal(statusOf(get), 403);
        mapped(get, { operation: 'downloading', bucket, key: dataKey }, 's3.signature-mismatch', target.credentials.secretAccessKey);
        const head = await failure(client.send(new HeadObjectCommand({ Bucket: bucket, Key: dataKey })));
        assert.equal(statusOf(head), 403);
        const e = mapped(head, { operation: 'reading', bucket, key: dataKey }, 's3.access-denied', target.credentials.secretAccessKey);
        assert.match(e.message, /HTTP 403.*unknown, wrong, or not allowed/);
      });
    });

    it('an unknown access key id is 403 InvalidAccessKeyId: "wrong, revoked or for another environment"', async () => {
      await onAuthServer(STUB.invalidAccessKeyId, async ({ endpoint, stub }) => {
        const client = target.unknownKeyClient(endpoint ? { endpoint } : {});
        const err = await failure(client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: partition, Delimiter: '/' })));
        assert.equal(err.name, 'InvalidAccessKeyId');
        assert.equal(statusOf(err), 403);
        const e = mapped(err, { operation: 'listing', bucket, key: partition, endpoint: endpoint ?? target.endpoint }, 's3.invalid-access-key', target.credentials.secretAccessKey);
        assert.match(e.message, /The access key id is not known to the S3 endpoint http:\/\/127\.0\.0\.1:\d+/);
        assert.match(e.message, /asapp-exports credentials decrypt/);
        if (stub) assert.match(String(stub.requests[0]?.headers.authorization), new RegExp(`Credential=${UNKNOWN_ACCESS_KEY_ID}/`));
      });
    });

    it('browsing with bad keys fails in the catalog with the mapped advice naming the endpoint (product code path)', async () => {
      await onAuthServer(STUB.invalidAccessKeyId, async ({ endpoint }) => {
        const at = endpoint ?? target.endpoint;
        const client = target.unknownKeyClient(endpoint ? { endpoint } : {});
        const parent: ExportLocation = { bucket, subFolder: '', feed: 'convos_metrics', version: 1, format: 'jsonl' };
        const err = await failure(listChildren(client, parent));
        assert.ok(err instanceof S3Error, `expected an S3Error, got ${err.name}`);
        assert.equal(err.code, 's3.invalid-access-key');
        assert.equal(err.status, 403);
        assert.ok(err.message.includes(`the S3 endpoint ${at}`), err.message);
        assert.ok(err.message.includes(`s3://${bucket}/convos_metrics/version=1/format=jsonl/`), err.message);
        assertNoSecret(err, target.credentials.secretAccessKey);
      });
    });

    it('anonymous (unsigned) requests are 403 AccessDenied, for reads and for listings', async () => {
      await onAuthServer(STUB.accessDenied, async ({ endpoint, stub }) => {
        const at = endpoint ?? target.endpoint;
        const client = target.anonymousClient(at);
        const get = await failure(client.send(new GetObjectCommand({ Bucket: bucket, Key: dataKey })));
        assert.equal(get.name, 'AccessDenied');
        assert.equal(statusOf(get), 403);
        const e = mapped(get, { operation: 'downloading', bucket, key: dataKey }, 's3.access-denied');
        assert.match(e.message, /Access denied downloading s3:\/\/.*check the bucket and sub-folder in the credentials file/);
        const list = await failure(client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: '', Delimiter: '/' })));
        assert.equal(list.name, 'AccessDenied');
        assert.equal(statusOf(list), 403);
        // A plain HTTP GET, as a browser would send it.
        const res = await fetch(`${at}/${bucket}/${dataKey}`);
        assert.equal(res.status, 403);
        assert.match(await res.text(), /<Code>AccessDenied<\/Code>/);
        if (stub) assert.ok(stub.requests.every(r => r.headers.authorization === undefined), 'anonymous requests carry no signature');
      });
    });
  });

  describe('missing things', () => {
    it('a missing bucket is 404 NoSuchBucket and the advice points at the bucket name', async () => {
      const missing = `${bucket}-missing`;
      const err = await failure(s3.send(new ListObjectsV2Command({ Bucket: missing, Prefix: '', Delimiter: '/' })));
      assert.equal(err.name, 'NoSuchBucket');
      assert.equal(statusOf(err), 404);
      const e = mapped(err, { operation: 'listing', bucket: missing, endpoint: target.endpoint }, 's3.no-such-bucket');
      assert.match(e.message, new RegExp(`Bucket "${missing}" does not exist on the S3 endpoint`));
      assert.match(e.message, /check the bucket name in the credentials file/);
      assert.equal(e.s3Code, 'NoSuchBucket');
      assert.equal(e.status, 404);
    });

    it('a missing key is 404 NoSuchKey on GET and a bodiless 404 NotFound on HEAD; both say to list again', async () => {
      const key = `${partition}convos_metrics.jsonl.01.gz`;
      const get = await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
      assert.equal(get.name, 'NoSuchKey');
      assert.equal(statusOf(get), 404);
      assert.match(mapped(get, { operation: 'downloading', bucket, key }, 's3.not-found').message, /asapp-exports ls/);
      const head = await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
      assert.equal(head.name, 'NotFound');
      assert.equal(statusOf(head), 404);
      assert.equal(mapped(head, { operation: 'reading', bucket, key }, 's3.not-found').status, 404);
    });
  });

  describe('ranges and conditional reads', () => {
    it('a Range on the 0-byte _SUCCESS is 416 InvalidRange, mapped to "the object is smaller than expected"', async () => {
      const err = await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: successKey, Range: 'bytes=0-1023' })));
      assert.equal(err.name, 'InvalidRange');
      assert.equal(statusOf(err), 416);
      const e = mapped(err, { operation: 'previewing', bucket, key: successKey }, 's3.invalid-range');
      assert.match(e.message, /smaller than expected/);
    });

    it('a Range inside the object is 206 with exactly those bytes; a suffix range gives the tail', async () => {
      const mid = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: dataKey, Range: 'bytes=10-19' }));
      assert.equal(mid.$metadata.httpStatusCode, 206);
      assert.equal(mid.ContentRange, `bytes 10-19/${data.length}`);
      assert.equal(await mid.Body?.transformToString(), data.subarray(10, 20).toString());
      const tail = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: dataKey, Range: 'bytes=-7' }));
      assert.equal(await tail.Body?.transformToString(), data.subarray(data.length - 7).toString());
    });

    it('resuming with If-Match and the current ETag gets the rest of the object (206)', async () => {
      assert.match(etag, /^"[0-9a-f]{32}"$/);
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: dataKey, Range: 'bytes=1000-', IfMatch: etag }));
      assert.equal(out.$metadata.httpStatusCode, 206);
      assert.equal(out.ETag, etag);
      assert.deepEqual(Buffer.from(await out.Body!.transformToByteArray()), data.subarray(1000));
    });

    it('If-Match with a stale ETag is 412 PreconditionFailed, mapped to "changed on S3 … start again"', async () => {
      const stale = '"0123456789abcdef0123456789abcdef"';
      const err = await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: dataKey, Range: 'bytes=1000-', IfMatch: stale })));
      assert.equal(err.name, 'PreconditionFailed');
      assert.equal(statusOf(err), 412);
      const e = mapped(err, { operation: 'downloading', bucket, key: dataKey }, 's3.changed');
      assert.match(e.message, /changed on S3 while downloading it .*start again/);
    });

    it('If-None-Match with the current ETag is 304 Not Modified (no body sent again)', async () => {
      const err = await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: dataKey, IfNoneMatch: etag })));
      assert.equal(statusOf(err), 304);
      const fresh = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: dataKey, IfNoneMatch: '"0123456789abcdef0123456789abcdef"' }));
      assert.equal(fresh.$metadata.httpStatusCode, 200);
      assert.equal(Number(fresh.ContentLength), data.length);
      await fresh.Body?.transformToByteArray();
    });
  });

  describe('paging: the continuation token decides, not the page length', () => {
    const DAYS = 1_200;
    const format: Omit<ExportLocation, 'bucket'> = { subFolder: '', feed: 'utterances', version: 1, format: 'jsonl' };
    let pagingBucket: string;
    let formatPrefix: string;
    const expected = Array.from({ length: DAYS }, (_, i) => `dt=${day(i)}`);

    before(async () => {
      pagingBucket = await target.createBucket('paging');
      formatPrefix = formatExportPrefix({ bucket: pagingBucket, ...format });
      // 1,200 daily partitions holding only _SUCCESS: 1,200 CommonPrefixes one level down, 1,200 keys in all.
      await pool(expected, 16, async dt => {
        await s3.send(new PutObjectCommand({ Bucket: pagingBucket, Key: `${formatPrefix}${dt}/${SUCCESS_MARKER}`, Body: Buffer.alloc(0) }));
      });
    });
    after(async () => {
      // RGW's memstore keeps every object (and its index entry) in RAM for the rest of the run: give it back.
      const keys = expected.map(dt => ({ Key: `${formatPrefix}${dt}/${SUCCESS_MARKER}` }));
      for (let i = 0; i < keys.length; i += 1000) {
        await s3.send(new DeleteObjectsCommand({ Bucket: pagingBucket, Delete: { Objects: keys.slice(i, i + 1000), Quiet: true } }));
      }
    });

    it('1,200 CommonPrefixes with MaxKeys 1000: all of them, in byte order, by looping on the token', async () => {
      const prefixes: string[] = [];
      const pages: Array<{ n: number; truncated: boolean }> = [];
      let token: string | undefined;
      do {
        const out = await s3.send(new ListObjectsV2Command({
          Bucket: pagingBucket, Prefix: formatPrefix, Delimiter: '/', MaxKeys: 1000, ContinuationToken: token,
        }));
        const n = (out.CommonPrefixes?.length ?? 0) + (out.Contents?.length ?? 0);
        pages.push({ n, truncated: !!out.IsTruncated });
        prefixes.push(...(out.CommonPrefixes ?? []).map(p => p.Prefix ?? ''));
        assert.ok(n <= 1000, `a page holds at most MaxKeys entries (got ${n})`);
        if (out.IsTruncated) assert.ok(out.NextContinuationToken, 'a truncated page carries a continuation token');
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
      assert.deepEqual(prefixes, expected.map(dt => `${formatPrefix}${dt}/`));
      assert.ok(pages.length >= 2, `1,200 prefixes need at least two pages (pages: ${JSON.stringify(pages)})`);
      if (target.tier === 'rgw') {
        // What real S3 may do and fauxqs never does: a truncated page shorter than MaxKeys. A client that
        // stops on "fewer than MaxKeys" loses the rest; this is the case the token loop exists for.
        assert.ok(pages.some(p => p.truncated && p.n < 1000), `RGW returned no short truncated page: ${JSON.stringify(pages)}`);
      }
    });

    it('the catalog (listChildren) follows the token across short pages to all 1,200 dt= partitions', async () => {
      const parent: ExportLocation = { bucket: pagingBucket, ...format };
      const entries: CatalogEntry[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await listChildren(s3, parent, { pageSize: 1000, continuationToken: token });
        entries.push(...page.items);
        token = page.nextToken;
        pages++;
      } while (token);
      assert.ok(pages >= 2);
      assert.deepEqual(entries.map(e => e.kind), expected.map(() => 'dt'));
      assert.deepEqual(entries.map(e => e.name), expected);
      assert.deepEqual(entries.map(e => e.location.dt), expected.map(dt => dt.slice(3)));
    });

    it('more than 1,000 keys without a delimiter: every key once, in order, over pages of at most 1000', async () => {
      const keys: string[] = [];
      const sizes: number[] = [];
      let token: string | undefined;
      do {
        const out = await s3.send(new ListObjectsV2Command({ Bucket: pagingBucket, Prefix: formatPrefix, ContinuationToken: token }));
        sizes.push(out.Contents?.length ?? 0);
        keys.push(...(out.Contents ?? []).map(o => o.Key ?? ''));
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
      assert.deepEqual(keys, expected.map(dt => `${formatPrefix}${dt}/${SUCCESS_MARKER}`));
      // RGW pages these 875 + 325 (short again), fauxqs 1000 + 200: both are legal S3.
      assert.ok(sizes.length >= 2 && sizes.every(n => n <= 1000), `pages: ${sizes.join(' + ')}`);
    });
  });
});
