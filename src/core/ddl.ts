// Warehouse DDL that puts one export feed under the user's engine, with the dedupe view on top:
//   athena     CREATE EXTERNAL TABLE (OpenX JSON SerDe) with partition projection — no MSCK/crawler
//   spark      CREATE TABLE … USING json PARTITIONED BY … + RECOVER PARTITIONS (Spark 3 / Databricks)
//   snowflake  file format + external table over a stage, partitions parsed from METADATA$FILENAME
//   bigquery   external table with hive partitioning (BigQuery Omni connection for s3://, or gs://)
// Timestamps are declared as text in every engine (the vendor mixes precisions and 'T'/space; the
// serdes disagree on what they accept) and the dedupe view orders by a cast that yields NULL on junk.
import { UsageError } from './errors';
import { formatExportPrefix, parseExportUri, type ExportLocation } from './layout';
import { generateDedupeSql } from './dedupe/sql';
import { resolveDedupeKeys, type DedupeKeys } from './dedupe/reference';
import { logicalType, type LogicalType } from './schema/types';

export const WAREHOUSES = ['athena', 'spark', 'snowflake', 'bigquery'] as const;
export type Warehouse = (typeof WAREHOUSES)[number];

export interface DdlOptions {
  engine: Warehouse;
  /** s3://BUCKET/[SUB/]FEED/version=N/format=jsonl/ (version defaults to 1, format to jsonl). gs:// for BigQuery. */
  location: string;
  subFolder?: string;
  columns: Array<{ name: string; type?: string }>;
  /** Partition levels below format=: dt, then hr, then mi. */
  partitioning: Array<'dt' | 'hr' | 'mi'>;
  /** Minutes the feed uses (mi=…), e.g. ['00','15','30','45']. */
  minutes?: string[];
  /** First dt of the projection range (YYYY-MM-DD); default 2019-01-01. */
  since?: string;
  /** Database / schema / dataset that holds the objects. */
  database?: string;
  keys?: Partial<DedupeKeys>;
  /** Snowflake: stage name pointing at s3://BUCKET/[SUB/]. */
  stage?: string;
  /** BigQuery: connection for s3:// (BigQuery Omni), e.g. aws-us-east-1.asapp_exports. */
  connection?: string;
}

export interface Ddl {
  engine: Warehouse;
  table: string;
  rawTable: string;
  view: string;
  statements: string[];
  sql: string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function generateDdl(o: DdlOptions): Ddl {
  if (!(WAREHOUSES as readonly string[]).includes(o.engine)) {
    throw new UsageError(`Unknown warehouse "${o.engine}": use one of ${WAREHOUSES.join(', ')}.`, 'ddl.unknown-engine');
  }
  const { scheme, loc } = parseLocation(o.location, o.subFolder);
  if (scheme === 'gs' && o.engine !== 'bigquery') throw new UsageError('gs:// locations only make sense for BigQuery: give the s3:// location of the feed.', 'ddl.bad-location');
  const feed = loc.feed!;
  const columns = o.columns.map(c => {
    if (!IDENT.test(c.name)) throw new UsageError(`Column "${c.name}" is not a plain name: rename it in the docs or leave it out.`, 'ddl.bad-column');
    return { name: c.name, type: logicalType(c.type) };
  }).filter(c => !['dt', 'hr', 'mi'].includes(c.name));
  if (!columns.length) throw new UsageError(`No columns for ${feed}: pass --docs export_docs.yaml or --sample FILE.`, 'ddl.no-columns');
  if (o.partitioning[0] !== 'dt' || o.partitioning.some((p, i) => p !== (['dt', 'hr', 'mi'] as const)[i])) {
    throw new UsageError(`Partitioning must be dt, dt/hr or dt/hr/mi (got ${o.partitioning.join('/') || 'nothing'}).`, 'ddl.bad-partitioning');
  }
  const minutes = o.minutes?.length ? o.minutes : ['00', '15', '30', '45'];
  if (minutes.some(m => !/^[0-5]\d$/.test(m))) throw new UsageError(`--minutes takes two-digit minutes, e.g. 00,15,30,45.`, 'ddl.bad-minutes');
  const since = o.since ?? '2019-01-01';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(since)) throw new UsageError(`--since "${since}" is not a date (YYYY-MM-DD).`, 'ddl.bad-since');
  const keys = resolveDedupeKeys(feed, o.keys);
  for (const k of [...keys.partitionBy, ...keys.orderBy]) {
    if (!columns.some(c => c.name === k)) {
      throw new UsageError(`The dedupe key ${k} of ${feed} is not among the columns (${columns.map(c => c.name).join(', ')}): check the docs or pass --partition-by/--order-by.`, 'ddl.missing-key');
    }
  }
  const prefix = formatExportPrefix(loc);
  const url = `${scheme}://${loc.bucket}/${prefix}`;
  const db = o.database;
  const rawName = `${feed}_raw`;
  const ctx: Ctx = { feed, columns, partitioning: o.partitioning, minutes, since, url, db, rawName, keys, loc, o };
  const statements = o.engine === 'athena' ? athena(ctx) : o.engine === 'spark' ? spark(ctx) : o.engine === 'snowflake' ? snowflake(ctx) : bigquery(ctx);
  const qualified = (n: string) => (db ? `${db}.${n}` : n);
  return { engine: o.engine, table: feed, rawTable: qualified(rawName), view: qualified(feed), statements, sql: statements.map(s => `${s};\n`).join('\n') };
}

