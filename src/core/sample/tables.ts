// The sample tables: columns (names and types after /work/shared/reference/asapp-export-tables.json,
// in the vendor docs' type spelling), dedupe keys from the vendor guide's "Deduping Reference", and row
// builders. Every fresh row has a unique dedupe key by construction, so the number of distinct keys is
// the number of fresh rows; duplicates are only the re-exports the generator adds on purpose.
import type { Random } from './random';

export type SampleFeed = 'convos_metrics' | 'utterances' | 'rep_activity' | 'dim_queues';
export const SAMPLE_FEEDS: readonly SampleFeed[] = ['convos_metrics', 'utterances', 'rep_activity', 'dim_queues'];

/** hourly → dt/hr, quarter-hourly → dt/hr/mi=00|15|30|45, daily → dt only. */
export type Cadence = 'hourly' | 'quarter-hourly' | 'daily';

/** How a re-exported copy's logical timestamp (the guide's ORDER BY column) relates to the first copy. */
export type DuplicateKind = 'newer' | 'older' | 'equal' | 'null' | 'snapshot';

export interface SampleColumn {
  name: string;
  /** The vendor docs' spelling: varchar(191), bigint, int, double, float, boolean, timestamp. */
  type: string;
  description: string;
  primary: boolean;
  pii: boolean;
  example?: string;
}

export interface RowContext {
  /** Start of the partition's window, ms since epoch. */
  start: number;
  /** End of the window (exclusive), capped at `now` for a partition still in progress. */
  end: number;
  /** Hours since the first day of the sample: makes ids unique across partitions. */
  hourIndex: number;
  /** Row number within the partition (across its split files). */
  index: number;
  /** Rows in the partition (fresh ones). */
  count: number;
  /** Day number since the first day (daily snapshots). */
  dayIndex: number;
}

export interface SampleTable {
  feed: SampleFeed;
  version: number;
  description: string;
  cadence: Cadence;
  /** How often the vendor syncs it, as export_docs.yaml says it. */
  syncTime: string;
  /** Split files per partition (`.00`…); 1 means no split suffix. */
  splits: number;
  primaryKey: string[];
  /** The guide's ORDER BY … DESC column; undefined for tables deduped by latest export only. */
  orderBy?: string;
  /** Re-export kinds that make sense for this table (not `newer`/`older` when orderBy is part of the key). */
  duplicateKinds: DuplicateKind[];
  /** Rows per data file in the tiny and demo presets. */
  rows: { tiny: number; demo: number };
  columns: SampleColumn[];
  row(ctx: RowContext, rng: Random): Record<string, unknown>;
  /** A later export of the same record: measures updated, key unchanged (the generator sets orderBy). */
  reexport(row: Record<string, unknown>, rng: Random): Record<string, unknown>;
}

// ------------------------------------------------------------------------------------- shared values

export const SAMPLE_COMPANY = { id: 10001, name: 'acme', subdivision: 'acme-mobile', segments: 'consumer,postpaid' };

const PLATFORMS = ['web', 'ios', 'android', 'apple-business-chat', 'sms'] as const;
const DEVICES = ['desktop', 'mobile', 'tablet'] as const;
const REP_FIRST = ['John', 'Maria', 'Wei', 'Aisha', 'Carlos', 'Priya', 'Olga', 'Kwame', 'Sofia', 'Liam', 'Noor', 'Hiro'];
const REP_LAST = ['Smith', 'Garcia', 'Chen', 'Okafor', 'Silva', 'Patel', 'Ivanova', 'Mensah', 'Rossi', 'Byrne', 'Haddad', 'Sato'];
const STATUSES = [
  ['1', 'ONLINE'], ['2', 'BUSY'], ['3', 'AWAY'], ['4', 'LUNCH'], ['5', 'TRAINING'], ['6', 'OFFLINE'],
] as const;
const UTTERANCE_TYPES = ['text', 'autosuggest', 'autocomplete', 'quick_reply', 'system'] as const;
const WORDS = (
  'my bill is higher than last month can you help me upgrade phone plan data roaming international ' +
  'payment failed card declined refund order status shipping tracking number router internet outage ' +
  'slow connection restart modem technician appointment reschedule cancel service account password reset ' +
  'thanks for waiting let me check that for you one moment please I see the charge here and I can ' +
  'apply a credit sorry about the trouble is there anything else today great have a nice day'
).split(' ');
// Realistic text is not all ASCII: quotes, accents, emoji and a newline that JSON escapes.
const ODD_BITS = ['"quoted"', 'café', 'naïve', '¿qué?', '🙂', 'line\nbreak', 'tab\there', 'back\\slash', '€20'];

