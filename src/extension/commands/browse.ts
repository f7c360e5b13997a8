// Browsing: refresh, paging, the filter, and copying where things are (S3 URI, the equivalent aws command).
import * as vscode from 'vscode';
import { isValidDate } from '../../core/layout';
import { UsageError } from '../../core/errors';
import type { ExtensionEnv } from '../env';
import type { ExportNode, FileNode, FolderNode, LoadMoreNode } from '../tree/nodes';
import { s3UriOf } from '../tree/nodes';
import type { CommandDef } from './command';

export function browseCommands(env: ExtensionEnv): CommandDef[] {
  return [
    { id: 'asappExports.refresh', action: 'Refresh', run: () => env.tree.refresh() },
    { id: 'asappExports.refreshNode', action: 'Refresh', run: (node?: ExportNode) => env.tree.refresh(node) },
    { id: 'asappExports.loadMore', action: 'Load more', run: (node: LoadMoreNode) => env.tree.loadMore(node) },
    { id: 'asappExports.filterExports', action: 'Filter', run: () => filterExportsCommand(env) },
    { id: 'asappExports.clearFilter', action: 'Clear filter', run: () => env.tree.setFilter({}) },
    { id: 'asappExports.copyS3Uri', action: 'Copy S3 URI', run: (node?: FolderNode | FileNode) => copyS3UriCommand(env, node) },
    { id: 'asappExports.copyAwsCommand', action: 'Copy aws command', run: (node?: FolderNode | FileNode) => copyAwsCommandCommand(env, node) },
    { id: 'asappExports.showLog', action: 'Show log', run: () => env.log.show() },
  ];
}

const dateCheck = (v: string) => (v === '' || isValidDate(v) ? undefined : 'A date YYYY-MM-DD, or empty for no bound');

async function filterExportsCommand(env: ExtensionEnv): Promise<void> {
  const current = env.tree.filter;
  const feed = await env.prompts.input({ id: 'filter.feed', title: 'Filter exports (1/3): feed name', prompt: 'Part of a feed name, or a pattern with *; empty for all feeds', value: current.feed ?? '' });
  if (feed === undefined) return;
  const from = await env.prompts.input({ id: 'filter.from', title: 'Filter exports (2/3): from date', prompt: 'First dt= to show (YYYY-MM-DD), empty for no bound', value: current.from ?? '', validate: dateCheck });
  if (from === undefined) return;
  const to = await env.prompts.input({ id: 'filter.to', title: 'Filter exports (3/3): to date', prompt: 'Last dt= to show (YYYY-MM-DD), empty for no bound', value: current.to ?? '', validate: dateCheck });
  if (to === undefined) return;
  if (from && to && from > to) throw new UsageError(`The from date ${from} is after the to date ${to}: swap them.`);
  env.tree.setFilter({ feed: feed.trim() || undefined, from: from || undefined, to: to || undefined });
}

function targetNode(env: ExtensionEnv, node?: FolderNode | FileNode): FolderNode | FileNode {
  const n = node ?? (env.treeView.selection[0] as ExportNode | undefined);
  if (!n || (n.kind !== 'folder' && n.kind !== 'file')) throw new UsageError('Select a feed, partition or file in the ASAPP Exports view first.');
  return n;
}

async function copyS3UriCommand(env: ExtensionEnv, node?: FolderNode | FileNode): Promise<string> {
  const uri = s3UriOf(targetNode(env, node));
  await vscode.env.clipboard.writeText(uri);
  void env.notify(`Copied ${uri}`);
  return uri;
}

/** The aws CLI command that fetches the same thing (with the connection's profile or endpoint). */
async function copyAwsCommandCommand(env: ExtensionEnv, node?: FolderNode | FileNode): Promise<string> {
  const n = targetNode(env, node);
  const connection = await env.connections.get(n.connectionId);
  const uri = s3UriOf(n);
  const local = `${env.settings().downloadFolderSetting.replace(/\/$/, '')}/${n.entry.prefix.slice(n.entry.location.subFolder ? n.entry.location.subFolder.length + 1 : 0)}`;
  const parts = ['aws', 's3', 'cp', quote(uri), quote(local)];
  if (n.kind === 'folder') parts.push('--recursive');
  if (connection?.profile) parts.push('--profile', quote(connection.profile));
  const endpoint = connection?.endpoint ?? env.settings().endpoint;
  if (endpoint) parts.push('--endpoint-url', endpoint);
  const command = parts.join(' ');
  await vscode.env.clipboard.writeText(command);
  void env.notify(`Copied: ${command}`);
  return command;
}

function quote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
