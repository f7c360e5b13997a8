// Local dedupe of one feed's downloaded files with embedded DuckDB → Parquet (default), JSONL or CSV.
//
//   1. collect the feed's data files and their hive partition values (files.ts);
//   2. decrypt .enc files into a private temp folder that mirrors the partition path;
//   3. read every file once (integrity + input row count + first line for the column check);
//   4. one DuckDB COPY: the duckdb form of sql.ts over read_json (explicit columns when the schema is
//      known: export_docs.yaml, given columns or the reference notes, widened by keys seen in the data)
//      or over read_ndjson_objects (schema unknown: the vendor's lines are kept byte-exact);
//   5. write to a temp name beside the output and rename on success.
// DuckDB is imported here, lazily, so the extension and the other CLI commands never load it.
import { mkdtemp, mkdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CancellationError, DedupeError, throwIfAborted } from '../errors';
import { decryptedName, formatPartitionSegment, PARTITION_LEVELS } from '../layout';
// pgp.ts loads openpgp itself on first use, so this import is cheap.
import { decryptFile, type UnlockedKey } from '../pgp';
import { silentLogger, type Logger } from '../ports';
import type { ExportDocs } from '../schema/exportDocs';
import { findDocTable } from '../schema/exportDocs';
import { inferSchema } from '../schema/infer';
import { REFERENCE_COLUMNS } from '../schema/referenceColumns';
import { isTemporal, logicalType, type LogicalType } from '../schema/types';
import { checkDataFile, collectInputFiles, sampleDataFile, type InputFile } from './files';
import { resolveDedupeKeys, type DedupeKeys } from './reference';
import { generateDedupeSql } from './sql';

export type OutputFormat = 'parquet' | 'jsonl' | 'csv';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['parquet', 'jsonl', 'csv'];

export interface DedupeRunOptions {
  table: string;
  /** The pulled folder of one feed (or of one version), or explicit files. */
  input: string | string[];
  /** Default: ./<table>.deduped.<ext> in `cwd`. */
  output?: string;
  format?: OutputFormat;
  keys?: Partial<DedupeKeys>;
  /** Parsed export_docs.yaml: the columns and types of the table. */
  docs?: ExportDocs;
  /** Columns to read when no docs are given (name + vendor type). */
  columns?: Array<{ name: string; type?: string }>;
  /** Use the byte-exact read_ndjson_objects form even when a schema is known. */
  raw?: boolean;
  /** Unlocked private key for .enc files. */
  key?: UnlockedKey;
  threads?: number;
  /** DuckDB memory_limit, e.g. '1GB'. */
  memoryLimit?: string;
  /** Where DuckDB spills and .enc files are decrypted; default a new folder under the OS temp dir. */
  tempDirectory?: string;
  /** Files checked in parallel. */
  checkConcurrency?: number;
  overwrite?: boolean;
  cwd?: string;
  signal?: AbortSignal;
  onProgress?: (p: DedupeProgress) => void;
  logger?: Logger;
}

export interface DedupeProgress {
  phase: 'decrypt' | 'check' | 'query';
  done: number;
  total: number;
}

export interface DedupeSummary {
  table: string;
  rowsIn: number;
  rowsOut: number;
  duplicatesDropped: number;
  seconds: number;
  output: string;
  format: OutputFormat;
  files: number;
  decryptedFiles: number;
  /** columns: typed columns; raw: the vendor's JSON lines, byte-exact. */
  mode: 'columns' | 'raw';
  schemaSource: 'export_docs' | 'given' | 'reference' | 'none';
  columns: string[];
  keys: DedupeKeys;
  warnings: string[];
}

interface Column { name: string; type: LogicalType }

