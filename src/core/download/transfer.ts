// One object to one local file: streamed to a temp file beside the final one, verified (size, and MD5
// against a simple ETag), then renamed. Retries broken, stalled and truncated bodies with back-off;
// a retry or a later run continues a partial temp file with a ranged GET guarded by If-Match.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { CancellationError, DownloadError, isCancellation } from '../errors';
import type { Logger } from '../ports';
import {
  ChecksumMismatchError, DEFAULT_RETRY_POLICY, StalledBodyError, TruncatedBodyError,
  backoffDelay, httpStatusOf, isRetryable, sleep, type RetryPolicy,
} from './retry';
import { fetchFile } from './fetchPool';
import { openSslFileMd5 } from './md5simd';
import { GetObjectSigner } from './presign';
import type { FetchResult } from './httpGet';

export interface RemoteFile {
  bucket: string;
  key: string;
  /** Size from the listing; the response decides if the object changed since. */
  size: number;
  etag?: string;
}

export interface TransferOptions {
  signal?: AbortSignal;
  retry?: RetryPolicy;
  /** A body that delivers nothing for this long is aborted and retried. */
  idleTimeoutMs?: number;
  /** Check MD5 against simple (non-multipart, non-KMS) ETags. Default true. */
  verifyMd5?: boolean;
  /** Bytes written (negative when a restart throws away bytes already counted). */
  onBytes?: (delta: number) => void;
  onRetry?: (info: { key: string; attempt: number; delayMs: number; error: unknown }) => void;
  logger?: Logger;
  /** Maps an S3 failure to a user-facing error (toS3Error); the raw error otherwise. */
  mapError?: (err: unknown, key: string) => unknown;
  /** The run's folder maker (one mkdir per folder, and it knows which folders are new). */
  folders?: Folders;
}

/** Makes the local folders of one run, each once, remembering which ones did not exist before. */
export class Folders {
  private readonly made = new Map<string, Promise<boolean>>();

  /** Creates `dir` (and parents) if needed; true when this run created it. */
  ensure(dir: string): Promise<boolean> {
    let p = this.made.get(dir);
    if (!p) {
      p = fs.mkdir(dir, { recursive: true }).then(first => first !== undefined);
      this.made.set(dir, p);
    }
    return p;
  }
}

