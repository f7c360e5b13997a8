// `tables`, `dedupe sql` and `dedupe run`: the guide's dedupe reference, the query for a warehouse, and
// a local run on pulled files with embedded DuckDB.
import path from 'node:path';
import type { CliCommand, OptionValues } from '../command';
import type { CliContext } from '../context';
import { UsageError } from '../../core/errors';
import { DEDUPE_REFERENCE, type DedupeKeys } from '../../core/dedupe/reference';
import { DIALECTS } from '../../core/dedupe/dialects';
import { generateDedupeSql, type TieBreak } from '../../core/dedupe/sql';
import { OUTPUT_FORMATS, runDedupe, type DedupeProgress, type OutputFormat } from '../../core/dedupe/runner';
import { loadExportDocs } from '../../core/schema/load';
import { createS3Client } from '../../core/s3';
import { resolveConnection } from '../connection';
import { loadKey } from '../keyInput';

export function listOption(values: OptionValues, name: string): string[] | undefined {
  const v = values[name];
  if (v === undefined || typeof v === 'boolean') return undefined;
  const list = (Array.isArray(v) ? v : [v]).flatMap(s => s.split(',')).map(s => s.trim()).filter(Boolean);
  return list.length ? list : undefined;
}

export function keysOption(values: OptionValues): Partial<DedupeKeys> | undefined {
  const partitionBy = listOption(values, 'partition-by');
  const orderBy = listOption(values, 'order-by');
  if (!partitionBy && !orderBy) return undefined;
  return { ...(partitionBy ? { partitionBy } : {}), ...(orderBy ? { orderBy } : {}) };
}

function oneTable(positionals: string[], usage: string): string {
  if (positionals.length < 1) throw new UsageError(`Name the table, e.g. ${usage}.`);
  return positionals[0];
}

const KEY_OPTIONS = {
  'partition-by': { type: 'string' },
  'order-by': { type: 'string' },
} as const;

const tables: CliCommand = {
  name: 'tables',
  summary: "The guide's deduping reference: partition-by and order-by columns of every table",
  usage: 'tables [--json]',
  async run(ctx) {
    if (ctx.json) {
      ctx.printJson(DEDUPE_REFERENCE.map(r => ({ name: r.name, partitionBy: r.partitionBy, orderBy: r.orderBy, deprecated: Boolean(r.deprecated) })));
      return;
    }
    const rows = [['TABLE', 'PARTITION BY', 'ORDER BY (DESC)'], ...DEDUPE_REFERENCE.map(r => [
      r.name + (r.deprecated ? ' (deprecated)' : ''), r.partitionBy.join(', '), r.orderBy.length ? r.orderBy.join(', ') : '— (latest export wins)',
    ])];
    const w = [0, 1].map(i => Math.max(...rows.map(r => r[i].length)));
    for (const r of rows) ctx.print(`${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2]}`);
    ctx.print();
    ctx.print(`${DEDUPE_REFERENCE.length} tables. Ties (and tables without an order-by) go to the latest export: dt, hr, mi, split — or the file path in a warehouse.`);
  },
};

const sql: CliCommand = {
  name: 'dedupe sql',
  summary: 'Print the "latest row per key" query for a table in your SQL dialect',
  usage: `dedupe sql TABLE [--dialect ${DIALECTS.join('|')}] [--source NAME] [--since YYYY-MM-DD] [--columns a,b] [--partition-by a,b --order-by c] [--tie-break COL] [--cast-timestamps]`,
  details: [
    'Default dialect: ansi (the guide\'s ROW_NUMBER subquery). snowflake, bigquery and duckdb use QUALIFY.',
    'Ties go to the latest export: the engine\'s file-path column ("$path", input_file_name(), _metadata.file_path,',
    'METADATA$FILENAME, _FILE_NAME, DuckDB filename) — or the column(s) you name with --tie-break (e.g. a load timestamp).',
    'ansi and postgres have no file-path column: name one with --tie-break.',
    '--cast-timestamps orders by the timestamps parsed from text (for tables that keep them as strings).',
    'Unknown tables: give --partition-by (and --order-by).',
  ],
  options: {
    dialect: { type: 'string' }, source: { type: 'string' }, since: { type: 'string' }, columns: { type: 'string' },
    'tie-break': { type: 'string' }, 'cast-timestamps': { type: 'boolean' }, ...KEY_OPTIONS,
  },
  async run(ctx, { values, positionals }) {
    const table = oneTable(positionals, 'dedupe sql convos_metrics --dialect athena');
    const tieCols = listOption(values, 'tie-break');
    const tieBreak: TieBreak | undefined = tieCols ? (tieCols.length === 1 && tieCols[0] === 'none' ? { kind: 'none' } : { kind: 'columns', columns: tieCols }) : undefined;
    const out = generateDedupeSql({
      table,
      dialect: (values.dialect as string | undefined) ?? 'ansi',
      source: values.source as string | undefined,
      since: values.since as string | undefined,
      columns: listOption(values, 'columns'),
      keys: keysOption(values),
      tieBreak,
      castTimestamps: Boolean(values['cast-timestamps']),
    });
    if (ctx.json) ctx.printJson({ table, dialect: out.dialect, keys: out.keys, tieBreak: out.tieBreak, sql: out.sql });
    else ctx.print(`${out.sql};`);
  },
};

