// "Open as table": the preview's records in a webview grid with the inferred column types.
// Webview recipe: localResourceRoots = media, asWebviewUri, CSP default-src 'none' + nonce, script and
// CSS from media/, messages typed in protocol.ts.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { PreviewResult } from '../../core/preview';
import type { FromWebview, TableRow, ToWebview } from './protocol';
import { describeResult } from './previewDocuments';

const RENDER_TIMEOUT_MS = 20_000;

function cell(value: unknown): string {
  if (value === undefined) return '';
  if (value === null) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function toTableMessage(title: string, r: PreviewResult): ToWebview {
  const columns = r.columns.map(c => ({ name: c.name, types: c.types, nullable: c.nullable }));
  const rows: TableRow[] = r.records.map(rec => {
    const obj = rec.value && typeof rec.value === 'object' && !Array.isArray(rec.value) ? (rec.value as Record<string, unknown>) : undefined;
    return { line: rec.line, cells: obj ? columns.map(c => cell(obj[c.name])) : columns.map((_, i) => (i === 0 ? rec.text : '')) };
  });
  return { type: 'show', title, source: `${r.source} — ${describeResult(r)}`, columns, rows, problems: r.problems.map(p => ({ line: p.line, message: p.message })), complete: r.complete };
}

/** Opens the table; resolves once the webview has rendered it (with what it rendered). */
export function openTable(extensionUri: vscode.Uri, title: string, result: PreviewResult): Promise<Extract<FromWebview, { type: 'rendered' }>> {
  const media = vscode.Uri.joinPath(extensionUri, 'media');
  const panel = vscode.window.createWebviewPanel('asappExports.table', `${title} (table)`, vscode.ViewColumn.Active, {
    enableScripts: true,
    localResourceRoots: [media],
  });
  const nonce = randomBytes(16).toString('base64');
  const webview = panel.webview;
  const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'table.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'table.css'));
  webview.html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${style}" rel="stylesheet"><title>${escapeHtml(title)}</title></head>
<body><header><h1 id="title"></h1><p id="source"></p><ul id="problems"></ul></header>
<main><table id="grid"><thead></thead><tbody></tbody></table></main>
<script nonce="${nonce}" src="${script}"></script></body></html>`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('The table view did not render in time.')), RENDER_TIMEOUT_MS);
    const sub = webview.onDidReceiveMessage((m: FromWebview) => {
      if (m.type === 'ready') void webview.postMessage(toTableMessage(title, result));
      if (m.type === 'rendered') {
        clearTimeout(timer);
        sub.dispose();
        resolve(m);
      }
    });
    panel.onDidDispose(() => { clearTimeout(timer); sub.dispose(); });
  });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}
