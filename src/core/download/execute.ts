// Runs a DownloadPlan: bounded concurrency over the files to fetch, each through downloadObject (temp
// file + verify + rename, retries, resume), the manifest updated as files land and saved atomically,
// `.enc` files decrypted when asked, and a local _SUCCESS written once every file of a complete
// partition is present. Cancellation stops every transfer, removes their temp files and saves the
// manifest before CancellationError is thrown.
import { setMaxListeners } from 'node:events';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { CancellationError, errorMessage, isCancellation, type ExportsError } from '../errors';
import { SUCCESS_MARKER, decryptedName } from '../layout';
import type { Logger } from '../ports';
import { decryptFile, type UnlockedKey } from '../pgp';
import { toS3Error } from '../s3Errors';
import { acquireOutputLock, Manifest } from './manifest';
import { isUnchanged } from './plan';
import type { RetryPolicy } from './retry';
import { fetchThreads, warmFetchWorkers } from './fetchPool';
import { Folders, downloadObject, normalizeEtag } from './transfer';
import type { DownloadPlan, DownloadProgress, DownloadSummary, PlannedFile } from './types';

export const DEFAULT_CONCURRENCY = 32;

export interface ExecuteOptions {
  /** Files in flight at once. */
  concurrency?: number;
  signal?: AbortSignal;
  logger?: Logger;
  retry?: RetryPolicy;
  idleTimeoutMs?: number;
  verifyMd5?: boolean;
  /** Called at most every progressIntervalMs, and once at the end. */
  onProgress?: (p: DownloadProgress) => void;
  progressIntervalMs?: number;
  /** Decrypt `.enc` files after download to the name without `.enc`. */
  decrypt?: { key: UnlockedKey; deleteEncrypted?: boolean };
}

const MANIFEST_SAVE_INTERVAL_MS = 2_000;
const RATE_WINDOW_MS = 5_000;

