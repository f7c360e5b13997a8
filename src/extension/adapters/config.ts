// The extension's settings read in one place and turned into plain option objects. Nothing secret is a
// setting: keys live in SecretStorage only.
import * as path from 'node:path';
import * as vscode from 'vscode';

export const SECTION = 'asappExports';

export interface Settings {
  /** Absolute download folder, or undefined when it is relative and no workspace folder is open. */
  downloadFolder: string | undefined;
  downloadFolderSetting: string;
  concurrency: number;
  includeInProgress: boolean;
  previewRecords: number;
  pageSize: number;
  dialect: string;
  /** S3-compatible endpoint override (local server, Ceph RGW, MinIO…); undefined for AWS. */
  endpoint: string | undefined;
}

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.floor(n)));

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const folder = c.get<string>('download.folder', 'asapp-exports').trim() || 'asapp-exports';
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const endpoint = c.get<string>('s3.endpoint', '').trim();
  return {
    downloadFolderSetting: folder,
    downloadFolder: path.isAbsolute(folder) ? folder : ws ? path.join(ws, folder) : undefined,
    concurrency: clamp(c.get<number>('download.concurrency', 8), 1, 64),
    includeInProgress: c.get<boolean>('download.includeInProgress', false),
    previewRecords: clamp(c.get<number>('preview.records', 50), 1, 10_000),
    pageSize: clamp(c.get<number>('tree.pageSize', 100), 1, 1000),
    dialect: c.get<string>('dedupe.dialect', 'athena'),
    endpoint: endpoint || undefined,
  };
}

export function onSettingsChange(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration(e => {
    if (e.affectsConfiguration(SECTION)) listener();
  });
}
