// Which failures of a GET are worth another attempt, and how long to wait before it. The SDK retries
// throttling and 5xx on the request, but not a body that dies mid-stream (ECONNRESET, "aborted"), a
// stalled body, or a truncated one: the downloader retries those itself, with the same policy for all.
import { CancellationError, isCancellation } from '../errors';

export interface RetryPolicy {
  /** Attempts after the first one. */
  retries: number;
  /** First back-off delay; doubles each attempt, with full jitter, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 6, baseDelayMs: 200, maxDelayMs: 10_000 };

const RETRYABLE_NAMES = new Set([
  'SlowDown', 'ServiceUnavailable', 'InternalError', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError',
  'ThrottlingException', 'Throttling', 'ThrottledException', 'RequestThrottled', 'BandwidthLimitExceeded',
  'EC2ThrottledException', 'PriorRequestNotComplete', 'StalledBodyError', 'TruncatedBodyError', 'ChecksumMismatchError',
]);

const RETRYABLE_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET', 'ECANCELED_BODY',
]);

/** A body that stopped delivering bytes for longer than the idle watchdog allows. */
export class StalledBodyError extends Error {
  constructor(idleMs: number) {
    super(`no data for ${idleMs} ms`);
    this.name = 'StalledBodyError';
  }
}

/** The body ended before Content-Length / the listed size. */
export class TruncatedBodyError extends Error {
  constructor(got: number, expected: number) {
    super(`body ended after ${got} of ${expected} bytes`);
    this.name = 'TruncatedBodyError';
  }
}

/** The downloaded bytes do not hash to the object's simple (MD5) ETag. */
export class ChecksumMismatchError extends Error {
  constructor(key: string) {
    super(`MD5 of ${key} does not match its ETag`);
    this.name = 'ChecksumMismatchError';
  }
}

export function httpStatusOf(err: unknown): number | undefined {
  const e = err as { $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number } } | null;
  return e?.$metadata?.httpStatusCode ?? e?.$response?.statusCode;
}

/** True for throttling, 5xx, dropped or stalled connections and truncated bodies; never for cancellation. */
export function isRetryable(err: unknown): boolean {
  if (err == null || isCancellation(err)) return false;
  const e = err as { name?: string; code?: string; message?: string; cause?: unknown; $retryable?: unknown };
  if (e.name && RETRYABLE_NAMES.has(e.name)) return true;
  if (e.code && RETRYABLE_CODES.has(e.code)) return true;
  const status = httpStatusOf(err);
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (e.$retryable) return true;
  if (typeof e.message === 'string' && /^(aborted|socket hang up|premature close)$/i.test(e.message.trim())) return true;
  if (e.cause && e.cause !== err) return isRetryable(e.cause);
  return false;
}

/** Exponential back-off with full jitter: uniform in [0, min(max, base·2^attempt)], at least 10% of it. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(cap * (0.1 + 0.9 * random()));
}

/** Resolves after `ms`, or rejects with CancellationError as soon as the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancellationError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancellationError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
