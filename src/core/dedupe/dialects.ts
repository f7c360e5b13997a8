// What differs between SQL engines for the dedupe query: identifier quoting, QUALIFY or a subquery, the
// engine's "which file did this row come from" column (our "latest run" tie-breaker), and a timestamp
// cast that yields NULL instead of failing on a malformed value.
import { UsageError } from '../errors';

export const DIALECTS = ['ansi', 'athena', 'trino', 'spark', 'databricks', 'snowflake', 'bigquery', 'duckdb', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];

export interface DialectSpec {
  name: Dialect;
  label: string;
  /** QUALIFY row_number() … = 1; otherwise the guide's ROW_NUMBER subquery. */
  qualify: boolean;
  /** The engine's file-path expression for rows of an external table; undefined: the engine has none. */
  filePath?: string;
  quoteIdent(name: string): string;
  /** A qualified source name (`db.schema.table`) quoted per part (BigQuery: as one path). */
  quoteSource(name: string): string;
  /** Casts a text timestamp to a timestamp, NULL when it does not parse. */
  castTimestamp(expr: string): string;
  /** BigQuery wants a WHERE (or GROUP BY/HAVING) next to QUALIFY. */
  qualifyNeedsWhere?: boolean;
}

const doubleQuote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const backtick = (name: string) => `\`${name.replace(/`/g, '``')}\``;

// Snowflake folds unquoted names to upper case and treats quoted names as case-sensitive, so quoting a
// lower-case column would NOT find a column created unquoted. Quote only what must be quoted.
const SNOWFLAKE_RESERVED = new Set([
  'all', 'alter', 'and', 'any', 'as', 'between', 'by', 'case', 'cast', 'check', 'column', 'connect', 'create', 'current',
  'delete', 'distinct', 'drop', 'else', 'exists', 'false', 'following', 'for', 'from', 'full', 'grant', 'group', 'having',
  'ilike', 'in', 'increment', 'inner', 'insert', 'intersect', 'into', 'is', 'join', 'lateral', 'left', 'like', 'localtime',
  'minus', 'natural', 'not', 'null', 'of', 'on', 'or', 'order', 'qualify', 'regexp', 'revoke', 'right', 'rlike', 'row',
  'rows', 'sample', 'select', 'set', 'some', 'start', 'table', 'tablesample', 'then', 'to', 'trigger', 'true', 'try_cast',
  'union', 'unique', 'update', 'using', 'values', 'when', 'whenever', 'where', 'with',
]);
const snowflakeIdent = (name: string) =>
  /^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) && !SNOWFLAKE_RESERVED.has(name.toLowerCase()) ? name : doubleQuote(name);

const perPart = (quote: (s: string) => string) => (name: string) => splitQualified(name).map(quote).join('.');

function spec(s: Omit<DialectSpec, 'quoteSource'> & { quoteSource?: DialectSpec['quoteSource'] }): DialectSpec {
  return { ...s, quoteSource: s.quoteSource ?? perPart(s.quoteIdent) };
}

export const DIALECT_SPECS: Record<Dialect, DialectSpec> = {
  ansi: spec({ name: 'ansi', label: 'ANSI SQL (the guide\'s ROW_NUMBER subquery)', qualify: false, quoteIdent: doubleQuote, castTimestamp: e => `CAST(${e} AS TIMESTAMP)` }),
  // Athena engine v3 is Trino: "$path" is the S3 object of each row.
  athena: spec({ name: 'athena', label: 'Amazon Athena (engine v3)', qualify: false, filePath: '"$path"', quoteIdent: doubleQuote, castTimestamp: trinoTimestamp }),
  trino: spec({ name: 'trino', label: 'Trino / Presto (Hive connector)', qualify: false, filePath: '"$path"', quoteIdent: doubleQuote, castTimestamp: trinoTimestamp }),
  spark: spec({ name: 'spark', label: 'Apache Spark SQL 3.x', qualify: false, filePath: 'input_file_name()', quoteIdent: backtick, castTimestamp: e => `try_cast(${e} AS TIMESTAMP)` }),
  // Unity Catalog rejects input_file_name(); _metadata.file_path is the supported column.
  databricks: spec({ name: 'databricks', label: 'Databricks SQL', qualify: false, filePath: '_metadata.file_path', quoteIdent: backtick, castTimestamp: e => `try_cast(${e} AS TIMESTAMP)` }),
  snowflake: spec({ name: 'snowflake', label: 'Snowflake (external table)', qualify: true, filePath: 'METADATA$FILENAME', quoteIdent: snowflakeIdent, castTimestamp: e => `TRY_TO_TIMESTAMP_TZ(${e})` }),
  bigquery: spec({
    name: 'bigquery', label: 'Google BigQuery (external table)', qualify: true, qualifyNeedsWhere: true, filePath: '_FILE_NAME', quoteIdent: backtick,
    quoteSource: name => backtick(splitQualified(name).join('.')), castTimestamp: e => `SAFE_CAST(${e} AS TIMESTAMP)`,
  }),
  // read_json(…, filename = true) adds the `filename` column.
  duckdb: spec({ name: 'duckdb', label: 'DuckDB', qualify: true, filePath: '"filename"', quoteIdent: doubleQuote, castTimestamp: e => `try_cast(${e} AS TIMESTAMPTZ)` }),
  postgres: spec({ name: 'postgres', label: 'PostgreSQL', qualify: false, quoteIdent: doubleQuote, castTimestamp: e => `CAST(${e} AS TIMESTAMPTZ)` }),
};

/** Trino's varchar→timestamp cast rejects the ISO 'T'; from_iso8601_timestamp rejects a space. */
function trinoTimestamp(e: string): string {
  return `try(from_iso8601_timestamp(replace(${e}, ' ', 'T')))`;
}

export function dialectSpec(name: string): DialectSpec {
  const key = name.trim().toLowerCase() === 'postgresql' ? 'postgres' : name.trim().toLowerCase();
  const s = (DIALECT_SPECS as Record<string, DialectSpec | undefined>)[key];
  if (!s) throw new UsageError(`Unknown SQL dialect "${name}": use one of ${DIALECTS.join(', ')}.`, 'dedupe.unknown-dialect');
  return s;
}

function splitQualified(name: string): string[] {
  const parts = name.split('.').map(p => p.trim());
  if (!name.trim() || parts.some(p => p === '')) {
    throw new UsageError(`"${name}" is not a table name: use NAME or SCHEMA.NAME (e.g. exports.convos_metrics).`, 'dedupe.bad-source');
  }
  return parts;
}