/** ISO-8601 in UTC with the mixed precision the exports show: seconds, milliseconds or microseconds. */
export function formatTimestamp(ms: number, rng: Random): string {
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.678Z
  const p = rng.next();
  if (p < 0.45) return iso.slice(0, 19) + 'Z';
  if (p < 0.8) return iso;
  return `${iso.slice(0, 23)}${String(rng.int(0, 999)).padStart(3, '0')}+00:00`;
}

// Support chat is not 60 words: a few thousand made-up words (product names, typos, ids) keep gzip
// ratios near real text (~4x) instead of ~9x, so a benchmark's bytes cost less generation time.
const SYLLABLES = ['ka', 'ro', 'mi', 'tel', 'an', 'vo', 'su', 'pre', 'dex', 'lin', 'qu', 'zor', 'ba', 'ne', 'fi', 'gho', 'wu', 'yst'];
const VOCABULARY: string[] = (() => {
  const out: string[] = [];
  for (let i = 0; i < 4096; i++) {
    let w = '';
    for (let n = i, k = 0; k < 2 + (i % 3); k++, n = Math.floor(n / SYLLABLES.length) + k * 7) w += SYLLABLES[n % SYLLABLES.length];
    out.push(w);
  }
  return out;
})();

function text(rng: Random, min: number, max: number): string {
  const n = rng.int(min, max);
  const words: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = rng.next();
    words.push(p < 0.03 ? rng.pick(ODD_BITS) : p < 0.55 ? rng.pick(WORDS) : p < 0.9 ? rng.pick(VOCABULARY) : String(rng.int(10, 99999)));
  }
  // Order, tracking and case numbers: random enough that gzip cannot shrink them much.
  if (rng.chance(0.6)) words.push(token(rng, rng.int(10, 24)));
  return words.join(' ');
}

const TOKEN_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

function token(rng: Random, length: number): string {
  let t = '';
  for (let i = 0; i < length; i++) t += TOKEN_CHARS[Math.floor(rng.next() * TOKEN_CHARS.length)];
  return t;
}

function repId(n: number): string {
  return String(123000 + n);
}

function repName(n: number): string {
  return `${REP_FIRST[n % REP_FIRST.length]} ${REP_LAST[Math.floor(n / REP_FIRST.length) % REP_LAST.length]}`;
}

const company = () => ({
  company_id: SAMPLE_COMPANY.id,
  company_name: SAMPLE_COMPANY.name,
  company_subdivision: SAMPLE_COMPANY.subdivision,
  company_segments: SAMPLE_COMPANY.segments,
});

const COMPANY_COLUMNS: SampleColumn[] = [
  col('company_id', 'bigint', 'ASAPP identifier of the company.', { example: String(SAMPLE_COMPANY.id) }),
  col('company_name', 'varchar(191)', 'Short name of the company.', { example: SAMPLE_COMPANY.name }),
  col('company_subdivision', 'varchar(191)', 'Subdivision of the company the record belongs to.'),
  col('company_segments', 'varchar(191)', 'Comma-separated segments of the company.'),
];

