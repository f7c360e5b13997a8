// The first N records of an export file, local or on S3, without reading the rest: a streaming GET (or
// file read) → decrypt stream when `.enc` → gunzip when the bytes are gzip (multi-member too) → line
// splitter. As soon as N records are read every stream is destroyed and the request aborted, so the
// cost is the same for a 10 MB and a 10 GB file.
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CancellationError, ExportsError, PreviewError, errorMessage, isCancellation } from './errors';
import { DEFAULT_MAX_LINE_BYTES, inferColumns, parseLine, splitLines, type ColumnInfo, type JsonlRecord, type LineProblem, type RawLine } from './jsonlLines';
import { decryptStream, type UnlockedKey } from './pgp';
import { toS3Error } from './s3Errors';

export type PreviewSource =
  | { kind: 's3'; client: S3Client; bucket: string; key: string }
  | { kind: 'file'; path: string };

export interface PreviewOptions {
  /** Records to return (blank lines do not count). Default 20. */
  limit?: number;
  /** Longer lines are cut and reported. Default 4 MiB. */
  maxLineBytes?: number;
  /** Needed for `.enc` files (and OpenPGP-armored content). */
  key?: UnlockedKey;
  signal?: AbortSignal;
}

export interface PreviewResult {
  /** s3://… or the absolute path. */
  source: string;
  records: JsonlRecord[];
  columns: ColumnInfo[];
  problems: LineProblem[];
  /** Bytes read from the object or file (compressed, encrypted). */
  bytesRead: number;
  /** Plaintext bytes consumed by the line splitter. */
  bytesDecoded: number;
  /** True when the whole file was read (it had no more than `limit` records). */
  complete: boolean;
  compression: 'gzip' | 'none';
  encrypted: boolean;
  elapsedMs: number;
}

export const DEFAULT_PREVIEW_LIMIT = 20;
const GZIP_MAGIC = [0x1f, 0x8b];
const ARMOR = Buffer.from('-----BEGIN PGP MESSAGE');

export function describeSource(source: PreviewSource): string {
  return source.kind === 's3' ? `s3://${source.bucket}/${source.key}` : path.resolve(source.path);
}

