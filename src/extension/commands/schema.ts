// Schema: what export_docs.yaml (written daily next to the exports) says about a table, what changed
// between two days, and the Athena DDL for a feed.
import * as vscode from 'vscode';
import { SchemaError, UsageError } from '../../core/errors';
import type { ExportDocs } from '../../core/schema/exportDocs';
import { formatExportPrefix, formatExportUri, EXPORT_DOCS, type ExportLocation } from '../../core/layout';
import type { Connection } from '../connections';
import type { ExtensionEnv } from '../env';
import type { ExportNode, FolderNode } from '../tree/nodes';
import type { CommandDef } from './command';

export function schemaCommands(env: ExtensionEnv): CommandDef[] {
  return [
    { id: 'asappExports.showSchema', action: 'Show schema', run: (node?: FolderNode) => showSchemaCommand(env, node) },
    { id: 'asappExports.diffSchema', action: 'Diff schema', run: (node?: FolderNode) => diffSchemaCommand(env, node) },
    { id: 'asappExports.athenaDdl', action: 'Athena DDL', run: (node?: FolderNode) => athenaDdlCommand(env, node) },
  ];
}

interface Scope {
  connection: Connection;
  feed?: string;
  version?: number;
  format?: string;
}

async function scopeOf(env: ExtensionEnv, node?: FolderNode, needFeed = false): Promise<Scope> {
  const n = node ?? (env.treeView.selection[0] as ExportNode | undefined);
  if (n && n.kind === 'folder') {
    const connection = await env.connections.get(n.connectionId);
    if (!connection) throw new UsageError('This connection was removed: refresh the view.');
    const l = n.entry.location;
    return { connection, feed: l.feed, ...(l.version !== undefined ? { version: l.version } : {}), ...(l.format ? { format: l.format } : {}) };
  }
  const all = await env.connections.list();
  if (all.length === 0) throw new UsageError('No connection yet: decrypt the credentials file, add an AWS profile or open the demo bucket first.');
  const connection = all.length === 1 ? all[0] : await env.prompts.pick(all.map(c => ({ label: c.label, value: c })), { id: 'schemaConnection', title: 'Which connection?' });
  if (!connection) throw new UsageError('Pick a connection.');
  if (!needFeed) return { connection };
  const feed = await env.prompts.input({ id: 'schemaFeed', title: 'Feed (table) name', placeHolder: 'convos_metrics' });
  if (!feed) throw new UsageError('Give a feed name.');
  return { connection, feed };
}

/** export_docs.yaml dates, newest first. */
async function docDates(env: ExtensionEnv, connection: Connection): Promise<string[]> {
  const client = await env.client(connection);
  const loc: ExportLocation = { bucket: connection.bucket, subFolder: connection.subFolder, feed: 'export_docs', version: 1, format: 'yaml' };
  const page = await env.core().catalog.listDatesNewestFirst(client, loc, { pageSize: 1000 });
  const dates = page.items.map(e => e.location.dt as string);
  if (dates.length === 0) {
    throw new SchemaError(`No ${EXPORT_DOCS} under s3://${connection.bucket}/${formatExportPrefix(loc)}: ASAPP writes one per day; check the sub-folder of this connection.`, { code: 'schema.no-docs' });
  }
  return dates;
}

async function readDocs(env: ExtensionEnv, connection: Connection, dt: string): Promise<ExportDocs> {
  const client = await env.client(connection);
  const key = formatExportPrefix({ bucket: connection.bucket, subFolder: connection.subFolder, feed: 'export_docs', version: 1, format: 'yaml', dt }) + EXPORT_DOCS;
  const { readObjectText, exportDocs } = env.core();
  return exportDocs.parseExportDocs(await readObjectText(client, connection.bucket, key), `s3://${connection.bucket}/${key}`);
}

async function showDocument(content: string, language: string): Promise<string> {
  const doc = await vscode.workspace.openTextDocument({ language, content });
  await vscode.window.showTextDocument(doc, { preview: true });
  return doc.getText();
}

async function showSchemaCommand(env: ExtensionEnv, node?: FolderNode): Promise<string> {
  const scope = await scopeOf(env, node, true);
  const [dt] = await docDates(env, scope.connection);
  const docs = await readDocs(env, scope.connection, dt);
  const tables = docs.tables.filter(t => t.name === scope.feed && (scope.version === undefined || t.version === undefined || t.version === scope.version));
  if (tables.length === 0) {
    throw new SchemaError(`${EXPORT_DOCS} of ${dt} does not describe ${scope.feed}${scope.version ? ` version=${scope.version}` : ''}: it lists ${docs.tables.map(t => t.name).join(', ') || 'no tables'}.`, { code: 'schema.no-table' });
  }
  const out: string[] = [];
  for (const t of tables) {
    out.push(`# ${t.name}${t.version !== undefined ? ` (version=${t.version})` : ''}`, '');
    if (t.description) out.push(t.description, '');
    out.push(`From \`${EXPORT_DOCS}\` of ${dt}.${t.partitioning ? ` Partitioned by ${t.partitioning.join(', ')}.` : ''}${t.primaryKey.length ? ` Primary key: ${t.primaryKey.join(', ')}.` : ''}`, '');
    out.push('| column | type | primary | pii | description |', '|---|---|---|---|---|');
    for (const c of t.columns) out.push(`| ${c.name} | ${c.type ?? ''} | ${c.primary ? 'yes' : ''} | ${c.pii ? 'yes' : ''} | ${(c.description ?? '').replace(/\|/g, '\\|')} |`);
    out.push('');
  }
  return showDocument(out.join('\n'), 'markdown');
}

