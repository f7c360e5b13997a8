// Downloads: a partition or a day from the tree, or a date range of a feed. Core plans (complete
// partitions only unless asked) and executes (temp file + rename, resumable, skips unchanged files);
// this file asks, shows progress with Cancel, and ends with a summary and "Reveal in Explorer".
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancellationError, UsageError } from '../../core/errors';
import type { DownloadPlan, DownloadRequest, DownloadSummary } from '../../core/download/types';
import type { ExportLocation } from '../../core/layout';
import { isValidDate } from '../../core/layout';
import { formatBytes, withByteProgress } from '../adapters/progress';
import type { Connection } from '../connections';
import type { ExtensionEnv } from '../env';
import { isPartitionNode, type FolderNode } from '../tree/nodes';
import type { CommandDef } from './command';
import { keyForConnection } from './keyFor';

export function downloadCommands(env: ExtensionEnv): CommandDef[] {
  return [
    { id: 'asappExports.downloadPartition', action: 'Download', run: (node?: FolderNode) => downloadPartitionCommand(env, node) },
    { id: 'asappExports.downloadRange', action: 'Download', run: (node?: FolderNode) => downloadRangeCommand(env, node) },
  ];
}

async function outDir(env: ExtensionEnv): Promise<string | undefined> {
  const s = env.settings();
  if (s.downloadFolder) return s.downloadFolder;
  const folder = await env.prompts.openFile({ id: 'downloadFolder', title: 'Download into which folder? (no workspace folder is open)', folders: true });
  return folder ? path.join(folder.fsPath, s.downloadFolderSetting) : undefined;
}

async function downloadPartitionCommand(env: ExtensionEnv, node?: FolderNode): Promise<DownloadSummary | undefined> {
  const n = node ?? (env.treeView.selection[0] as FolderNode | undefined);
  if (!n || n.kind !== 'folder' || !['dt', 'hr', 'mi'].includes(n.entry.kind)) {
    throw new UsageError('Right-click a partition (dt=, hr= or mi=) in the ASAPP Exports view to download it.');
  }
  let includeIncomplete = env.settings().includeInProgress;
  if (isPartitionNode(n) && n.summary.state === 'in-progress' && !includeIncomplete) {
    const ok = await env.prompts.confirm({
      id: 'downloadInProgress', message: `${n.entry.name} is still being exported (no _SUCCESS yet).`, buttons: ['Download Anyway'],
      detail: 'Its files may still change or be incomplete. Complete partitions are safe to download.',
    });
    if (ok !== 'Download Anyway') return undefined;
    includeIncomplete = true;
  }
  return download(env, n.connectionId, { location: n.entry.location, includeIncomplete }, n.entry.name);
}

const boundCheck = (v: string) => (v === '' || /^\d{4}-\d{2}-\d{2}(T\d{2})?$/.test(v) && isValidDate(v.slice(0, 10)) ? undefined : 'YYYY-MM-DD or YYYY-MM-DDTHH, or empty');

async function downloadRangeCommand(env: ExtensionEnv, node?: FolderNode): Promise<DownloadSummary | undefined> {
  let connectionId: string;
  let location: ExportLocation;
  if (node && node.kind === 'folder' && ['feed', 'version', 'format'].includes(node.entry.kind)) {
    connectionId = node.connectionId;
    location = node.entry.location;
  } else {
    const picked = await pickFeed(env);
    if (!picked) return undefined;
    ({ connectionId, location } = picked);
  }
  const from = await env.prompts.input({ id: 'downloadFrom', title: `Download ${location.feed}: from`, prompt: 'First day (YYYY-MM-DD) or hour (YYYY-MM-DDTHH); empty for the beginning', validate: boundCheck });
  if (from === undefined) return undefined;
  const to = await env.prompts.input({ id: 'downloadTo', title: `Download ${location.feed}: to`, prompt: 'Last day or hour, inclusive; empty for the newest', value: from, validate: boundCheck });
  if (to === undefined) return undefined;
  if (from && to && from > to) throw new UsageError(`The from bound ${from} is after the to bound ${to}: swap them.`);
  return download(env, connectionId, { location, ...(from ? { from } : {}), ...(to ? { to } : {}), includeIncomplete: env.settings().includeInProgress }, `${location.feed} ${from || '…'} → ${to || '…'}`);
}

async function pickFeed(env: ExtensionEnv): Promise<{ connectionId: string; location: ExportLocation } | undefined> {
  const connections = await env.connections.list();
  if (connections.length === 0) throw new UsageError('No connection yet: decrypt the credentials file, add an AWS profile or open the demo bucket first.');
  const connection = connections.length === 1 ? connections[0] : await env.prompts.pick(connections.map(c => ({ label: c.label, description: `s3://${c.bucket}/${c.subFolder}`, value: c })), { id: 'downloadConnection', title: 'Download from which connection?' });
  if (!connection) return undefined;
  const client = await env.client(connection);
  const entries = await env.core().catalog.listAllChildren(client, { bucket: connection.bucket, subFolder: connection.subFolder });
  const feeds = entries.filter(e => e.kind === 'feed');
  if (feeds.length === 0) throw new UsageError(`There are no feeds under s3://${connection.bucket}/${connection.subFolder} yet.`);
  const feed = await env.prompts.pick(feeds.map(f => ({ label: f.name, value: f.location })), { id: 'downloadFeed', title: 'Which feed? (its newest version)' });
  return feed ? { connectionId: connection.id, location: feed } : undefined;
}

