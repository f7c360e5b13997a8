// Schema: the table as export_docs.yaml describes it, and what changed between two days.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { assertNoPendingAnswers, connected, nodeAt, run, type Fixture } from './fixture';

describe('schema', () => {
  let f: Fixture;
  before(async () => { f = await connected(); });
  afterEach(() => assertNoPendingAnswers(f));

  it('shows the columns of a feed from the newest export_docs.yaml', async () => {
    const feed = await nodeAt(f.api, ['prod', 'convos_metrics', 'version=1']);
    const text = await run<string>(f.api, 'asappExports.showSchema', feed);
    assert.equal(vscode.window.activeTextEditor?.document.languageId, 'markdown');
    assert.match(text, /^# convos_metrics \(version=1\)$/m);
    assert.match(text, /^\| issue_id \| [^|]+ \|/m);
    assert.match(text, /export_docs\.yaml` of 2024-01-02/);
  });

  it('diffs the schema of two days', async () => {
    const feed = await nodeAt(f.api, ['prod', 'convos_metrics']);
    f.prompts.answer('schemaNewer', '2024-01-02').answer('schemaOlder', '2024-01-01');
    const text = await run<string>(f.api, 'asappExports.diffSchema', feed);
    assert.match(text, /^# Schema changes 2024-01-01 → 2024-01-02 for convos_metrics$/m);
  });

  it('writes the Athena DDL of a feed (newest version) with partition projection and the dedupe view', async () => {
    const feed = await nodeAt(f.api, ['prod', 'convos_metrics']);
    const sql = await run<string>(f.api, 'asappExports.athenaDdl', feed);
    assert.equal(vscode.window.activeTextEditor?.document.languageId, 'sql');
    assert.match(sql, /CREATE EXTERNAL TABLE/i);
    assert.match(sql, /s3:\/\/asapp-prod-acme-exports-us-east-1\/acme\/convos_metrics\/version=2\/format=jsonl\//);
    assert.match(sql, /projection\.enabled/);
    assert.match(sql, /ROW_NUMBER\(\)/i);
    assert.match(sql, /-- Columns from export_docs\.yaml of 2024-01-02/);
  });
});
