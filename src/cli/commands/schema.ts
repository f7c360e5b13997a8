// `schema show|diff|infer`: what a table looks like per export_docs.yaml, what changed between two days,
// and a schema guessed from sample rows when no yaml is at hand.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { stringify } from 'yaml';
import type { CliCommand } from '../command';
import { SchemaError, UsageError } from '../../core/errors';
import { findReferenceTable } from '../../core/dedupe/reference';
import { findDocTable, type DocColumn } from '../../core/schema/exportDocs';
import { diffExportDocs, formatSchemaChange, isBreaking } from '../../core/schema/diff';
import { inferSchema } from '../../core/schema/infer';
import { REFERENCE_COLUMNS } from '../../core/schema/referenceColumns';
import { readDocs } from './dedupe';

function columnTable(cols: Array<Pick<DocColumn, 'name' | 'type' | 'primary' | 'pii' | 'description'> & { nulls?: number }>): string[] {
  const rows = [['COLUMN', 'TYPE', 'PK', 'PII', 'DESCRIPTION'], ...cols.map(c => [
    c.name, c.type ?? '?', c.primary ? 'yes' : '', c.pii ? 'yes' : '', (c.description ?? '').replace(/\s+/g, ' ').slice(0, 80),
  ])];
  const w = [0, 1, 2, 3].map(i => Math.max(...rows.map(r => r[i].length)));
  return rows.map(r => r.map((cell, i) => (i < 4 ? cell.padEnd(w[i]) : cell)).join('  ').trimEnd());
}

const show: CliCommand = {
  name: 'schema show',
  summary: 'Columns, types, primary key and dedupe keys of a table (from export_docs.yaml)',
  usage: 'schema show TABLE [--docs FILE|s3://BUCKET/[SUB/]] [--version N] [--json]',
  details: [
    '--docs s3://BUCKET/[SUB/] reads the newest export_docs/version=1/format=yaml/dt=…/export_docs.yaml.',
    'Without --docs, shows the columns publicly known for the table (an older export version: a hint, not a promise).',
  ],
  options: { docs: { type: 'string' }, version: { type: 'string' }, 'sub-folder': { type: 'string' } },
  async run(ctx, { values, positionals }) {
    const name = positionals[0];
    if (!name) throw new UsageError('Name the table, e.g. schema show convos_metrics --docs export_docs.yaml.');
    const ref = findReferenceTable(name);
    const version = values.version === undefined ? undefined : Number(values.version);
    let table: { name: string; version?: number; description?: string; partitioning?: string[]; primaryKey: string[]; columns: DocColumn[] } | undefined;
    let from: string;
    if (typeof values.docs === 'string') {
      const docs = await readDocs(ctx, values.docs, values);
      table = findDocTable(docs, name, version);
      if (!table) throw new SchemaError(`${values.docs} does not describe ${name}${version ? ` version=${version}` : ''} (it has: ${[...new Set(docs.tables.map(t => t.name))].join(', ') || 'no tables'}).`, { code: 'schema.no-table' });
      from = values.docs;
    } else {
      const cols = REFERENCE_COLUMNS[name];
      if (!cols && !ref) throw new SchemaError(`Nothing is known about ${name} without its export_docs.yaml: pass --docs FILE, or infer from data with \`schema infer FILE\`.`, { code: 'schema.no-table' });
      table = { name, primaryKey: ref?.partitionBy ?? [], columns: (cols ?? []).map(c => ({ ...c, extra: {} })) };
      from = 'publicly known columns (older export version)';
    }
    const dedupe = ref ? { partitionBy: ref.partitionBy, orderBy: ref.orderBy } : undefined;
    if (ctx.json) {
      ctx.printJson({ ...table, from, dedupe });
      return;
    }
    ctx.print(`${table.name}${table.version ? ` version=${table.version}` : ''} — ${from}`);
    if (table.description) ctx.print(table.description);
    if (table.partitioning) ctx.print(`partitioning: ${table.partitioning.join('/')}`);
    ctx.print(`primary key: ${table.primaryKey.join(', ') || '—'}`);
    if (dedupe) ctx.print(`dedupe: partition by ${dedupe.partitionBy.join(', ')}; order by ${dedupe.orderBy.length ? dedupe.orderBy.join(', ') + ' DESC' : '— (latest export wins)'}`);
    ctx.print();
    for (const l of table.columns.length ? columnTable(table.columns) : ['(no columns known)']) ctx.print(l);
  },
};

