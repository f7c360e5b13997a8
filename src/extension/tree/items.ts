// Maps plain tree elements to TreeItems: label, description, icon, contextValue, collapsible state.
// No I/O here; the expensive tooltip is built in tooltipFor, called from resolveTreeItem.
import * as vscode from 'vscode';
import type { PartitionSummary } from '../../core/catalog';
import { formatBytes } from '../adapters/progress';
import { ContextValues } from './contextValues';
import { isPartitionNode, nodeKey, s3UriOf, type ExportNode, type FileNode, type FolderNode } from './nodes';

const icon = (id: string, color?: string) => new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);

export const STATE_LABEL = { complete: 'complete', 'in-progress': 'in progress', empty: 'empty' } as const;

/** "complete · 3 files · 1.2 MB" */
export function describePartition(s: PartitionSummary): string {
  const files = s.fileCount === 1 ? '1 file' : `${s.fileCount} files`;
  if (s.state === 'empty') return `${STATE_LABEL.empty} · 0 files`;
  return `${STATE_LABEL[s.state]} · ${files} · ${formatBytes(s.bytes)}`;
}

function isLeaf(s: PartitionSummary): boolean {
  return s.hasSuccess || s.fileCount > 0 || s.childPrefixes.length === 0;
}

export function toTreeItem(node: ExportNode): vscode.TreeItem {
  const item = new vscode.TreeItem('', vscode.TreeItemCollapsibleState.None);
  item.id = nodeKey(node);
  switch (node.kind) {
    case 'connection': {
      const c = node.connection;
      item.label = c.label;
      item.description = `${c.bucket}${c.subFolder ? `/${c.subFolder}` : ''}`;
      item.iconPath = icon(c.source === 'demo' ? 'beaker' : c.source === 'profile' ? 'account' : 'cloud');
      item.contextValue = c.source === 'demo' ? ContextValues.DemoConnection : ContextValues.Connection;
      item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
      return item;
    }
    case 'folder':
      return folderItem(item, node);
    case 'file':
      return fileItem(item, node);
    case 'loadMore':
      item.label = 'Load more…';
      item.iconPath = icon('ellipsis');
      item.contextValue = ContextValues.LoadMore;
      item.command = { command: 'asappExports.loadMore', title: 'Load more', arguments: [node] };
      return item;
    case 'message':
      item.label = node.text;
      item.tooltip = node.tooltip ?? node.text;
      item.iconPath = node.severity === 'error' ? icon('error', 'errorForeground') : icon('info');
      item.contextValue = ContextValues.Message;
      return item;
  }
}

function folderItem(item: vscode.TreeItem, node: FolderNode): vscode.TreeItem {
  const { entry } = node;
  item.label = entry.name;
  item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
  switch (entry.kind) {
    case 'feed':
      item.iconPath = icon('database');
      item.contextValue = ContextValues.Feed;
      return item;
    case 'version':
      item.iconPath = icon('versions');
      item.contextValue = ContextValues.Version;
      item.description = node.note;
      return item;
    case 'format':
      item.iconPath = icon('file-code');
      item.contextValue = ContextValues.Format;
      return item;
    case 'other':
      item.iconPath = icon('question');
      item.description = 'not in the export layout';
      item.contextValue = ContextValues.Other;
      item.collapsibleState = vscode.TreeItemCollapsibleState.None;
      return item;
    default:
      break;
  }
  if (!isPartitionNode(node)) {
    item.iconPath = icon(entry.kind === 'dt' ? 'calendar' : 'clock');
    item.contextValue = ContextValues.PartitionParent;
    return item;
  }
  const s = node.summary;
  if (!isLeaf(s)) {
    const n = s.childPrefixes.length;
    const unit = entry.kind === 'dt' ? (n === 1 ? 'hour' : 'hours') : n === 1 ? 'partition' : 'partitions';
    item.description = `${n} ${unit}`;
    item.iconPath = icon(entry.kind === 'dt' ? 'calendar' : 'clock');
    item.contextValue = ContextValues.PartitionParent;
    return item;
  }
  item.description = describePartition(s);
  item.accessibilityInformation = { label: `${entry.name}, ${item.description}` };
  switch (s.state) {
    case 'complete':
      item.iconPath = icon('pass-filled', 'testing.iconPassed');
      item.contextValue = ContextValues.PartitionComplete;
      break;
    case 'in-progress':
      item.iconPath = icon('watch', 'testing.iconQueued');
      item.contextValue = ContextValues.PartitionInProgress;
      break;
    case 'empty':
      item.iconPath = icon('circle-large-outline', 'disabledForeground');
      item.contextValue = ContextValues.PartitionEmpty;
      item.collapsibleState = vscode.TreeItemCollapsibleState.None;
      break;
  }
  return item;
}

