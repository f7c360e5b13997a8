// Error mapping through the real AWS SDK against a stub that answers like S3 does when things go wrong
// (fauxqs checks no credentials, so auth failures cannot come from it; the RGW tier shows them for real).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client, type S3ConnectionOptions } from '../../src/core/s3';
import { listChildren } from '../../src/core/catalog';
import { toS3Error } from '../../src/core/s3Errors';
import { CancellationError, S3Error } from '../../src/core/errors';
import { STUB, closedPort, startAuthStub, type AuthStub, type StubResponse } from '../support/authStub';

const SECRET = 'stubSecretKeyThatMustNeverBeShown0123456789';
const KEY_ID = 'AKIASTUBTESTKEY00001';
const root = { bucket: 'asapp-prod-acme-exports-us-east-1', subFolder: 'acme' };

function client(endpoint: string, extra: Partial<S3ConnectionOptions> = {}) {
  return createS3Client({ endpoint, credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET }, maxAttempts: 1, ...extra }, {});
}

async function failure(p: Promise<unknown>): Promise<S3Error> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof S3Error, `expected S3Error, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    assert.ok(!e.message.includes(SECRET), 'the secret must not appear in the message');
    return e;
  }
  assert.fail('expected a failure');
}

describe('toS3Error through the real SDK', () => {
  let stub: AuthStub;
  before(async () => { stub = await startAuthStub(STUB.accessDenied); });
  after(async () => { await stub.stop(); });

  const cases: Array<[string, StubResponse, string, RegExp]> = [
    ['403 InvalidAccessKeyId', STUB.invalidAccessKeyId, 's3.invalid-access-key', /access key id is not known.*credentials decrypt/],
    ['403 SignatureDoesNotMatch', STUB.signatureDoesNotMatch, 's3.signature-mismatch', /secret key does not match/],
    ['403 AccessDenied', STUB.accessDenied, 's3.access-denied', /^Access denied listing s3:\/\/asapp-prod-acme-exports-us-east-1\/acme\/.*sub-folder/],
    ['404 NoSuchBucket', STUB.noSuchBucket, 's3.no-such-bucket', /Bucket "asapp-prod-acme-exports-us-east-1" does not exist/],
    ['503 SlowDown', STUB.slowDown, 's3.throttled', /throttling/],
    ['200 HTML page', STUB.html200, 's3.not-s3', /not an S3 response.*--endpoint/],
    ['502 HTML proxy page', STUB.html502, 's3.server-error', /HTTP 502/],
  ];
  for (const [title, response, code, advice] of cases) {
    it(`maps ${title} on a listing to ${code} with advice`, async () => {
      stub.respond(response);
      const err = await failure(listChildren(client(stub.endpoint), root));
      assert.equal(err.code, code);
      assert.match(err.message, advice);
      assert.ok(err.message.includes(stub.endpoint) || err.message.includes('s3://'), err.message);
    });
  }

  it('names the profile in access-denied advice', () => {
    const err = toS3Error(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }), {
      operation: 'listing', bucket: 'b-1', key: 'sub/', profile: 'asapp-prod',
    });
    assert.ok(err instanceof S3Error);
    assert.equal(err.message, "Access denied listing s3://b-1/sub/: the credentials of profile 'asapp-prod' cannot read this bucket or prefix; check the bucket and sub-folder in the credentials file (the keys are scoped to them), or ask ASAPP to grant access.");
    assert.equal(err.status, 403);
  });

  it('maps a body-less 403 on HEAD (SDK name Unknown) to access-denied and 404 on HEAD to not-found', async () => {
    const s3 = client(stub.endpoint);
    stub.respond(STUB.head403);
    const denied = await failure(s3.send(new HeadObjectCommand({ Bucket: 'b-1', Key: 'k' })).catch(e => { throw toS3Error(e, { operation: 'reading', bucket: 'b-1', key: 'k' }); }));
    assert.equal(denied.code, 's3.access-denied');
    stub.respond(STUB.head404);
    const missing = await failure(s3.send(new HeadObjectCommand({ Bucket: 'b-1', Key: 'k' })).catch(e => { throw toS3Error(e, { operation: 'reading', bucket: 'b-1', key: 'k' }); }));
    assert.equal(missing.code, 's3.not-found');
    assert.match(missing.message, /s3:\/\/b-1\/k does not exist/);
  });

  it('maps NoSuchKey and InvalidRange on GetObject', async () => {
    const s3 = client(stub.endpoint);
    const get = (range?: string) => s3.send(new GetObjectCommand({ Bucket: 'b-1', Key: 'x/_SUCCESS', Range: range }))
      .catch(e => { throw toS3Error(e, { operation: 'reading', bucket: 'b-1', key: 'x/_SUCCESS' }); });
    stub.respond(STUB.noSuchKey);
    assert.equal((await failure(get())).code, 's3.not-found');
    stub.respond(STUB.invalidRange);
    assert.equal((await failure(get('bytes=0-99'))).code, 's3.invalid-range');
  });

  it('turns a server that never answers into s3.timeout instead of hanging', async () => {
    stub.respond(STUB.stall);
    const started = Date.now();
    const err = await failure(listChildren(client(stub.endpoint, { requestTimeoutMs: 300 }), root));
    assert.equal(err.code, 's3.timeout');
    assert.ok(Date.now() - started < 5_000);
  });

  it('turns an abort into CancellationError', async () => {
    stub.respond(STUB.stall);
    const controller = new AbortController();
    const p = listChildren(client(stub.endpoint), root, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(p, (e: unknown) => e instanceof CancellationError);
  });

  it('retries SlowDown inside the SDK before giving up', async () => {
    stub.respond(STUB.slowDown);
    const before = stub.requests.length;
    const err = await failure(listChildren(client(stub.endpoint, { maxAttempts: 2 }), root));
    assert.equal(err.code, 's3.throttled');
    assert.equal(stub.requests.length - before, 2);
  });
});

describe('toS3Error without a server', () => {
  it('maps a closed port to s3.connection-refused naming the endpoint', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const err = await failure(listChildren(client(endpoint), root));
    assert.equal(err.code, 's3.connection-refused');
    assert.ok(err.message.includes(endpoint), err.message);
  });

  it('maps an unknown host to s3.host-not-found', () => {
    const err = toS3Error(Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' }), { operation: 'listing', bucket: 'b-1' });
    assert.ok(err instanceof S3Error);
    assert.equal(err.code, 's3.host-not-found');
  });

  it('drops user:password from an endpoint URL in advice', () => {
    const err = toS3Error(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), { operation: 'listing', bucket: 'b-1', endpoint: 'http://me:hunter2@127.0.0.1:9' });
    assert.equal(err.message.includes('hunter2'), false, err.message);
    assert.match(err.message, /http:\/\/127\.0\.0\.1:9/);
  });

  it('maps ETIMEDOUT and RequestTimeout to s3.timeout', () => {
    for (const e of [Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }), Object.assign(new Error('x'), { name: 'RequestTimeout' })]) {
      const err = toS3Error(e, { operation: 'listing', bucket: 'b-1' });
      assert.ok(err instanceof S3Error);
      assert.equal(err.code, 's3.timeout');
    }
  });

  describe('credentials', () => {
    let dir: string;
    const saved: Record<string, string | undefined> = {};
    const vars = ['AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_EC2_METADATA_DISABLED'];
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 's3errors-'));
      writeFileSync(join(dir, 'credentials'), '[other]\naws_access_key_id = AKIAOTHER00000000000\naws_secret_access_key = other\n');
      writeFileSync(join(dir, 'config'), '');
      for (const v of vars) { saved[v] = process.env[v]; delete process.env[v]; }
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
      process.env.AWS_CONFIG_FILE = join(dir, 'config');
      process.env.AWS_EC2_METADATA_DISABLED = 'true';
    });
    after(() => {
      for (const v of vars) { if (saved[v] === undefined) delete process.env[v]; else process.env[v] = saved[v]; }
      rmSync(dir, { recursive: true, force: true });
    });

    it('maps a profile that does not exist to s3.no-credentials naming the profile', async () => {
      const endpoint = `http://127.0.0.1:${await closedPort()}`;
      const s3 = createS3Client({ endpoint, profile: 'asapp-missing', maxAttempts: 1 }, {});
      const err = await failure(listChildren(s3, root));
      assert.equal(err.code, 's3.no-credentials');
      assert.match(err.message, /'asapp-missing'.*credentials decrypt/);
    });
  });

  it('returns S3Error and CancellationError unchanged and never echoes a secret from a message', () => {
    const original = new S3Error('x', { code: 's3.x' });
    assert.equal(toS3Error(original, { operation: 'listing' }), original);
    const abort = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    assert.ok(toS3Error(abort, { operation: 'listing' }) instanceof CancellationError);
  });
});
