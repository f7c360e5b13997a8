import assert from 'node:assert/strict';
import { parseExportDocs, findDocTable } from '../../src/core/schema/exportDocs';
import { diffExportDocs, formatSchemaChange, isBreaking, type SchemaChange } from '../../src/core/schema/diff';
import { inferSchema } from '../../src/core/schema/infer';
import { logicalType } from '../../src/core/schema/types';
import { SchemaError } from '../../src/core/errors';
import { exportDocsYaml } from '../../src/core/sample/exportDocs';
import { SAMPLE_TABLES } from '../../src/core/sample/tables';

const DAY1 = `
generated_at: "2024-01-03T00:05:00Z"
export_date: "2024-01-02"
publisher: asapp            # unknown top-level field
tables:
  - name: convos_metrics
    version: 1
    description: "Conversation-level metrics"
    sync_time: 1h
    partitioning: [dt, hr]
    primary_key: [issue_id]
    retention_days: 30      # unknown table field
    columns:
      - { name: issue_id, type: varchar(191), description: "id", primary: true, pii: false, example: 21352352 }
      - { name: first_utterance_ts, type: timestamp, primary: false, pii: false, release_state: GA }
      - { name: total_handle_time, type: double }
      - { name: old_metric, type: int }
  - name: dim_queues
    version: 1
    partitioning: [dt]
    columns:
      - { name: queue_key, type: varchar(191), primary: true }
      - queue_name
  - name: sms_events
    version: 1
    columns: [{ name: sms_flow_id, type: varchar }]
`;
const DAY2 = `
tables:
  - name: convos_metrics
    version: 1
    primary_key: [issue_id, company_id]
    columns:
      - { name: issue_id, type: varchar(191) }
      - { name: company_id, type: int }
      - { name: first_utterance_ts, type: "timestamp " }
      - { name: total_handle_time, type: varchar }
  - name: convos_metrics
    version: 2
    primary_key: [issue_id]
    columns:
      - { name: issue_id, type: varchar(191) }
      - { name: first_utterance_ts, type: timestamp }
      - { name: handle_seconds, type: double }
  - name: dim_queues
    version: 1
    columns:
      - { name: queue_key, type: varchar(191), primary: true }
      - queue_name
  - name: rep_hierarchy
    version: 1
    columns: [{ name: subordinate_agent_id, type: int }]
`;

describe('schema: export_docs.yaml', () => {
  it('parses the structure, keeps unknown fields, tolerates missing optional fields', () => {
    const d = parseExportDocs(DAY1);
    assert.equal(d.generatedAt, '2024-01-03T00:05:00Z');
    assert.equal(d.exportDate, '2024-01-02');
    assert.deepEqual(d.extra, { publisher: 'asapp' });
    const t = findDocTable(d, 'convos_metrics')!;
    assert.equal(t.version, 1);
    assert.equal(t.syncTime, '1h');
    assert.deepEqual(t.partitioning, ['dt', 'hr']);
    assert.deepEqual(t.extra, { retention_days: 30 });
    assert.deepEqual(t.columns[0], { name: 'issue_id', type: 'varchar(191)', description: 'id', primary: true, pii: false, example: '21352352', extra: {} });
    assert.deepEqual(t.columns[1].extra, { release_state: 'GA' });
    const q = findDocTable(d, 'dim_queues')!;
    assert.deepEqual(q.primaryKey, ['queue_key'], 'primary key from the primary flags when primary_key is absent');
    assert.deepEqual(q.columns[1], { name: 'queue_name', extra: {} });
    assert.equal(findDocTable(d, 'sms_events')!.description, undefined);
  });

  it('reads what the sample generator writes', () => {
    const text = exportDocsYaml({ dt: '2024-01-02', generatedAt: '2024-01-02T00:05:00Z', tables: SAMPLE_TABLES });
    const d = parseExportDocs(text);
    assert.equal(d.tables.length, SAMPLE_TABLES.length);
    for (const t of SAMPLE_TABLES) {
      const parsed = findDocTable(d, t.feed, t.version)!;
      assert.deepEqual(parsed.columns.map(c => c.name), t.columns.map(c => c.name));
      assert.deepEqual(parsed.primaryKey, t.primaryKey);
    }
  });

  it('picks the highest version unless one is asked for', () => {
    const d = parseExportDocs(DAY2);
    assert.equal(findDocTable(d, 'convos_metrics')!.version, 2);
    assert.equal(findDocTable(d, 'convos_metrics', 1)!.version, 1);
  });

  it('fails with the table and field named', () => {
    assert.throws(() => parseExportDocs('tables: {a: 1}'), (e: unknown) => e instanceof SchemaError && /`tables` should be a list/.test(e.message));
    assert.throws(() => parseExportDocs('tables:\n  - name: x\n    columns: 3'), (e: unknown) => e instanceof SchemaError && /tables\[0\] \(x\).*`columns`/.test(e.message));
    assert.throws(() => parseExportDocs('tables:\n  - name: x\n    version: -1'), /version/);
    assert.throws(() => parseExportDocs('tables: [\n'), (e: unknown) => e instanceof SchemaError && e.code === 'schema.bad-yaml');
  });
});

