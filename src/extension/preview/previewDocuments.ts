// Read-only virtual documents with the first N records of an export file (S3 or local), raw JSON Lines or
// pretty JSON with comments. Records are read once per file and N, and kept for the table view and for
// toggling raw/pretty; closing the document drops them.
import * as vscode from 'vscode';
import type { PreviewResult } from '../../core/preview';
import { formatBytes } from '../adapters/progress';
import type { ExtensionEnv } from '../env';
import { keyForConnection, keyForLocalFile } from '../commands/keyFor';
import { PREVIEW_SCHEME, parsePreviewUri, targetKey, type PreviewTarget } from './previewSource';

export class PreviewDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly results = new Map<string, Promise<PreviewResult>>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly env: ExtensionEnv) {
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, this),
      vscode.workspace.onDidCloseTextDocument(doc => {
        if (doc.uri.scheme !== PREVIEW_SCHEME) return;
        const open = vscode.workspace.textDocuments.some(d => d !== doc && d.uri.scheme === PREVIEW_SCHEME && sameTarget(d.uri, doc.uri));
        if (!open) this.results.delete(this.cacheKey(parsePreviewUri(doc.uri).target));
      }),
    ];
  }

  private cacheKey(target: PreviewTarget): string {
    return `${targetKey(target)}#${this.env.settings().previewRecords}`;
  }

  /** The records of a target, read at most once while a document shows them. */
  result(target: PreviewTarget, signal?: AbortSignal): Promise<PreviewResult> {
    const key = this.cacheKey(target);
    let r = this.results.get(key);
    if (!r) {
      r = this.read(target, signal);
      r.catch(() => this.results.delete(key));
      this.results.set(key, r);
    }
    return r;
  }

  private async read(target: PreviewTarget, signal?: AbortSignal): Promise<PreviewResult> {
    const { env } = this;
    const services = env.core();
    const limit = env.settings().previewRecords;
    const encrypted = (target.kind === 's3' ? target.key : target.path).endsWith('.enc');
    if (target.kind === 'file') {
      const key = encrypted ? await keyForLocalFile(env, 'to preview an encrypted file') : undefined;
      return services.preview.previewObject({ kind: 'file', path: target.path }, { limit, signal, ...(key ? { key } : {}) });
    }
    const connection = await env.connections.get(target.connectionId);
    if (!connection) throw new Error('The connection of this preview was removed.');
    const key = encrypted ? await keyForConnection(env, connection, 'to preview an encrypted file') : undefined;
    const client = await env.client(connection);
    return services.preview.previewObject({ kind: 's3', client, bucket: target.bucket, key: target.key }, { limit, signal, ...(key ? { key } : {}) });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const { target, mode } = parsePreviewUri(uri);
    try {
      const result = await this.result(target);
      return mode === 'raw' ? renderRaw(result) : renderPretty(result);
    } catch (e) {
      // the document shows why; the command that opened it reports the failure too
      return `// Preview failed: ${this.env.log.redactor.redact(e instanceof Error ? e.message : String(e))}\n`;
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

function sameTarget(a: vscode.Uri, b: vscode.Uri): boolean {
  return targetKey(parsePreviewUri(a).target) === targetKey(parsePreviewUri(b).target);
}

export function renderRaw(r: PreviewResult): string {
  return r.records.map(rec => rec.text).join('\n') + '\n';
}

export function describeResult(r: PreviewResult): string {
  const what = r.complete ? `all ${r.records.length} records` : `first ${r.records.length} records (the file has more)`;
  const how = [r.compression === 'gzip' ? 'gzip' : undefined, r.encrypted ? 'OpenPGP-encrypted' : undefined].filter(Boolean).join(', ');
  return `${what}${how ? ` · ${how}` : ''} · ${formatBytes(r.bytesRead)} read in ${r.elapsedMs} ms`;
}

export function renderPretty(r: PreviewResult): string {
  const out = [`// ${r.source}`, `// ${describeResult(r)}`];
  for (const p of r.problems) out.push(`// line ${p.line}: ${p.message}`);
  out.push('[');
  r.records.forEach((rec, i) => {
    const last = i === r.records.length - 1;
    out.push(`  // line ${rec.line}`);
    if (rec.value === undefined) {
      out.push(`  // not JSON: ${rec.text.slice(0, 500)}`);
      return;
    }
    out.push(JSON.stringify(rec.value, null, 2).replace(/^/gm, '  ') + (last ? '' : ','));
  });
  out.push(']', '');
  return out.join('\n');
}
