// A realistic ASAPP export bucket, generated deterministically from a seed (see docs/demo.md):
//   convos_metrics version=1 hourly + version=2 (last day), utterances hourly split .00–.03,
//   rep_activity minutely (mi=00/15/30/45), dim_queues daily (no hr), export_docs.yaml daily,
//   one .jsonl.gz.enc, partitions in progress (the one holding `now`), one empty partition, and
//   re-exports that the guide's dedupe keys must remove. The manifest it returns is the ground truth.
import { setMaxListeners } from 'node:events';
import { promisify } from 'node:util';
import { gzip as gzipCb, gzipSync } from 'node:zlib';
import { formatExportPrefix, formatFileName, EXPORT_DOCS, SUCCESS_MARKER, isValidDate } from '../layout';
import { throwIfAborted, UsageError } from '../errors';
import type { ExportSink } from './sinks';
import { Random } from './random';
import { SAMPLE_FEEDS, SAMPLE_TABLES, formatTimestamp, type DuplicateKind, type RowContext, type SampleFeed, type SampleTable } from './tables';
import { exportDocsYaml } from './exportDocs';

const gzip = promisify(gzipCb);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const GZIP_LEVEL = 6;

export type SampleSize = 'tiny' | 'demo';

export interface SampleOptions {
  /** Same seed → same bytes (except the .enc file: OpenPGP uses a fresh session key each time). */
  seed?: number | string;
  /** First day, YYYY-MM-DD (default 2024-01-01). */
  start?: string;
  /** Number of days (default 2). */
  days?: number;
  /** Sub-folder all keys go under (as in the credentials file), '' for none. */
  subFolder?: string;
  /** Rows per data file preset (default 'tiny'). */
  size?: SampleSize;
  /** Rows per data file (per split), overriding the preset. */
  rowsPerFile?: number;
  /** Target size of each compressed data file in bytes, overriding rowsPerFile (calibrated per table). */
  fileBytes?: number;
  /** Split files per utterances partition (default 4: `.00`–`.03`). */
  splits?: number;
  /** Feeds to write (default all four). */
  feeds?: SampleFeed[];
  /** Write export_docs.yaml daily (default true). */
  docs?: boolean;
  /** Armored public key: when given, one convos_metrics file is written OpenPGP-encrypted as `.jsonl.gz.enc`. */
  encryptToPublicKey?: string;
  /** The export's "now": partitions ending after it are not written, the one holding it is in progress.
   *  Default: 23:37 UTC on the last day. */
  now?: Date | string;
  /** Share of fresh rows re-exported in a later partition (default 0.05). */
  duplicateRate?: number;
  /** Bodies compressed/written at once (default 8). */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: { objects: number; bytes: number }) => void;
}

export type SamplePartitionState = 'complete' | 'in-progress' | 'empty';

export interface SamplePartition {
  feed: string;
  version: number;
  /** Key prefix ending in '/', including the sub-folder. */
  prefix: string;
  dt: string;
  hr?: string;
  mi?: string;
  state: SamplePartitionState;
  /** Keys of the data files (no _SUCCESS). */
  files: string[];
  rows: number;
  bytes: number;
}

export interface SampleFile {
  key: string;
  name: string;
  feed: string;
  version: number;
  partition: string;
  state: SamplePartitionState;
  split?: number;
  rows: number;
  /** Bytes of the object as stored (encrypted size for .enc). */
  bytes: number;
  encrypted: boolean;
}

export interface DuplicateCopy {
  file: string;
  /** 1-based line in the decompressed file. */
  line: number;
  partition: string;
  state: SamplePartitionState;
  /** The ORDER BY value of this copy (null when NULL, or for tables without ORDER BY). */
  orderValue: string | null;
}

export interface DuplicateGroup {
  feed: string;
  version: number;
  kind: DuplicateKind;
  /** The guide's PARTITION BY columns and their values. */
  key: Record<string, unknown>;
  orderBy?: string;
  copies: DuplicateCopy[];
  /** Index in `copies` of the row a dedupe keeps: ORDER BY value DESC NULLS LAST, then the latest
   *  export partition (dt, hr, mi, split) DESC. */
  winner: number;
}