const DUCK_TYPES: Record<LogicalType, string> = {
  string: 'VARCHAR', bigint: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN', timestamp: 'VARCHAR', date: 'VARCHAR', json: 'JSON',
};
const EXT: Record<OutputFormat, string> = { parquet: 'parquet', jsonl: 'jsonl', csv: 'csv' };
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function runDedupe(o: DedupeRunOptions): Promise<DedupeSummary> {
  const started = performance.now();
  const logger = o.logger ?? silentLogger;
  const format = o.format ?? 'parquet';
  if (!OUTPUT_FORMATS.includes(format)) {
    throw new DedupeError(`Unknown output format "${format}": use parquet, jsonl or csv.`, { code: 'dedupe.bad-format' });
  }
  const keys = resolveDedupeKeys(o.table, o.keys);
  const output = path.resolve(o.cwd ?? process.cwd(), o.output ?? `${o.table}.deduped.${EXT[format]}`);
  if (!o.overwrite && (await stat(output).catch(() => undefined))) {
    throw new DedupeError(`${output} already exists: choose another --out or pass --overwrite.`, { code: 'dedupe.output-exists' });
  }
  const { files, ignored } = await collectInputFiles(o.input, o.table, { signal: o.signal });
  const warnings: string[] = [];
  if (ignored.length) warnings.push(`${ignored.length} file(s) that are not ${o.table} data were ignored (e.g. ${ignored[0]}).`);

  const ownTemp = !o.tempDirectory;
  const temp = o.tempDirectory ?? (await mkdtemp(path.join(os.tmpdir(), 'asapp-dedupe-')));
  const partial = path.join(path.dirname(output), `.${path.basename(output)}.${process.pid}.partial`);
  try {
    const readable = await decryptAll(files, temp, o);
    const samples = await mapLimit(readable, o.checkConcurrency ?? 8, f => sampleDataFile(f.path, f.gzip, f.shownAs), o.signal);
    const sampled = inferSchema(samples.map(x => x.firstLine ?? '').filter(Boolean).concat('{}'), { name: o.table });

    const hiveKeys = PARTITION_LEVELS.filter(l => l in readable[0].partition);
    const schema = o.raw ? undefined : schemaFor(o, sampled, warnings, new Set(hiveKeys));
    const seen = new Set(sampled.columns.map(c => c.name));
    for (const k of [...keys.partitionBy, ...keys.orderBy]) {
      if (!IDENT.test(k)) throw new DedupeError(`"${k}" is not a column name.`, { code: 'dedupe.bad-column' });
      if (!seen.has(k) && !schema?.columns.some(c => c.name === k)) {
        throw new DedupeError(
          `Column ${k} (a dedupe key of ${o.table}) is in neither the data nor its schema (columns seen: ${[...seen].slice(0, 12).join(', ')}${seen.size > 12 ? ', …' : ''}). Check --partition-by/--order-by.`,
          { code: 'dedupe.missing-key' },
        );
      }
    }
    // DuckDB's hive columns silently replace JSON fields of the same name: refuse rather than mix them up.
    const clash = schema?.columns.find(c => (hiveKeys as string[]).includes(c.name) || c.name.startsWith('__'));
    if (clash) {
      throw new DedupeError(`The data has a column ${clash.name}, which clashes with the ${clash.name}= partition folders (or our internal names): pass --raw to keep the lines as they are.`, {
        code: 'dedupe.column-clash',
      });
    }
    const sql = buildQuery({ table: o.table, keys, files: readable.map(f => f.path), hiveKeys, schema: schema?.columns, sampled: sampled.columns, format, partial });
    logger.debug(`dedupe query:\n${sql}`);
    await mkdir(path.dirname(output), { recursive: true });
    // The integrity pass (which also counts the input rows) runs beside the query: DuckDB leaves CPU idle
    // while it sorts and writes. The output is renamed into place only when both succeeded; a failed
    // check interrupts the query, and its message (naming the file) wins over DuckDB's.
    const inner = new AbortController();
    const signal = o.signal ? AbortSignal.any([o.signal, inner.signal]) : inner.signal;
    const [checked, copied] = await Promise.allSettled([
      checkAll(readable, { ...o, signal }).catch(e => { inner.abort(); throw e; }),
      runCopy(sql, temp, { ...o, signal }),
    ]);
    throwIfAborted(o.signal);
    if (checked.status === 'rejected') throw checked.reason;
    if (copied.status === 'rejected') throw copied.reason;
    const rowsIn = checked.value.reduce((n, c) => n + c.rows, 0);
    const rowsOut = copied.value;
    if (rowsOut > rowsIn) throw new DedupeError(`DuckDB wrote ${rowsOut} rows from ${rowsIn}: this is a bug, please report it.`, { code: 'dedupe.internal' });
    await rename(partial, output);
    return {
      table: o.table,
      rowsIn,
      rowsOut,
      duplicatesDropped: rowsIn - rowsOut,
      seconds: Math.round((performance.now() - started) / 10) / 100,
      output,
      format,
      files: files.length,
      decryptedFiles: files.filter(f => f.encrypted).length,
      mode: schema ? 'columns' : 'raw',
      schemaSource: schema?.source ?? 'none',
      columns: schema ? schema.columns.map(c => c.name) : ['json'],
      keys: { partitionBy: keys.partitionBy, orderBy: keys.orderBy },
      warnings,
    };
  } finally {
    await rm(partial, { force: true }).catch(() => {});
    if (ownTemp) await rm(temp, { recursive: true, force: true }).catch(() => {});
  }
}

