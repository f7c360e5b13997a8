// JSON Lines from a byte stream, tolerant by design: a line that is too long, not UTF-8, not JSON, or cut
// off at the end becomes a problem with its line number, never an exception; and the columns of a
// sample of records, with the JSON types seen in each.

export interface RawLine {
  /** 1-based. */
  number: number;
  bytes: Buffer;
  /** True when the line ended with '\n' (false for the last line of a stream without one). */
  terminated: boolean;
  /** Bytes of the line beyond the cap that were dropped. */
  droppedBytes: number;
}

export const DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;

/** Splits on '\n' (a trailing '\r' is dropped), keeping at most maxLineBytes of each line. */
export async function* splitLines(source: AsyncIterable<Buffer | Uint8Array>, maxLineBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<RawLine> {
  let parts: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  let number = 0;
  const take = (chunk: Buffer) => {
    const room = maxLineBytes - kept;
    if (room <= 0) {
      dropped += chunk.length;
      return;
    }
    const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
    dropped += chunk.length - piece.length;
    parts.push(piece);
    kept += piece.length;
  };
  const flush = (terminated: boolean): RawLine => {
    let bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts, kept);
    if (terminated && dropped === 0 && bytes.length && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    const line = { number: ++number, bytes, terminated, droppedBytes: dropped };
    parts = [];
    kept = 0;
    dropped = 0;
    return line;
  };
  for await (const c of source) {
    const chunk = Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      take(chunk.subarray(start, nl));
      start = nl + 1;
      yield flush(true);
    }
    if (start < chunk.length) take(chunk.subarray(start));
  }
  if (kept > 0 || dropped > 0) yield flush(false);
}

export type ProblemKind = 'invalid-json' | 'invalid-utf8' | 'truncated' | 'line-too-long' | 'not-an-object' | 'stream-error';

export interface LineProblem {
  line: number;
  kind: ProblemKind;
  message: string;
}

export interface JsonlRecord {
  line: number;
  /** The line as text (invalid UTF-8 replaced by U+FFFD). */
  text: string;
  /** Parsed value; absent when the line is not valid JSON. */
  value?: unknown;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/**
 * One line → a record and its problems. `endOfStream` says the line is the last of the whole file (a
 * missing final newline with broken JSON there means the file was cut short).
 */
export function parseLine(raw: RawLine, endOfStream: boolean): { record: JsonlRecord; problems: LineProblem[] } {
  const problems: LineProblem[] = [];
  let text: string;
  try {
    text = utf8.decode(raw.bytes);
  } catch {
    text = lenient.decode(raw.bytes);
    const at = firstInvalidUtf8(raw.bytes);
    problems.push({ line: raw.number, kind: 'invalid-utf8', message: `line ${raw.number}: invalid UTF-8 at byte ${at + 1} of the line` });
  }
  if (raw.droppedBytes > 0) {
    problems.push({
      line: raw.number,
      kind: 'line-too-long',
      message: `line ${raw.number}: longer than ${raw.bytes.length} bytes; ${raw.droppedBytes} bytes were not read`,
    });
    return { record: { line: raw.number, text }, problems };
  }
  const record: JsonlRecord = { line: raw.number, text };
  try {
    record.value = JSON.parse(text);
    if (record.value === null || typeof record.value !== 'object' || Array.isArray(record.value)) {
      problems.push({ line: raw.number, kind: 'not-an-object', message: `line ${raw.number}: a JSON ${Array.isArray(record.value) ? 'array' : typeof record.value}, not an object` });
    }
  } catch (e) {
    if (!raw.terminated && endOfStream) {
      problems.push({ line: raw.number, kind: 'truncated', message: `line ${raw.number}: the file ends in the middle of this record (no final newline, incomplete JSON)` });
    } else {
      problems.push({ line: raw.number, kind: 'invalid-json', message: `line ${raw.number}: invalid JSON (${(e as Error).message.replace(/^.*?JSON[^:]*: ?/, '') || 'parse error'})` });
    }
  }
  return { record, problems };
}

function firstInvalidUtf8(b: Buffer): number {
  for (let i = 0; i < b.length; i++) {
    try {
      utf8.decode(b.subarray(0, i + 1), { stream: true });
    } catch {
      return i;
    }
  }
  return b.length;
}

// ------------------------------------------------------------------------------------ inference

export type JsonType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'timestamp' | 'date' | 'array' | 'object';

export interface ColumnInfo {
  name: string;
  /** Non-null types seen, most frequent first; 'integer' folds into 'number' when both occur. */
  types: JsonType[];
  /** Records (objects) that have this key. */
  present: number;
  /** True when a record had null here or lacked the key. */
  nullable: boolean;
  /** One non-null value seen, for display. */
  example?: unknown;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function jsonTypeOf(v: unknown): JsonType {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'string') return TIMESTAMP.test(v) ? 'timestamp' : DATE.test(v) ? 'date' : 'string';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

/** Columns in first-seen order over the records that are JSON objects. */
export function inferColumns(values: unknown[]): ColumnInfo[] {
  const objects = values.filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v));
  const columns = new Map<string, { counts: Map<JsonType, number>; present: number; nulls: number; example?: unknown }>();
  for (const o of objects) {
    for (const [k, v] of Object.entries(o)) {
      let c = columns.get(k);
      if (!c) columns.set(k, (c = { counts: new Map(), present: 0, nulls: 0 }));
      c.present++;
      const t = jsonTypeOf(v);
      if (t === 'null') c.nulls++;
      else {
        c.counts.set(t, (c.counts.get(t) ?? 0) + 1);
        if (c.example === undefined) c.example = v;
      }
    }
  }
  return [...columns].map(([name, c]) => {
    const counts = new Map(c.counts);
    if (counts.has('integer') && counts.has('number')) {
      counts.set('number', (counts.get('number') ?? 0) + (counts.get('integer') ?? 0));
      counts.delete('integer');
    }
    const types = [...counts].sort((a, b) => b[1] - a[1]).map(([t]) => t);
    return { name, types, present: c.present, nullable: c.nulls > 0 || c.present < objects.length, ...(c.example !== undefined ? { example: c.example } : {}) };
  });
}