function col(name: string, type: string, description: string, o: { primary?: boolean; pii?: boolean; example?: string } = {}): SampleColumn {
  return { name, type, description, primary: o.primary ?? false, pii: o.pii ?? false, ...(o.example !== undefined ? { example: o.example } : {}) };
}

// ---------------------------------------------------------------------------------- convos_metrics

/** Unique per hour and row: 21,000,000 + hour × 1,000,000 + row. */
export function issueId(hourIndex: number, n: number): number {
  return 21_000_000 + hourIndex * 1_000_000 + n;
}

const CONVOS_METRICS_COLUMNS: SampleColumn[] = [
  col('issue_id', 'bigint', 'Identifier of the issue (conversation thread).', { primary: true, example: '21352352' }),
  ...COMPANY_COLUMNS,
  col('conversation_id', 'bigint', 'Identifier of the conversation the issue belongs to.'),
  col('customer_id', 'bigint', 'ASAPP identifier of the customer.', { pii: true }),
  col('first_utterance_ts', 'timestamp', 'When the customer sent the first message of the issue (UTC).', { example: '2024-01-02T03:04:05Z' }),
  col('platform', 'varchar(191)', 'Platform the conversation happened on.', { example: 'web' }),
  col('device_type', 'varchar(191)', 'Device type of the customer, when known.'),
  col('assisted', 'int', '1 when a rep took part in the issue.'),
  col('attempted_chat', 'int', '1 when the customer asked for a rep.'),
  col('customer_sent_msgs', 'int', 'Messages sent by the customer.'),
  col('rep_sent_msgs', 'int', 'Messages sent by reps.'),
  col('auto_generated_msgs', 'int', 'Messages generated automatically.'),
  col('auto_suggest_msgs', 'int', 'Rep messages taken from AutoSuggest.'),
  col('auto_complete_msgs', 'int', 'Rep messages taken from AutoComplete.'),
  col('rep_response_count', 'int', 'Rep responses to the customer.'),
  col('customer_response_count', 'int', 'Customer responses to a rep.'),
  col('total_handle_time', 'double', 'Seconds reps spent handling the issue.'),
  col('total_wrap_up_time', 'double', 'Seconds reps spent in wrap-up.'),
  col('time_in_queue', 'double', 'Seconds the customer waited in queue; null when never queued.'),
  col('total_seconds_to_first_rep_response', 'double', 'Seconds from assignment to the first rep message; null when unassisted.'),
  col('total_session_time', 'double', 'Seconds from first to last message.'),
];

function convosMetricsRow(ctx: RowContext, rng: Random): Record<string, unknown> {
  const assisted = rng.chance(0.7) ? 1 : 0;
  const customerMsgs = rng.int(1, 30);
  const repMsgs = assisted ? rng.int(1, 35) : 0;
  const at = ctx.start + Math.floor(rng.next() * (ctx.end - ctx.start));
  return {
    issue_id: issueId(ctx.hourIndex, ctx.index),
    ...company(),
    conversation_id: 9_000_000_000 + ctx.hourIndex * 1_000_000 + ctx.index,
    customer_id: 5_000_000 + rng.int(0, 2_000_000),
    first_utterance_ts: formatTimestamp(at, rng),
    platform: rng.pick(PLATFORMS),
    device_type: rng.chance(0.15) ? null : rng.pick(DEVICES),
    assisted,
    attempted_chat: assisted || rng.chance(0.1) ? 1 : 0,
    customer_sent_msgs: customerMsgs,
    rep_sent_msgs: repMsgs,
    auto_generated_msgs: rng.int(0, 6),
    auto_suggest_msgs: assisted ? rng.int(0, repMsgs) : 0,
    auto_complete_msgs: assisted ? rng.int(0, Math.ceil(repMsgs / 2)) : 0,
    rep_response_count: repMsgs,
    customer_response_count: Math.max(0, customerMsgs - 1),
    total_handle_time: assisted ? rng.float(30, 3600) : 0,
    total_wrap_up_time: assisted ? rng.float(0, 300) : 0,
    time_in_queue: assisted ? rng.float(0, 900) : null,
    total_seconds_to_first_rep_response: assisted ? rng.float(1, 240) : null,
    total_session_time: rng.float(10, 7200),
  };
}

