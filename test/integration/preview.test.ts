// Preview: the first N records of an S3 file in a read-only document (raw, then pretty), the table webview
// actually rendering them, an encrypted file decrypted on the fly, and a local file from the Explorer.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { assertNoPendingAnswers, children, connected, FEED_PATH, label, nodeAt, run, workspaceFolder, type Fixture } from './fixture';
import type { ExportNode } from '../../src/extension/tree/nodes';

interface Opened { uri: string; text: string }

describe('preview', () => {
  let f: Fixture;
  let file: ExportNode;
  before(async () => {
    f = await connected();
    file = (await children(f.api, await nodeAt(f.api, [...FEED_PATH, 'dt=2024-01-01', 'hr=05']))).find(n => label(f.api, n).endsWith('.jsonl.gz'))!;
  });
  afterEach(() => assertNoPendingAnswers(f));

  it('opens the first records of an S3 file as a read-only JSON Lines document', async () => {
    await vscode.workspace.getConfiguration('asappExports').update('preview.records', 5, vscode.ConfigurationTarget.Global);
    try {
      const opened = await run<Opened>(f.api, 'asappExports.previewFile', file);
      const doc = vscode.window.activeTextEditor?.document;
      assert.equal(doc?.uri.scheme, 'asapp-preview');
      assert.equal(doc?.uri.toString(), opened.uri);
      const lines = opened.text.trimEnd().split('\n');
      assert.equal(lines.length, 5);
      for (const l of lines) assert.ok('issue_id' in JSON.parse(l), l);
      // toggle to pretty JSON with line comments, then back
      const pretty = await run<Opened>(f.api, 'asappExports.togglePreviewFormat');
      assert.match(pretty.text, /^\/\/ s3:\/\/asapp-prod-acme-exports-us-east-1\/acme\/convos_metrics\/.*hr=05\/convos_metrics\.jsonl\.gz$/m);
      assert.match(pretty.text, /^ {2}\/\/ line 1$/m);
      assert.match(pretty.text, /first 5 records \(the file has more\) · gzip/);
      const raw = await run<Opened>(f.api, 'asappExports.togglePreviewFormat');
      assert.equal(raw.text, opened.text);
    } finally {
      await vscode.workspace.getConfiguration('asappExports').update('preview.records', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('opens the preview as a table in a webview that renders the columns', async function () {
    this.timeout(60_000);
    const rendered = await run<{ rows: number; columns: number; headers: string[] }>(f.api, 'asappExports.openPreviewAsTable', file);
    assert.ok(rendered.rows > 0);
    assert.ok(rendered.headers.includes('issue_id'), rendered.headers.join(','));
    assert.equal(rendered.columns, rendered.headers.length);
  });

  it('previews an encrypted (.enc) file with the user\'s key', async () => {
    const key = f.manifest.encryptedFile!;
    const segs = key.split('/').slice(1);
    const node = await nodeAt(f.api, ['prod', ...segs]);
    const opened = await run<Opened>(f.api, 'asappExports.previewFile', node);
    const first = JSON.parse(opened.text.split('\n')[0]);
    assert.ok('issue_id' in first);
  });

  it('previews a local .jsonl.gz file (Explorer) with the same records as on S3', async () => {
    const hour = await nodeAt(f.api, [...FEED_PATH, 'dt=2024-01-02', 'hr=00']);
    await run(f.api, 'asappExports.downloadPartition', hour);
    const local = path.join(workspaceFolder(), 'asapp-exports/convos_metrics/version=1/format=jsonl/dt=2024-01-02/hr=00/convos_metrics.jsonl.gz');
    assert.ok(fs.existsSync(local));
    const fromDisk = await run<Opened>(f.api, 'asappExports.previewLocalFile', vscode.Uri.file(local));
    const s3File = (await children(f.api, hour)).find(n => label(f.api, n) === 'convos_metrics.jsonl.gz')!;
    const fromS3 = await run<Opened>(f.api, 'asappExports.previewFile', s3File);
    assert.equal(fromDisk.text, fromS3.text);
    assert.ok(fromDisk.text.length > 0);
  });
});