const diff: CliCommand = {
  name: 'schema diff',
  summary: 'What changed between two export_docs.yaml files: tables, versions, columns, types, primary keys',
  usage: 'schema diff OLD NEW [--fail-on-breaking] [--json]',
  details: ['OLD and NEW are files or s3:// keys. Exit code 0; with --fail-on-breaking, 1 when a change can break a reader',
    '(removed or retyped column, changed primary key, removed table, new version of a feed).'],
  options: { 'fail-on-breaking': { type: 'boolean' }, 'sub-folder': { type: 'string' } },
  async run(ctx, { values, positionals }) {
    if (positionals.length !== 2) throw new UsageError('Give two export_docs.yaml files: schema diff OLD NEW.');
    const [a, b] = await Promise.all(positionals.map(p => readDocs(ctx, p, values)));
    const changes = diffExportDocs(a, b);
    const breaking = changes.filter(isBreaking).length;
    if (ctx.json) ctx.printJson({ changes, breaking });
    else if (!changes.length) ctx.print('No schema changes.');
    else {
      for (const c of changes) ctx.print(formatSchemaChange(c));
      ctx.print();
      ctx.print(`${changes.length} change(s), ${breaking} that can break a reader (marked ! or -).`);
    }
    return values['fail-on-breaking'] && breaking ? 1 : 0;
  },
};

const infer: CliCommand = {
  name: 'schema infer',
  summary: 'Guess columns and types from sample rows of a .jsonl or .jsonl.gz file',
  usage: 'schema infer FILE [--lines N] [--yaml] [--json]',
  details: ['--yaml prints an export_docs.yaml fragment you can edit and pass as --docs to dedupe run and ddl.'],
  options: { lines: { type: 'string' }, yaml: { type: 'boolean' } },
  async run(ctx, { values, positionals }) {
    const file = positionals[0];
    if (!file) throw new UsageError('Give a data file: schema infer convos_metrics.jsonl.gz.');
    const max = values.lines === undefined ? 10000 : Number(values.lines);
    if (!(Number.isInteger(max) && max > 0)) throw new UsageError('--lines takes a whole number ≥ 1.');
    if (file.endsWith('.enc')) throw new UsageError(`${file} is encrypted: decrypt it first (pull --decrypt, or preview with --key).`);
    const full = path.resolve(ctx.cwd, file);
    const lines: string[] = [];
    const input = createReadStream(full);
    const stream = file.endsWith('.gz') ? input.pipe(createGunzip()) : input;
    input.on('error', e => stream.destroy(e));
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    try {
      for await (const line of rl) {
        lines.push(line);
        if (lines.length >= max) break;
      }
    } catch (e) {
      // A partial gzip tail is fine for a sample once some lines were read.
      if (!lines.length) throw new SchemaError(`Cannot read ${file}: ${(e as Error).message}.`, { code: 'schema.unreadable', cause: e });
    } finally {
      rl.close();
      input.destroy();
    }
    const name = path.basename(file).replace(/\.jsonl.*$/, '');
    const s = inferSchema(lines, { name });
    if (ctx.json) ctx.printJson(s);
    else if (values.yaml) {
      ctx.print(stringify({ tables: [{ name, version: 1, primary_key: findReferenceTable(name)?.partitionBy ?? [], columns: s.columns.map(c => ({ name: c.name, type: c.type, ...(c.example !== undefined ? { example: c.example } : {}) })) }] }).trimEnd());
    } else {
      ctx.print(`${name}: ${s.rows} row(s) read${s.badLines.length ? `; not JSON objects at line(s) ${s.badLines.join(', ')}` : ''}`);
      ctx.print();
      const rows = [['COLUMN', 'TYPE', 'NULLS', 'EXAMPLE'], ...s.columns.map(c => [c.name, c.type, String(c.nulls), (c.example ?? '').slice(0, 60)])];
      const w = [0, 1, 2].map(i => Math.max(...rows.map(r => r[i].length)));
      for (const r of rows) ctx.print(`${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2].padStart(w[2])}  ${r[3]}`.trimEnd());
    }
  },
};

export const commands: CliCommand[] = [show, diff, infer];
