// The S3 client factory. Credentials are scoped to one bucket (and sub-folder): nothing here lists buckets.
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { fromIni } from '@aws-sdk/credential-provider-ini';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DEFAULT_REGION } from './layout';

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3ConnectionOptions {
  region?: string;
  /** Custom S3-compatible endpoint (local server, Ceph RGW, …); path-style addressing is used for it. */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Named profile in the AWS shared config/credentials files. */
  profile?: string;
  /** Explicit keys; when neither these nor `profile` are given the SDK's default chain is used. */
  credentials?: StaticCredentials;
  connectionTimeoutMs?: number;
  /** Fails a request whose response does not start within this time instead of hanging. */
  requestTimeoutMs?: number;
  maxSockets?: number;
  /** SDK-level attempts for throttling and 5xx (the downloader retries broken bodies itself). */
  maxAttempts?: number;
}

export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Endpoint from the options or the standard AWS environment variables. */
export function resolveEndpoint(opts: S3ConnectionOptions, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return opts.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? undefined;
}

export function createS3Client(opts: S3ConnectionOptions = {}, env: NodeJS.ProcessEnv = process.env): S3Client {
  const endpoint = resolveEndpoint(opts, env);
  const maxSockets = opts.maxSockets ?? 64;
  return new S3Client({
    region: opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? DEFAULT_REGION,
    ...(endpoint ? { endpoint, forcePathStyle: opts.forcePathStyle ?? true } : {}),
    ...(opts.forcePathStyle !== undefined && !endpoint ? { forcePathStyle: opts.forcePathStyle } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    // fromIni with explicit paths: the SDK would read AWS_SHARED_CREDENTIALS_FILE/AWS_CONFIG_FILE from
    // process.env, not from the environment this client is made for.
    ...(opts.profile && !opts.credentials
      ? {
          profile: opts.profile,
          credentials: fromIni({
            profile: opts.profile,
            ...(env.AWS_SHARED_CREDENTIALS_FILE ? { filepath: env.AWS_SHARED_CREDENTIALS_FILE } : {}),
            ...(env.AWS_CONFIG_FILE ? { configFilepath: env.AWS_CONFIG_FILE } : {}),
          }),
        }
      : {}),
    maxAttempts: opts.maxAttempts ?? 3,
    // Streaming uploads otherwise use aws-chunked framing that some S3-compatible servers reject or store verbatim.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: opts.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      requestTimeout: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    }),
  });
}