export interface TableCounts {
  rows: number;
  distinctKeys: number;
  /** rows − distinctKeys. */
  duplicateRows: number;
  /** The same, over complete partitions only (what a default download sees). */
  rowsComplete: number;
  distinctKeysComplete: number;
}

export interface SampleFeedInfo {
  feed: string;
  version: number;
  cadence: SampleTable['cadence'];
  splits: number;
  rowsPerFile: number;
  primaryKey: string[];
  orderBy?: string;
  columns: string[];
}

export interface SampleManifest {
  seed: number | string;
  start: string;
  days: number;
  now: string;
  subFolder: string;
  feeds: SampleFeedInfo[];
  partitions: SamplePartition[];
  files: SampleFile[];
  docs: Array<{ key: string; dt: string }>;
  encryptedFile?: string;
  emptyPartition?: string;
  objects: number;
  bytes: number;
  rows: number;
  duplicates: { groups: DuplicateGroup[]; byTable: Record<string, TableCounts> };
}

interface PlannedPartition {
  dt: string;
  hr?: string;
  mi?: string;
  start: number;
  end: number;
  dayIndex: number;
  state: SamplePartitionState;
  prefix: string;
}

interface PendingCopy {
  row: Record<string, unknown>;
  group: DuplicateGroup;
}

/** Table key used in manifest maps: `feed/vN`. */
export function tableKey(feed: string, version: number): string {
  return `${feed}/v${version}`;
}