export async function executeDownload(client: S3Client, plan: DownloadPlan, opts: ExecuteOptions = {}): Promise<DownloadSummary> {
  const started = Date.now();
  if (opts.signal?.aborted) throw new CancellationError();
  // One listener on the caller's signal; every transfer (and its retries) listens to this one instead,
  // so a high concurrency does not trip Node's "possible EventTarget memory leak" warning.
  const local = new AbortController();
  setMaxListeners(0, local.signal);
  const forward = () => local.abort();
  opts.signal?.addEventListener('abort', forward, { once: true });
  const signal = local.signal;
  const outDir = plan.outDir;
  const release = await acquireOutputLock(outDir);
  const summary: DownloadSummary = {
    outDir,
    downloaded: { files: 0, bytes: 0 },
    skippedUnchanged: { files: 0, bytes: 0 },
    skippedIncomplete: plan.skippedIncomplete,
    refused: [],
    failed: [],
    decrypted: [],
    resumedBytes: 0,
    retries: 0,
    partitionsCompleted: 0,
    elapsedMs: 0,
    bytesPerSecond: 0,
  };
  let manifest: Manifest | undefined;
  let saveTimer: NodeJS.Timeout | undefined;
  let progressTimer: NodeJS.Timeout | undefined;
  try {
    manifest = await Manifest.load(outDir, opts.logger);
    const m = manifest;
    const queue: PlannedFile[] = [];
    const openFiles = plan.partitions.map(() => 0);
    const partitionFailed = plan.partitions.map(() => false);
    for (const p of plan.partitions) {
      for (const f of p.files) {
        if (f.action === 'refused') {
          summary.refused.push({ key: f.key, reason: f.refusal ?? 'refused' });
          partitionFailed[f.partition] = true;
          continue;
        }
        openFiles[f.partition]++;
        queue.push(f);
      }
    }
    const progress: DownloadProgress = {
      filesDone: 0,
      filesTotal: queue.filter(f => f.action === 'download').length,
      bytesDone: 0,
      bytesTotal: queue.reduce((n, f) => n + (f.action === 'download' ? f.size : 0), 0),
      bytesPerSecond: 0,
      retries: 0,
      failed: 0,
    };
    const samples: Array<[number, number]> = [[started, 0]];
    const emit = () => {
      const now = Date.now();
      samples.push([now, progress.bytesDone]);
      while (samples.length > 2 && samples[0][0] < now - RATE_WINDOW_MS) samples.shift();
      const [t0, b0] = samples[0];
      progress.bytesPerSecond = now > t0 ? ((progress.bytesDone - b0) * 1000) / (now - t0) : 0;
      const left = Math.max(0, progress.bytesTotal - progress.bytesDone);
      progress.etaSeconds = progress.bytesPerSecond > 0 ? left / progress.bytesPerSecond : undefined;
      opts.onProgress?.({ ...progress });
    };
    if (opts.onProgress) {
      progressTimer = setInterval(emit, opts.progressIntervalMs ?? 200);
      progressTimer.unref();
    }
    saveTimer = setInterval(() => { m.save().catch(e => opts.logger?.warn(errorMessage(e))); }, MANIFEST_SAVE_INTERVAL_MS);
    saveTimer.unref();

    const folders = new Folders();
    const finishPartition = async (index: number) => {
      const p = plan.partitions[index];
      if (--openFiles[index] > 0 || partitionFailed[index] || !p.hasSuccess || !p.relative) return;
      // A local _SUCCESS means what it means on S3: every file of this partition is here, verified.
      const marker = path.join(outDir, ...p.relative.split('/'), SUCCESS_MARKER);
      await folders.ensure(path.dirname(marker));
      await fs.writeFile(marker, '', { flag: 'a' });
      summary.partitionsCompleted++;
    };
    for (let i = 0; i < plan.partitions.length; i++) {
      if (openFiles[i] === 0) {
        openFiles[i] = 1; // an empty partition (only _SUCCESS) is complete as soon as it is planned
        await finishPartition(i);
      }
    }

    const n = Math.max(1, Math.min(opts.concurrency ?? DEFAULT_CONCURRENCY, queue.length || 1));
    // Worker threads start while the first files are checked against the manifest.
    if (progress.filesTotal > 0) warmFetchWorkers(Math.min(fetchThreads(), n));
    let next = 0;
    let cancelled = false;
    const worker = async () => {
      while (!cancelled && next < queue.length) {
        const f = queue[next++];
        const rel = f.relative as string;
        const abs = path.join(outDir, ...rel.split('/'));
        progress.currentPartition = plan.partitions[f.partition].prefix;
        try {
          if (await isUnchanged(m, rel, f)) {
            if (f.action === 'download') {
              progress.filesTotal--;
              progress.bytesTotal -= f.size;
            }
            summary.skippedUnchanged.files++;
            summary.skippedUnchanged.bytes += f.size;
            if (f.encrypted && opts.decrypt) await decryptIfMissing(f, rel, abs);
          } else {
            if (f.action !== 'download') {
              progress.filesTotal++;
              progress.bytesTotal += f.size;
            }
            const r = await downloadObject(client, f, abs, {
              signal,
              retry: opts.retry,
              idleTimeoutMs: opts.idleTimeoutMs,
              verifyMd5: opts.verifyMd5,
              logger: opts.logger,
              onBytes: n => { progress.bytesDone += n; },
              onRetry: () => { summary.retries++; progress.retries++; },
              mapError: (e, key) => toS3Error(e, { operation: 'downloading', bucket: f.bucket, key }),
              folders,
            });
            if (r.size !== f.size) progress.bytesTotal += r.size - f.size;
            summary.downloaded.files++;
            summary.downloaded.bytes += r.size;
            summary.resumedBytes += r.resumedBytes;
            // Record the listing's view when the response is the same version (its LastModified has
            // milliseconds, the GET's only seconds); what the response said when the object changed since.
            const same = normalizeEtag(r.etag) === normalizeEtag(f.etag) && r.size === f.size;
            m.set(rel, {
              bucket: f.bucket,
              key: f.key,
              size: r.size,
              etag: same ? f.etag : r.etag,
              lastModified: (same ? f.lastModified ?? r.lastModified : r.lastModified)?.toISOString(),
              downloadedAt: new Date().toISOString(),
            });
            progress.filesDone++;
            if (f.encrypted && opts.decrypt) await decrypt(f, rel, abs);
          }
          await finishPartition(f.partition);
        } catch (e) {
          if (isCancellation(e) || signal?.aborted) {
            cancelled = true;
            return;
          }
          partitionFailed[f.partition] = true;
          progress.failed++;
          progress.filesDone++;
          summary.failed.push({ key: f.key, code: (e as ExportsError).code ?? 'download.failed', message: errorMessage(e) });
          opts.logger?.warn(errorMessage(e));
        }
      }
    };

    const decrypt = async (f: PlannedFile, rel: string, abs: string) => {
      const outRel = decryptedName(rel);
      const out = path.join(outDir, ...outRel.split('/'));
      const { bytes } = await decryptFile(abs, out, opts.decrypt!.key, { signal });
      summary.decrypted.push({ key: f.key, file: out, bytes });
      const entry = m.get(rel);
      if (entry) m.set(rel, { ...entry, decrypted: outRel });
      if (opts.decrypt!.deleteEncrypted) await fs.rm(abs, { force: true });
    };
    const decryptIfMissing = async (f: PlannedFile, rel: string, abs: string) => {
      const outRel = decryptedName(rel);
      const exists = await fs.stat(path.join(outDir, ...outRel.split('/'))).then(s => s.isFile(), () => false);
      if (!exists) await decrypt(f, rel, abs);
      else if (opts.decrypt!.deleteEncrypted) await fs.rm(abs, { force: true });
    };

    await Promise.all(Array.from({ length: n }, worker));
    emit();
    if (cancelled || signal?.aborted) throw new CancellationError();
    return summary;
  } finally {
    opts.signal?.removeEventListener('abort', forward);
    clearInterval(saveTimer);
    clearInterval(progressTimer);
    try {
      await manifest?.save();
    } finally {
      await release();
    }
    summary.elapsedMs = Date.now() - started;
    summary.bytesPerSecond = summary.elapsedMs > 0 ? (summary.downloaded.bytes * 1000) / summary.elapsedMs : 0;
  }
}