function convosMetricsReexport(row: Record<string, unknown>, rng: Random): Record<string, unknown> {
  const extra = rng.int(1, 8);
  return {
    ...row,
    customer_sent_msgs: (row.customer_sent_msgs as number) + extra,
    customer_response_count: (row.customer_response_count as number) + extra,
    total_session_time: Math.round(((row.total_session_time as number) + rng.float(60, 1800)) * 1000) / 1000,
  };
}

const convosMetricsV1: SampleTable = {
  feed: 'convos_metrics',
  version: 1,
  description: 'Conversation-level metrics: message counts and timing (handle, wrap-up, queue, response times).',
  cadence: 'hourly',
  syncTime: '1h',
  splits: 1,
  primaryKey: ['issue_id'],
  orderBy: 'first_utterance_ts',
  duplicateKinds: ['newer', 'older', 'equal', 'null'],
  rows: { tiny: 6, demo: 120 },
  columns: CONVOS_METRICS_COLUMNS,
  row: convosMetricsRow,
  reexport: convosMetricsReexport,
};

/** version=2: customer_id becomes a string (retyped) and `channel` is added. */
const convosMetricsV2: SampleTable = {
  ...convosMetricsV1,
  version: 2,
  description: 'Conversation-level metrics, version 2: customer_id is a string; adds channel.',
  columns: [
    ...CONVOS_METRICS_COLUMNS.map(c =>
      c.name === 'customer_id' ? { ...c, type: 'varchar(191)', description: 'ASAPP identifier of the customer (a string since version 2).' } : c,
    ),
    col('channel', 'varchar(191)', 'Channel of the conversation: chat, messaging or voice.', { example: 'chat' }),
  ],
  row(ctx, rng) {
    const row = convosMetricsRow(ctx, rng);
    return { ...row, customer_id: `c-${row.customer_id as number}`, channel: rng.pick(['chat', 'messaging', 'voice']) };
  },
};

// --------------------------------------------------------------------------------------- utterances

/** Utterances per issue in the sample; each issue's messages are 5 s apart, so keys never collide. */
const UTTERANCES_PER_ISSUE = 8;

