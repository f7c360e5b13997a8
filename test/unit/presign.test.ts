import assert from 'node:assert/strict';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { GetObjectSigner, sigv4Encode } from '../../src/core/download/presign';
import { createS3Client } from '../../src/core/s3';

// Our per-object SigV4 signing must produce exactly the URL the SDK's presigner produces.
describe('download: presigned GET URLs', () => {
  const when = new Date('2024-03-05T06:07:08.123Z');
  const keys = [
    'feed/version=1/format=jsonl/dt=2024-01-01/hr=00/f.jsonl.00.gz',
    'sub folder/a b/c+d=e&f.jsonl.gz.enc',
    "odd/(1)*!'~._-/x",
    'unicode/é/ü/日本.gz',
    'trailing/',
  ];
  const conditions = [{}, { range: 'bytes=100-' }, { range: 'bytes=5-', ifMatch: '"0123456789abcdef0123456789abcdef"' }];

  const clients: Array<[string, () => S3Client]> = [
    ['path style on a custom endpoint', () => createS3Client({ endpoint: 'http://127.0.0.1:9000', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'c2VjcmV0/+=' } }, {})],
    ['virtual-hosted AWS with a session token', () => createS3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 's3cr3t', sessionToken: 'tok/en+==' } }, {})],
    ['https endpoint with a port', () => createS3Client({ endpoint: 'https://s3.example.test:8443', region: 'us-west-2', credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' } }, {})],
  ];

  const params = (u: string) => {
    const url = new URL(u);
    return { origin: url.origin, path: url.pathname, query: Object.fromEntries([...url.searchParams].sort()) };
  };

  for (const [name, make] of clients) {
    it(`matches the SDK's presigner: ${name}`, async () => {
      const client = make();
      const signer = new GetObjectSigner(client);
      for (const key of keys) {
        for (const c of conditions) {
          const ours = await signer.url('my-bucket', key, c, 900, when);
          const input = { Bucket: 'my-bucket', Key: key, ...('range' in c ? { Range: c.range } : {}), ...('ifMatch' in c ? { IfMatch: c.ifMatch } : {}) };
          const sdk = await getSignedUrl(client, new GetObjectCommand(input), { expiresIn: 900, signingDate: when });
          assert.deepEqual(params(ours), params(sdk), `${key} ${JSON.stringify(c)}`);
        }
      }
      client.destroy();
    });
  }

  it('signs with the current credentials of the client', async () => {
    // Short-lived credentials (an SSO or assumed role): the SDK refreshes them, and so must every URL.
    let n = 0;
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      credentials: async () => ({ accessKeyId: `AK${++n}`, secretAccessKey: `SK${n}`, expiration: new Date(Date.now() + 1000) }),
    });
    const signer = new GetObjectSigner(client);
    const a = new URL(await signer.url('b', 'k', {}, 60, when));
    const b = new URL(await signer.url('b', 'k', {}, 60, when));
    assert.notEqual(a.searchParams.get('X-Amz-Credential'), b.searchParams.get('X-Amz-Credential'));
    assert.notEqual(a.searchParams.get('X-Amz-Signature'), b.searchParams.get('X-Amz-Signature'));
    client.destroy();
  });

  it('encodes like SigV4 wants', () => {
    assert.equal(sigv4Encode("a b+c/(x)*!'~"), 'a%20b%2Bc%2F%28x%29%2A%21%27~');
  });
});