const run: CliCommand = {
  name: 'dedupe run',
  summary: 'Dedupe a pulled feed locally with embedded DuckDB → Parquet, JSONL or CSV, with a summary',
  usage: 'dedupe run TABLE --in DIR [FILE…] [--out FILE] [--format parquet|jsonl|csv] [--docs FILE|s3://…] [--raw] [--key FILE] [--memory-limit 1GB] [--threads N] [--overwrite] [--json]',
  details: [
    '--in is the folder `pull` wrote for the feed (…/FEED or …/FEED/version=N); files may be listed too.',
    'Columns come from --docs (export_docs.yaml), else the columns known for the table, widened by the keys in the data;',
    'with --raw (or for tables nothing is known about) the vendor\'s JSON lines are kept byte-exact.',
    '.enc files are decrypted first with --key (passphrase: --passphrase-file, ASAPP_EXPORTS_PASSPHRASE or a prompt).',
    'Every file is read once before the query: an empty, truncated or corrupt file stops the run with its name.',
  ],
  options: {
    in: { type: 'string', multiple: true }, out: { type: 'string' }, format: { type: 'string' }, docs: { type: 'string' }, raw: { type: 'boolean' },
    key: { type: 'string' }, 'passphrase-file': { type: 'string' }, 'memory-limit': { type: 'string' }, threads: { type: 'string' },
    overwrite: { type: 'boolean' }, 'sub-folder': { type: 'string' }, ...KEY_OPTIONS,
  },
  async run(ctx, { values, positionals }) {
    const table = oneTable(positionals, 'dedupe run convos_metrics --in ./exports/convos_metrics');
    const inputs = [...((values.in as string[] | undefined) ?? []), ...positionals.slice(1)].map(p => path.resolve(ctx.cwd, p));
    if (!inputs.length) throw new UsageError('Give the pulled folder of the feed: --in DIR.');
    const format = ((values.format as string | undefined) ?? 'parquet').toLowerCase();
    if (!OUTPUT_FORMATS.includes(format as OutputFormat)) throw new UsageError(`--format ${format}: use parquet, jsonl or csv.`);
    const threads = values.threads === undefined ? undefined : Number(values.threads);
    if (threads !== undefined && !(Number.isInteger(threads) && threads > 0)) throw new UsageError('--threads takes a whole number ≥ 1.');
    const memoryLimit = values['memory-limit'] as string | undefined;
    if (memoryLimit !== undefined && !/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(memoryLimit)) throw new UsageError('--memory-limit takes a size like 512MB or 2GB.');
    const docs = typeof values.docs === 'string' ? await readDocs(ctx, values.docs, values) : undefined;
    const key = typeof values.key === 'string' ? await loadKey(ctx, values) : undefined;
    const progress = progressLine(ctx);
    const s = await runDedupe({
      table, input: inputs, output: values.out as string | undefined, format: format as OutputFormat, keys: keysOption(values), docs, raw: Boolean(values.raw),
      key, threads, memoryLimit, overwrite: Boolean(values.overwrite), cwd: ctx.cwd, signal: ctx.signal, logger: ctx.logger, onProgress: progress.update,
    });
    progress.done();
    for (const w of s.warnings) ctx.logger.warn(w);
    if (ctx.json) {
      ctx.printJson(s);
      return;
    }
    ctx.print(`Deduped ${s.table} → ${s.output}`);
    ctx.print(`  rows in             ${s.rowsIn}`);
    ctx.print(`  rows out            ${s.rowsOut}`);
    ctx.print(`  duplicates dropped  ${s.duplicatesDropped}`);
    ctx.print(`  files               ${s.files}${s.decryptedFiles ? ` (${s.decryptedFiles} decrypted)` : ''}`);
    ctx.print(`  keys                partition by ${s.keys.partitionBy.join(', ')}; order by ${s.keys.orderBy.length ? s.keys.orderBy.join(', ') + ' DESC' : '—'}, then latest export`);
    ctx.print(`  columns             ${s.mode === 'raw' ? 'raw JSON lines (byte-exact)' : `${s.columns.length} from ${s.schemaSource.replace('_', ' ')}`}`);
    ctx.print(`  seconds             ${s.seconds}`);
  },
};

async function readDocs(ctx: CliContext, source: string, values: OptionValues) {
  const conn = source.startsWith('s3://') ? await resolveConnection(ctx, source, values) : undefined;
  const { docs, from } = await loadExportDocs(source, {
    cwd: ctx.cwd, signal: ctx.signal, subFolder: conn?.subFolder, client: conn ? () => createS3Client(conn.s3, ctx.env) : undefined,
  });
  ctx.logger.info(`export_docs.yaml from ${from}`);
  return docs;
}

export { readDocs };

function progressLine(ctx: CliContext): { update(p: DedupeProgress): void; done(): void } {
  const tty = Boolean(ctx.stderr.isTTY) && !ctx.json;
  let drawn = false;
  const label: Record<DedupeProgress['phase'], string> = { decrypt: 'decrypting', check: 'checking files', query: 'deduping' };
  return {
    update(p) {
      if (!tty) return;
      ctx.stderr.write(`\r${label[p.phase]} ${p.phase === 'query' ? `${p.done}%` : `${p.done}/${p.total}`}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) ctx.stderr.write('\r\x1b[K');
    },
  };
}

export const commands: CliCommand[] = [tables, sql, run];