const utterances: SampleTable = {
  feed: 'utterances',
  version: 1,
  description: 'Individual conversation messages with sender, type and text.',
  cadence: 'hourly',
  syncTime: '1h',
  splits: 4,
  primaryKey: ['issue_id', 'sender_id', 'created_ts'],
  orderBy: 'instance_ts',
  duplicateKinds: ['newer', 'older', 'equal', 'null'],
  rows: { tiny: 5, demo: 150 },
  columns: [
    col('issue_id', 'bigint', 'Identifier of the issue.', { primary: true, example: '21352352' }),
    ...COMPANY_COLUMNS,
    col('conversation_id', 'bigint', 'Identifier of the conversation.'),
    col('sequence_id', 'varchar(191)', 'Position of the message in the issue.'),
    col('sender_id', 'bigint', 'Identifier of the sender (customer or rep).', { primary: true, pii: true }),
    col('sender_type', 'varchar(191)', 'customer, rep or bot.', { example: 'customer' }),
    col('utterance_type', 'varchar(191)', 'How the message was produced.', { example: 'text' }),
    col('utterance', 'varchar(65535)', 'Text of the message.', { pii: true }),
    col('sent_to_rep', 'boolean', 'True when the message was routed to a rep.'),
    col('sent_to_agent', 'boolean', 'True when the message was routed to an agent.'),
    col('created_ts', 'timestamp', 'When the message was sent (UTC).', { primary: true }),
    col('instance_ts', 'timestamp', 'When this version of the record was produced (UTC).'),
  ],
  row(ctx, rng) {
    const issue = Math.floor(ctx.index / UTTERANCES_PER_ISSUE);
    const k = ctx.index % UTTERANCES_PER_ISSUE;
    // The issue's first message falls in the window; the rest follow 5 s apart (may spill past the hour).
    const span = Math.max(1, ctx.end - ctx.start - 1000);
    const issueStart = ctx.start + (Math.floor(((issue * 7919) % 3593) / 3593 * span / 1000)) * 1000;
    const created = issueStart + k * 5000 + rng.int(0, 999);
    const senderType = k % 2 === 0 ? 'customer' : rng.chance(0.85) ? 'rep' : 'bot';
    const issueNo = issueId(ctx.hourIndex, issue);
    return {
      issue_id: issueNo,
      ...company(),
      conversation_id: 9_000_000_000 + ctx.hourIndex * 1_000_000 + issue,
      sequence_id: String(k + 1),
      sender_id: senderType === 'customer' ? 5_000_000 + (issueNo % 2_000_000) : senderType === 'rep' ? 123000 + (issueNo % 97) : 0,
      sender_type: senderType,
      utterance_type: senderType === 'rep' ? rng.pick(UTTERANCE_TYPES) : 'text',
      utterance: text(rng, 4, 40),
      sent_to_rep: senderType === 'customer' && rng.chance(0.6),
      sent_to_agent: senderType === 'customer' && rng.chance(0.1),
      created_ts: formatTimestamp(created, rng),
      instance_ts: formatTimestamp(created + rng.int(1000, 60_000), rng),
    };
  },
  reexport(row, rng) {
    return { ...row, utterance_type: rng.chance(0.5) ? row.utterance_type : 'text', sent_to_rep: !row.sent_to_rep };
  },
};

// ------------------------------------------------------------------------------------- rep_activity

const repActivity: SampleTable = {
  feed: 'rep_activity',
  version: 1,
  description: 'Per-interval agent time in each status, with utilization measures.',
  cadence: 'quarter-hourly',
  syncTime: '15m',
  splits: 1,
  primaryKey: ['company_id', 'instance_ts', 'rep_id', 'status_id', 'in_status_starting_ts'],
  orderBy: 'instance_ts',
  // instance_ts is part of the key: a re-export can only carry the same one.
  duplicateKinds: ['equal'],
  rows: { tiny: 4, demo: 40 },
  columns: [
    ...COMPANY_COLUMNS.map(c => (c.name === 'company_id' ? { ...c, primary: true } : c)),
    col('instance_ts', 'timestamp', 'Start of the 15-minute interval (UTC).', { primary: true }),
    col('rep_id', 'varchar(191)', 'Identifier of the rep.', { primary: true, example: '123008' }),
    col('agent_id', 'int', 'Identifier of the agent in the customer system, when mapped.'),
    col('rep_name', 'varchar(191)', 'Display name of the rep.', { example: 'John' }),
    col('status_id', 'varchar(191)', 'Identifier of the status.', { primary: true }),
    col('status_description', 'varchar(191)', 'Status name.', { example: 'ONLINE' }),
    col('in_status_starting_ts', 'timestamp', 'When the rep entered the status (UTC).', { primary: true }),
    col('total_status_time', 'double', 'Seconds in the status so far.'),
    col('window_status_time', 'float', 'Seconds in the status within the interval.'),
    col('linear_ute_time', 'double', 'Seconds with at least one assigned issue.'),
    col('cumul_ute_time', 'double', 'Seconds summed over concurrent issues.'),
    col('unutilized_time', 'double', 'Seconds available without an issue.'),
    col('max_slots', 'int', 'Concurrent issues the rep may take.'),
  ],
  row(ctx, rng) {
    const rep = ctx.index;
    const [statusId, status] = rng.pick(STATUSES);
    const entered = ctx.start - rng.int(0, 3600) * 1000;
    const window = rng.float(0, 900, 1);
    const linear = status === 'ONLINE' || status === 'BUSY' ? rng.float(0, window, 1) : 0;
    return {
      ...company(),
      instance_ts: formatTimestamp(ctx.start, rng),
      rep_id: repId(rep),
      agent_id: rng.chance(0.2) ? null : 700000 + rep,
      rep_name: repName(rep),
      status_id: statusId,
      status_description: status,
      in_status_starting_ts: formatTimestamp(entered, rng),
      total_status_time: rng.float(window, window + 3600, 1),
      window_status_time: window,
      linear_ute_time: linear,
      cumul_ute_time: Math.round(linear * rng.float(1, 3, 2) * 10) / 10,
      unutilized_time: Math.round((window - linear) * 10) / 10,
      max_slots: rng.int(1, 4),
    };
  },
  reexport(row, rng) {
    return { ...row, total_status_time: Math.round(((row.total_status_time as number) + rng.float(1, 600, 1)) * 10) / 10 };
  },
};

