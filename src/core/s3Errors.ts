// Maps what the AWS SDK throws (service errors, socket errors, credential-provider errors) to an S3Error
// whose message names the bucket/prefix and says how to fix it. Messages are built from fixed text plus
// the bucket, key, profile and endpoint: never from credentials, so no secret can leak through them.
import { CancellationError, S3Error } from './errors';

export interface S3ErrorContext {
  /** A verb phrase that reads after "… while"/"Access denied …", e.g. 'listing', 'downloading', 'reading'. */
  operation: string;
  bucket?: string;
  /** Key or prefix ('' or undefined for the bucket root). */
  key?: string;
  /** AWS profile in use, when one was named. */
  profile?: string;
  /** Custom endpoint in use, when one was given. */
  endpoint?: string;
}

interface ErrorFacts {
  name?: string;
  code?: string;
  status?: number;
  message: string;
}

const MAX_SERVER_MESSAGE = 200;

function facts(err: unknown): ErrorFacts {
  const e = (err ?? {}) as Record<string, unknown> & { $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number } };
  const nested = (e.errors as unknown[] | undefined)?.[0] as Record<string, unknown> | undefined; // AggregateError (happy eyeballs)
  const cause = e.cause as Record<string, unknown> | undefined;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return {
    name: str(e.name) ?? str(e.Code),
    code: str(e.Code) ?? str(e.code) ?? str(nested?.code) ?? str(cause?.code),
    status: e.$metadata?.httpStatusCode ?? e.$response?.statusCode,
    message: str(e.message) ?? String(err),
  };
}

/** The thing being accessed, as the user would type it. */
function where(ctx: S3ErrorContext): string {
  if (!ctx.bucket) return 'S3';
  return `s3://${ctx.bucket}/${ctx.key ?? ''}`;
}

function who(ctx: S3ErrorContext): string {
  return ctx.profile ? `the credentials of profile '${ctx.profile}'` : 'the credentials in use';
}

function server(ctx: S3ErrorContext): string {
  // An endpoint URL may carry user:password@ — never repeat it.
  return ctx.endpoint ? `the S3 endpoint ${ctx.endpoint.replace(/\/\/[^/@]*@/, '//')}` : 'S3';
}

function make(message: string, code: string, f: ErrorFacts, cause: unknown): S3Error {
  return new S3Error(message, { code, cause, s3Code: f.name ?? f.code, status: f.status });
}

/**
 * Returns CancellationError for aborts (front ends stay silent on them) and an S3Error with advice for
 * everything else. An S3Error passed in is returned unchanged, so callers may wrap freely.
 */