export async function generateSampleExports(sink: ExportSink, options: SampleOptions = {}): Promise<SampleManifest> {
  // One listener on the caller's signal; the many concurrent requests listen on an inner one instead.
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const onAbort = () => abort.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await generate(sink, options, abort.signal);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

async function generate(sink: ExportSink, options: SampleOptions, signal: AbortSignal): Promise<SampleManifest> {
  const seed = options.seed ?? 1;
  const start = options.start ?? '2024-01-01';
  if (!isValidDate(start)) throw new UsageError(`Sample start "${start}" is not a date YYYY-MM-DD.`);
  const days = options.days ?? 2;
  if (!Number.isInteger(days) || days < 1) throw new UsageError(`Sample days must be a whole number ≥ 1 (got ${days}).`);
  const subFolder = options.subFolder ?? '';
  const feeds = new Set(options.feeds ?? SAMPLE_FEEDS);
  const startMs = Date.parse(`${start}T00:00:00Z`);
  const nowMs = options.now === undefined ? startMs + days * DAY - 23 * 60_000 : new Date(options.now).getTime();
  if (Number.isNaN(nowMs)) throw new UsageError(`Sample "now" is not a date: ${String(options.now)}`);
  const duplicateRate = options.duplicateRate ?? 0.05;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const root = new Random(seed);

  const manifest: SampleManifest = {
    seed, start, days, now: new Date(nowMs).toISOString(), subFolder,
    feeds: [], partitions: [], files: [], docs: [], objects: 0, bytes: 0, rows: 0,
    duplicates: { groups: [], byTable: {} },
  };

  // ---- bounded writer: bodies are compressed on the libuv pool while the next file is generated
  const inflight = new Set<Promise<void>>();
  let failure: unknown;
  const emit = async (key: string, body: Buffer | Promise<Buffer>, onStored?: (bytes: number) => void) => {
    throwIfAborted(signal);
    while (inflight.size >= concurrency) await Promise.race(inflight);
    if (failure) throw failure;
    const p: Promise<void> = Promise.resolve(body)
      .then(async b => {
        await sink.put(key, b, { signal });
        onStored?.(b.length);
        manifest.objects++;
        manifest.bytes += b.length;
        options.onProgress?.({ objects: manifest.objects, bytes: manifest.bytes });
      })
      .catch(e => { failure ??= e; })
      .finally(() => { inflight.delete(p); });
    inflight.add(p);
  };
  const success = (prefix: string) => emit(prefix + SUCCESS_MARKER, Buffer.alloc(0));

  const tables = SAMPLE_TABLES.filter(t => feeds.has(t.feed));
  const firstDayOf = (t: SampleTable) => (t.version > 1 ? days - 1 : 0);

  for (const table of tables) {
    const splits = table.feed === 'utterances' ? options.splits ?? table.splits : table.splits;
    const rowsPerFile = options.fileBytes
      ? calibrateRows(table, options.fileBytes)
      : options.rowsPerFile ?? table.rows[options.size ?? 'tiny'];
    manifest.feeds.push({
      feed: table.feed, version: table.version, cadence: table.cadence, splits, rowsPerFile,
      primaryKey: table.primaryKey, ...(table.orderBy ? { orderBy: table.orderBy } : {}), columns: table.columns.map(c => c.name),
    });
    const counts: TableCounts = { rows: 0, distinctKeys: 0, duplicateRows: 0, rowsComplete: 0, distinctKeysComplete: 0 };
    manifest.duplicates.byTable[tableKey(table.feed, table.version)] = counts;
    const rng = root.fork(tableKey(table.feed, table.version));
    const plan = planPartitions(table, { startMs, days, firstDay: firstDayOf(table), nowMs, subFolder });
    const pending = new Map<number, PendingCopy[]>();
    const snapshots = new Map<string, DuplicateGroup>();
    const scheduled: DuplicateGroup[] = [];
    let kindTurn = 0;

    for (let i = 0; i < plan.length; i++) {
      throwIfAborted(signal);
      const part = plan[i];
      const record: SamplePartition = {
        feed: table.feed, version: table.version, prefix: part.prefix, dt: part.dt,
        ...(part.hr !== undefined ? { hr: part.hr } : {}), ...(part.mi !== undefined ? { mi: part.mi } : {}),
        state: part.state, files: [], rows: 0, bytes: 0,
      };
      manifest.partitions.push(record);
      if (part.state === 'empty') {
        manifest.emptyPartition = part.prefix;
        await success(part.prefix);
        continue;
      }
      const complete = part.state === 'complete';
      const ctx: RowContext = {
        start: part.start, end: Math.min(part.end, nowMs), hourIndex: Math.floor((part.start - startMs) / HOUR),
        index: 0, count: rowsPerFile * splits, dayIndex: part.dayIndex,
      };
      // Fresh rows, split into contiguous chunks per split file.
      const files: Array<Array<{ row: Record<string, unknown>; pending?: PendingCopy }>> = [];
      for (let s = 0; s < splits; s++) files.push([]);
      for (let n = 0; n < ctx.count; n++) {
        ctx.index = n;
        const row = table.row(ctx, rng);
        const entry: { row: Record<string, unknown>; pending?: PendingCopy } = { row };
        files[Math.floor(n / rowsPerFile)].push(entry);
        if (table.duplicateKinds[0] === 'snapshot') {
          const key = pick(row, table.primaryKey);
          const id = JSON.stringify(key);
          if (!snapshots.has(id)) {
            const group: DuplicateGroup = { feed: table.feed, version: table.version, kind: 'snapshot', key, copies: [], winner: 0 };
            snapshots.set(id, group);
            counts.distinctKeys++;
            if (complete) counts.distinctKeysComplete++;
          }
          entry.pending = { row, group: snapshots.get(id)! };
          continue;
        }
        counts.distinctKeys++;
        if (complete) counts.distinctKeysComplete++;
        if (table.orderBy && rng.chance(duplicateRate)) {
          const target = i + rng.int(1, 3);
          if (target < plan.length && plan[target].state !== 'empty') {
            const kind = table.duplicateKinds[kindTurn++ % table.duplicateKinds.length];
            const copy = table.reexport(row, rng);
            copy[table.orderBy] = reorder(row[table.orderBy] as string, kind, rng);
            const group: DuplicateGroup = {
              feed: table.feed, version: table.version, kind, key: pick(row, table.primaryKey), orderBy: table.orderBy,
              copies: [], winner: kind === 'newer' || kind === 'equal' ? 1 : 0,
            };
            entry.pending = { row, group };
            scheduled.push(group);
            const list = pending.get(target) ?? [];
            list.push({ row: copy, group });
            pending.set(target, list);
          }
        }
      }
      // Re-exports scheduled for this partition land at random places in random splits.
      for (const copy of pending.get(i) ?? []) {
        const f = files[rng.int(0, splits - 1)];
        f.splice(rng.int(0, f.length), 0, { row: copy.row, pending: copy });
      }
      pending.delete(i);

      for (let s = 0; s < splits; s++) {
        const entries = files[s];
        const name = formatFileName({ feed: table.feed, split: splits > 1 ? s : undefined, gzip: true });
        const key = part.prefix + name;
        const lines: string[] = new Array(entries.length);
        for (let l = 0; l < entries.length; l++) {
          const { row, pending: ref } = entries[l];
          lines[l] = JSON.stringify(row);
          if (ref) {
            ref.group.copies.push({
              file: key, line: l + 1, partition: part.prefix, state: part.state,
              orderValue: table.orderBy ? (row[table.orderBy] as string | null) : null,
            });
          }
        }
        const text = Buffer.from(lines.length ? lines.join('\n') + '\n' : '', 'utf8');
        const encrypt = options.encryptToPublicKey !== undefined && isEncryptedSpot(table, part, plan, startMs);
        const file: SampleFile = {
          key: encrypt ? key + '.enc' : key, name: encrypt ? name + '.enc' : name, feed: table.feed, version: table.version,
          partition: part.prefix, state: part.state, ...(splits > 1 ? { split: s } : {}), rows: entries.length, bytes: 0, encrypted: encrypt,
        };
        if (encrypt) {
          for (const e of entries) if (e.pending) e.pending.group.copies.at(-1)!.file = file.key;
          manifest.encryptedFile = file.key;
        }
        manifest.files.push(file);
        record.files.push(file.key);
        record.rows += entries.length;
        counts.rows += entries.length;
        if (complete) counts.rowsComplete += entries.length;
        manifest.rows += entries.length;
        const body = encrypt
          ? encryptGz(gzipSync(text, { level: GZIP_LEVEL }), options.encryptToPublicKey!, name)
          : gzip(text, { level: GZIP_LEVEL });
        await emit(file.key, body, bytes => { file.bytes = bytes; record.bytes += bytes; });
      }
      if (complete) await success(part.prefix);
    }

    // Groups with one copy are not duplicates (kept defensive: every scheduled target is written).
    for (const g of snapshots.values()) if (g.copies.length > 1) { g.winner = g.copies.length - 1; manifest.duplicates.groups.push(g); }
    for (const g of scheduled) if (g.copies.length > 1) manifest.duplicates.groups.push(g);
    counts.duplicateRows = counts.rows - counts.distinctKeys;
  }

  if (options.docs ?? true) {
    for (let d = 0; d < days; d++) {
      const dt = isoDate(startMs + d * DAY);
      if (startMs + d * DAY + 5 * 60_000 > nowMs) break;
      const prefix = formatExportPrefix({ bucket: '', subFolder, feed: 'export_docs', version: 1, format: 'yaml', dt });
      const yaml = exportDocsYaml({ dt, generatedAt: `${dt}T00:05:00Z`, tables: tables.filter(t => d >= firstDayOf(t)) });
      await emit(prefix + EXPORT_DOCS, Buffer.from(yaml, 'utf8'));
      await success(prefix);
      manifest.docs.push({ key: prefix + EXPORT_DOCS, dt });
    }
  }

  await Promise.all(inflight);
  if (failure) throw failure;
  return manifest;
}

function planPartitions(
  table: SampleTable,
  o: { startMs: number; days: number; firstDay: number; nowMs: number; subFolder: string },
): PlannedPartition[] {
  const out: PlannedPartition[] = [];
  const add = (dayIndex: number, start: number, end: number, hr?: number, mi?: number) => {
    if (start >= o.nowMs) return;
    const dt = isoDate(start);
    const hh = hr === undefined ? undefined : String(hr).padStart(2, '0');
    const mm = mi === undefined ? undefined : String(mi).padStart(2, '0');
    const prefix = formatExportPrefix({ bucket: '', subFolder: o.subFolder, feed: table.feed, version: table.version, format: 'jsonl', dt, hr: hh, mi: mm });
    const state: SamplePartitionState = end <= o.nowMs ? 'complete' : 'in-progress';
    out.push({ dt, ...(hh !== undefined ? { hr: hh } : {}), ...(mm !== undefined ? { mi: mm } : {}), start, end, dayIndex, state, prefix });
  };
  for (let d = o.firstDay; d < o.days; d++) {
    const day = o.startMs + d * DAY;
    if (table.cadence === 'daily') {
      add(d, day, day + DAY);
      continue;
    }
    for (let h = 0; h < 24; h++) {
      const hour = day + h * HOUR;
      if (table.cadence === 'hourly') add(d, hour, hour + HOUR, h);
      else for (const m of [0, 15, 30, 45]) add(d, hour + m * 60_000, hour + (m + 15) * 60_000, h, m);
    }
  }
  // One empty partition (only _SUCCESS): convos_metrics v1, hour 04 — a quiet hour — of the last day
  // on which that hour is complete.
  if (table.feed === 'convos_metrics' && table.version === 1) {
    const empty = out.filter(p => p.hr === '04' && p.state === 'complete').at(-1);
    if (empty) empty.state = 'empty';
  }
  return out;
}

/** The one encrypted file: convos_metrics v1, hour 02 of the first day. */
function isEncryptedSpot(table: SampleTable, part: PlannedPartition, _plan: PlannedPartition[], startMs: number): boolean {
  return table.feed === 'convos_metrics' && table.version === 1 && part.start === startMs + 2 * HOUR;
}

/** What the vendor does with gpg: the .jsonl.gz encrypted to the customer's public key (binary OpenPGP). */
async function encryptGz(gz: Buffer, publicKeyArmored: string, filename: string): Promise<Buffer> {
  const openpgp = await import('openpgp');
  const encryptionKeys = await openpgp.readKey({ armoredKey: publicKeyArmored });
  const message = await openpgp.createMessage({ binary: gz, filename });
  const data = await openpgp.encrypt({ message, encryptionKeys, format: 'binary' });
  return Buffer.from(data as Uint8Array);
}

function reorder(value: string, kind: DuplicateKind, rng: Random): string | null {
  switch (kind) {
    case 'equal':
    case 'snapshot':
      return value;
    case 'null':
      return null;
    case 'newer':
    case 'older': {
      const ms = parseTimestamp(value);
      const shift = rng.int(1, 600) * 1000;
      return formatTimestamp(kind === 'newer' ? ms + shift : ms - shift, rng);
    }
  }
}

/** Parses the sample's timestamps (ISO-8601 with 0, 3 or 6 fractional digits). */
export function parseTimestamp(value: string): number {
  return Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
}

function pick(row: Record<string, unknown>, columns: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c] = row[c];
  return out;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Rows per file that make a compressed file of about `bytes`, measured on a sample of the table's rows. */
function calibrateRows(table: SampleTable, bytes: number): number {
  const rng = new Random(`calibrate:${tableKey(table.feed, table.version)}`);
  const n = 2000;
  const start = Date.UTC(2024, 0, 1);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(JSON.stringify(table.row({ start, end: start + HOUR, hourIndex: 0, index: i, count: n, dayIndex: 0 }, rng)));
  }
  const size = gzipSync(Buffer.from(lines.join('\n') + '\n'), { level: GZIP_LEVEL }).length;
  return Math.max(1, Math.round(bytes / (size / n)));
}
