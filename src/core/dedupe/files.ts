// The input of a local dedupe: the data files of one feed (as `pull` lays them out:
// OUT/FEED/version=N/format=jsonl/dt=…[/hr=…[/mi=…]]/FILE) or files the user names, with the hive
// partition values of each path, and a full integrity pass over each file before DuckDB reads it.
//
// Why a full pass: DuckDB accepts a gzip stream cut at a flush boundary without a word (rows silently
// missing), and a zero-byte or non-gzip file fails the whole query with a message that does not always
// say which file. Reading each file once through zlib catches both, names the file, and counts the
// input rows for the summary on the way.
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { constants as zlibConstants, createGunzip, gunzipSync } from 'node:zlib';
import { CancellationError, DedupeError, throwIfAborted } from '../errors';
import { parseFileName, parsePartitionSegment, type PartitionLevel } from '../layout';

export interface InputFile {
  path: string;
  name: string;
  feed: string;
  encrypted: boolean;
  gzip: boolean;
  split?: number;
  /** Hive partition values found in the path (version, format, dt, hr, mi). */
  partition: Partial<Record<PartitionLevel, string>>;
}

export async function collectInputFiles(input: string | string[], table: string, o: { signal?: AbortSignal } = {}): Promise<{ files: InputFile[]; ignored: string[] }> {
  const roots = Array.isArray(input) ? input : [input];
  if (!roots.length) throw new DedupeError('No input given: pass --in DIR (the pulled folder of one feed) or files.', { code: 'dedupe.no-input' });
  const found: string[] = [];
  for (const root of roots) {
    const st = await stat(root).catch(() => undefined);
    if (!st) throw new DedupeError(`${root} does not exist: pass the folder \`pull\` wrote for the feed (e.g. ./exports/${table}).`, { code: 'dedupe.no-input' });
    if (st.isDirectory()) await walk(root, found, o.signal);
    else found.push(root);
  }
  const files: InputFile[] = [];
  const other: InputFile[] = [];
  const ignored: string[] = [];
  for (const p of found.sort()) {
    const f = parseFileName(path.basename(p));
    if (f.kind !== 'data') {
      if (f.kind === 'other' && !path.basename(p).startsWith('.')) ignored.push(p);
      continue;
    }
    const entry: InputFile = {
      path: p, name: f.name, feed: f.feed, encrypted: f.encrypted, gzip: f.compression === 'gzip', split: f.split, partition: partitionOf(p),
    };
    (f.feed === table ? files : other).push(entry);
  }
  if (!files.length) {
    const feeds = [...new Set(other.map(f => f.feed))];
    throw new DedupeError(
      feeds.length
        ? `No ${table} files in ${roots.join(', ')} (found files of ${feeds.join(', ')}): check the table name or the folder.`
        : `No export data files (${table}.jsonl[.NN][.gz][.enc]) in ${roots.join(', ')}: pull the feed first (asapp-exports pull …).`,
      { code: 'dedupe.no-files' },
    );
  }
  ignored.push(...other.map(f => f.path));
  // `pull --decrypt` keeps the .enc next to its decrypted copy: read the copy, not both (rows would count twice).
  const present = new Set(files.map(f => f.path));
  const kept = files.filter(f => !(f.encrypted && present.has(f.path.slice(0, -'.enc'.length))));
  ignored.push(...files.filter(f => !kept.includes(f)).map(f => f.path));
  checkConsistent(kept);
  return { files: kept, ignored };
}

async function walk(dir: string, out: string[], signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await walk(p, out, signal);
    else if (e.isFile()) out.push(p);
  }
}

function partitionOf(p: string): InputFile['partition'] {
  const values: InputFile['partition'] = {};
  for (const segment of path.dirname(path.resolve(p)).split(path.sep)) {
    let parsed;
    try {
      parsed = parsePartitionSegment(segment);
    } catch (e) {
      throw new DedupeError(`${p}: ${(e as Error).message}`, { code: 'dedupe.bad-partition', cause: e });
    }
    if (parsed) values[parsed.level] = String(parsed.value);
  }
  return values;
}

