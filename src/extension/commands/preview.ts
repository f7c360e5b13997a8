// Preview: the first N records of an export file on S3 or on disk in a read-only editor (raw JSON Lines
// or pretty JSON), and as a table with the inferred column types.
import * as vscode from 'vscode';
import { UsageError } from '../../core/errors';
import { withBusyProgress } from '../adapters/progress';
import type { ExtensionEnv } from '../env';
import type { PreviewDocuments } from '../preview/previewDocuments';
import { PREVIEW_SCHEME, parsePreviewUri, previewUri, targetName, type PreviewMode, type PreviewTarget } from '../preview/previewSource';
import { openTable } from '../preview/tableView';
import type { ExportNode, FileNode } from '../tree/nodes';
import type { CommandDef } from './command';

export function previewCommands(env: ExtensionEnv, docs: PreviewDocuments): CommandDef[] {
  return [
    { id: 'asappExports.previewFile', action: 'Preview', run: (node?: FileNode) => previewFileCommand(env, docs, node) },
    { id: 'asappExports.previewLocalFile', action: 'Preview', run: (uri?: vscode.Uri) => previewLocalFileCommand(env, docs, uri) },
    { id: 'asappExports.togglePreviewFormat', action: 'Toggle preview', run: (uri?: vscode.Uri) => togglePreviewFormatCommand(docs, uri) },
    { id: 'asappExports.openPreviewAsTable', action: 'Open as table', run: (arg?: FileNode | vscode.Uri) => openPreviewAsTableCommand(env, docs, arg) },
  ];
}

export interface OpenedPreview {
  uri: string;
  text: string;
}

function s3Target(env: ExtensionEnv, node?: FileNode): PreviewTarget {
  const n = node ?? (env.treeView.selection[0] as ExportNode | undefined);
  if (!n || n.kind !== 'file') throw new UsageError('Select a file in the ASAPP Exports view to preview it.');
  return { kind: 's3', connectionId: n.connectionId, bucket: n.entry.location.bucket, key: n.entry.prefix };
}

async function open(docs: PreviewDocuments, target: PreviewTarget, mode: PreviewMode): Promise<OpenedPreview> {
  // read first, under a cancellable progress, so that failures reach the command wrapper
  await withBusyProgress(`Reading the first records of ${targetName(target)}`, signal => docs.result(target, signal));
  const uri = previewUri(target, mode);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: true });
  return { uri: uri.toString(), text: doc.getText() };
}

function previewFileCommand(env: ExtensionEnv, docs: PreviewDocuments, node?: FileNode): Promise<OpenedPreview> {
  return open(docs, s3Target(env, node), 'raw');
}

async function previewLocalFileCommand(env: ExtensionEnv, docs: PreviewDocuments, uri?: vscode.Uri): Promise<OpenedPreview | undefined> {
  const picked = uri ?? await env.prompts.openFile({ id: 'localExportFile', title: 'Export file to preview', filters: { 'Export files': ['gz', 'enc', 'jsonl', '00', '01', '02', '03'], 'All files': ['*'] } });
  if (!picked) return undefined;
  if (picked.scheme !== 'file') throw new UsageError('Only files on this machine can be previewed this way.');
  return open(docs, { kind: 'file', path: picked.fsPath }, 'raw');
}

function activePreviewUri(uri?: vscode.Uri): vscode.Uri {
  const u = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!u || u.scheme !== PREVIEW_SCHEME) throw new UsageError('Open a preview first (click a file in the ASAPP Exports view).');
  return u;
}

async function togglePreviewFormatCommand(docs: PreviewDocuments, uri?: vscode.Uri): Promise<OpenedPreview> {
  const { target, mode } = parsePreviewUri(activePreviewUri(uri));
  return open(docs, target, mode === 'raw' ? 'pretty' : 'raw');
}

async function openPreviewAsTableCommand(env: ExtensionEnv, docs: PreviewDocuments, arg?: FileNode | vscode.Uri) {
  const target = arg && !(arg instanceof vscode.Uri) ? s3Target(env, arg) : parsePreviewUri(activePreviewUri(arg)).target;
  const result = await withBusyProgress(`Reading the first records of ${targetName(target)}`, signal => docs.result(target, signal));
  return openTable(env.context.extensionUri, targetName(target), result);
}