export function toS3Error(err: unknown, ctx: S3ErrorContext): S3Error | CancellationError {
  if (err instanceof S3Error || err instanceof CancellationError) return err;
  const f = facts(err);
  const at = where(ctx);
  const op = ctx.operation;
  const id = (s: string | undefined) => s ?? '';

  if (f.name === 'AbortError' || f.code === 'ABORT_ERR' || f.name === 'CancellationError') return new CancellationError();

  switch (f.name) {
    case 'AccessDenied':
    case 'AllAccessDisabled':
    case 'AccountProblem':
      return make(
        `Access denied ${op} ${at}: ${who(ctx)} cannot read this bucket or prefix; check the bucket and sub-folder in the credentials file (the keys are scoped to them), or ask ASAPP to grant access.`,
        's3.access-denied', f, err);
    case 'InvalidAccessKeyId':
      return make(
        `The access key id is not known to ${server(ctx)} (${op} ${at}): ${who(ctx)} are wrong, revoked or for another environment; decrypt the latest credentials file again (asapp-exports credentials decrypt) or pick the right --profile.`,
        's3.invalid-access-key', f, err);
    case 'SignatureDoesNotMatch':
      return make(
        `The secret key does not match the access key id (${op} ${at}): ${who(ctx)} have a wrong or truncated secret; decrypt the credentials file again rather than copying the secret by hand.`,
        's3.signature-mismatch', f, err);
    case 'ExpiredToken':
    case 'TokenRefreshRequired':
    case 'InvalidToken':
      return make(
        `The session token has expired (${op} ${at}): refresh ${who(ctx)} and retry.`,
        's3.expired-token', f, err);
    case 'RequestTimeTooSkewed':
      return make(
        `The clock of this machine is too far from S3's time (${op} ${at}): sync the system clock (e.g. enable NTP) and retry.`,
        's3.clock-skew', f, err);
    case 'NoSuchBucket':
      return make(
        `Bucket "${id(ctx.bucket)}" does not exist on ${server(ctx)} (${op} ${at}): check the bucket name in the credentials file${ctx.endpoint ? ' and the --endpoint' : ' and the --region'}.`,
        's3.no-such-bucket', f, err);
    case 'NoSuchKey':
    case 'NotFound':
      return make(
        `${at} does not exist (${op}): the object may have been removed or re-exported under another name; list the partition again (asapp-exports ls).`,
        's3.not-found', f, err);
    case 'InvalidRange':
      return make(
        `The byte range asked for is outside ${at} (${op}): the object is smaller than expected (e.g. an empty file); list the partition again to see its current size.`,
        's3.invalid-range', f, err);
    case 'PreconditionFailed':
      return make(
        `${at} changed on S3 while ${op} it (its ETag no longer matches): start again to fetch the new version.`,
        's3.changed', f, err);
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
    case 'IllegalLocationConstraintException':
      return make(
        `Bucket "${id(ctx.bucket)}" is in another region (${op} ${at}): pass the bucket's region with --region (the last part of an ASAPP bucket name, e.g. us-east-1).`,
        's3.wrong-region', f, err);
    case 'SlowDown':
    case 'ServiceUnavailable':
    case 'Throttling':
    case 'ThrottlingException':
    case 'RequestLimitExceeded':
      return make(
        `S3 is throttling requests (${op} ${at}) and still did after retries: wait a minute and retry, or lower the concurrency.`,
        's3.throttled', f, err);
    case 'CredentialsProviderError':
    case 'TokenProviderError':
      return credentialsError(f, ctx, err);
    case 'TimeoutError':
    case 'RequestTimeout':
    case 'RequestTimeoutException':
      return timeout(f, ctx, err);
    case 'XMLParserError':
    case 'SyntaxError':
      return notS3(f, ctx, err);
    default:
      break;
  }

  switch (f.code) {
    case 'ECONNREFUSED':
      return make(
        `Cannot connect to ${server(ctx)} (${op} ${at}): the connection was refused; check the --endpoint URL and that the server is running.`,
        's3.connection-refused', f, err);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return make(
        `Cannot resolve the host of ${server(ctx)} (${op} ${at}): check the --endpoint URL or region, the network and DNS/proxy settings.`,
        's3.host-not-found', f, err);
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      return timeout(f, ctx, err);
    case 'ECONNRESET':
    case 'EPIPE':
      return make(
        `The connection to ${server(ctx)} was dropped (${op} ${at}): retry; if it keeps happening, check proxies or firewalls between here and S3.`,
        's3.connection-reset', f, err);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return make(
        `${server(ctx)} is unreachable from this machine (${op} ${at}): check the network, VPN and proxy settings.`,
        's3.unreachable', f, err);
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return make(
        `The TLS certificate of ${server(ctx)} is not trusted (${op} ${at}): check the --endpoint URL; behind a corporate proxy set AWS_CA_BUNDLE to its CA file.`,
        's3.tls', f, err);
    default:
      break;
  }

  if (/could not load credentials|profile .* could not be found|no credentials/i.test(f.message)) return credentialsError(f, ctx, err);
  if (/^aborted$/i.test(f.message)) {
    return make(`The connection to ${server(ctx)} was dropped mid-response (${op} ${at}): retry.`, 's3.connection-reset', f, err);
  }
  if (/Deserialization error|char '<' is not expected|Non-whitespace before first tag|Unexpected close tag|XML/i.test(f.message)) {
    return notS3(f, ctx, err);
  }
  if (f.status === 403) {
    // HEAD answers carry no body: a 403 may be a bad key or a missing permission.
    return make(
      `Access denied ${op} ${at} (HTTP 403): ${who(ctx)} are unknown, wrong, or not allowed to read this bucket or prefix; check the bucket and sub-folder in the credentials file and that the profile holds the latest keys.`,
      's3.access-denied', f, err);
  }
  if (f.status === 404) {
    return make(`${at} does not exist (${op}, HTTP 404): check the bucket, sub-folder and path.`, 's3.not-found', f, err);
  }
  if (f.status === 503 || f.status === 429) {
    return make(
      `S3 is throttling requests (${op} ${at}, HTTP ${f.status}) and still did after retries: wait a minute and retry.`,
      's3.throttled', f, err);
  }
  if (f.status !== undefined && f.status >= 500) {
    return make(
      `${server(ctx)} failed with HTTP ${f.status} (${op} ${at}) and kept failing after retries: retry later; if it persists, check the --endpoint (a proxy or web server may be answering instead of S3).`,
      's3.server-error', f, err);
  }
  if (f.status === 200 || (f.name === 'Unknown' && f.status === undefined)) return notS3(f, ctx, err);
  const said = f.message.length > MAX_SERVER_MESSAGE ? `${f.message.slice(0, MAX_SERVER_MESSAGE)}…` : f.message;
  return make(
    `S3 request failed ${op} ${at}${f.status ? ` (HTTP ${f.status})` : ''}: ${f.name && f.name !== 'Error' ? `${f.name}: ` : ''}${said}`,
    's3.failed', f, err);
}

