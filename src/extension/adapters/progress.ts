// Byte progress for long transfers: a notification with bytes, rate, ETA and Cancel, updated at most
// every 250 ms however often core reports.
import * as vscode from 'vscode';
import { toAbortSignal } from './cancellation';

export interface ByteProgress {
  doneBytes: number;
  totalBytes?: number;
  doneFiles?: number;
  totalFiles?: number;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${UNITS[u]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "12 MB of 40 MB · 3/9 files · 5.2 MB/s · 6 s left" */
export function describeProgress(p: ByteProgress, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (p.doneBytes / elapsedMs) * 1000 : 0;
  const parts = [p.totalBytes ? `${formatBytes(p.doneBytes)} of ${formatBytes(p.totalBytes)}` : formatBytes(p.doneBytes)];
  if (p.totalFiles) parts.push(`${p.doneFiles ?? 0}/${p.totalFiles} files`);
  if (rate > 0) parts.push(`${formatBytes(rate)}/s`);
  if (rate > 0 && p.totalBytes) parts.push(`${formatDuration((p.totalBytes - p.doneBytes) / rate)} left`);
  return parts.join(' · ');
}

export type ProgressSink = (p: ByteProgress) => void;

/** Runs `work` under a cancellable notification; `report` may be called as often as core likes. */
export function withByteProgress<T>(title: string, work: (report: ProgressSink, signal: AbortSignal) => Promise<T>, intervalMs = 250): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const started = Date.now();
    let last = 0;
    let lastFraction = 0;
    const report: ProgressSink = p => {
      const now = Date.now();
      const final = p.totalBytes !== undefined && p.doneBytes >= p.totalBytes;
      if (now - last < intervalMs && !final) return;
      last = now;
      const fraction = p.totalBytes ? Math.min(1, p.doneBytes / p.totalBytes) : 0;
      const increment = Math.max(0, (fraction - lastFraction) * 100);
      lastFraction = Math.max(lastFraction, fraction);
      progress.report({ message: describeProgress(p, now - started), increment });
    };
    return work(report, toAbortSignal(token));
  });
}

/** Progress without bytes (key generation, listing, dedupe): a cancellable notification with a message. */
export function withBusyProgress<T>(title: string, work: (signal: AbortSignal, message: (m: string) => void) => Promise<T>, cancellable = true): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable }, (progress, token) =>
    work(toAbortSignal(token), m => progress.report({ message: m })),
  );
}