export async function previewObject(source: PreviewSource, opts: PreviewOptions = {}): Promise<PreviewResult> {
  const started = Date.now();
  const limit = Math.max(1, opts.limit ?? DEFAULT_PREVIEW_LIMIT);
  const name = source.kind === 's3' ? source.key : source.path;
  const where = describeSource(source);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const streams: Readable[] = [];
  let bytesRead = 0;
  let bytesDecoded = 0;
  let stopped = false;
  try {
    if (opts.signal?.aborted) throw new CancellationError();
    const raw = await openSource(source, controller.signal);
    streams.push(raw);
    raw.on('data', (c: Buffer) => { bytesRead += c.length; });

    // Decrypt when the name says `.enc` or the bytes are an armored message.
    let plain: Readable = raw;
    let head = await peek(raw, ARMOR.length);
    const encrypted = name.endsWith('.enc') || head.bytes.subarray(0, ARMOR.length).equals(ARMOR);
    plain = head.stream;
    streams.push(plain);
    if (encrypted) {
      if (!opts.key) {
        throw new PreviewError(`${where} is encrypted: give your private key (--key FILE, and its passphrase) to preview it.`, { code: 'preview.key-needed' });
      }
      plain = await decryptStream(plain, opts.key, { signal: controller.signal });
      streams.push(plain);
      head = await peek(plain, 2);
      plain = head.stream;
      streams.push(plain);
    }
    const gzip = head.bytes.length >= 2 && head.bytes[0] === GZIP_MAGIC[0] && head.bytes[1] === GZIP_MAGIC[1];
    let text: Readable = plain;
    if (gzip) {
      const gunzip = createGunzip();
      plain.on('error', e => gunzip.destroy(e));
      text = plain.pipe(gunzip);
      streams.push(text);
    }
    const counted = (async function* () {
      for await (const chunk of text) {
        bytesDecoded += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    })();

    const records: JsonlRecord[] = [];
    const problems: LineProblem[] = [];
    let complete = false;
    let pending: RawLine | undefined;
    const accept = (line: RawLine, endOfStream: boolean) => {
      if (line.bytes.length === 0 && line.droppedBytes === 0) return; // blank line
      const r = parseLine(line, endOfStream);
      records.push(r.record);
      problems.push(...r.problems);
    };
    try {
      // One line of look-ahead: only the very last line of a file can be "truncated".
      for await (const line of splitLines(counted, opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES)) {
        if (pending) accept(pending, false);
        pending = line;
        if (records.length >= limit) {
          stopped = true;
          pending = undefined;
          break;
        }
      }
      if (!stopped) {
        if (pending) accept(pending, true);
        complete = true;
      }
    } catch (e) {
      if (isCancellation(e) || opts.signal?.aborted) throw new CancellationError();
      if (e instanceof PreviewError) throw e;
      if (records.length === 0 && !pending && bytesDecoded === 0) throw streamFailure(e, where, gzip, encrypted);
      // A stream that breaks after some records (truncated gzip, failed integrity check, dropped
      // connection) is reported on the line where it happened: the records before it stand.
      if (pending && records.length < limit) accept(pending, true);
      const line = (records.at(-1)?.line ?? 0) + (pending ? 0 : 1);
      problems.push({ line, kind: 'stream-error', message: `line ${line}: ${streamProblem(e, gzip, encrypted)}` });
    }
    return {
      source: where,
      records: records.slice(0, limit),
      columns: inferColumns(records.slice(0, limit).map(r => r.value)),
      problems: problems.filter(p => p.line <= (records[limit - 1]?.line ?? Infinity)),
      bytesRead,
      bytesDecoded,
      complete,
      compression: gzip ? 'gzip' : 'none',
      encrypted,
      elapsedMs: Date.now() - started,
    };
  } catch (e) {
    if (isCancellation(e) || opts.signal?.aborted) throw new CancellationError();
    throw e;
  } finally {
    // Stop the transfer: abort the request and destroy every stream of the chain.
    controller.abort();
    for (const s of streams) if (!s.destroyed) s.destroy();
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

async function openSource(source: PreviewSource, signal: AbortSignal): Promise<Readable> {
  if (source.kind === 'file') {
    const st = await fs.stat(source.path).catch(e => {
      throw new PreviewError(`Cannot read ${source.path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : errorMessage(e)}.`, { code: 'preview.not-found', cause: e });
    });
    if (!st.isFile()) throw new PreviewError(`${source.path} is not a file: preview takes one export file.`, { code: 'preview.not-a-file' });
    return createReadStream(source.path, { highWaterMark: 64 * 1024 });
  }
  try {
    const res = await source.client.send(new GetObjectCommand({ Bucket: source.bucket, Key: source.key }), { abortSignal: signal });
    return res.Body as Readable;
  } catch (e) {
    throw toS3Error(e, { operation: 'reading', bucket: source.bucket, key: source.key });
  }
}

/** Reads at least `n` bytes (fewer at end of stream) and returns them with a stream that replays them. */
async function peek(stream: Readable, n: number): Promise<{ bytes: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let have = 0;
  const it = stream[Symbol.asyncIterator]();
  let done = false;
  while (have < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const c = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    chunks.push(c);
    have += c.length;
  }
  const head = Buffer.concat(chunks);
  const replay = Readable.from(
    (async function* () {
      if (head.length) yield head;
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value as Buffer;
      }
    })(),
    { objectMode: false },
  );
  replay.on('close', () => { if (!stream.destroyed) stream.destroy(); });
  return { bytes: head, stream: replay };
}

function streamProblem(e: unknown, gzip: boolean, encrypted: boolean): string {
  const msg = errorMessage(e);
  if (gzip && /unexpected end of file/i.test(msg)) return 'the gzip stream ends early (the file is truncated)';
  if (gzip && /incorrect header|invalid|unknown compression/i.test(msg)) return `the gzip data is corrupt (${msg})`;
  if (encrypted) return `decryption failed: ${msg}`;
  return `reading stopped: ${msg}`;
}

function streamFailure(e: unknown, where: string, gzip: boolean, encrypted: boolean): Error {
  if (e instanceof ExportsError) return e;
  return new PreviewError(`Cannot preview ${where}: ${streamProblem(e, gzip, encrypted)}.`, { code: 'preview.unreadable', cause: e });
}
