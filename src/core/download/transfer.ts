// One object to one local file: streamed to a temp file beside the final one, verified (size, and MD5
// against a simple ETag), then renamed. Retries broken, stalled and truncated bodies with back-off;
// a retry or a later run continues a partial temp file with a ranged GET guarded by If-Match.
import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { once } from 'node:events';
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { CancellationError, DownloadError, isCancellation } from '../errors';
import type { Logger } from '../ports';
import {
  ChecksumMismatchError, DEFAULT_RETRY_POLICY, StalledBodyError, TruncatedBodyError,
  backoffDelay, httpStatusOf, isRetryable, sleep, type RetryPolicy,
} from './retry';
import { md5OfFile } from './md5Pool';

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
const WRITE_HIGH_WATER_MARK = 1 << 20;
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

export async function downloadObject(client: S3Client, obj: RemoteFile, dest: string, opts: TransferOptions = {}): Promise<TransferResult> {
  const policy = opts.retry ?? DEFAULT_RETRY_POLICY;
  const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const onBytes = opts.onBytes ?? (() => undefined);
  await fs.mkdir(path.dirname(dest), { recursive: true });

  // Partial files of other versions can never be continued.
  const state: AttemptState = { temp: tempPathFor(dest, obj.etag), etag: obj.etag };
  for (const stale of await tempFilesFor(dest)) if (stale !== state.temp) await fs.rm(stale, { force: true });

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
      const have = await sizeOf(state.temp);
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
  const controller = new AbortController();
  const outer = opts.signal;
  const onOuterAbort = () => controller.abort(new CancellationError());
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  let stalled: StalledBodyError | undefined;
  let body: Readable | undefined;
  const watchdog = setTimeout(() => {
    stalled = new StalledBodyError(idleMs);
    controller.abort(stalled);
    body?.destroy(stalled);
  }, idleMs);
  try {
    // A resumed GET must return bytes of the same version: If-Match, or 412 and a fresh start.
    const etag = state.etag;
    const temp = state.temp;
    const resume = have > 0 && etag !== undefined;
    let res: GetObjectCommandOutput;
    try {
      res = await client.send(
        new GetObjectCommand({ Bucket: obj.bucket, Key: obj.key, ...(resume ? { Range: `bytes=${have}-`, IfMatch: quoteEtag(etag) } : {}) }),
        { abortSignal: controller.signal },
      );
    } catch (e) {
      if (stalled) throw stalled;
      if (httpStatusOf(e) === 412) throw new PreconditionChanged('object changed since the partial download');
      throw e;
    }
    body = res.Body as Readable;
    const partial = resume && res.ContentRange !== undefined && /^bytes \d+-/.test(res.ContentRange);
    if (partial && !res.ContentRange!.startsWith(`bytes ${have}-`)) {
      body.destroy();
      throw new PreconditionChanged(`unexpected Content-Range ${res.ContentRange}`);
    }
    const start = partial ? have : 0;
    const total = partial ? Number(/\/(\d+)$/.exec(res.ContentRange!)?.[1] ?? NaN) : (res.ContentLength ?? obj.size);
    const respEtag = res.ETag ?? etag;
    const finalTemp = tempPathFor(dest, respEtag);
    if (finalTemp !== temp) {
      if (start > 0) await fs.rename(temp, finalTemp);
      else await fs.rm(temp, { force: true });
    }
    state.temp = finalTemp;
    state.etag = respEtag;
    if (start === 0 && have > 0) onBytes(-have);

    const kms = Boolean(res.SSECustomerAlgorithm) || /kms/i.test(String(res.ServerSideEncryption ?? ''));
    const checkMd5 = (opts.verifyMd5 ?? true) && isSimpleEtag(respEtag) && !kms;

    let received = 0;
    const ws = createWriteStream(finalTemp, { flags: start > 0 ? 'r+' : 'w', start, highWaterMark: WRITE_HIGH_WATER_MARK });
    try {
      await writeKeepingReceived(body, ws, chunk => {
        watchdog.refresh();
        received += chunk.length;
        onBytes(chunk.length);
      });
    } catch (e) {
      if (stalled) throw stalled;
      throw e;
    }
    if (stalled) throw stalled;
    clearTimeout(watchdog);
    const size = start + received;
    if (Number.isFinite(total) && size !== total) throw new TruncatedBodyError(size, total);
    // The whole temp file (resumed part included) is hashed, off the main thread.
    if (checkMd5 && (await md5OfFile(finalTemp)) !== normalizeEtag(respEtag)!.toLowerCase()) throw new ChecksumMismatchError(obj.key);
    await fs.rename(finalTemp, dest);
    return { size, etag: respEtag, lastModified: res.LastModified, md5Verified: checkMd5 };
  } finally {
    clearTimeout(watchdog);
    outer?.removeEventListener('abort', onOuterAbort);
    if (controller.signal.aborted === false) controller.abort();
  }
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

/**
 * Copies the body into the temp file. Unlike pipeline(), a body that dies mid-way does not throw away
 * the bytes still buffered in the write stream: they are flushed first, so the next attempt (or the next
 * run) continues after everything that arrived.
 */
async function writeKeepingReceived(body: Readable, ws: WriteStream, onChunk: (chunk: Buffer) => void): Promise<void> {
  let writeError: Error | undefined;
  ws.on('error', e => { writeError ??= e; });
  const finish = () => new Promise<void>(resolve => (ws.destroyed ? resolve() : ws.end(() => resolve())));
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (writeError) throw writeError;
      onChunk(chunk);
      if (!ws.write(chunk)) await once(ws, 'drain');
    }
  } catch (e) {
    await finish();
    throw writeError ?? e;
  }
  await finish();
  if (writeError) throw writeError;
}
