// `preview`: the first records of an export file, local or on S3, gzip and/or encrypted, without
// downloading it — raw JSONL, pretty JSON, or a table with inferred columns.
import * as path from 'node:path';
import type { CliCommand } from '../command';
import type { CliContext } from '../context';
import { UsageError } from '../../core/errors';
import { parseS3Uri } from '../../core/layout';
import { createS3Client } from '../../core/s3';
import { DEFAULT_PREVIEW_LIMIT, previewObject, type PreviewResult } from '../../core/preview';
import { resolveConnection } from '../connection';
import { loadKey } from '../keyInput';

const CELL_WIDTH = 24;

function cell(v: unknown): string {
  const s = v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  const flat = s.replace(/[\r\n\t]+/g, ' ');
  return flat.length > CELL_WIDTH ? flat.slice(0, CELL_WIDTH - 1) + '…' : flat;
}

function printTable(ctx: CliContext, r: PreviewResult): void {
  const cols = r.columns.map(c => c.name);
  const rows = r.records.map(rec => {
    const v = rec.value as Record<string, unknown> | undefined;
    return [String(rec.line), ...cols.map(c => (v && typeof v === 'object' && !Array.isArray(v) ? cell(v[c]) : c === cols[0] ? cell(rec.text) : ''))];
  });
  const header = ['line', ...cols];
  const types = ['', ...r.columns.map(c => c.types.join('|') + (c.nullable ? '?' : ''))];
  const widths = header.map((h, i) => Math.max(h.length, cell(types[i]).length, ...rows.map(row => row[i].length)));
  const fmt = (row: string[]) => row.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd();
  ctx.print(fmt(header));
  ctx.print(fmt(types.map(cell)));
  ctx.print(fmt(widths.map(w => '-'.repeat(w))));
  for (const row of rows) ctx.print(fmt(row));
}

const preview: CliCommand = {
  name: 'preview',
  summary: 'Show the first records of an export file (local or s3://, gzip and/or .enc) without downloading it',
  usage: 'preview URI|PATH [-n 20] [--pretty|--table] [--key K [--passphrase-file F]] [--json]',
  details: [
    '  -n N                    records to show (default 20)',
    '  --pretty                one indented JSON document per record',
    '  --table                 a table with the columns and types inferred from the records shown',
    '  --key K                 armored private key for .enc files (passphrase: --passphrase-file F,',
    '                          ASAPP_EXPORTS_PASSPHRASE, or a prompt)',
    'Lines that are not valid JSON or UTF-8, too long, or cut off are reported with their line numbers.',
  ],
  options: {
    n: { type: 'string', short: 'n' },
    pretty: { type: 'boolean' },
    table: { type: 'boolean' },
    key: { type: 'string' },
    'passphrase-file': { type: 'string' },
    'max-line-bytes': { type: 'string' },
  },
  async run(ctx, { values, positionals }) {
    if (positionals.length !== 1) throw new UsageError('preview takes one s3:// URI or local path.');
    if (values.pretty && values.table) throw new UsageError('Choose one of --pretty and --table.');
    const limit = values.n === undefined ? DEFAULT_PREVIEW_LIMIT : Number(values.n);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000_000) throw new UsageError('-n must be a whole number from 1 to 1000000.');
    const maxLineBytes = values['max-line-bytes'] === undefined ? undefined : Number(values['max-line-bytes']);
    if (maxLineBytes !== undefined && !(Number.isInteger(maxLineBytes) && maxLineBytes > 0)) throw new UsageError('--max-line-bytes must be a positive whole number.');
    const target = positionals[0];
    const key = values.key ? await loadKey(ctx, { ...values, decrypt: true }) : undefined;
    let result: PreviewResult;
    if (target.startsWith('s3://')) {
      const { bucket, key: objectKey } = parseS3Uri(target);
      if (!objectKey || objectKey.endsWith('/')) throw new UsageError(`${target} is a folder: preview takes one file (list files with \`asapp-exports ls\`).`);
      const { s3 } = await resolveConnection(ctx, target, values);
      const client = createS3Client(s3, ctx.env);
      try {
        result = await previewObject({ kind: 's3', client, bucket, key: objectKey }, { limit, key, signal: ctx.signal, maxLineBytes });
      } finally {
        client.destroy();
      }
    } else {
      result = await previewObject({ kind: 'file', path: path.resolve(ctx.cwd, target) }, { limit, key, signal: ctx.signal, maxLineBytes });
    }
    if (ctx.json) {
      ctx.printJson({
        ok: true,
        source: result.source,
        compression: result.compression,
        encrypted: result.encrypted,
        complete: result.complete,
        bytesRead: result.bytesRead,
        elapsedMs: result.elapsedMs,
        columns: result.columns,
        records: result.records.map(r => (r.value !== undefined ? { line: r.line, value: r.value } : { line: r.line, text: r.text })),
        problems: result.problems,
      });
      return 0;
    }
    if (values.table) printTable(ctx, result);
    else if (values.pretty) {
      for (const r of result.records) {
        ctx.print(`# line ${r.line}`);
        ctx.print(r.value !== undefined ? JSON.stringify(r.value, null, 2) : r.text);
      }
    } else for (const r of result.records) ctx.print(r.text);
    for (const p of result.problems) ctx.stderr.write(`warning: ${p.message}\n`);
    const kb = (result.bytesRead / 1024).toFixed(0);
    const what = [result.encrypted ? 'encrypted' : '', result.compression === 'gzip' ? 'gzip' : ''].filter(Boolean).join(', ');
    ctx.stderr.write(
      `${result.records.length} record${result.records.length === 1 ? '' : 's'} of ${result.source}${what ? ` (${what})` : ''}${result.complete ? ' (whole file)' : ''}; ${kb} KiB read in ${result.elapsedMs} ms${result.problems.length ? `; ${result.problems.length} problem line(s)` : ''}\n`,
    );
    return 0;
  },
};

export const commands: CliCommand[] = [preview];
