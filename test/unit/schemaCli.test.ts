import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { runCli } from '../support/cli';
import { startLocalS3, type LocalS3 } from '../../src/core/localS3';

function cli(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = process.cwd()) {
  return runCli(argv, { env: { PATH: process.env.PATH, ...env }, cwd });
}

const OLD = `tables:
  - name: convos_metrics
    version: 1
    partitioning: [dt, hr]
    primary_key: [issue_id]
    columns:
      - { name: issue_id, type: varchar(191), primary: true, pii: false, description: "The conversation" }
      - { name: first_utterance_ts, type: timestamp }
      - { name: customer_id, type: bigint, pii: true }
`;
const NEW = `tables:
  - name: convos_metrics
    version: 1
    partitioning: [dt, hr]
    primary_key: [issue_id]
    columns:
      - { name: issue_id, type: varchar(191), primary: true }
      - { name: first_utterance_ts, type: timestamp }
      - { name: customer_id, type: varchar(191), pii: true }
      - { name: channel, type: varchar(32) }
  - name: convos_metrics
    version: 2
    columns: [{ name: issue_id, type: varchar(191) }]
`;

describe('CLI: schema show, diff, infer; ddl', function () {
  this.timeout(30000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'schema-cli-'));
    writeFileSync(path.join(dir, 'old.yaml'), OLD);
    writeFileSync(path.join(dir, 'new.yaml'), NEW);
    writeFileSync(path.join(dir, 'convos_metrics.jsonl.gz'), gzipSync('{"issue_id":"1","first_utterance_ts":"2024-01-01T00:00:00Z","n":3}\n{"issue_id":"2","first_utterance_ts":null,"n":4.5}\n'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('schema show prints columns, keys and flags from the docs', async () => {
    const r = await cli(['schema', 'show', 'convos_metrics', '--docs', 'old.yaml', '--version', '1'], {}, dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^convos_metrics version=1 — old\.yaml$/m);
    assert.match(r.stdout, /^dedupe: partition by issue_id; order by first_utterance_ts DESC$/m);
    assert.match(r.stdout, /^issue_id\s+varchar\(191\)\s+yes\s+The conversation$/m);
    assert.match(r.stdout, /^customer_id\s+bigint\s+yes$/m);
    const missing = await cli(['schema', 'show', 'utterances', '--docs', 'old.yaml'], {}, dir);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /does not describe utterances \(it has: convos_metrics\)/);
  });

  it('schema diff lists the changes and fails on breaking ones when asked', async () => {
    const r = await cli(['schema', 'diff', 'old.yaml', 'new.yaml'], {}, dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\+ convos_metrics \(version=1\): column channel varchar\(32\) added$/m);
    assert.match(r.stdout, /^! convos_metrics \(version=1\): column customer_id changed type bigint → varchar\(191\)$/m);
    assert.match(r.stdout, /^! convos_metrics \(version=2\) is a new version of convos_metrics \(had version=1\)/m);
    assert.equal((await cli(['schema', 'diff', 'old.yaml', 'new.yaml', '--fail-on-breaking'], {}, dir)).code, 1);
    assert.equal((await cli(['schema', 'diff', 'old.yaml', 'old.yaml', '--fail-on-breaking'], {}, dir)).code, 0);
    const j = JSON.parse((await cli(['schema', 'diff', 'old.yaml', 'new.yaml', '--json'], {}, dir)).stdout);
    assert.ok(j.changes.some((c: { kind: string }) => c.kind === 'version-added'));
  });

  it('schema infer reads a .jsonl.gz sample; --yaml gives a docs fragment that dedupe/ddl accept', async () => {
    const r = await cli(['schema', 'infer', 'convos_metrics.jsonl.gz'], {}, dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^first_utterance_ts\s+timestamp\s+1\s+2024-01-01T00:00:00Z$/m);
    assert.match(r.stdout, /^n\s+double\s+0/m);
    const y = await cli(['schema', 'infer', 'convos_metrics.jsonl.gz', '--yaml'], {}, dir);
    writeFileSync(path.join(dir, 'inferred.yaml'), y.stdout);
    const d = await cli(['ddl', 'athena', 's3://asapp-prod-acme-exports-us-east-1/convos_metrics/version=1/format=jsonl/', '--docs', 'inferred.yaml', '--partitioning', 'dt,hr'], {}, dir);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /`n` double/);
  });

  it('ddl: columns from the docs, from a sample, or known columns; usage errors exit 2', async () => {
    const a = await cli(['ddl', 'athena', 's3://asapp-prod-acme-exports-us-east-1/convos_metrics/version=1/format=jsonl/', '--docs', 'new.yaml', '--database', 'exports', '--since', '2024-01-01'], {}, dir);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /CREATE EXTERNAL TABLE IF NOT EXISTS `exports`\.`convos_metrics_raw`/);
    assert.match(a.stdout, /`channel` string/);
    assert.match(a.stdout, /'projection\.dt\.range' = '2024-01-01,NOW'/);
    assert.match(a.stdout, /CREATE OR REPLACE VIEW "exports"\."convos_metrics" AS/);
    const s = await cli(['ddl', 'snowflake', 's3://asapp-prod-acme-exports-us-east-1/convos_metrics/', '--sample', 'convos_metrics.jsonl.gz', '--partitioning', 'dt,hr'], {}, dir);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /CREATE OR REPLACE EXTERNAL TABLE convos_metrics_raw/);
    const k = await cli(['ddl', 'bigquery', 's3://asapp-prod-acme-exports-us-east-1/utterances/'], {}, dir);
    assert.equal(k.code, 0, k.stderr);
    assert.match(k.stderr, /assumed dt\/hr/);
    assert.match(k.stdout, /WITH CONNECTION `aws-us-east-1\.asapp_exports`/);
    assert.equal((await cli(['ddl', 'oracle', 's3://b/f/'], {}, dir)).code, 2);
    assert.equal((await cli(['ddl', 'athena', 's3://asapp-prod-acme-exports-us-east-1/mystery_feed/'], {}, dir)).code, 2);
  });

  describe('docs on S3 (in-process local S3 server)', () => {
    let s3: LocalS3;
    const bucket = 'asapp-dev-acme-exports-us-east-1';
    before(async () => {
      s3 = await startLocalS3();
      await s3.createBucket(bucket);
      const c = s3.client();
      await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'sub/export_docs/version=1/format=yaml/dt=2024-01-01/export_docs.yaml', Body: OLD }));
      await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'sub/export_docs/version=1/format=yaml/dt=2024-01-02/export_docs.yaml', Body: NEW }));
      c.destroy();
    });
    after(async () => { await s3?.stop(); });

    it('schema show --docs s3://BUCKET/SUB/ reads the newest day; diff takes s3:// keys', async () => {
      const env = { AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey };
      const r = await cli(['schema', 'show', 'convos_metrics', '--docs', `s3://${bucket}/sub/`, '--sub-folder', 'sub', '--version', '1', '--endpoint', s3.endpoint], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^channel\s+varchar\(32\)/m);
      const d = await cli(['schema', 'diff', `s3://${bucket}/sub/export_docs/version=1/format=yaml/dt=2024-01-01/export_docs.yaml`, `s3://${bucket}/sub/export_docs/version=1/format=yaml/dt=2024-01-02/export_docs.yaml`, '--endpoint', s3.endpoint], env);
      assert.equal(d.code, 0, d.stderr);
      assert.match(d.stdout, /column channel varchar\(32\) added/);
    });
  });
});
