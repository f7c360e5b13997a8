import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEDUPE_REFERENCE, findReferenceTable, resolveDedupeKeys } from '../../src/core/dedupe/reference';
import { DedupeError } from '../../src/core/errors';

// The guide's table is flattened text: "name[ (deprecated)]" + partition-by list + order-by list + " DESC",
// with no separator between the cells. Every row of our data must rebuild its line exactly (after
// normalising ", " vs "," and the trailing comma).
const GUIDE = readFileSync(path.join(__dirname, '../../reference/retrieving-data-from-asapp.txt'), 'utf8');

function guideRows(): string[] {
  const lines = GUIDE.split('\n');
  const start = lines.findIndex(l => l.trim() === 'TablePartition ByOrder By');
  assert.ok(start > 0, 'the guide has a Deduping Reference header');
  const rows: string[] = [];
  for (let i = start + 1; i < lines.length && lines[i].trim() !== ''; i++) rows.push(lines[i].trim());
  return rows;
}

const normalise = (s: string) => s.replace(/\s*,\s*/g, ', ').replace(/, $/, '');

describe('dedupe reference table', () => {
  const rows = guideRows();

  // DESIGN.md and the issue say 44; the guide's table has 45 rows (counted here from its text).
  it('has the 45 tables of the guide, in the guide order', () => {
    assert.equal(rows.length, 45);
    assert.equal(DEDUPE_REFERENCE.length, 45);
    rows.forEach((line, i) => assert.ok(line.startsWith(DEDUPE_REFERENCE[i].name), `${line} vs ${DEDUPE_REFERENCE[i].name}`));
  });

  it('rebuilds every guide line from the data', () => {
    rows.forEach((line, i) => {
      const r = DEDUPE_REFERENCE[i];
      const rebuilt = r.name + (r.deprecated ? ' (deprecated)' : '') + r.partitionBy.join(', ') + (r.orderBy.length ? r.orderBy.join(', ') + ' DESC' : '');
      assert.equal(normalise(rebuilt), normalise(line), r.name);
    });
  });

  it('pins rows whose cell boundary the text alone does not show', () => {
    assert.deepEqual(findReferenceTable('convos_metrics'), { name: 'convos_metrics', partitionBy: ['issue_id'], orderBy: ['first_utterance_ts'] });
    assert.deepEqual(findReferenceTable('admin_activity')?.orderBy, ['status_end_ts']);
    assert.deepEqual(findReferenceTable('customer_feedback')?.partitionBy,
      ['issue_id', 'company_subdivision', 'company_segments', 'last_rep_id', 'question', 'instance_ts']);
    assert.deepEqual(findReferenceTable('queue_membership_wfm'), {
      name: 'queue_membership_wfm', partitionBy: ['instance_ts', 'company_id', 'rep_id', 'queue_id'], orderBy: ['instance_ts'],
    });
    assert.deepEqual(findReferenceTable('utterances')?.partitionBy, ['issue_id', 'sender_id', 'created_ts']);
  });

  it('reads flow_completions as two order-by columns, both DESC', () => {
    assert.deepEqual(findReferenceTable('flow_completions')?.orderBy, ['negation_event_ts', 'success_event_ts']);
  });

  it('keeps rep_hierarchy without the empty column of its trailing comma', () => {
    assert.match(rows.find(l => l.startsWith('rep_hierarchy'))!, /superior_agent_id,$/);
    assert.deepEqual(findReferenceTable('rep_hierarchy'), { name: 'rep_hierarchy', partitionBy: ['subordinate_agent_id', 'superior_agent_id'], orderBy: [] });
  });

  it('marks only quick_reply_buttons deprecated', () => {
    assert.deepEqual(DEDUPE_REFERENCE.filter(r => r.deprecated).map(r => r.name), ['quick_reply_buttons']);
  });

  it('knows exactly five tables without an order-by', () => {
    assert.deepEqual(DEDUPE_REFERENCE.filter(r => !r.orderBy.length).map(r => r.name).sort(),
      ['dim_queues', 'export_row_counts', 'intents', 'rep_hierarchy', 'sms_events']);
  });

  it('is frozen', () => {
    assert.throws(() => { (DEDUPE_REFERENCE as unknown as unknown[]).push({}); });
    assert.throws(() => { (DEDUPE_REFERENCE[0] as { name: string }).name = 'x'; });
  });

  it('resolves keys: reference, user override, unknown table', () => {
    assert.equal(resolveDedupeKeys('Convos_Metrics').source, 'reference');
    assert.deepEqual(resolveDedupeKeys('convos_metrics', { orderBy: ['instance_ts'] }),
      { partitionBy: ['issue_id'], orderBy: ['instance_ts'], source: 'custom' });
    assert.deepEqual(resolveDedupeKeys('new_feed', { partitionBy: ['id'], orderBy: ['ts'] }), { partitionBy: ['id'], orderBy: ['ts'], source: 'custom' });
    assert.throws(() => resolveDedupeKeys('new_feed'), (e: unknown) => e instanceof DedupeError && e.code === 'dedupe.unknown-table' && /--partition-by/.test(e.message));
  });
});