// --------------------------------------------------------------------------------------- dim_queues

const QUEUE_NAMES = ['billing', 'sales', 'tech_support', 'retention', 'roaming', 'devices', 'payments', 'moves', 'business', 'spanish'];

const dimQueues: SampleTable = {
  feed: 'dim_queues',
  version: 1,
  description: 'Queues of the company: a daily snapshot of the whole dimension.',
  cadence: 'daily',
  syncTime: '1d',
  splits: 1,
  primaryKey: ['queue_key'],
  // The guide gives no ORDER BY: the row of the latest export wins.
  duplicateKinds: ['snapshot'],
  rows: { tiny: 8, demo: 24 },
  columns: [
    col('queue_key', 'varchar(191)', 'Stable key of the queue.', { primary: true, example: 'acme:billing' }),
    col('company_id', 'bigint', 'ASAPP identifier of the company.', { example: String(SAMPLE_COMPANY.id) }),
    col('queue_id', 'bigint', 'Numeric identifier of the queue.'),
    col('queue_name', 'varchar(191)', 'Display name of the queue.', { example: 'Billing' }),
    col('queue_description', 'varchar(191)', 'What the queue handles; may be null.'),
    col('is_active', 'boolean', 'False once the queue is retired.'),
    col('created_ts', 'timestamp', 'When the queue was created (UTC).'),
    col('updated_ts', 'timestamp', 'When the queue last changed (UTC).'),
  ],
  row(ctx, rng) {
    // Each day re-exports every queue; some change on later days (renamed, retired).
    const q = ctx.index;
    const base = QUEUE_NAMES[q % QUEUE_NAMES.length];
    const suffix = q >= QUEUE_NAMES.length ? `_${Math.floor(q / QUEUE_NAMES.length) + 1}` : '';
    const renamed = ctx.dayIndex > 0 && q % 5 === 1;
    const created = Date.UTC(2019, 0, 1) + q * 86_400_000 * 11;
    const title = (base + suffix).replace(/_/g, ' ').replace(/\b\w/g, c => c.toUpperCase());
    return {
      queue_key: `${SAMPLE_COMPANY.name}:${base}${suffix}`,
      company_id: SAMPLE_COMPANY.id,
      queue_id: 4000 + q,
      queue_name: renamed ? `${title} (day ${ctx.dayIndex + 1})` : title,
      queue_description: q % 4 === 3 ? null : `Customers asking about ${base.replace(/_/g, ' ')}`,
      is_active: !(ctx.dayIndex > 0 && q % 7 === 6),
      created_ts: formatTimestamp(created, rng),
      updated_ts: formatTimestamp(renamed ? ctx.start + 3600_000 : created, rng),
    };
  },
  reexport: row => row,
};

export const SAMPLE_TABLES: readonly SampleTable[] = [convosMetricsV1, convosMetricsV2, utterances, repActivity, dimQueues];
