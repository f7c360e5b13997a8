// Which file a preview shows, encoded in the preview document's URI so that VS Code can reopen it:
// asapp-preview:/NAME (preview).jsonl?… (raw JSON Lines) or …jsonc (pretty, with comments).
import * as vscode from 'vscode';

export const PREVIEW_SCHEME = 'asapp-preview';
export type PreviewMode = 'raw' | 'pretty';

export type PreviewTarget =
  | { kind: 's3'; connectionId: string; bucket: string; key: string }
  | { kind: 'file'; path: string };

export function targetName(t: PreviewTarget): string {
  const full = t.kind === 's3' ? t.key : t.path;
  return full.slice(full.lastIndexOf('/') + 1);
}

export function previewUri(target: PreviewTarget, mode: PreviewMode): vscode.Uri {
  const query = new URLSearchParams({ target: JSON.stringify(target), mode }).toString();
  return vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${targetName(target)} (preview).${mode === 'raw' ? 'jsonl' : 'jsonc'}`, query });
}

export function parsePreviewUri(uri: vscode.Uri): { target: PreviewTarget; mode: PreviewMode } {
  const q = new URLSearchParams(uri.query);
  const target = JSON.parse(q.get('target') ?? 'null') as PreviewTarget | null;
  if (!target) throw new Error(`Not a preview document: ${uri.toString()}`);
  return { target, mode: q.get('mode') === 'pretty' ? 'pretty' : 'raw' };
}

/** Same file, same records: the cache key ignores the mode, so toggling does not read S3 again. */
export function targetKey(t: PreviewTarget): string {
  return t.kind === 's3' ? `s3:${t.connectionId}:${t.bucket}/${t.key}` : `file:${t.path}`;
}
