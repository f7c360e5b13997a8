import assert from 'node:assert/strict';
import { PutObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { startS3Target, type S3Target } from '../support/s3Target';

describe(`S3 target (${process.env.S3_TIER ?? 'fauxqs'})`, () => {
  let target: S3Target;
  before(async () => { target = await startS3Target(); });
  after(async () => { await target?.stop(); });

  it('listens on loopback and stores and lists an object through the real SDK', async () => {
    assert.match(target.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    const bucket = await target.createBucket();
    const s3 = target.client();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'f/version=1/_SUCCESS', Body: Buffer.alloc(0) }));
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'f/', Delimiter: '/' }));
    assert.deepEqual(out.CommonPrefixes?.map(p => p.Prefix), ['f/version=1/']);
  });
});