/** .enc files → plain files under TEMP/decrypted/<partition path>/, so hive partitioning still reads them. */
async function decryptAll(files: InputFile[], temp: string, o: DedupeRunOptions): Promise<Array<InputFile & { shownAs: string }>> {
  const encrypted = files.filter(f => f.encrypted);
  if (encrypted.length && !o.key) {
    throw new DedupeError(
      `${encrypted.length} file(s) are encrypted (e.g. ${encrypted[0].path}): pass --key FILE (your armored private key; the passphrase is asked for) so they can be decrypted first.`,
      { code: 'dedupe.needs-key' },
    );
  }
  const out: Array<InputFile & { shownAs: string }> = [];
  let done = 0;
  for (const f of files) {
    if (!f.encrypted) {
      out.push({ ...f, shownAs: f.path });
      continue;
    }
    throwIfAborted(o.signal);
    const dir = path.join(temp, 'decrypted', ...PARTITION_LEVELS.filter(l => f.partition[l] !== undefined).map(l => formatPartitionSegment(l, f.partition[l]!)));
    await mkdir(dir, { recursive: true });
    const target = path.join(dir, decryptedName(f.name));
    await decryptFile(f.path, target, o.key!, { signal: o.signal, mode: 0o600 });
    out.push({ ...f, path: target, name: path.basename(target), encrypted: false, shownAs: `${f.path} (decrypted)` });
    o.onProgress?.({ phase: 'decrypt', done: ++done, total: encrypted.length });
  }
  return out;
}

