// The "latest row per key" query of the vendor guide, in the user's SQL dialect.
//
// Order of the window, most significant first:
//   1. the table's order-by columns (reference.ts), each DESC NULLS LAST — a row without a timestamp
//      never beats one with a timestamp;
//   2. the tie-breaker for "latest run": the export the row came from, later first. Locally that is
//      the hive partition (dt, hr, mi) and the split number; in a warehouse the engine's file-path
//      column (whose text sorts like dt/hr/mi/split, zero-padded) or a load column the user names.
// Tables without an order-by therefore keep the row of the latest export.
import { DedupeError, UsageError } from '../errors';
import { isValidDate } from '../layout';
import { dialectSpec, type Dialect, type DialectSpec } from './dialects';
import { resolveDedupeKeys, type DedupeKeys } from './reference';

export type TieBreak =
  /** The engine's file-path column (the default where the dialect has one). */
  | { kind: 'path' }
  /** Columns, each DESC NULLS LAST: a load timestamp, or the partition columns dt, hr, mi. */
  | { kind: 'columns'; columns: string[] }
  | { kind: 'none' };

export interface DedupeSqlOptions {
  table: string;
  dialect: Dialect | string;
  /** Relation to read, `NAME` or `SCHEMA.NAME`; default: the table name. */
  source?: string;
  /** Ready-made FROM text (a table function, e.g. DuckDB read_json(…)); wins over `source`. */
  sourceSql?: string;
  /** Output columns; default all. */
  columns?: string[];
  /** Keep only partitions with dt >= this date (YYYY-MM-DD). */
  since?: string;
  /** Keys for tables the guide does not list, or to override it. */
  keys?: Partial<DedupeKeys>;
  tieBreak?: TieBreak;
  /** Order by the timestamps cast from text (for tables whose timestamp columns are strings). */
  castTimestamps?: boolean;
  /** Name of the row-number column of the subquery form. */
  rowNumberAlias?: string;
}

export interface DedupeSql {
  sql: string;
  dialect: Dialect;
  keys: DedupeKeys & { source: 'reference' | 'custom' };
  tieBreak: TieBreak;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function generateDedupeSql(o: DedupeSqlOptions): DedupeSql {
  const d = dialectSpec(o.dialect);
  const keys = resolveDedupeKeys(o.table, o.keys);
  for (const c of [...keys.partitionBy, ...keys.orderBy, ...(o.columns ?? [])]) checkColumn(c);
  if (!keys.partitionBy.length) {
    throw new DedupeError(`No partition-by columns for "${o.table}": give --partition-by.`, { code: 'dedupe.no-keys' });
  }
  if (o.since !== undefined && !isValidDate(o.since)) {
    throw new UsageError(`--since "${o.since}" is not a date: use YYYY-MM-DD, e.g. 2024-01-31.`, 'dedupe.bad-since');
  }
  const tieBreak = o.tieBreak ?? defaultTieBreak(d);
  if (tieBreak.kind === 'path' && !d.filePath) {
    throw new UsageError(`${d.label} has no file-path column: name a load column instead (--tie-break COLUMN).`, 'dedupe.no-file-path');
  }
  if (tieBreak.kind === 'columns') tieBreak.columns.forEach(checkColumn);

  const q = d.quoteIdent;
  const from = o.sourceSql ?? d.quoteSource(o.source ?? o.table);
  const order = [
    ...keys.orderBy.map(c => `${o.castTimestamps ? d.castTimestamp(q(c)) : q(c)} DESC NULLS LAST`),
    ...tieBreakTerms(tieBreak, d),
  ];
  const window = `ROW_NUMBER() OVER (PARTITION BY ${keys.partitionBy.map(q).join(', ')}${order.length ? ` ORDER BY ${order.join(', ')}` : ''})`;
  const where = o.since ? `WHERE ${q('dt')} >= '${o.since}'` : d.qualifyNeedsWhere ? 'WHERE TRUE' : undefined;
  const list = o.columns?.length ? o.columns.map(q).join(', ') : '*';
  const lines: string[] = [];
  if (tieBreak.kind === 'none') {
    lines.push('-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.');
  }
  if (d.qualify) {
    lines.push(`SELECT ${list}`, `FROM ${from}`, ...(where ? [where] : []), `QUALIFY ${window} = 1`);
  } else {
    const rn = q(o.rowNumberAlias ?? 'row_idx');
    lines.push(
      `SELECT ${list}`,
      'FROM (',
      // `src.*` rather than `*, …`: standard SQL does not allow a bare * next to other items.
      `  SELECT ${q('src')}.*,`,
      `    ${window} AS ${rn}`,
      `  FROM ${from} AS ${q('src')}`,
      ...(where ? [`  ${where}`] : []),
      `) AS ${q('latest')}`,
      `WHERE ${rn} = 1`,
    );
  }
  return { sql: lines.join('\n'), dialect: d.name, keys, tieBreak };
}

export function defaultTieBreak(d: DialectSpec): TieBreak {
  return d.filePath ? { kind: 'path' } : { kind: 'none' };
}

function tieBreakTerms(t: TieBreak, d: DialectSpec): string[] {
  if (t.kind === 'path') return [`${d.filePath} DESC`];
  if (t.kind === 'columns') return t.columns.map(c => `${d.quoteIdent(c)} DESC NULLS LAST`);
  return [];
}

function checkColumn(name: string): void {
  if (!IDENT.test(name)) {
    throw new UsageError(`"${name}" is not a column name: use letters, digits and "_" (e.g. issue_id).`, 'dedupe.bad-column');
  }
}
