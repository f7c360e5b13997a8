import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runCli } from '../support/cli';
import { generateKeyPair } from '../../src/core/pgp';
import { generateSampleExports, tableKey, type SampleManifest } from '../../src/core/sample/generate';
import { folderSink } from '../../src/core/sample/sinks';

function cli(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = process.cwd()) {
  return runCli(argv, { env: { PATH: process.env.PATH, ...env }, cwd });
}

describe('CLI: tables and dedupe sql', () => {
  it('tables lists all 45 tables with their keys', async () => {
    const r = await cli(['tables']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^convos_metrics\s+issue_id\s+first_utterance_ts$/m);
    assert.match(r.stdout, /^quick_reply_buttons \(deprecated\)\s+final_intent_code, /m);
    assert.match(r.stdout, /^dim_queues\s+queue_key\s+— \(latest export wins\)$/m);
    const j = JSON.parse((await cli(['tables', '--json'])).stdout);
    assert.equal(j.length, 45);
    assert.deepEqual(j.find((t: { name: string }) => t.name === 'flow_completions').orderBy, ['negation_event_ts', 'success_event_ts']);
  });

  it('dedupe sql prints the dialect\'s query; "tables" and "dedupe sql" dispatch side by side', async () => {
    const r = await cli(['dedupe', 'sql', 'convos_metrics', '--dialect', 'snowflake', '--since', '2024-01-02', '--columns', 'issue_id,first_utterance_ts']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, [
      'SELECT issue_id, first_utterance_ts',
      'FROM convos_metrics',
      "WHERE dt >= '2024-01-02'",
      'QUALIFY ROW_NUMBER() OVER (PARTITION BY issue_id ORDER BY first_utterance_ts DESC NULLS LAST, METADATA$FILENAME DESC) = 1;',
      '',
    ].join('\n'));
    const custom = await cli(['dedupe', 'sql', 'new_feed', '--partition-by', 'id', '--order-by', 'updated_ts', '--tie-break', 'loaded_at', '--json']);
    const j = JSON.parse(custom.stdout);
    assert.equal(j.dialect, 'ansi');
    assert.deepEqual(j.keys, { partitionBy: ['id'], orderBy: ['updated_ts'], source: 'custom' });
    assert.match(j.sql, /ORDER BY "updated_ts" DESC NULLS LAST, "loaded_at" DESC NULLS LAST/);
  });

  it('exits 2 on usage errors and 1 on an unknown table, with advice on stderr', async () => {
    const bad = await cli(['dedupe', 'sql', 'convos_metrics', '--dialect', 'oracle']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown SQL dialect "oracle": use one of/);
    const unknown = await cli(['dedupe', 'sql', 'mystery']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /not in the guide's deduping reference: give its keys, e\.g\. --partition-by/);
    assert.equal((await cli(['dedupe', 'run', 'convos_metrics'])).code, 2);
  });
});

describe('CLI: dedupe run on the sample generator\'s export', function () {
  this.timeout(120000);
  let root: string;
  let manifest: SampleManifest;
  const env = { ASAPP_EXPORTS_PASSPHRASE: 'sample-pass-1' };
  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'dedupe-cli-'));
    const pair = await generateKeyPair({ name: 'Sample', email: 'sample@example.com', passphrase: env.ASAPP_EXPORTS_PASSPHRASE });
    writeFileSync(path.join(root, 'key.asc'), pair.privateKeyArmored, { mode: 0o600 });
    manifest = await generateSampleExports(folderSink(path.join(root, 'bucket')), { seed: 5, days: 2, duplicateRate: 0.2, encryptToPublicKey: pair.publicKeyArmored, concurrency: 2 });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const lineOf = (key: string, line: number) => gunzipSync(readFileSync(path.join(root, 'bucket', key))).toString('utf8').split('\n')[line - 1];

  for (const feed of ['utterances', 'rep_activity', 'dim_queues'] as const) {
    it(`${feed}: keeps every winner the generator recorded and drops every other copy`, async () => {
      const out = path.join(root, `${feed}.jsonl`);
      const r = await cli(['dedupe', 'run', feed, '--in', path.join(root, 'bucket', feed, 'version=1'), '--out', out, '--format', 'jsonl', '--raw', '--json', '--threads', '1'], env);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      const counts = manifest.duplicates.byTable[tableKey(feed, 1)];
      assert.equal(s.rowsIn, counts.rows);
      assert.equal(s.rowsOut, counts.distinctKeys);
      assert.equal(s.duplicatesDropped, counts.duplicateRows);
      const kept = new Set(readFileSync(out, 'utf8').split('\n').filter(Boolean));
      const groups = manifest.duplicates.groups.filter(g => g.feed === feed && g.version === 1);
      assert.ok(groups.length > 0);
      for (const g of groups) {
        const lines = g.copies.map(c => lineOf(c.file, c.line));
        assert.ok(kept.has(lines[g.winner]), `${feed} ${JSON.stringify(g.key)}: winner kept`);
        lines.forEach((l, i) => { if (i !== g.winner && l !== lines[g.winner]) assert.ok(!kept.has(l), `${feed} ${JSON.stringify(g.key)}: copy ${i} dropped`); });
      }
    });
  }

  it('convos_metrics: decrypts the .enc file with --key, reads the columns from export_docs.yaml, writes Parquet', async () => {
    const docs = path.join(root, 'bucket', manifest.docs.at(-1)!.key);
    const r = await cli(['dedupe', 'run', 'convos_metrics', '--in', path.join(root, 'bucket', 'convos_metrics', 'version=1'), '--key', path.join(root, 'key.asc'), '--docs', docs, '--json'], env, root);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.output, path.join(root, 'convos_metrics.deduped.parquet'));
    assert.equal(s.decryptedFiles, 1);
    assert.equal(s.schemaSource, 'export_docs');
    assert.equal(s.rowsOut, manifest.duplicates.byTable[tableKey('convos_metrics', 1)].distinctKeys);
    assert.ok(existsSync(s.output));
    const without = await cli(['dedupe', 'run', 'convos_metrics', '--in', path.join(root, 'bucket', 'convos_metrics', 'version=1'), '--out', path.join(root, 'x.parquet')], env);
    assert.equal(without.code, 1);
    assert.match(without.stderr, /encrypted .*pass --key FILE/);
  });

  it('human summary on stdout; the built CLI (node dist/cli.js) runs the same dedupe with its exit code', async function () {
    const r = await cli(['dedupe', 'run', 'dim_queues', '--in', path.join(root, 'bucket', 'dim_queues'), '--out', path.join(root, 'q.csv'), '--format', 'csv'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Deduped dim_queues → .*q\.csv\n {2}rows in +\d+\n {2}rows out +\d+\n {2}duplicates dropped +\d+/);
    const dist = path.join(__dirname, '../../dist/cli.js');
    const build = spawnSync(process.execPath, [path.join(__dirname, '../../esbuild.js')], { cwd: path.join(__dirname, '../..'), encoding: 'utf8' });
    assert.equal(build.status, 0, `build failed: ${build.stderr}`);
    const p = spawnSync(process.execPath, [dist, 'dedupe', 'run', 'dim_queues', '--in', path.join(root, 'bucket', 'dim_queues'), '--out', path.join(root, 'q2.parquet'), '--json'], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.equal(p.status, 0, p.stderr);
    assert.equal(JSON.parse(p.stdout).rowsOut, manifest.duplicates.byTable[tableKey('dim_queues', 1)].distinctKeys);
    const again = spawnSync(process.execPath, [dist, 'dedupe', 'run', 'dim_queues', '--in', path.join(root, 'bucket', 'dim_queues'), '--out', path.join(root, 'q2.parquet')], { encoding: 'utf8' });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already exists: choose another --out or pass --overwrite/);
  });
});