function timeout(f: ErrorFacts, ctx: S3ErrorContext, err: unknown): S3Error {
  return make(
    `${server(ctx)} did not answer in time (${ctx.operation} ${where(ctx)}): check the network or --endpoint; if S3 is only slow, retry.`,
    's3.timeout', f, err);
}

function notS3(f: ErrorFacts, ctx: S3ErrorContext, err: unknown): S3Error {
  return make(
    `The answer from ${server(ctx)} is not an S3 response (${ctx.operation} ${where(ctx)}): the --endpoint probably points at a web server or proxy page; use the S3 API endpoint (or none, for AWS).`,
    's3.not-s3', f, err);
}

function credentialsError(f: ErrorFacts, ctx: S3ErrorContext, err: unknown): S3Error {
  if (ctx.profile) {
    return make(
      `AWS profile '${ctx.profile}' was not found or has no keys (${ctx.operation} ${where(ctx)}): run \`asapp-exports credentials decrypt\` to write it, or check AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE.`,
      's3.no-credentials', f, err);
  }
  return make(
    `No AWS credentials found (${ctx.operation} ${where(ctx)}): pass --profile NAME (written by \`asapp-exports credentials decrypt\`), or set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.`,
    's3.no-credentials', f, err);
}

/**
 * Raises 's3.not-s3' when a ListObjectsV2 answer parsed to nothing: a web server answering 200 with HTML
 * gives the SDK an empty output instead of an error. Every S3 implementation returns the bucket Name
 * (and AWS/RGW also MaxKeys/IsTruncated) in a ListBucketResult.
 */
export function assertListResult(out: { Name?: string; IsTruncated?: boolean; MaxKeys?: number; KeyCount?: number }, ctx: S3ErrorContext): void {
  if (out.Name === undefined && out.IsTruncated === undefined && out.MaxKeys === undefined && out.KeyCount === undefined) {
    throw notS3({ status: 200, message: 'empty ListBucketResult', name: 'NotS3' }, ctx, undefined);
  }
}
