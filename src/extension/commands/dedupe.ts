// Dedupe: the guide's ROW_NUMBER() query for a table in the user's SQL dialect (untitled SQL editor), or
// the same dedupe run here with DuckDB over a downloaded feed folder (output file + summary).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DedupeSummary, OutputFormat } from '../../core/dedupe/runner';
import { withBusyProgress } from '../adapters/progress';
import type { ExtensionEnv } from '../env';
import type { FolderNode } from '../tree/nodes';
import type { CommandDef } from './command';
import { keyForLocalFile } from './keyFor';

export function dedupeCommands(env: ExtensionEnv): CommandDef[] {
  return [
    { id: 'asappExports.dedupeSql', action: 'Dedupe SQL', run: (node?: FolderNode) => dedupeSqlCommand(env, node) },
    { id: 'asappExports.runDedupe', action: 'Dedupe', run: (folder?: vscode.Uri) => runDedupeCommand(env, folder) },
  ];
}

async function pickTable(env: ExtensionEnv, id: string, suggested?: string): Promise<string | undefined> {
  const { dedupeReference } = env.core();
  if (suggested) return suggested;
  return env.prompts.pick(
    dedupeReference.DEDUPE_REFERENCE.map(t => ({ label: t.name, description: `partition by ${t.partitionBy.join(', ')}${t.orderBy.length ? ` · latest ${t.orderBy.join(', ')}` : ''}`, value: t.name })),
    { id, title: 'Which table?' },
  );
}

async function dedupeSqlCommand(env: ExtensionEnv, node?: FolderNode): Promise<string | undefined> {
  const { dedupeSql, dialects } = env.core();
  const table = await pickTable(env, 'dedupeTable', node?.kind === 'folder' ? node.entry.location.feed : undefined);
  if (!table) return undefined;
  const preferred = env.settings().dialect;
  const ordered = [...dialects.DIALECTS].sort((a, b) => (a === preferred ? -1 : b === preferred ? 1 : 0));
  const dialect = await env.prompts.pick(ordered.map(d => ({ label: dialects.DIALECT_SPECS[d].label, description: d === preferred ? 'default (setting asappExports.dedupe.dialect)' : d, value: d })), { id: 'dedupeDialect', title: `Dedupe ${table}: SQL dialect` });
  if (!dialect) return undefined;
  const result = dedupeSql.generateDedupeSql({ table, dialect });
  const header = [
    `-- Deduplicate ${table} (${dialects.DIALECT_SPECS[result.dialect].label}): keep the latest row per ${result.keys.partitionBy.join(', ')}`,
    `-- keys from ${result.keys.source === 'reference' ? "ASAPP's Deduping Reference" : 'your input'}; replace the source relation with yours.`,
  ].join('\n');
  const doc = await vscode.workspace.openTextDocument({ language: 'sql', content: `${header}\n${result.sql}\n` });
  await vscode.window.showTextDocument(doc);
  return doc.getText();
}

async function runDedupeCommand(env: ExtensionEnv, folder?: vscode.Uri): Promise<DedupeSummary | undefined> {
  const settings = env.settings();
  const defaultUri = settings.downloadFolder && fs.existsSync(settings.downloadFolder) ? vscode.Uri.file(settings.downloadFolder) : undefined;
  const input = folder ?? await env.prompts.openFile({ id: 'dedupeFolder', title: 'The downloaded feed folder to deduplicate', folders: true, ...(defaultUri ? { defaultUri } : {}) });
  if (!input) return undefined;
  const { dedupeReference, dedupeRunner } = env.core();
  const base = path.basename(input.fsPath);
  const table = await pickTable(env, 'dedupeTable', dedupeReference.findReferenceTable(base) ? base : undefined);
  if (!table) return undefined;
  const format = await env.prompts.pick<OutputFormat>(
    [
      { label: 'Parquet', description: 'typed columns; for DuckDB, Spark, pandas', value: 'parquet' },
      { label: 'JSON Lines', value: 'jsonl' },
      { label: 'CSV', value: 'csv' },
    ],
    { id: 'dedupeFormat', title: `Dedupe ${table}: output format` },
  );
  if (!format) return undefined;
  const output = path.join(path.dirname(input.fsPath), `${table}.deduped.${format}`);
  const key = hasEncrypted(input.fsPath) ? await keyForLocalFile(env, 'to read .enc files') : undefined;
  const summary = await withBusyProgress(`Deduplicating ${table} with DuckDB`, (signal, message) =>
    dedupeRunner.runDedupe({
      table, input: input.fsPath, output, format, overwrite: true, signal, logger: env.log, ...(key ? { key } : {}),
      onProgress: p => message(`${p.phase} ${p.done}/${p.total}`),
    }));
  for (const w of summary.warnings) env.log.warn(w);
  const text = `${table}: ${summary.rowsIn} rows in, ${summary.rowsOut} out, ${summary.duplicatesDropped} duplicates dropped (${summary.files} files, ${summary.seconds.toFixed(1)} s) → ${vscode.workspace.asRelativePath(summary.output, false)}`;
  env.log.info(text);
  env.shown.push(text);
  void vscode.window.showInformationMessage(text, 'Reveal in Explorer').then(c => {
    if (c) void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(summary.output));
  });
  return summary;
}

function hasEncrypted(dir: string): boolean {
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop() as string;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) stack.push(path.join(d, e.name));
      else if (e.name.endsWith('.enc')) return true;
    }
  }
  return false;
}
