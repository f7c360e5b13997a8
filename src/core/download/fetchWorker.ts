// Worker-thread entry of the download engine (built as dist/fetchWorker.js): runs GETs into files for
// the main thread (see fetchPool.ts), so that receiving, writing and hashing use every core.
import { parentPort } from 'node:worker_threads';
import { fetchVerified, type FetchHandle, type FetchJob, type FetchResult } from './httpGet';

export type ToWorker = { type: 'fetch'; id: number; job: FetchJob } | { type: 'cancel'; id: number };
export type FromWorker =
  | { type: 'sizes'; sizes: Array<[id: number, size: number]> }
  | { type: 'done'; id: number; result: FetchResult };

/** Progress of the running fetches goes to the main thread in one message this often. */
const PROGRESS_INTERVAL_MS = 100;

if (parentPort) {
  const port = parentPort;
  const running = new Map<number, FetchHandle>();
  const sizes = new Map<number, number>();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (sizes.size) port.postMessage({ type: 'sizes', sizes: [...sizes] } satisfies FromWorker);
    sizes.clear();
    if (running.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  port.on('message', (m: ToWorker) => {
    if (m.type === 'cancel') {
      running.get(m.id)?.cancel();
      return;
    }
    const handle = fetchVerified(m.job, size => sizes.set(m.id, size));
    running.set(m.id, handle);
    timer ??= setInterval(flush, PROGRESS_INTERVAL_MS);
    void handle.result.then(result => {
      running.delete(m.id);
      sizes.delete(m.id); // the result has the final size
      port.postMessage({ type: 'done', id: m.id, result } satisfies FromWorker);
    });
  });
}