function fileItem(item: vscode.TreeItem, node: FileNode): vscode.TreeItem {
  const o = node.entry.object;
  const file = o?.file ?? { kind: 'other' as const, name: node.entry.name };
  item.label = node.entry.name;
  item.description = o ? formatBytes(o.size) : undefined;
  if (file.kind === 'data') {
    item.iconPath = icon(file.encrypted ? 'lock' : 'file-zip');
    item.contextValue = file.encrypted ? ContextValues.FileEncrypted : ContextValues.FileData;
    item.command = { command: 'asappExports.previewFile', title: 'Preview', arguments: [node] };
  } else if (file.kind === 'success') {
    item.iconPath = icon('check');
    item.contextValue = ContextValues.FileMarker;
  } else {
    item.iconPath = icon(file.kind === 'docs' ? 'book' : 'file');
    item.contextValue = ContextValues.FileOther;
  }
  return item;
}

export function tooltipFor(node: ExportNode): vscode.MarkdownString | undefined {
  if (node.kind === 'connection') {
    const c = node.connection;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${c.label}**\n\n`);
    md.appendMarkdown(`- bucket: \`${c.bucket}\`\n- sub-folder: \`${c.subFolder || '(none)'}\`\n`);
    if (c.region) md.appendMarkdown(`- region: ${c.region}\n`);
    if (c.profile) md.appendMarkdown(`- AWS profile: \`${c.profile}\`\n`);
    if (c.keyHint) md.appendMarkdown(`- access key: \`${c.keyHint}\` (secret in VS Code's secret storage)\n`);
    if (c.endpoint) md.appendMarkdown(`- endpoint: ${c.endpoint}\n`);
    return md;
  }
  if (node.kind !== 'folder' && node.kind !== 'file') return undefined;
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`\`${s3UriOf(node)}\`\n\n`);
  if (node.kind === 'file' && node.entry.object) {
    const o = node.entry.object;
    md.appendMarkdown(`- size: ${formatBytes(o.size)} (${o.size} bytes)\n`);
    if (o.lastModified) md.appendMarkdown(`- modified: ${o.lastModified.toISOString()}\n`);
    if (o.file.kind === 'data') {
      md.appendMarkdown(`- ${o.file.compression ? 'gzip-compressed ' : ''}JSON Lines${o.file.encrypted ? ', OpenPGP-encrypted' : ''}`);
      md.appendMarkdown(o.file.split !== undefined ? `, split ${String(o.file.split).padStart(2, '0')}\n` : '\n');
    }
  }
  if (isPartitionNode(node)) {
    const s = node.summary;
    md.appendMarkdown(`- state: **${STATE_LABEL[s.state]}**${s.hasSuccess ? ' (_SUCCESS present)' : ' (no _SUCCESS yet: not downloaded by default)'}\n`);
    md.appendMarkdown(`- ${s.fileCount} files, ${formatBytes(s.bytes)}\n`);
    for (const f of s.files.slice(0, 8)) md.appendMarkdown(`  - ${f.name} (${formatBytes(f.size)})\n`);
    if (s.files.length > 8) md.appendMarkdown(`  - … ${s.files.length - 8} more\n`);
  }
  return md;
}