/** DuckDB's hive reader needs the same partition levels in every path; one run reads one version. */
function checkConsistent(files: InputFile[]): void {
  const shape = (f: InputFile) => Object.keys(f.partition).sort().join('/');
  const first = files[0];
  const odd = files.find(f => shape(f) !== shape(first));
  if (odd) {
    throw new DedupeError(
      `The input mixes partition layouts: ${first.path} (${shape(first) || 'no partitions'}) and ${odd.path} (${shape(odd) || 'no partitions'}). Pass the files of one feed as \`pull\` lays them out.`,
      { code: 'dedupe.mixed-layout' },
    );
  }
  const versions = [...new Set(files.map(f => f.partition.version).filter(v => v !== undefined))];
  if (versions.length > 1) {
    throw new DedupeError(
      `The input holds ${versions.map(v => `version=${v}`).join(' and ')} of ${first.feed}; versions can differ in schema: pass one version folder (e.g. --in …/${first.feed}/version=${versions.sort().at(-1)}).`,
      { code: 'dedupe.mixed-versions' },
    );
  }
}

export interface FileCheck {
  /** Non-empty lines. */
  rows: number;
  /** First non-empty line (at most 1 MiB), for the column check. */
  firstLine?: string;
}

const FIRST_LINE_MAX = 1 << 20;

const SAMPLE_BYTES = 64 * 1024;

/**
 * Cheap look at the start of a file: not empty, gzip magic when .gz, and its first line (for the column
 * check), from at most 64 KiB of compressed bytes.
 */
export async function sampleDataFile(file: string, gzip: boolean, shownAs = file): Promise<{ firstLine?: string }> {
  const fh = await open(file, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SAMPLE_BYTES, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  if (head.length === 0) {
    throw new DedupeError(`${shownAs} is empty (0 bytes), so it is not a valid ${gzip ? 'gzip ' : ''}export file: delete it and download it again.`, {
      code: 'dedupe.empty-file',
    });
  }
  if (gzip && (head[0] !== 0x1f || head[1] !== 0x8b)) {
    throw new DedupeError(`${shownAs} is not gzip data although its name ends in .gz: download it again.`, { code: 'dedupe.not-gzip' });
  }
  let text: string;
  try {
    text = (gzip ? gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH }) : head).toString('utf8');
  } catch (e) {
    throw new DedupeError(`${shownAs} is a corrupt gzip file (${(e as Error).message}): download it again.`, { code: 'dedupe.corrupt-file', cause: e });
  }
  const firstLine = text.split('\n').map(l => l.replace(/\r$/, '')).find((l, i, all) => l.trim() !== '' && (i < all.length - 1 || text.endsWith('\n')));
  return { firstLine };
}

/** Reads a whole file (through gunzip when .gz); fails with a DedupeError naming the file. */
export async function checkDataFile(file: string, gzip: boolean, signal?: AbortSignal, shownAs = file): Promise<FileCheck> {
  await sampleDataFile(file, gzip, shownAs);
  let rows = 0;
  let lineBytes = 0;
  let first: Buffer[] | undefined = [];
  let firstLen = 0;
  let firstLine: string | undefined;
  const source = createReadStream(file, { highWaterMark: 1 << 20 });
  const stream = gzip ? source.pipe(createGunzip({ chunkSize: 1 << 18 })) : source;
  if (gzip) source.on('error', e => stream.destroy(e));
  const onAbort = () => stream.destroy(new CancellationError());
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
        const len = lineBytes + (i - from);
        if (len > 0 && !(len === 1 && chunk[i - 1] === 13)) {
          rows++;
          if (first) {
            first.push(chunk.subarray(from, i));
            firstLine = Buffer.concat(first).toString('utf8').replace(/\r$/, '');
            first = undefined;
          }
        } else if (first) {
          first = [];
          firstLen = 0;
        }
        lineBytes = 0;
        from = i + 1;
      }
      lineBytes += chunk.length - from;
      if (first && from < chunk.length && firstLen < FIRST_LINE_MAX) {
        first.push(chunk.subarray(from));
        firstLen += chunk.length - from;
      } else if (first && from < chunk.length) {
        first = undefined; // first line longer than 1 MiB: not sampled
      }
    }
    if (lineBytes > 0) {
      rows++;
      if (first) firstLine = Buffer.concat(first).toString('utf8');
    }
  } catch (e) {
    if (signal?.aborted || e instanceof CancellationError) throw new CancellationError();
    throw new DedupeError(`${shownAs} is ${gzip ? 'a corrupt or truncated gzip file' : 'unreadable'} (${(e as Error).message}): download it again.`, {
      code: 'dedupe.corrupt-file', cause: e,
    });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return { rows, firstLine };
}