function summaryText(plan: DownloadPlan, s: DownloadSummary, root: string): string {
  const parts = [`Downloaded ${s.downloaded.files} file${s.downloaded.files === 1 ? '' : 's'} (${formatBytes(s.downloaded.bytes)}) of ${plan.feed} into ${root}`];
  if (s.skippedUnchanged.files) parts.push(`${s.skippedUnchanged.files} already there and unchanged`);
  if (s.decrypted.length) parts.push(`${s.decrypted.length} decrypted`);
  if (s.skippedIncomplete.length) parts.push(`${s.skippedIncomplete.length} in-progress partition${s.skippedIncomplete.length === 1 ? '' : 's'} left out`);
  if (s.refused.length) parts.push(`${s.refused.length} refused (unsafe key)`);
  if (s.failed.length) parts.push(`${s.failed.length} FAILED (see the log)`);
  return parts.join(' · ');
}

async function download(env: ExtensionEnv, connectionId: string, request: Omit<DownloadRequest, 'outDir'>, what: string): Promise<DownloadSummary | undefined> {
  const connection = await env.connections.get(connectionId);
  if (!connection) throw new UsageError('This connection was removed: refresh the view.');
  const dir = await outDir(env);
  if (!dir) return undefined;
  const services = env.core();
  const client = await env.client(connection);
  const settings = env.settings();
  const plan = await withByteProgress(`Listing ${what}`, (_report, signal) =>
    services.planDownload(client, { ...request, outDir: dir }, { signal, logger: env.log }));
  env.log.info(`Plan ${plan.feed} v${plan.version} → ${plan.outDir}: ${plan.totals.partitions} partitions, ${plan.totals.toDownload.files} files to fetch (${plan.totals.toDownload.bytes} bytes), ${plan.totals.unchanged.files} unchanged, ${plan.skippedIncomplete.length} in progress left out`);
  if (plan.totals.partitions === 0) {
    const why = plan.skippedIncomplete.length ? ` (${plan.skippedIncomplete.length} in-progress partition(s) left out: they have no _SUCCESS yet)` : '';
    void env.notify(`Nothing to download for ${what}${why}.`);
    return undefined;
  }
  const decrypt = await decryptChoice(env, connection, plan);
  const summary = await withByteProgress(`Downloading ${what}`, (report, signal) =>
    services.executeDownload(client, plan, {
      signal, logger: env.log, concurrency: settings.concurrency, ...(decrypt ? { decrypt } : {}),
      onProgress: p => report({ doneBytes: p.bytesDone, totalBytes: p.bytesTotal, doneFiles: p.filesDone, totalFiles: p.filesTotal }),
    }));
  for (const f of summary.failed) env.log.error(`${f.key}: ${f.message} [${f.code}]`);
  const root = vscode.workspace.asRelativePath(plan.outDir, false);
  const text = summaryText(plan, summary, root);
  const target = vscode.Uri.file(plan.partitions.length === 1 ? path.join(plan.outDir, plan.partitions[0].relative) : plan.outDir);
  const show = summary.failed.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  env.shown.push(text);
  env.log.info(text);
  void show(text, 'Reveal in Explorer', ...(summary.failed.length ? ['Show Log'] : [])).then(choice => {
    if (choice === 'Reveal in Explorer') void vscode.commands.executeCommand('revealInExplorer', target);
    if (choice === 'Show Log') env.log.show();
  });
  return summary;
}

/** Asked only when the plan fetches `.enc` files: decrypt them after download (keeping or deleting the .enc)? */
async function decryptChoice(env: ExtensionEnv, connection: Connection, plan: DownloadPlan) {
  const count = plan.partitions.reduce((n, p) => n + p.files.filter(f => f.encrypted && f.action === 'download').length, 0);
  if (count === 0) return undefined;
  const choice = await env.prompts.pick(
    [
      { label: 'Decrypt them, keep the .enc files', value: 'keep' as const },
      { label: 'Decrypt them, delete the .enc files', description: 'only the plaintext stays', value: 'delete' as const },
      { label: 'Leave them encrypted', description: 'Run Dedupe and Preview decrypt .enc files themselves', value: 'leave' as const },
    ],
    { id: 'decryptDownloads', title: `${count} file${count === 1 ? ' is' : 's are'} OpenPGP-encrypted (.enc)` },
  );
  if (choice === undefined) throw new CancellationError();
  if (choice === 'leave') return undefined;
  return { key: await keyForConnection(env, connection, 'to decrypt .enc files'), deleteEncrypted: choice === 'delete' };
}