interface Ctx {
  feed: string; columns: Array<{ name: string; type: LogicalType }>; partitioning: Array<'dt' | 'hr' | 'mi'>; minutes: string[]; since: string;
  url: string; db?: string; rawName: string; keys: DedupeKeys; loc: ExportLocation; o: DdlOptions;
}

function parseLocation(uri: string, subFolder?: string): { scheme: 's3' | 'gs'; loc: ExportLocation } {
  const m = /^(s3|gs):\/\//.exec(uri.trim());
  if (!m) throw new UsageError(`"${uri}" is not an s3:// location: give s3://BUCKET/[SUB/]FEED/version=N/format=jsonl/.`, 'ddl.bad-location');
  const asS3 = `s3://${uri.trim().slice(5)}`;
  const loc = parseExportUri(asS3.endsWith('/') ? asS3 : `${asS3}/`, subFolder !== undefined ? { subFolder } : {});
  if (!loc.feed) throw new UsageError(`"${uri}" does not name a feed: give s3://BUCKET/[SUB/]FEED/version=N/format=jsonl/ (with --sub-folder when the feed has no version= below it).`, 'ddl.bad-location');
  if (loc.dt !== undefined) throw new UsageError(`"${uri}" points into one partition: give the feed's format=jsonl/ folder, the table covers every dt.`, 'ddl.bad-location');
  return { scheme: m[1] as 's3' | 'gs', loc: { ...loc, version: loc.version ?? 1, format: loc.format ?? 'jsonl' } };
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const bt = (s: string) => `\`${s}\``;

/** The dedupe view's SELECT for one engine, over the raw table, with the partition columns kept. */
function viewSelect(c: Ctx, dialect: 'athena' | 'spark' | 'snowflake' | 'bigquery', source: string): string {
  return generateDedupeSql({
    table: c.feed, dialect, source, keys: c.keys, castTimestamps: true,
    columns: [...c.columns.map(x => x.name), ...c.partitioning],
  }).sql;
}

// ------------------------------------------------------------------------------------------- athena

const ATHENA_TYPES: Record<LogicalType, string> = { string: 'string', bigint: 'bigint', double: 'double', boolean: 'boolean', timestamp: 'string', date: 'string', json: 'string' };

function athena(c: Ctx): string[] {
  const q = (n: string) => (c.db ? `${bt(c.db)}.${bt(n)}` : bt(n));
  const props: Array<[string, string]> = [
    ['projection.enabled', 'true'],
    ['projection.dt.type', 'date'],
    ['projection.dt.format', 'yyyy-MM-dd'],
    ['projection.dt.range', `${c.since},NOW`],
    ['projection.dt.interval', '1'],
    ['projection.dt.interval.unit', 'DAYS'],
  ];
  if (c.partitioning.includes('hr')) props.push(['projection.hr.type', 'integer'], ['projection.hr.range', '0,23'], ['projection.hr.digits', '2']);
  if (c.partitioning.includes('mi')) props.push(['projection.mi.type', 'enum'], ['projection.mi.values', c.minutes.join(',')]);
  const partCols = c.partitioning.map(p => `${bt(p)} ${p === 'hr' ? 'int' : 'string'}`);
  const table = [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${q(c.rawName)} (`,
    c.columns.map(x => `  ${bt(x.name)} ${ATHENA_TYPES[x.type]}`).join(',\n'),
    ')',
    `PARTITIONED BY (${partCols.join(', ')})`,
    "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'",
    "WITH SERDEPROPERTIES ('ignore.malformed.json' = 'false')",
    "STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'",
    "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'",
    `LOCATION ${lit(c.url)}`,
    'TBLPROPERTIES (',
    props.map(([k, v]) => `  ${lit(k)} = ${lit(v)}`).join(',\n'),
    ')',
  ].join('\n');
  // Views are Trino SQL: double quotes.
  const source = c.db ? `${c.db}.${c.rawName}` : c.rawName;
  const view = `CREATE OR REPLACE VIEW ${c.db ? `"${c.db}".` : ''}"${c.feed}" AS\n${viewSelect(c, 'athena', source)}`;
  return [table, view];
}

// -------------------------------------------------------------------------------------------- spark

const SPARK_TYPES: Record<LogicalType, string> = { string: 'STRING', bigint: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN', timestamp: 'STRING', date: 'STRING', json: 'STRING' };

function spark(c: Ctx): string[] {
  const q = (n: string) => (c.db ? `${bt(c.db)}.${bt(n)}` : bt(n));
  const table = [
    `CREATE TABLE IF NOT EXISTS ${q(c.rawName)} (`,
    [...c.columns.map(x => `  ${bt(x.name)} ${SPARK_TYPES[x.type]}`), ...c.partitioning.map(p => `  ${bt(p)} STRING`)].join(',\n'),
    ')',
    'USING json',
    `PARTITIONED BY (${c.partitioning.map(bt).join(', ')})`,
    `LOCATION ${lit(c.url)}`,
  ].join('\n');
  // Partitions already on S3 are registered once; run it again after new days land (or use
  // spark.sql.sources.partitionDiscovery via a path-based read instead of the table).
  const recover = `ALTER TABLE ${q(c.rawName)} RECOVER PARTITIONS`;
  const view = `CREATE OR REPLACE VIEW ${q(c.feed)} AS\n${viewSelect(c, 'spark', c.db ? `${c.db}.${c.rawName}` : c.rawName)}`;
  return [table, recover, view];
}

// ---------------------------------------------------------------------------------------- snowflake

const SNOWFLAKE_TYPES: Record<LogicalType, string> = { string: 'VARCHAR', bigint: 'NUMBER(38,0)', double: 'FLOAT', boolean: 'BOOLEAN', timestamp: 'VARCHAR', date: 'VARCHAR', json: 'VARIANT' };

function snowflake(c: Ctx): string[] {
  const q = (n: string) => (c.db ? `${c.db}.${n}` : n);
  const stage = c.o.stage ?? 'asapp_exports_stage';
  const stageUrl = `s3://${c.loc.bucket}/${c.loc.subFolder ? `${c.loc.subFolder}/` : ''}`;
  const feedPath = formatExportPrefix({ ...c.loc, bucket: c.loc.bucket, subFolder: '' });
  const fileFormat = q('asapp_jsonl');
  const stmts = [
    `-- Once per bucket; needs a storage integration allowed to read ${stageUrl}\nCREATE STAGE IF NOT EXISTS ${q(stage)}\n  URL = ${lit(stageUrl)}\n  STORAGE_INTEGRATION = asapp_exports_integration`,
    `CREATE FILE FORMAT IF NOT EXISTS ${fileFormat}\n  TYPE = JSON\n  COMPRESSION = AUTO`,
  ];
  const part = (p: 'dt' | 'hr' | 'mi') => {
    const piece = `SPLIT_PART(REGEXP_SUBSTR(METADATA$FILENAME, '${p}=[0-9-]+'), '=', 2)`;
    return p === 'dt' ? `  dt VARCHAR AS (${piece})` : `  ${p} VARCHAR AS (${piece})`;
  };
  const cols = c.columns.map(x => {
    const t = SNOWFLAKE_TYPES[x.type];
    return `  ${x.name} ${t} AS (VALUE:${x.name}::${t === 'NUMBER(38,0)' ? 'NUMBER' : t})`;
  });
  stmts.push([
    `CREATE OR REPLACE EXTERNAL TABLE ${q(c.rawName)} (`,
    [...c.partitioning.map(part), ...cols].join(',\n'),
    ')',
    `PARTITION BY (${c.partitioning.join(', ')})`,
    `LOCATION = @${q(stage)}/${feedPath}`,
    // Data files only: not _SUCCESS, not .enc (Snowflake cannot decrypt the vendor's OpenPGP layer).
    `PATTERN = '.*[.]jsonl([.][0-9]{2})?([.]gz)?'`,
    `FILE_FORMAT = (FORMAT_NAME = ${lit(fileFormat)})`,
    'AUTO_REFRESH = FALSE',
  ].join('\n'));
  stmts.push(`ALTER EXTERNAL TABLE ${q(c.rawName)} REFRESH`);
  stmts.push(`CREATE OR REPLACE VIEW ${q(c.feed)} AS\n${viewSelect(c, 'snowflake', q(c.rawName))}`);
  return stmts;
}

// ----------------------------------------------------------------------------------------- bigquery

const BIGQUERY_TYPES: Record<LogicalType, string> = { string: 'STRING', bigint: 'INT64', double: 'FLOAT64', boolean: 'BOOL', timestamp: 'STRING', date: 'STRING', json: 'JSON' };

function bigquery(c: Ctx): string[] {
  const dataset = c.db ?? 'asapp_exports';
  const name = (n: string) => `${dataset}.${n}`;
  const s3 = c.url.startsWith('s3://');
  const partCols = c.partitioning.map(p => `${p} ${p === 'dt' ? 'DATE' : 'STRING'}`);
  const table = [
    `CREATE OR REPLACE EXTERNAL TABLE ${bt(name(c.rawName))} (`,
    c.columns.map(x => `  ${x.name} ${BIGQUERY_TYPES[x.type]}`).join(',\n'),
    ')',
    `WITH PARTITION COLUMNS (${partCols.join(', ')})`,
    ...(s3 ? [`WITH CONNECTION ${bt(c.o.connection ?? `aws-${regionOf(c.loc.bucket)}.asapp_exports`)}`] : []),
    'OPTIONS (',
    "  format = 'NEWLINE_DELIMITED_JSON',",
    "  compression = 'GZIP',",
    `  uris = [${lit(`${c.url}*.gz`)}],`,
    `  hive_partition_uri_prefix = ${lit(c.url.replace(/\/$/, ''))},`,
    '  require_hive_partition_filter = false',
    ')',
  ].join('\n');
  const view = `CREATE OR REPLACE VIEW ${bt(name(c.feed))} AS\n${viewSelect(c, 'bigquery', name(c.rawName))}`;
  return [table, view];
}

function regionOf(bucket: string): string {
  return /-exports-([a-z]{2}(?:-[a-z]+)+-\d+)$/.exec(bucket)?.[1] ?? 'us-east-1';
}
