// Presigned GetObject URLs for the download workers, cheaply. The SDK's getSignedUrl runs the client's
// whole middleware stack for every URL (measured: ~0.6 ms of main-thread CPU each, ~7 % of a 216-file
// pull on 2 cores). Here the SDK presigns one probe URL per bucket, which fixes everything that depends
// on the client's configuration (endpoint, path or virtual-hosted style, signing region and service),
// and each object's URL is then signed with SigV4 query signing directly: same URL, same signature
// (a test compares the two byte for byte). Anything unexpected in the probe: the SDK signs every URL.
import { createHash, createHmac } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** The SDK's presigner, loaded on the first download (a run with nothing to fetch never pays for it). */
async function getSignedUrl(client: S3Client, command: GetObjectCommand, options: { expiresIn: number; signingDate?: Date }): Promise<string> {
  return (await import('@aws-sdk/s3-request-presigner')).getSignedUrl(client, command, options);
}

export interface GetConditions {
  /** e.g. "bytes=100-" */
  range?: string;
  /** quoted ETag */
  ifMatch?: string;
}

interface Base {
  /** protocol://host[:port] */
  origin: string;
  /** The Host header the SDK signs. */
  host: string;
  /** Path before the key: "/bucket" (path style) or "" (virtual-hosted). */
  prefix: string;
  region: string;
  service: string;
}

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const PROBE_KEY = 'probe';
const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** Query parameters the probe may carry; anything else means this client signs differently. */
const KNOWN_PARAMS = new Set(['X-Amz-Algorithm', 'X-Amz-Content-Sha256', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Security-Token', 'x-id']);

/** RFC 3986 encoding, as SigV4 wants it (what the SDK calls extendedEncodeURIComponent). */
export function sigv4Encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export class GetObjectSigner {
  private readonly bases = new Map<string, Promise<Base | undefined>>();
  private signingKey?: { scope: string; secret: string; key: Buffer };

  constructor(private readonly client: S3Client) {}

  /** A URL for GET of bucket/key, valid for `expiresIn` seconds; the conditions become signed headers. */
  async url(bucket: string, key: string, conditions: GetConditions, expiresIn: number, now: Date = new Date()): Promise<string> {
    let base = this.bases.get(bucket);
    if (!base) {
      base = this.probe(bucket).catch(() => undefined);
      this.bases.set(bucket, base);
    }
    const b = await base;
    const creds = b && ((await this.client.config.credentials()) as Credentials);
    if (!b || !creds?.accessKeyId || !creds.secretAccessKey) return this.sdkUrl(bucket, key, conditions, expiresIn, now);
    return this.sign(b, creds, key, conditions, expiresIn, now);
  }

  private sdkUrl(bucket: string, key: string, c: GetConditions, expiresIn: number, signingDate: Date): Promise<string> {
    const input = { Bucket: bucket, Key: key, ...(c.range ? { Range: c.range } : {}), ...(c.ifMatch ? { IfMatch: c.ifMatch } : {}) };
    return getSignedUrl(this.client, new GetObjectCommand(input), { expiresIn, signingDate });
  }

  private async probe(bucket: string): Promise<Base | undefined> {
    const url = new URL(await getSignedUrl(this.client, new GetObjectCommand({ Bucket: bucket, Key: PROBE_KEY }), { expiresIn: 60 }));
    if (!url.pathname.endsWith(`/${PROBE_KEY}`) || url.hash) return undefined;
    for (const name of url.searchParams.keys()) if (!KNOWN_PARAMS.has(name)) return undefined;
    if (url.searchParams.get('X-Amz-Algorithm') !== ALGORITHM || url.searchParams.get('X-Amz-SignedHeaders') !== 'host') return undefined;
    if (url.searchParams.get('X-Amz-Content-Sha256') !== UNSIGNED_PAYLOAD || url.searchParams.get('x-id') !== 'GetObject') return undefined;
    const scope = (url.searchParams.get('X-Amz-Credential') ?? '').split('/');
    if (scope.length < 5 || scope[scope.length - 1] !== 'aws4_request') return undefined;
    const [region, service] = scope.slice(-3, -1);
    return { origin: url.origin, host: url.host, prefix: url.pathname.slice(0, -PROBE_KEY.length - 1), region, service };
  }

  private sign(b: Base, creds: Credentials, key: string, c: GetConditions, expiresIn: number, now: Date): string {
    const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, ''); // 20240101T000000Z
    const day = amzDate.slice(0, 8);
    const scope = `${day}/${b.region}/${b.service}/aws4_request`;
    const path = `${b.prefix}/${key.split('/').map(sigv4Encode).join('/')}`;
    const headers: Array<[string, string]> = [['host', b.host]];
    if (c.ifMatch) headers.push(['if-match', c.ifMatch]);
    if (c.range) headers.push(['range', c.range]);
    const signedHeaders = headers.map(h => h[0]).join(';');
    const params: Array<[string, string]> = [
      ['X-Amz-Algorithm', ALGORITHM],
      ['X-Amz-Content-Sha256', UNSIGNED_PAYLOAD],
      ['X-Amz-Credential', `${creds.accessKeyId}/${scope}`],
      ['X-Amz-Date', amzDate],
      ['X-Amz-Expires', String(expiresIn)],
      ...(creds.sessionToken ? [['X-Amz-Security-Token', creds.sessionToken] as [string, string]] : []),
      ['X-Amz-SignedHeaders', signedHeaders],
      ['x-id', 'GetObject'],
    ];
    const query = params
      .map(([k, v]) => [sigv4Encode(k), sigv4Encode(v)])
      .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const canonical = [
      'GET',
      path,
      query,
      headers.map(([k, v]) => `${k}:${v.trim().replace(/\s+/g, ' ')}\n`).join(''),
      signedHeaders,
      UNSIGNED_PAYLOAD,
    ].join('\n');
    const toSign = [ALGORITHM, amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
    const signature = createHmac('sha256', this.keyFor(scope, day, b, creds.secretAccessKey)).update(toSign).digest('hex');
    return `${b.origin}${path}?${query}&X-Amz-Signature=${signature}`;
  }

  private keyFor(scope: string, day: string, b: Base, secret: string): Buffer {
    const k = this.signingKey;
    if (k && k.scope === scope && k.secret === secret) return k.key;
    const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), b.region), b.service), 'aws4_request');
    this.signingKey = { scope, secret, key };
    return key;
  }
}