async function checkAll(files: Array<InputFile & { shownAs: string }>, o: DedupeRunOptions) {
  let done = 0;
  return mapLimit(files, Math.min(o.checkConcurrency ?? o.threads ?? 2, 2), async f => {
    const r = await checkDataFile(f.path, f.gzip, o.signal, f.shownAs);
    o.onProgress?.({ phase: 'check', done: ++done, total: files.length });
    return r;
  }, o.signal);
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      throwIfAborted(signal);
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

function schemaFor(o: DedupeRunOptions, sampled: ReturnType<typeof inferSchema>, warnings: string[], partitionNames: Set<string>): { source: DedupeSummary['schemaSource']; columns: Column[] } | undefined {
  let source: DedupeSummary['schemaSource'];
  let declared: Array<{ name: string; type?: string }>;
  const doc = o.docs ? findDocTable(o.docs, o.table) : undefined;
  if (doc?.columns.length) {
    source = 'export_docs';
    declared = doc.columns;
  } else if (o.columns?.length) {
    source = 'given';
    declared = o.columns;
  } else if (REFERENCE_COLUMNS[o.table]) {
    source = 'reference';
    declared = [...REFERENCE_COLUMNS[o.table]];
  } else {
    if (o.docs) warnings.push(`export_docs.yaml does not describe ${o.table}: the rows are kept as the vendor's JSON lines.`);
    return undefined;
  }
  const seen = new Map(sampled.columns.map(c => [c.name, c.type]));
  // The reference notes describe an older version: keep only what today's data still has.
  if (source === 'reference') declared = declared.filter(c => seen.has(c.name));
  const columns: Column[] = declared.filter(c => IDENT.test(c.name)).map(c => {
    const t = logicalType(c.type);
    // The reference notes are one customer's reading of an older version: the data has the last word.
    const s = seen.get(c.name);
    return { name: c.name, type: source === 'reference' && s !== undefined && s !== t && !(isTemporal(s) && t === 'string') ? s : t };
  });
  const known = new Set(columns.map(c => c.name));
  const shadowed = sampled.columns.filter(c => !known.has(c.name) && partitionNames.has(c.name));
  if (shadowed.length) warnings.push(`Field(s) ${shadowed.map(c => c.name).join(', ')} in the data share their name with partition folders and are left out: pass --raw to keep them.`);
  const extra = sampled.columns.filter(c => !known.has(c.name) && IDENT.test(c.name) && !partitionNames.has(c.name) && !c.name.startsWith('__'));
  if (extra.length) {
    warnings.push(`Column(s) in the data but not in the ${source} schema, added with inferred types: ${extra.map(c => `${c.name} ${c.type}`).join(', ')}.`);
    columns.push(...extra.map(c => ({ name: c.name, type: c.type })));
  }
  return { source, columns };
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const qi = (s: string) => `"${s.replace(/"/g, '""')}"`;
const HIVE_TYPES: Partial<Record<(typeof PARTITION_LEVELS)[number], string>> = { version: 'INTEGER', format: 'VARCHAR', dt: 'DATE', hr: 'INTEGER', mi: 'INTEGER' };

/** The order-by expression of a key: timestamps through try_cast (mixed precision, 'T' or space). */
function orderExpr(expr: string, type: LogicalType | undefined): string {
  if (type === 'bigint' || type === 'double' || type === 'boolean') return expr;
  return `try_cast(${expr} AS TIMESTAMPTZ)`;
}

export function buildQuery(q: {
  table: string; keys: DedupeKeys; files: string[]; hiveKeys: string[]; schema?: Column[]; sampled: Array<{ name: string; type: LogicalType }>;
  format: OutputFormat; partial: string;
}): string {
  const fileList = `[${q.files.map(lit).join(', ')}]`;
  const hive = q.hiveKeys.length
    ? `hive_partitioning = true, hive_types = {${q.hiveKeys.map(k => `${lit(k)}: ${HIVE_TYPES[k as keyof typeof HIVE_TYPES]}`).join(', ')}}`
    : 'hive_partitioning = false';
  // The split number (.NN) of a file orders re-exports within one partition.
  const split = `try_cast(regexp_extract("__file", '\\.jsonl\\.([0-9]{2})(\\.gz)?$', 1) AS INTEGER) AS "__split"`;
  const typeOf = new Map((q.schema ?? q.sampled).map(c => [c.name, c.type]));
  const orderCols = q.keys.orderBy.map((k, i) => ({ k, alias: `__o${i}` }));
  const partitionCols = q.keys.partitionBy.map((k, i) => ({ k, alias: `__p${i}` }));
  const tie = [...q.hiveKeys.filter(k => k === 'dt' || k === 'hr' || k === 'mi'), '__split', '__file'];
  let source: string;
  let outColumns: string[];
  if (q.schema) {
    const columns = `{${q.schema.map(c => `${qi(c.name)}: ${lit(DUCK_TYPES[c.type])}`).join(', ')}}`;
    source = [
      `(SELECT *, ${split},`,
      `    ${orderCols.map(c => `${orderExpr(qi(c.k), typeOf.get(c.k))} AS ${qi(c.alias)}`).concat('NULL AS "__none"').join(', ')}`,
      `  FROM read_json(${fileList}, format = 'newline_delimited', columns = ${columns}, ${hive}, filename = '__file'))`,
    ].join('\n');
    outColumns = q.schema.map(c => c.name);
    partitionCols.forEach(c => { c.alias = c.k; });
  } else {
    source = [
      `(SELECT "json", ${split},`,
      `    ${partitionCols.map(c => `"json"->>${lit(c.k)} AS ${qi(c.alias)}`).join(', ')},`,
      `    ${orderCols.map(c => `${orderExpr(`"json"->>${lit(c.k)}`, typeOf.get(c.k))} AS ${qi(c.alias)}`).concat('NULL AS "__none"').join(', ')},`,
      `    ${['__file', ...q.hiveKeys].map(qi).join(', ')}`,
      `  FROM read_ndjson_objects(${fileList}, ${hive}, filename = '__file'))`,
    ].join('\n');
    outColumns = ['json'];
  }
  const { sql } = generateDedupeSql({
    table: q.table,
    dialect: 'duckdb',
    sourceSql: source,
    columns: outColumns,
    keys: { partitionBy: partitionCols.map(c => c.alias), orderBy: orderCols.map(c => c.alias) },
    tieBreak: { kind: 'columns', columns: tie },
  });
  const options = q.format === 'parquet'
    ? 'FORMAT parquet'
    : q.format === 'csv'
      ? 'FORMAT csv, HEADER true'
      : q.schema
        ? 'FORMAT json'
        // The vendor's lines as they are: one unquoted column, no delimiter can occur in JSON text.
        : "FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\\x01'";
  return `COPY (\n${sql}\n) TO ${lit(q.partial)} (${options})`;
}

async function runCopy(sql: string, temp: string, o: DedupeRunOptions): Promise<number> {
  throwIfAborted(o.signal);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const spill = path.join(temp, 'spill');
  await mkdir(spill, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(o.threads ?? Math.max(1, Math.min(4, os.availableParallelism()))),
    memory_limit: o.memoryLimit ?? '1GB',
    temp_directory: spill,
    preserve_insertion_order: 'false',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await instance.connect();
  const onAbort = () => conn.interrupt();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) {
    o.signal.removeEventListener('abort', onAbort);
    conn.closeSync();
    instance.closeSync();
    throw new CancellationError();
  }
  const timer = o.onProgress
    ? setInterval(() => {
      const p = conn.progress as { percentage?: number };
      if (typeof p?.percentage === 'number' && p.percentage >= 0) o.onProgress!({ phase: 'query', done: Math.round(p.percentage), total: 100 });
    }, 500)
    : undefined;
  try {
    const reader = await conn.runAndReadAll(sql);
    const row = reader.getRows()[0];
    return Number(row?.[0] ?? 0);
  } catch (e) {
    if (o.signal?.aborted) throw new CancellationError();
    throw toDedupeError(e, o);
  } finally {
    if (timer) clearInterval(timer);
    o.signal?.removeEventListener('abort', onAbort);
    conn.closeSync();
    instance.closeSync();
  }
}

function toDedupeError(e: unknown, o: DedupeRunOptions): DedupeError {
  const message = (e as Error)?.message?.split('\n')[0] ?? String(e);
  if (/Out of Memory/i.test(message)) {
    return new DedupeError(`DuckDB ran out of memory (memory_limit ${o.memoryLimit ?? '1GB'}): raise --memory-limit or dedupe fewer days at a time. (${message})`, { code: 'dedupe.out-of-memory', cause: e });
  }
  if (/Malformed JSON|JSON/i.test(message) && /file "([^"]+)"/.test(message)) {
    return new DedupeError(`A file holds a line that is not valid JSON: ${message}. Download that file again.`, { code: 'dedupe.bad-json', cause: e });
  }
  if (/Could not convert|Conversion Error/i.test(message)) {
    return new DedupeError(`A value does not fit the column type of the schema (${message}). Check export_docs.yaml for a changed type (asapp-exports schema diff), or pass --raw to keep the lines as they are.`, {
      code: 'dedupe.type-mismatch', cause: e,
    });
  }
  return new DedupeError(`DuckDB could not dedupe ${o.table}: ${message}`, { code: 'dedupe.query-failed', cause: e });
}