export interface TransferResult {
  /** Final size of the local file. */
  size: number;
  etag?: string;
  lastModified?: Date;
  retries: number;
  /** Bytes of a partial temp file that were kept instead of fetched again (first attempt). */
  resumedBytes: number;
  md5Verified: boolean;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 20_000;
/** Lifetime of the signed URL of one attempt (checked when the request starts, not while the body flows). */
const PRESIGN_SECONDS = 3600;
const TEMP_SUFFIX = '.part';

export function normalizeEtag(etag: string | undefined): string | undefined {
  return etag?.replace(/^W\//, '').replace(/^"|"$/g, '') || undefined;
}

/** A simple ETag is the hex MD5 of the bytes (single-part upload, no SSE-KMS/SSE-C). */
export function isSimpleEtag(etag: string | undefined): boolean {
  return /^[0-9a-f]{32}$/i.test(normalizeEtag(etag) ?? '');
}

/**
 * The temp file for `dest` and one object version: hidden, and named after the ETag so a partial file is
 * only ever continued with bytes of the same version.
 */
export function tempPathFor(dest: string, etag: string | undefined): string {
  const tag = (normalizeEtag(etag) ?? 'unknown').replace(/[^A-Za-z0-9-]/g, '').slice(0, 40) || 'unknown';
  return path.join(path.dirname(dest), `.${path.basename(dest)}.${tag}${TEMP_SUFFIX}`);
}

/** Temp files in `dir` that belong to `dest` (any version). */
export async function tempFilesFor(dest: string): Promise<string[]> {
  const dir = path.dirname(dest);
  const prefix = `.${path.basename(dest)}.`;
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names.filter(n => n.startsWith(prefix) && n.endsWith(TEMP_SUFFIX)).map(n => path.join(dir, n));
}

export function isTempFileName(name: string): boolean {
  return name.startsWith('.') && name.endsWith(TEMP_SUFFIX);
}

class PreconditionChanged extends Error {}

const signers = new WeakMap<S3Client, GetObjectSigner>();

function signerFor(client: S3Client): GetObjectSigner {
  let s = signers.get(client);
  if (!s) signers.set(client, (s = new GetObjectSigner(client)));
  return s;
}

export async function downloadObject(client: S3Client, obj: RemoteFile, dest: string, opts: TransferOptions = {}): Promise<TransferResult> {
  const policy = opts.retry ?? DEFAULT_RETRY_POLICY;
  const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const onBytes = opts.onBytes ?? (() => undefined);
  const dir = path.dirname(dest);
  // A folder this run created holds no partial files: nothing to look for (saves two calls a file).
  const fresh = opts.folders ? await opts.folders.ensure(dir) : (await fs.mkdir(dir, { recursive: true }), false);

  // Partial files of other versions can never be continued.
  const state: AttemptState = { temp: tempPathFor(dest, obj.etag), etag: obj.etag };
  if (!fresh) for (const stale of await tempFilesFor(dest)) if (stale !== state.temp) await fs.rm(stale, { force: true });

  let retries = 0;
  let counted = 0; // bytes reported through onBytes for this object
  let resumedBytes = -1;
  const report = (n: number) => {
    counted += n;
    onBytes(n);
  };
  for (let attempt = 0; ; attempt++) {
    if (opts.signal?.aborted) {
      await removeTemps(dest);
      throw new CancellationError();
    }
    try {
      const have = fresh && attempt === 0 ? 0 : await sizeOf(state.temp);
      if (resumedBytes < 0) resumedBytes = have;
      if (have !== counted) report(have - counted);
      const r = await attemptOnce(client, obj, dest, state, have, idleMs, opts, report);
      return { ...r, retries, resumedBytes: Math.max(0, resumedBytes) };
    } catch (err) {
      if (isCancellation(err) || opts.signal?.aborted) {
        await removeTemps(dest);
        throw new CancellationError();
      }
      const restart = err instanceof PreconditionChanged || err instanceof ChecksumMismatchError || httpStatusOf(err) === 416;
      if (restart) {
        // The object changed under us (412), or the bytes we have are wrong: start this object over.
        await removeTemps(dest);
        report(-counted);
        state.etag = undefined;
        state.temp = tempPathFor(dest, undefined);
      }
      if ((!restart && !isRetryable(err)) || retries >= policy.retries) {
        if (!isRetryable(err) && !restart) await removeTemps(dest);
        // A retryable failure keeps its partial temp file: the next run continues it.
        throw wrapFailure(err, obj, retries, opts);
      }
      retries++;
      const delayMs = err instanceof PreconditionChanged ? 0 : backoffDelay(attempt, policy);
      opts.onRetry?.({ key: obj.key, attempt: retries, delayMs, error: err });
      opts.logger?.debug(`retry ${retries} of ${obj.key} in ${delayMs} ms: ${(err as Error)?.message ?? err}`);
      try {
        await sleep(delayMs, opts.signal);
      } catch (e) {
        await removeTemps(dest);
        throw e;
      }
    }
  }
}

/** What the attempts of one object share: where its partial bytes are, and of which version. */
interface AttemptState {
  temp: string;
  etag?: string;
}

function wrapFailure(err: unknown, obj: RemoteFile, retries: number, opts: TransferOptions): unknown {
  const mapped = opts.mapError ? opts.mapError(err, obj.key) : err;
  if (mapped instanceof Error && 'code' in mapped && typeof (mapped as { code: unknown }).code === 'string' && mapped.name !== 'Error') {
    return mapped;
  }
  const why = (err as Error)?.message ?? String(err);
  return new DownloadError(
    `Download of s3://${obj.bucket}/${obj.key} failed${retries ? ` after ${retries} retries` : ''}: ${why}. Run the same command again to continue where it stopped.`,
    { code: 'download.failed', cause: err },
  );
}

async function attemptOnce(
  client: S3Client, obj: RemoteFile, dest: string, state: AttemptState, have: number,
  idleMs: number, opts: TransferOptions, onBytes: (n: number) => void,
): Promise<Omit<TransferResult, 'retries' | 'resumedBytes'>> {
  // A resumed GET must return bytes of the same version: If-Match, or 412 and a fresh start.
  const etag = state.etag;
  const resume = have > 0 && etag !== undefined;
  const conditions = resume ? { range: `bytes=${have}-`, ifMatch: quoteEtag(etag) } : {};
  const url = await signerFor(client).url(obj.bucket, obj.key, conditions, PRESIGN_SECONDS);
  let counted = have; // bytes of the temp file already reported through onBytes
  const r = await fetchFile(
    {
      url,
      headers: resume ? { range: conditions.range!, 'if-match': conditions.ifMatch! } : {},
      temp: state.temp,
      start: resume ? have : 0,
      // A multipart ETag is no MD5 of the bytes: no need to hash what cannot be compared.
      md5: (opts.verifyMd5 ?? true) && (etag === undefined || isSimpleEtag(etag)),
      idleMs,
    },
    { signal: opts.signal, onSize: size => { onBytes(size - counted); counted = size; } },
  );
  const head = r.head;
  if (head && head.status >= 200 && head.status < 300) {
    onBytes(r.start + r.received - counted);
    // The temp file is named after the version it holds, so that only its own bytes ever continue it.
    const respEtag = head.etag ?? etag;
    const named = tempPathFor(dest, respEtag);
    if (named !== state.temp) {
      await fs.rename(state.temp, named); // the fetch created it before the request
      state.temp = named;
    }
    state.etag = respEtag;
  }
  if (r.failure) throw failureError(r.failure, idleMs);
  if (!head) throw new Error('no response');
  if (head.status === 412) throw new PreconditionChanged('object changed since the partial download');
  if (head.status < 200 || head.status >= 300) throw serviceError(head.status, r.error);

  const partial = head.status === 206;
  const total = partial ? Number(/\/(\d+)$/.exec(head.contentRange ?? '')?.[1] ?? NaN) : (head.contentLength ?? obj.size);
  const size = r.start + r.received;
  if (Number.isFinite(total) && size !== total) throw new TruncatedBodyError(size, total);
  const respEtag = state.etag;
  const kms = Boolean(head.sseCustomerAlgorithm) || /kms/i.test(head.serverSideEncryption ?? '');
  const checkMd5 = (opts.verifyMd5 ?? true) && isSimpleEtag(respEtag) && !kms;
  // (The object may have been re-uploaded as a single part since the listing: then hash it here.)
  const md5 = checkMd5 ? r.md5 ?? (await openSslFileMd5(state.temp)) : undefined;
  if (checkMd5 && md5 !== normalizeEtag(respEtag)!.toLowerCase()) throw new ChecksumMismatchError(obj.key);
  await fs.rename(state.temp, dest);
  const lastModified = head.lastModified ? new Date(head.lastModified) : undefined;
  return { size, etag: respEtag, lastModified: lastModified && !Number.isNaN(lastModified.getTime()) ? lastModified : undefined, md5Verified: checkMd5 };
}

/** The error a failed fetch stands for, in the shapes retry.ts and toS3Error know. */
function failureError(f: NonNullable<FetchResult['failure']>, idleMs: number): Error {
  switch (f.kind) {
    case 'cancelled':
      return new CancellationError();
    case 'stalled':
      return new StalledBodyError(idleMs);
    case 'range':
      return new PreconditionChanged(f.message);
    case 'worker':
      return Object.assign(new Error(f.message), { $retryable: true });
    default:
      return Object.assign(new Error(f.message), f.code ? { code: f.code } : {});
  }
}

/** A non-2xx answer as the SDK would have thrown it (name = the S3 error code). */
function serviceError(status: number, doc: FetchResult['error']): S3ServiceException {
  const name = doc?.code ?? (status === 404 ? 'NoSuchKey' : status === 403 ? 'AccessDenied' : `Http${status}`);
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: doc?.message ?? `HTTP ${status}`,
  });
}

function quoteEtag(etag: string): string {
  return etag.startsWith('"') ? etag : `"${etag}"`;
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await fs.stat(file)).size;
  } catch {
    return 0;
  }
}

async function removeTemps(dest: string): Promise<void> {
  for (const t of await tempFilesFor(dest)) await fs.rm(t, { force: true });
}
