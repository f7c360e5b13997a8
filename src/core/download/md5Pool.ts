// MD5 of downloaded files on worker threads. Hashing on the main thread costs about as much CPU as the
// whole transfer (measured: it doubled a 544 MB pull on this 2-core machine), and the main thread is
// what limits a Node downloader. The file was just written, so a worker re-reads it from the page
// cache. The workers are evaluated from source (Node built-ins only), so this works the same in the
// CLI bundle, the extension bundle and the tests; they are unref'd while idle.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const buf = Buffer.allocUnsafe(1 << 20);
parentPort.on('message', ({ id, file }) => {
  let fd;
  try {
    const h = createHash('md5');
    fd = fs.openSync(file, 'r');
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
    parentPort.postMessage({ id, md5: h.digest('hex') });
  } catch (e) {
    parentPort.postMessage({ id, error: String(e && e.message || e) });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
});
`;

interface Slot {
  worker: Worker;
  busy: number;
}

const pending = new Map<number, { resolve: (md5: string) => void; reject: (e: Error) => void; slot: Slot }>();
const slots: Slot[] = [];
let nextId = 0;
let workersBroken = false;
const MAX_WORKERS = Math.max(1, Math.min(4, os.cpus().length));

function slot(): Slot | undefined {
  if (workersBroken) return undefined;
  const idle = slots.find(s => s.busy === 0);
  if (idle) return idle;
  if (slots.length < MAX_WORKERS) {
    try {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      const s: Slot = { worker, busy: 0 };
      worker.unref();
      worker.on('message', (m: { id: number; md5?: string; error?: string }) => {
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        if (--p.slot.busy === 0) p.slot.worker.unref();
        if (m.md5) p.resolve(m.md5);
        else p.reject(new Error(m.error ?? 'hash failed'));
      });
      worker.on('error', e => fail(s, e));
      worker.on('exit', () => fail(s, new Error('hash worker exited')));
      slots.push(s);
      return s;
    } catch {
      workersBroken = true;
      return undefined;
    }
  }
  return slots.reduce((a, b) => (b.busy < a.busy ? b : a));
}

function fail(s: Slot, e: Error): void {
  const i = slots.indexOf(s);
  if (i >= 0) slots.splice(i, 1);
  for (const [id, p] of pending) {
    if (p.slot === s) {
      pending.delete(id);
      p.reject(e);
    }
  }
}

/** Hex MD5 of a file, on a worker thread (on the main thread if workers cannot start). */
export function md5OfFile(file: string): Promise<string> {
  const s = slot();
  if (!s) return md5OnMainThread(file);
  return new Promise<string>((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject, slot: s });
    if (s.busy++ === 0) s.worker.ref();
    s.worker.postMessage({ id, file });
  });
}

async function md5OnMainThread(file: string): Promise<string> {
  const h = createHash('md5');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}
