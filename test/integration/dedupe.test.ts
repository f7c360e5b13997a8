// Dedupe: the SQL for a table in a dialect opens in an untitled SQL editor; the local run with DuckDB over
// a downloaded feed drops exactly the duplicates the sample generator planted.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DedupeSummary } from '../../src/core/dedupe/runner';
import { assertNoPendingAnswers, connected, FEED_PATH, nodeAt, run, workspaceFolder, type Fixture } from './fixture';

describe('dedupe', () => {
  let f: Fixture;
  before(async () => { f = await connected(); });
  afterEach(() => assertNoPendingAnswers(f));

  it('opens the dedupe SQL of a feed in the chosen dialect', async () => {
    const feed = await nodeAt(f.api, ['prod', 'convos_metrics']);
    f.prompts.answer('dedupeDialect', i => i.value === 'athena');
    const sql = await run<string>(f.api, 'asappExports.dedupeSql', feed);
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.languageId, 'sql');
    assert.equal(editor?.document.isUntitled, true);
    assert.equal(editor?.document.getText(), sql);
    assert.match(sql, /ROW_NUMBER\(\) OVER \(\s*PARTITION BY "?issue_id"?/i);
    assert.match(sql, /"\$path"/);
  });

  it('asks for the table from the palette; Snowflake gets QUALIFY', async () => {
    f.prompts.answer('dedupeTable', 'utterances').answer('dedupeDialect', i => i.value === 'snowflake');
    const sql = await run<string>(f.api, 'asappExports.dedupeSql');
    assert.match(sql, /QUALIFY/);
  });

  it('runs the dedupe locally with DuckDB on a downloaded feed and drops the planted duplicates', async function () {
    this.timeout(120_000);
    const format = await nodeAt(f.api, FEED_PATH);
    f.prompts.answer('downloadFrom', '').answer('downloadTo', '').answer('decryptDownloads', i => i.value === 'leave');
    await run(f.api, 'asappExports.downloadRange', format);
    const folder = path.join(workspaceFolder(), 'asapp-exports/convos_metrics/version=1');
    f.prompts.answer('dedupeTable', 'convos_metrics').answer('dedupeFormat', i => i.value === 'jsonl');
    const summary = await run<DedupeSummary>(f.api, 'asappExports.runDedupe', vscode.Uri.file(folder));
    const counts = f.manifest.duplicates.byTable['convos_metrics/v1'];
    assert.equal(summary.rowsIn, counts.rowsComplete);
    assert.equal(summary.rowsOut, counts.distinctKeysComplete);
    assert.equal(summary.duplicatesDropped, counts.rowsComplete - counts.distinctKeysComplete);
    assert.ok(summary.duplicatesDropped > 0);
    const out = fs.readFileSync(summary.output, 'utf8').trim().split('\n');
    assert.equal(out.length, summary.rowsOut);
    assert.match(f.api.env.shown.at(-1) ?? '', /convos_metrics: \d+ rows in, \d+ out, \d+ duplicates dropped/);
  });
});
