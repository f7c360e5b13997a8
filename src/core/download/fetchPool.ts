// Runs the downloader's GETs (httpGet.ts) on worker threads: one Node thread cannot receive, write and
// MD5-hash a few hundred MB/s, so each core gets a worker and the main thread only plans, signs and
// renames. Workers start on first use (or ahead of it: warmFetchWorkers) and are unref'd while idle, so
// a run that downloads nothing need start none. Where a worker cannot start (or ASAPP_EXPORTS_FETCH_THREADS=0), the same code runs on
// the main thread.
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { fetchVerified, type FetchJob, type FetchResult } from './httpGet';
import type { FromWorker, ToWorker } from './fetchWorker';

export interface FetchOptions {
  signal?: AbortSignal;
  /**
   * Bytes now in the file while the body arrives (it can go down when the server sends the whole object
   * again); not called for the final size, which is the result's start + received.
   */
  onSize?: (size: number) => void;
}

interface Slot {
  worker: Worker;
  busy: number;
}

interface Pending {
  slot: Slot;
  onSize?: (size: number) => void;
  resolve: (r: FetchResult) => void;
}

const pending = new Map<number, Pending>();
const slots: Slot[] = [];
let nextId = 0;
let workersBroken = false;

let cpuCount: number | undefined;

/** Worker threads to use: ASAPP_EXPORTS_FETCH_THREADS, else one per CPU up to 4. */
export function fetchThreads(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.ASAPP_EXPORTS_FETCH_THREADS);
  if (env.ASAPP_EXPORTS_FETCH_THREADS !== undefined && env.ASAPP_EXPORTS_FETCH_THREADS !== '' && Number.isInteger(n) && n >= 0) return Math.min(n, 16);
  cpuCount ??= os.availableParallelism(); // cached: os.cpus() would read /proc/cpuinfo on every call
  return Math.max(1, Math.min(4, cpuCount));
}

/** The worker script: the built dist/fetchWorker.js beside the bundle, or the source under tsx. */
function workerFile(): { file: string; execArgv?: string[] } {
  if (__filename.endsWith('.ts')) {
    return { file: path.join(__dirname, 'fetchWorker.ts'), execArgv: ['--require', createRequire(__filename).resolve('tsx/cjs')] };
  }
  return { file: path.join(__dirname, 'fetchWorker.js') };
}

function slot(): Slot | undefined {
  const max = fetchThreads();
  if (workersBroken || max === 0) return undefined;
  const idle = slots.find(s => s.busy === 0);
  if (idle) return idle;
  if (slots.length < max) return spawn();
  return slots.reduce((a, b) => (b.busy < a.busy ? b : a));
}

function spawn(): Slot | undefined {
  try {
    const { file, execArgv } = workerFile();
    const worker = new Worker(file, execArgv ? { execArgv } : {});
    const s: Slot = { worker, busy: 0 };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'sizes') {
        for (const [id, size] of m.sizes) pending.get(id)?.onSize?.(size);
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (--p.slot.busy === 0) p.slot.worker.unref();
      p.resolve(m.result);
    });
    worker.on('error', e => lost(s, e));
    worker.on('exit', () => lost(s, new Error('the download worker exited')));
    worker.unref(); // after on('message'), which refs the worker again
    slots.push(s);
    return s;
  } catch {
    workersBroken = true;
    return undefined;
  }
}

/** A worker died: its transfers fail as retryable, and later ones go to the others (or this thread). */
function lost(s: Slot, e: Error): void {
  const i = slots.indexOf(s);
  if (i < 0) return;
  slots.splice(i, 1);
  if ((e as NodeJS.ErrnoException).code === 'ERR_WORKER_INIT_FAILED' || /Cannot find module/.test(e.message)) workersBroken = true;
  for (const [id, p] of pending) {
    if (p.slot !== s) continue;
    pending.delete(id);
    p.resolve({ start: 0, received: 0, failure: { kind: 'worker', message: `download worker failed: ${e.message}` } });
  }
}

/** Starts up to `n` workers ahead of the first fetch, so their start-up overlaps the caller's own work. */
export function warmFetchWorkers(n: number): void {
  const max = Math.min(n, fetchThreads());
  while (!workersBroken && slots.length < max) {
    const before = slots.length;
    spawn();
    if (slots.length === before) break;
  }
}

/** One GET into a file, on a worker thread when possible. Never rejects: failures are in the result. */
export function fetchFile(job: FetchJob, opts: FetchOptions = {}): Promise<FetchResult> {
  const s = slot();
  if (!s) {
    const handle = fetchVerified(job, opts.onSize);
    const onAbort = () => handle.cancel();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    return handle.result.finally(() => opts.signal?.removeEventListener('abort', onAbort));
  }
  return new Promise<FetchResult>(resolve => {
    const id = nextId++;
    const onAbort = () => s.worker.postMessage({ type: 'cancel', id } satisfies ToWorker);
    pending.set(id, {
      slot: s,
      onSize: opts.onSize,
      resolve: r => {
        opts.signal?.removeEventListener('abort', onAbort);
        resolve(r);
      },
    });
    if (s.busy++ === 0) s.worker.ref();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    s.worker.postMessage({ type: 'fetch', id, job } satisfies ToWorker);
    if (opts.signal?.aborted) onAbort();
  });
}
