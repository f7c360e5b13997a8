// preview against whichever server S3_TIER names: the first records of a big object without fetching
// it whole, an .enc object, and S3 failures mapped to advice.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { S3Error } from '../../src/core/errors';
import { encryptForRecipient, generateKeyPair, unlockPrivateKey } from '../../src/core/pgp';
import { previewObject } from '../../src/core/preview';
import { startS3Target, type S3Target } from '../support/s3Target';
import { gz, jsonlRows, putObject } from '../../bench/lib/seed';

describe(`preview (${process.env.S3_TIER ?? 'fauxqs'})`, function () {
  this.timeout(60_000);
  let target: S3Target;
  let s3: S3Client;
  let bucket: string;
  const bigKey = 'convos_metrics/version=1/format=jsonl/dt=2024-01-01/hr=00/convos_metrics.jsonl.gz';
  let bigSize = 0;

  before(async () => {
    target = await startS3Target();
    s3 = target.client();
    bucket = await target.createBucket('preview');
    // ~12 MB of poorly compressible JSONL, gzip'd as several members (multipart upload)
    const members: Buffer[] = [];
    for (let m = 0; m < 4; m++) {
      const rows = jsonlRows(5000, m + 1, m * 5000).split('\n').filter(Boolean).map(l => l.slice(0, -1) + `,"pad":"${randomBytes(300).toString('base64')}"}`);
      members.push(gz(rows.join('\n') + '\n'));
    }
    const body = Buffer.concat(members);
    bigSize = body.length;
    await putObject(s3, bucket, bigKey, body);
  });
  after(async () => { await target?.stop(); });

  it('returns the first records of a big gzip object and stops the transfer early', async () => {
    {
      const r = await previewObject({ kind: 's3', client: s3, bucket, key: bigKey }, { limit: 100 });
      assert.equal(r.records.length, 100);
      assert.deepEqual(r.records.map(x => x.line), Array.from({ length: 100 }, (_, i) => i + 1));
      assert.equal((r.records[0].value as { issue_id: string }).issue_id, '21352352');
      assert.equal(r.complete, false);
      assert.ok(r.bytesRead < bigSize / 4, `read ${r.bytesRead} of ${bigSize}`);
      assert.ok(r.columns.some(c => c.name === 'first_utterance_ts' && c.types[0] === 'timestamp'));
      assert.deepEqual(r.problems, []);
    }
  });

  it('reads across gzip members to the end of a small object', async () => {
    const key = 'f/version=1/format=jsonl/dt=2024-01-01/f.jsonl.gz';
    await putObject(s3, bucket, key, Buffer.concat([gz(jsonlRows(3, 1)), gz(jsonlRows(2, 2, 3))]));
    const r = await previewObject({ kind: 's3', client: s3, bucket, key }, { limit: 20 });
    assert.equal(r.records.length, 5);
    assert.equal(r.complete, true);
  });

  it('decrypts an .enc object as a stream', async () => {
    const pair = await generateKeyPair({ name: 'Preview S3', email: 'p@example.com', passphrase: 'pw' });
    const key = await unlockPrivateKey(pair.privateKeyArmored, 'pw');
    const k = 'f/version=1/format=jsonl/dt=2024-01-01/f.jsonl.gz.enc';
    await putObject(s3, bucket, k, Buffer.from((await encryptForRecipient(gz(jsonlRows(50)), pair.publicKeyArmored)) as Uint8Array));
    const r = await previewObject({ kind: 's3', client: s3, bucket, key: k }, { limit: 10, key });
    assert.equal(r.records.length, 10);
    assert.equal(r.encrypted, true);
  });

  it('maps a missing object to an S3Error with advice', async () => {
    await assert.rejects(
      previewObject({ kind: 's3', client: s3, bucket, key: 'f/version=1/format=jsonl/dt=2024-01-01/nope.jsonl.gz' }),
      (e: unknown) => e instanceof S3Error && /nope\.jsonl\.gz/.test(e.message),
    );
  });
});