describe('schema: diff', () => {
  const changes = diffExportDocs(parseExportDocs(DAY1), parseExportDocs(DAY2));
  const of = (kind: SchemaChange['kind']) => changes.filter(c => c.kind === kind);

  it('reports each kind of change', () => {
    assert.deepEqual(of('column-added').filter(c => c.version === 1).map(c => (c as { column: string }).column), ['company_id']);
    assert.deepEqual(of('column-removed').filter(c => c.version === 1).map(c => (c as { column: string }).column), ['old_metric']);
    assert.deepEqual(of('column-retyped').filter(c => c.version === 1), [{ kind: 'column-retyped', table: 'convos_metrics', version: 1, column: 'total_handle_time', from: 'double', to: 'varchar' }]);
    assert.deepEqual(of('primary-key-changed').filter(c => c.version === 1), [{ kind: 'primary-key-changed', table: 'convos_metrics', version: 1, from: ['issue_id'], to: ['issue_id', 'company_id'] }]);
    assert.deepEqual(of('version-added'), [{ kind: 'version-added', table: 'convos_metrics', version: 2, previous: [1] }]);
    assert.deepEqual(of('table-added'), [{ kind: 'table-added', table: 'rep_hierarchy', version: 1 }]);
    assert.deepEqual(of('table-removed'), [{ kind: 'table-removed', table: 'sms_events', version: 1 }]);
  });

  it('compares a new version with the latest earlier one', () => {
    const v2 = changes.filter(c => c.version === 2 && c.kind.startsWith('column'));
    assert.deepEqual(v2.map(c => [c.kind, (c as { column: string }).column, (c as { comparedTo?: number }).comparedTo]),
      [['column-added', 'handle_seconds', 1], ['column-removed', 'total_handle_time', 1], ['column-removed', 'old_metric', 1]]);
  });

  it('ignores case and spacing in types, and reports nothing for identical docs', () => {
    assert.equal(changes.some(c => c.kind === 'column-retyped' && c.column === 'first_utterance_ts'), false);
    assert.deepEqual(diffExportDocs(parseExportDocs(DAY1), parseExportDocs(DAY1)), []);
  });

  it('formats changes for people, flagging breaking ones', () => {
    const lines = changes.map(formatSchemaChange);
    assert.ok(lines.includes('! convos_metrics (version=1): column total_handle_time changed type double → varchar'));
    assert.ok(lines.some(l => l.startsWith('! convos_metrics (version=2) is a new version')));
    assert.equal(isBreaking(of('table-added')[0]), false);
    assert.equal(isBreaking(of('column-removed')[0]), true);
  });
});

describe('schema: infer from rows', () => {
  it('widens types over rows and counts nulls', () => {
    const s = inferSchema([
      '{"id":"a","n":1,"x":1,"ok":true,"ts":"2024-01-01T00:00:00Z","d":"2024-01-01","o":{"k":1},"m":"z"}',
      '',
      '{"id":"b","n":2,"x":1.5,"ok":false,"ts":"2024-01-01 00:00:00.123+00:00","d":"2024-01-02T10:00:00Z","m":3}',
      'not json',
      '{"id":"c","n":null}',
    ]);
    const t = Object.fromEntries(s.columns.map(c => [c.name, c.type]));
    assert.deepEqual(t, { id: 'string', n: 'bigint', x: 'double', ok: 'boolean', ts: 'timestamp', d: 'timestamp', o: 'json', m: 'string' });
    assert.equal(s.rows, 3);
    assert.deepEqual(s.badLines, [4]);
    assert.equal(s.columns.find(c => c.name === 'n')!.nulls, 1);
    assert.throws(() => inferSchema(['[1]']), (e: unknown) => e instanceof SchemaError && /line 1/.test(e.message));
  });

  it('maps vendor, Hive and inferred type names to one vocabulary', () => {
    assert.deepEqual(['varchar(191)', 'STRING', 'INT', 'smallint', 'double', 'FLOAT', 'BOOLEAN', 'datetime', 'timestamp', 'date', 'json', undefined, 'weird'].map(logicalType),
      ['string', 'string', 'bigint', 'bigint', 'double', 'double', 'boolean', 'timestamp', 'timestamp', 'date', 'json', 'string', 'string']);
  });
});