async function diffSchemaCommand(env: ExtensionEnv, node?: FolderNode): Promise<string | undefined> {
  const scope = await scopeOf(env, node, false);
  const dates = await docDates(env, scope.connection);
  if (dates.length < 2) throw new SchemaError(`Only one ${EXPORT_DOCS} so far (${dates[0]}): a diff needs two days.`, { code: 'schema.one-day' });
  const newer = await env.prompts.pick(dates.map(d => ({ label: d, value: d })), { id: 'schemaNewer', title: 'Newer day' });
  if (!newer) return undefined;
  const older = await env.prompts.pick(dates.filter(d => d < newer).map(d => ({ label: d, value: d })), { id: 'schemaOlder', title: `Compare ${newer} with` });
  if (!older) return undefined;
  const { schemaDiff } = env.core();
  const changes = schemaDiff.diffExportDocs(await readDocs(env, scope.connection, older), await readDocs(env, scope.connection, newer))
    .filter(c => !scope.feed || c.table === scope.feed);
  const lines = [`# Schema changes ${older} → ${newer}${scope.feed ? ` for ${scope.feed}` : ''}`, ''];
  if (changes.length === 0) lines.push('No changes.');
  for (const c of changes) lines.push(`- ${schemaDiff.isBreaking(c) ? '**breaking** ' : ''}\`${schemaDiff.formatSchemaChange(c)}\``);
  return showDocument(lines.join('\n') + '\n', 'markdown');
}

async function athenaDdlCommand(env: ExtensionEnv, node?: FolderNode): Promise<string> {
  const scope = await scopeOf(env, node, true);
  const { connection } = scope;
  const feed = scope.feed as string;
  const services = env.core();
  const version = scope.version ?? (await newestVersion(env, connection, feed));
  // columns and partitioning from the newest export_docs.yaml; the publicly known columns otherwise
  let columns: Array<{ name: string; type?: string }> | undefined;
  let partitioning: string[] | undefined;
  let source = '';
  const dates = await docDates(env, connection).catch(() => [] as string[]);
  if (dates.length) {
    const table = services.exportDocs.findDocTable(await readDocs(env, connection, dates[0]), feed, version);
    if (table) {
      columns = table.columns;
      partitioning = table.partitioning;
      source = `${EXPORT_DOCS} of ${dates[0]}`;
    }
  }
  if (!columns && services.REFERENCE_COLUMNS[feed]) {
    columns = [...services.REFERENCE_COLUMNS[feed]];
    source = 'the publicly known columns (an older export version: check them)';
  }
  if (!columns) throw new SchemaError(`No ${EXPORT_DOCS} describes ${feed} version=${version}, so its columns are unknown: wait for the day's ${EXPORT_DOCS}, or use the asapp-exports CLI with --sample FILE.`, { code: 'schema.no-columns' });
  const location = formatExportUri({ bucket: connection.bucket, subFolder: connection.subFolder, feed, version, format: scope.format ?? 'jsonl' });
  const out = services.ddl.generateDdl({
    engine: 'athena', location, subFolder: connection.subFolder, columns,
    partitioning: (partitioning ?? ['dt', 'hr']).filter((p): p is 'dt' | 'hr' | 'mi' => p === 'dt' || p === 'hr' || p === 'mi'),
  });
  const header = `-- Athena: ${out.rawTable} over ${location} (partition projection), and the dedupe view ${out.view}.\n-- Columns from ${source}.`;
  return showDocument(`${header}\n${out.sql.trimEnd()}\n`, 'sql');
}

async function newestVersion(env: ExtensionEnv, connection: Connection, feed: string): Promise<number> {
  const client = await env.client(connection);
  const entries = await env.core().catalog.listAllChildren(client, { bucket: connection.bucket, subFolder: connection.subFolder, feed });
  const versions = entries.filter(e => e.kind === 'version').map(e => e.location.version as number);
  if (versions.length === 0) throw new SchemaError(`${feed} has no version= folder yet.`, { code: 'schema.no-version' });
  return Math.max(...versions);
}
