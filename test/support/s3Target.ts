// The S3 server a test suite talks to, chosen by S3_TIER: 'fauxqs' (default, in-process, checks no
// credentials) or 'rgw' (a real Ceph RADOS Gateway started by scripts/rgw/with-rgw.sh, which exports
// S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY). Suites written against this run on both unchanged.
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { createS3Client, type StaticCredentials, type S3ConnectionOptions } from '../../src/core/s3';
import { startLocalS3, type LocalS3 } from '../../src/core/localS3';

export interface S3Target {
  tier: 'fauxqs' | 'rgw';
  endpoint: string;
  credentials: StaticCredentials;
  /** True when the server rejects wrong keys and bad signatures (RGW); fauxqs accepts anything. */
  checksCredentials: boolean;
  /** Options for createS3Client pointing at this server with valid keys. */
  options(extra?: Partial<S3ConnectionOptions>): S3ConnectionOptions;
  client(extra?: Partial<S3ConnectionOptions>): S3Client;
  /** Creates a fresh, uniquely named bucket. */
  createBucket(prefix?: string): Promise<string>;
  /**
   * The right access key id with a wrong secret: RGW answers 403 SignatureDoesNotMatch (fauxqs: 200).
   * `extra.endpoint` points it elsewhere (e.g. at the S3 error stub of authStub.ts on the fauxqs tier).
   */
  wrongSecretClient(extra?: Partial<S3ConnectionOptions>): S3Client;
  /** An access key id the server has never issued: RGW answers 403 InvalidAccessKeyId (fauxqs: 200). */
  unknownKeyClient(extra?: Partial<S3ConnectionOptions>): S3Client;
  /** Unsigned requests, like a browser or curl without keys: RGW answers 403 AccessDenied (fauxqs: 200). */
  anonymousClient(endpoint?: string): S3Client;
  stop(): Promise<void>;
}

/** The key id of unknownKeyClient(): shaped like an AWS key id, issued by nobody. */
export const UNKNOWN_ACCESS_KEY_ID = 'AKIAUNKNOWN000000000';

export async function startS3Target(): Promise<S3Target> {
  const tier = (process.env.S3_TIER ?? 'fauxqs') as S3Target['tier'];
  let local: LocalS3 | undefined;
  let endpoint: string;
  let credentials: StaticCredentials;
  if (tier === 'rgw') {
    const { S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY } = process.env;
    if (!S3_ENDPOINT || !S3_ACCESS_KEY || !S3_SECRET_KEY) {
      throw new Error('S3_TIER=rgw needs S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY: run through scripts/rgw/with-rgw.sh');
    }
    endpoint = S3_ENDPOINT;
    credentials = { accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY };
  } else if (tier === 'fauxqs') {
    local = await startLocalS3();
    endpoint = local.endpoint;
    credentials = local.credentials;
  } else {
    throw new Error(`Unknown S3_TIER "${tier}" (fauxqs or rgw)`);
  }
  const options = (extra: Partial<S3ConnectionOptions> = {}): S3ConnectionOptions => ({ endpoint, credentials, ...extra });
  const clients: S3Client[] = [];
  const client = (extra?: Partial<S3ConnectionOptions>) => {
    const c = createS3Client(options(extra), {});
    clients.push(c);
    return c;
  };
  const anonymousClient = (at = endpoint) => {
    const c = new S3Client({
      region: 'us-east-1',
      endpoint: at,
      forcePathStyle: true,
      credentials: { accessKeyId: '', secretAccessKey: '' },
      signer: { sign: async request => request },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 1,
    });
    clients.push(c);
    return c;
  };
  return {
    tier,
    endpoint,
    credentials,
    checksCredentials: tier === 'rgw',
    options,
    client,
    async createBucket(prefix = 't') {
      const name = `${prefix}-${randomBytes(5).toString('hex')}`;
      await client().send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    wrongSecretClient: extra =>
      client({ credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: wrongSecret(credentials.secretAccessKey) }, maxAttempts: 1, ...extra }),
    unknownKeyClient: extra =>
      client({ credentials: { accessKeyId: UNKNOWN_ACCESS_KEY_ID, secretAccessKey: credentials.secretAccessKey }, maxAttempts: 1, ...extra }),
    anonymousClient,
    async stop() {
      for (const c of clients) c.destroy();
      await local?.stop();
    },
  };
}

/** Same length and alphabet as the real secret, different last characters (what a truncated copy-paste gives). */
function wrongSecret(secret: string): string {
  const tail = secret.endsWith('XXXX') ? 'YYYY' : 'XXXX';
  return `${secret.slice(0, -4)}${tail}`;
}
