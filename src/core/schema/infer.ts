// A schema from sample rows, for feeds without export_docs.yaml at hand: the widest type that fits every
// non-null value seen (bigint ⊂ double ⊂ string; timestamp/date only when every value parses as one).
import { SchemaError } from '../errors';
import type { DocColumn, DocTable } from './exportDocs';
import type { LogicalType } from './types';

export interface InferredColumn extends DocColumn {
  type: LogicalType;
  /** Rows where the field was missing or null. */
  nulls: number;
}

export interface InferredSchema extends Omit<DocTable, 'columns'> {
  columns: InferredColumn[];
  rows: number;
  /** Lines that were not JSON objects, by 1-based line number (first 10). */
  badLines: number[];
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function typeOf(v: unknown): LogicalType | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'bigint' : 'double';
  if (typeof v === 'string') return TIMESTAMP.test(v) ? 'timestamp' : DATE.test(v) ? 'date' : 'string';
  return 'json';
}

function widen(a: LogicalType | undefined, b: LogicalType): LogicalType {
  if (a === undefined || a === b) return b;
  const pair = new Set([a, b]);
  if (pair.has('bigint') && pair.has('double')) return 'double';
  if (pair.has('timestamp') && pair.has('date')) return 'timestamp';
  if (pair.has('json')) return 'json';
  return 'string';
}

export function inferSchema(lines: Iterable<string>, o: { name?: string } = {}): InferredSchema {
  const types = new Map<string, LogicalType | undefined>();
  const seen = new Map<string, number>();
  const examples = new Map<string, string>();
  const badLines: number[] = [];
  let rows = 0;
  let n = 0;
  for (const raw of lines) {
    n++;
    const line = raw.trim();
    if (!line) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      obj = undefined;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      if (badLines.length < 10) badLines.push(n);
      continue;
    }
    rows++;
    for (const [k, v] of Object.entries(obj)) {
      if (!types.has(k)) types.set(k, undefined);
      const t = typeOf(v);
      if (t) {
        types.set(k, widen(types.get(k), t));
        seen.set(k, (seen.get(k) ?? 0) + 1);
        if (!examples.has(k)) examples.set(k, typeof v === 'string' ? v : JSON.stringify(v));
      }
    }
  }
  if (rows === 0) {
    throw new SchemaError(`No JSON rows to infer a schema from${badLines.length ? ` (line ${badLines[0]} is not a JSON object)` : ''}: give a .jsonl or .jsonl.gz file of the feed.`, {
      code: 'schema.no-rows',
    });
  }
  return {
    name: o.name ?? 'inferred',
    primaryKey: [],
    extra: {},
    rows,
    badLines,
    columns: [...types.entries()].map(([name, t]) => ({
      name,
      type: t ?? 'string',
      nulls: rows - (seen.get(name) ?? 0),
      example: examples.get(name),
      extra: {},
    })),
  };
}
