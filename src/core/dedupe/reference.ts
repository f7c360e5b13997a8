// The vendor guide's "Deduping Reference" table, as data: for every exported table, the columns that
// identify a row (partition by) and the columns that say which copy is the latest (order by, always
// DESC in the guide). test/unit/dedupeReference.test.ts checks every row against the guide's text.
//
// Readings of the guide that are decisions, not transcriptions:
// - flow_completions lists `negation_event_ts,success_event_ts DESC`. Read literally as SQL the DESC
//   binds to success_event_ts only and negation_event_ts would sort ASC (keeping the EARLIEST
//   negation), which contradicts the guide's intent ("get the latest instance"). We read it as two
//   order-by columns, both DESC NULLS LAST, in the listed order: the latest negation wins; rows with
//   equal (or no) negation time fall to the latest success time; rows with neither fall to the export
//   tie-breaker.
// - rep_hierarchy's partition-by ends with a trailing comma in the guide; it has no order-by column.
// - Tables with no order-by (dim_queues, export_row_counts, intents, rep_hierarchy, sms_events) keep the
//   row of the latest export (see tieBreak in sql.ts).

import { DedupeError } from '../errors';

export interface DedupeKeys {
  /** Columns that identify one logical row. */
  partitionBy: string[];
  /** Columns that pick the latest copy, each sorted DESC NULLS LAST; empty = latest export wins. */
  orderBy: string[];
}

export interface ReferenceTable extends DedupeKeys {
  name: string;
  /** Marked "(deprecated)" in the guide. */
  deprecated?: boolean;
}

const t = (name: string, partitionBy: string, orderBy: string, extra: Partial<ReferenceTable> = {}): ReferenceTable => ({
  name,
  partitionBy: splitColumns(partitionBy),
  orderBy: splitColumns(orderBy),
  ...extra,
});

function splitColumns(list: string): string[] {
  return list.split(',').map(s => s.trim()).filter(s => s !== '');
}

export const DEDUPE_REFERENCE: readonly ReferenceTable[] = Object.freeze([
  t('admin_activity', 'company_id, rep_id, status_description, status_start_ts', 'status_end_ts'),
  t('agent_journey_rep_event_frequency', 'rep_id, event_type, company_marker, instance_ts', 'instance_ts'),
  t('autopilot_flow', 'company_id, issue_id, form_start_ts', 'instance_ts'),
  t('cobrowsing', 'issue_id, cob_start_ts', 'instance_ts'),
  t('convos_intents', 'issue_id', 'first_utterance_ts'),
  t('convos_intents_ended', 'issue_id', 'first_utterance_ts'),
  t('convos_metadata', 'issue_id', 'last_event_ts'),
  t('convos_metadata_ended', 'issue_id', 'conversation_end_ts'),
  t('convos_metrics', 'issue_id', 'first_utterance_ts'),
  t('convos_metrics_ended', 'issue_id', 'first_utterance_ts'),
  t('convos_summary_tags', 'issue_id, company_id, summary_tag_presented', 'instance_ts'),
  t('csid_containment', 'company_id, csid', 'instance_ts'),
  t('csid_containment_1d', 'company_id, csid', 'instance_ts'),
  t('customer_feedback', 'issue_id, company_subdivision, company_segments, last_rep_id, question, instance_ts', 'instance_ts'),
  t('customer_params', 'event_id, param_key', 'instance_ts'),
  t('dim_queues', 'queue_key', ''),
  t('export_row_counts', 'export_date, export_job, export_interval', ''),
  t('fact_convos_missed_ends', 'company_id, issue_id, conversation_end_ts', 'instance_ts'),
  t('flow_completions', 'issue_id', 'negation_event_ts,success_event_ts'),
  t('flow_detail', 'issue_id, event_ts', 'event_ts'),
  t('intents', 'code, name, intent_type', ''),
  t('issue_callback_3d', 'issue_id', 'instance_ts'),
  t('issue_omnichannel', 'company_id, issue_id, third_party_customer_id', 'instance_ts'),
  t('issue_queues', 'issue_id, queue_id, enter_queue_ts', 'instance_ts'),
  t('issue_sentiment', 'issue_id, created_ts', 'instance_ts'),
  t('issue_session_merge', 'company_id, issue_id, session_id', 'instance_ts'),
  t('issue_type', 'company_id, customer_id, issue_id', 'instance_ts'),
  t('knowledge_base', 'issue_id, company_id, article_id, event_ts', 'event_ts'),
  t('live_agent_opportunities', 'issue_id, customer_id, opportunity_ts', 'instance_ts'),
  t('queue_check_ins', 'issue_id, customer_id, check_in_ts', 'instance_ts'),
  t('queue_membership_wfm', 'instance_ts, company_id, rep_id, queue_id', 'instance_ts'),
  t('queue_wfm', 'instance_ts, queue_name, rep_id', 'instance_ts'),
  t('quick_reply_buttons', 'final_intent_code, quick_reply_button_text, escalated_to_chat, escalation_requested, quick_reply_button_index', 'instance_ts', { deprecated: true }),
  t('reps', 'rep_id', 'created_ts'),
  t('rep_activity', 'company_id, instance_ts, rep_id, status_id, in_status_starting_ts', 'instance_ts'),
  t('rep_assignment_disposition', 'company_id, issue_id, rep_id, rep_assigned_ts', 'rep_assigned_ts'),
  t('rep_attributes', 'rep_attribute_id, rep_id, created_ts', 'created_ts'),
  t('rep_augmentation', 'issue_id', 'instance_ts'),
  t('rep_convos', 'issue_id, rep_id, issue_assigned_ts', 'instance_ts'),
  // The guide writes this one with a trailing comma: "subordinate_agent_id,superior_agent_id,".
  t('rep_hierarchy', 'subordinate_agent_id,superior_agent_id,', ''),
  t('rep_utilized', 'instance_ts, rep_id, desk_mode', 'instance_ts'),
  t('sms_events', 'sms_flow_id', ''),
  t('transfers', 'issue_id, rep_id, timestamp_req', 'instance_ts'),
  t('utterances', 'issue_id, sender_id, created_ts', 'instance_ts'),
  t('voice_intents', 'issue_id, company_id', 'instance_ts'),
].map(r => Object.freeze(r)));

const BY_NAME = new Map(DEDUPE_REFERENCE.map(r => [r.name, r]));

export function findReferenceTable(name: string): ReferenceTable | undefined {
  return BY_NAME.get(name.trim().toLowerCase());
}

/** Keys from the reference table, or from the user for tables the guide does not list. */
export function resolveDedupeKeys(table: string, custom: Partial<DedupeKeys> = {}): DedupeKeys & { source: 'reference' | 'custom' } {
  const ref = findReferenceTable(table);
  if (custom.partitionBy?.length) {
    return { partitionBy: [...custom.partitionBy], orderBy: [...(custom.orderBy ?? ref?.orderBy ?? [])], source: 'custom' };
  }
  if (custom.orderBy?.length && ref) return { partitionBy: [...ref.partitionBy], orderBy: [...custom.orderBy], source: 'custom' };
  if (ref) return { partitionBy: [...ref.partitionBy], orderBy: [...ref.orderBy], source: 'reference' };
  throw new DedupeError(
    `"${table}" is not in the guide's deduping reference: give its keys, e.g. --partition-by issue_id --order-by instance_ts ` +
      '(run `asapp-exports tables` for the known tables, `asapp-exports schema infer FILE` for its columns).',
    { code: 'dedupe.unknown-table' },
  );
}
