import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createS3Client } from '../../src/core/s3';

describe('s3 client factory', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 's3client-'));
    writeFileSync(path.join(dir, 'credentials'), '[p1]\naws_access_key_id = AKIAFROMCUSTOMENV001\naws_secret_access_key = s3cr3t-from-custom-env\n', { mode: 0o600 });
    writeFileSync(path.join(dir, 'config'), '[profile p1]\nregion = eu-west-1\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a profile from the shared files named in the env it is given, not only process.env', async () => {
    const env = { AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'), AWS_CONFIG_FILE: path.join(dir, 'config') };
    assert.equal(process.env.AWS_SHARED_CREDENTIALS_FILE, undefined);
    const client = createS3Client({ profile: 'p1' }, env);
    const creds = await client.config.credentials();
    assert.equal(creds.accessKeyId, 'AKIAFROMCUSTOMENV001');
    client.destroy();
  });

  it('uses path-style addressing and the region default for a custom endpoint', async () => {
    const client = createS3Client({ endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }, {});
    assert.equal(client.config.forcePathStyle, true);
    assert.equal(await client.config.region(), 'us-east-1');
    client.destroy();
  });

  it('takes the endpoint from AWS_ENDPOINT_URL_S3 before AWS_ENDPOINT_URL', async () => {
    const client = createS3Client({ credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }, { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:7', AWS_ENDPOINT_URL: 'http://127.0.0.1:8' });
    const ep = await client.config.endpoint!();
    assert.equal(ep.port, 7);
    client.destroy();
  });
});
