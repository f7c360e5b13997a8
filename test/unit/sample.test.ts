import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as openpgp from 'openpgp';
import { parse as parseYaml } from 'yaml';
import { generateSampleExports, parseTimestamp, tableKey, type SampleManifest, type DuplicateGroup } from '../../src/core/sample/generate';
import { folderSink, memorySink, type MemorySink } from '../../src/core/sample/sinks';
import { parseExportKey, parseFileName, partitionSortKey, SUCCESS_MARKER } from '../../src/core/layout';
import { isCancellation } from '../../src/core/errors';

function rowsOf(sink: MemorySink, key: string): Record<string, unknown>[] {
  const body = sink.objects.get(key);
  assert.ok(body, `missing ${key}`);
  const text = gunzipSync(body).toString('utf8');
  assert.ok(text === '' || text.endsWith('\n'), 'JSON Lines end with a newline');
  return text.split('\n').filter(Boolean).map(l => JSON.parse(l));
}

function keysUnder(sink: MemorySink, prefix: string): string[] {
  return [...sink.objects.keys()].filter(k => k.startsWith(prefix) && !k.slice(prefix.length).includes('/'));
}

describe('sample export generator', () => {
  let key: { privateKey: string; publicKey: string };
  let sink: MemorySink;
  let manifest: SampleManifest;

  before(async () => {
    const pair = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Sample', email: 'sample@example.com' }], format: 'armored' });
    key = { privateKey: pair.privateKey, publicKey: pair.publicKey };
    sink = memorySink();
    manifest = await generateSampleExports(sink, { seed: 42, encryptToPublicKey: key.publicKey });
  });

  it('is deterministic: the same seed gives the same bytes, another seed other bytes', async () => {
    const again = memorySink();
    const m2 = await generateSampleExports(again, { seed: 42 });
    const plain = [...sink.objects.keys()].filter(k => !k.endsWith('.enc'));
    // Without a key the one encrypted file is written plain: otherwise the same keys.
    assert.deepEqual([...again.objects.keys()].sort(), [...sink.objects.keys()].map(k => k.replace(/\.enc$/, '')).sort());
    for (const k of plain) assert.ok(again.objects.get(k)!.equals(sink.objects.get(k)!), `bytes differ for ${k}`);
    assert.deepEqual(m2.duplicates.byTable, manifest.duplicates.byTable);
    const other = memorySink();
    await generateSampleExports(other, { seed: 43 });
    const k = manifest.files.find(f => f.feed === 'utterances')!.key;
    assert.ok(!other.objects.get(k)!.equals(sink.objects.get(k)!));
  });

  it('is a few hundred KB in the tiny preset (the default)', async () => {
    const m = await generateSampleExports(memorySink(), { seed: 1, size: 'tiny' });
    assert.ok(m.bytes > 100_000 && m.bytes < 1_000_000, `${m.bytes} bytes`);
    const byDefault = await generateSampleExports(memorySink(), { seed: 1 });
    assert.equal(byDefault.bytes, m.bytes);
  });

  it('follows the export layout: feeds, versions, levels, splits, minutes, daily feed without hr', () => {
    const byFeed = new Map<string, Set<string>>();
    for (const k of sink.objects.keys()) {
      const loc = parseExportKey('b', k);
      assert.ok(loc.feed && loc.fileName, k);
      const file = parseFileName(loc.fileName);
      assert.notEqual(file.kind, 'other', k);
      if (loc.feed === 'export_docs') {
        assert.equal(loc.format, 'yaml');
        assert.equal(loc.hr, undefined);
        continue;
      }
      assert.equal(loc.format, 'jsonl');
      if (file.kind === 'data') {
        assert.equal(file.feed, loc.feed);
        assert.equal(file.compression, 'gzip');
      }
      const set = byFeed.get(`${loc.feed}/v${loc.version}`) ?? new Set();
      set.add(`${loc.hr === undefined ? 'no-hr' : 'hr'}/${loc.mi ?? 'no-mi'}/${file.kind === 'data' ? file.split ?? 'no-split' : file.kind}`);
      byFeed.set(`${loc.feed}/v${loc.version}`, set);
    }
    assert.deepEqual([...byFeed.keys()].sort(), ['convos_metrics/v1', 'convos_metrics/v2', 'dim_queues/v1', 'rep_activity/v1', 'utterances/v1']);
    assert.deepEqual([...byFeed.get('utterances/v1')!].filter(s => !s.endsWith('success')).sort(), ['hr/no-mi/0', 'hr/no-mi/1', 'hr/no-mi/2', 'hr/no-mi/3']);
    assert.deepEqual([...byFeed.get('rep_activity/v1')!].filter(s => !s.endsWith('success')).sort(), ['hr/00/no-split', 'hr/15/no-split', 'hr/30/no-split', 'hr/45/no-split']);
    assert.deepEqual([...byFeed.get('dim_queues/v1')!].sort(), ['no-hr/no-mi/no-split', 'no-hr/no-mi/success']);
    assert.deepEqual([...byFeed.get('convos_metrics/v1')!].sort(), ['hr/no-mi/no-split', 'hr/no-mi/success']);
    // Every partition of utterances holds exactly the four splits .00–.03.
    for (const p of manifest.partitions.filter(p => p.feed === 'utterances')) {
      assert.deepEqual(keysUnder(sink, p.prefix).filter(k => !k.endsWith(SUCCESS_MARKER)).map(k => k.split('/').pop()).sort(),
        ['utterances.jsonl.00.gz', 'utterances.jsonl.01.gz', 'utterances.jsonl.02.gz', 'utterances.jsonl.03.gz']);
    }
    // version=2 is a later schema: it starts on the last day.
    const v2 = manifest.partitions.filter(p => p.feed === 'convos_metrics' && p.version === 2);
    assert.deepEqual([...new Set(v2.map(p => p.dt))], ['2024-01-02']);
  });

  it('stores partition states as the manifest says: complete, in progress (no _SUCCESS), empty (only _SUCCESS)', () => {
    const states = new Map<string, number>();
    for (const p of manifest.partitions) {
      const keys = keysUnder(sink, p.prefix);
      const hasSuccess = keys.includes(p.prefix + SUCCESS_MARKER);
      const data = keys.filter(k => !k.endsWith(SUCCESS_MARKER));
      states.set(p.state, (states.get(p.state) ?? 0) + 1);
      assert.deepEqual(data.sort(), [...p.files].sort(), p.prefix);
      if (p.state === 'complete') assert.ok(hasSuccess && data.length > 0, p.prefix);
      if (p.state === 'in-progress') assert.ok(!hasSuccess && data.length > 0, p.prefix);
      if (p.state === 'empty') assert.deepEqual(keys, [p.prefix + SUCCESS_MARKER]);
    }
    assert.equal(states.get('empty'), 1);
    assert.equal(manifest.emptyPartition, 'convos_metrics/version=1/format=jsonl/dt=2024-01-02/hr=04/');
    assert.deepEqual(
      manifest.partitions.filter(p => p.state === 'in-progress').map(p => p.prefix).sort(),
      [
        'convos_metrics/version=1/format=jsonl/dt=2024-01-02/hr=23/',
        'convos_metrics/version=2/format=jsonl/dt=2024-01-02/hr=23/',
        'dim_queues/version=1/format=jsonl/dt=2024-01-02/',
        'rep_activity/version=1/format=jsonl/dt=2024-01-02/hr=23/mi=30/',
        'utterances/version=1/format=jsonl/dt=2024-01-02/hr=23/',
      ],
    );
    // Nothing after "now" (23:37 on the last day): mi=45 of the last hour does not exist yet.
    assert.equal(keysUnder(sink, 'rep_activity/version=1/format=jsonl/dt=2024-01-02/hr=23/mi=45/').length, 0);
    // Every stored object is accounted for.
    const docs = manifest.docs.length * 2;
    const successes = manifest.partitions.filter(p => p.state !== 'in-progress').length;
    assert.equal(sink.objects.size, manifest.files.length + successes + docs);
    assert.equal(manifest.objects, sink.objects.size);
  });

  it('moves the in-progress partition with `now`', async () => {
    const s = memorySink();
    const m = await generateSampleExports(s, { days: 1, now: '2024-01-01T10:20:00Z', feeds: ['convos_metrics', 'rep_activity'] });
    const open = m.partitions.filter(p => p.state === 'in-progress').map(p => p.prefix).sort();
    assert.deepEqual(open, ['convos_metrics/version=1/format=jsonl/dt=2024-01-01/hr=10/', 'convos_metrics/version=2/format=jsonl/dt=2024-01-01/hr=10/', 'rep_activity/version=1/format=jsonl/dt=2024-01-01/hr=10/mi=15/']);
    assert.ok(![...s.objects.keys()].some(k => k.includes('hr=11')));
    // Rows of the open partition are not later than "now".
    for (const row of rowsOf(s, 'convos_metrics/version=1/format=jsonl/dt=2024-01-01/hr=10/convos_metrics.jsonl.gz')) {
      assert.ok(parseTimestamp(row.first_utterance_ts as string) <= Date.parse('2024-01-01T10:20:00Z'));
    }
  });

  it('writes one .jsonl.gz.enc that the private key decrypts to the gzip of the rows', async () => {
    const enc = [...sink.objects.keys()].filter(k => k.endsWith('.enc'));
    assert.deepEqual(enc, ['convos_metrics/version=1/format=jsonl/dt=2024-01-01/hr=02/convos_metrics.jsonl.gz.enc']);
    assert.equal(manifest.encryptedFile, enc[0]);
    const privateKey = await openpgp.readPrivateKey({ armoredKey: key.privateKey });
    const message = await openpgp.readMessage({ binaryMessage: sink.objects.get(enc[0])! });
    const { data } = await openpgp.decrypt({ message, decryptionKeys: privateKey, format: 'binary' });
    const rows = gunzipSync(Buffer.from(data as Uint8Array)).toString('utf8').split('\n').filter(Boolean).map(l => JSON.parse(l));
    const file = manifest.files.find(f => f.key === enc[0])!;
    assert.equal(rows.length, file.rows);
    assert.ok(file.encrypted);
    assert.equal(typeof rows[0].issue_id, 'number');
    // Without a key, the same spot is a plain .gz.
    const plain = memorySink();
    await generateSampleExports(plain, { seed: 42, feeds: ['convos_metrics'] });
    assert.ok(plain.objects.has(enc[0].slice(0, -4)));
  });

  it('writes export_docs.yaml daily, and its columns are the keys of every row, in order', () => {
    assert.deepEqual(manifest.docs.map(d => d.key), [
      'export_docs/version=1/format=yaml/dt=2024-01-01/export_docs.yaml',
      'export_docs/version=1/format=yaml/dt=2024-01-02/export_docs.yaml',
    ]);
    for (const d of manifest.docs) assert.ok(sink.objects.has(d.key.replace('export_docs.yaml', SUCCESS_MARKER)));
    const day1 = parseYaml(sink.objects.get(manifest.docs[0].key)!.toString('utf8'));
    const day2 = parseYaml(sink.objects.get(manifest.docs[1].key)!.toString('utf8'));
    assert.equal(day2.export_date, '2024-01-02');
    assert.equal(typeof day2.generated_at, 'string');
    assert.deepEqual(day1.tables.map((t: { name: string; version: number }) => tableKey(t.name, t.version)), ['convos_metrics/v1', 'utterances/v1', 'rep_activity/v1', 'dim_queues/v1']);
    assert.deepEqual(day2.tables.map((t: { name: string; version: number }) => tableKey(t.name, t.version)), ['convos_metrics/v1', 'convos_metrics/v2', 'utterances/v1', 'rep_activity/v1', 'dim_queues/v1']);
    const v1 = day2.tables.find((t: { name: string; version: number }) => t.name === 'convos_metrics' && t.version === 1);
    const v2 = day2.tables.find((t: { name: string; version: number }) => t.name === 'convos_metrics' && t.version === 2);
    assert.deepEqual(v1.primary_key, ['issue_id']);
    assert.deepEqual(v1.partitioning, ['dt', 'hr']);
    assert.equal(v1.columns.find((c: { name: string }) => c.name === 'customer_id').type, 'bigint');
    assert.equal(v2.columns.find((c: { name: string }) => c.name === 'customer_id').type, 'varchar(191)');
    assert.ok(v2.columns.some((c: { name: string }) => c.name === 'channel'));
    assert.deepEqual(day2.tables.find((t: { name: string }) => t.name === 'dim_queues').partitioning, ['dt']);
    for (const table of day2.tables) {
      const files = manifest.files.filter(f => f.feed === table.name && f.version === table.version && !f.encrypted);
      assert.ok(files.length > 0);
      const names = table.columns.map((c: { name: string }) => c.name);
      for (const f of files) for (const row of rowsOf(sink, f.key)) assert.deepEqual(Object.keys(row), names, f.key);
      for (const c of table.columns) assert.ok(['varchar(191)', 'varchar(65535)', 'bigint', 'int', 'double', 'float', 'boolean', 'timestamp'].includes(c.type), c.type);
    }
  });

  it('has realistic values: mixed-precision ISO-8601 timestamps, nulls, ids', () => {
    const rows = manifest.files.filter(f => f.feed === 'convos_metrics' && !f.encrypted).flatMap(f => rowsOf(sink, f.key));
    const shapes = new Set(rows.map(r => String(r.first_utterance_ts).replace(/\d/g, 'd')));
    assert.ok(shapes.has('dddd-dd-ddTdd:dd:ddZ') && shapes.has('dddd-dd-ddTdd:dd:dd.dddZ') && shapes.has('dddd-dd-ddTdd:dd:dd.dddddd+dd:dd'), [...shapes].join(' '));
    assert.ok(rows.some(r => r.device_type === null) && rows.some(r => r.time_in_queue === null));
    assert.ok(rows.every(r => r.company_id === 10001 && Number.isInteger(r.issue_id)));
    const reps = manifest.files.filter(f => f.feed === 'rep_activity').slice(0, 3).flatMap(f => rowsOf(sink, f.key));
    assert.ok(reps.every(r => typeof r.rep_id === 'string' && /^\d+$/.test(r.rep_id as string)));
  });

  it('re-exports rows per the guide\'s dedupe keys, and the manifest counts are the truth', () => {
    const groups = manifest.duplicates.groups;
    const kinds = (feed: string) => new Set(groups.filter(g => g.feed === feed).map(g => g.kind));
    assert.deepEqual([...kinds('convos_metrics')].sort(), ['equal', 'newer', 'null', 'older']);
    assert.deepEqual([...kinds('utterances')].sort(), ['equal', 'newer', 'null', 'older']);
    assert.deepEqual([...kinds('rep_activity')], ['equal']);
    assert.deepEqual([...kinds('dim_queues')], ['snapshot']);
    const lines = new Map<string, Record<string, unknown>[]>();
    const read = (k: string) => {
      if (!lines.has(k)) lines.set(k, rowsOf(sink, k));
      return lines.get(k)!;
    };
    for (const g of groups.filter(g => !g.copies.some(c => c.file.endsWith('.enc')))) {
      assert.ok(g.copies.length >= 2);
      const rows = g.copies.map(c => read(c.file)[c.line - 1]);
      for (const r of rows) for (const [col, v] of Object.entries(g.key)) assert.deepEqual(r[col], v, `${g.feed} ${col}`);
      // Each copy sits in a later export partition than the previous one.
      const order = g.copies.map(c => partitionSortKey(parseExportKey('b', c.partition)));
      assert.deepEqual([...order].sort(), order);
      assert.ok(new Set(order).size === order.length);
      if (g.orderBy) {
        assert.deepEqual(rows.map(r => r[g.orderBy!]), g.copies.map(c => c.orderValue));
        assert.equal(g.winner, expectedWinner(g));
        const [a, b] = g.copies.map(c => c.orderValue);
        if (g.kind === 'newer') assert.ok(parseTimestamp(b!) > parseTimestamp(a!));
        if (g.kind === 'older') assert.ok(parseTimestamp(b!) < parseTimestamp(a!));
        if (g.kind === 'equal') assert.equal(b, a);
        if (g.kind === 'null') assert.equal(b, null);
      } else {
        assert.equal(g.winner, g.copies.length - 1);
      }
    }
    // Counting every row and every distinct key independently gives the manifest's numbers.
    const keyCols: Record<string, string[]> = {
      'convos_metrics/v1': ['issue_id'], 'convos_metrics/v2': ['issue_id'], 'utterances/v1': ['issue_id', 'sender_id', 'created_ts'],
      'rep_activity/v1': ['company_id', 'instance_ts', 'rep_id', 'status_id', 'in_status_starting_ts'], 'dim_queues/v1': ['queue_key'],
    };
    for (const [table, cols] of Object.entries(keyCols)) {
      const files = manifest.files.filter(f => tableKey(f.feed, f.version) === table && !f.encrypted);
      const all = files.flatMap(f => rowsOf(sink, f.key));
      const skipped = manifest.files.filter(f => tableKey(f.feed, f.version) === table && f.encrypted).reduce((n, f) => n + f.rows, 0);
      const counts = manifest.duplicates.byTable[table];
      assert.equal(all.length + skipped, counts.rows, table);
      if (skipped === 0) {
        assert.equal(new Set(all.map(r => JSON.stringify(cols.map(c => r[c])))).size, counts.distinctKeys, table);
        const complete = files.filter(f => f.state === 'complete').flatMap(f => rowsOf(sink, f.key));
        assert.equal(complete.length, counts.rowsComplete, table);
        assert.equal(new Set(complete.map(r => JSON.stringify(cols.map(c => r[c])))).size, counts.distinctKeysComplete, table);
      }
      assert.ok(counts.duplicateRows > 0, table);
      assert.equal(counts.duplicateRows, counts.rows - counts.distinctKeys);
    }
  });

  it('honours the size knobs: rows per file and target compressed bytes', async () => {
    const byRows = await generateSampleExports(memorySink(), { feeds: ['convos_metrics'], days: 1, rowsPerFile: 50, duplicateRate: 0, docs: false });
    assert.ok(byRows.files.every(f => f.rows === 50));
    const s = memorySink();
    const bySize = await generateSampleExports(s, { feeds: ['utterances'], days: 1, splits: 2, fileBytes: 200_000, now: '2024-01-01T02:00:00Z', docs: false });
    assert.equal(bySize.files.length, 4);
    for (const f of bySize.files) assert.ok(f.bytes > 140_000 && f.bytes < 260_000, `${f.key}: ${f.bytes}`);
    assert.deepEqual(bySize.files.map(f => f.name), ['utterances.jsonl.00.gz', 'utterances.jsonl.01.gz', 'utterances.jsonl.00.gz', 'utterances.jsonl.01.gz']);
  });

  it('puts everything under the sub-folder, and mirrors keys into a folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sample-'));
    try {
      const m = await generateSampleExports(folderSink(dir), { subFolder: 'team/acme', days: 1, feeds: ['dim_queues'] });
      assert.ok(m.partitions.every(p => p.prefix.startsWith('team/acme/dim_queues/')));
      const file = join(dir, 'team', 'acme', 'dim_queues', 'version=1', 'format=jsonl', 'dt=2024-01-01', 'dim_queues.jsonl.gz');
      assert.equal((await stat(file)).size, m.files[0].bytes);
      assert.equal(gunzipSync(await readFile(file)).toString().split('\n').filter(Boolean).length, m.files[0].rows);
      assert.deepEqual(await readdir(join(dir, 'team', 'acme')), ['dim_queues', 'export_docs']);
      await assert.rejects(folderSink(dir).put('../escape', Buffer.from('x')), /outside/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops when cancelled, before or while writing', async () => {
    await assert.rejects(generateSampleExports(memorySink(), { signal: AbortSignal.abort() }), (e: Error) => isCancellation(e));
    const controller = new AbortController();
    const s = memorySink();
    await assert.rejects(
      generateSampleExports(s, { signal: controller.signal, onProgress: p => { if (p.objects >= 20) controller.abort(); } }),
      (e: Error) => isCancellation(e),
    );
    assert.ok(s.objects.size >= 20 && s.objects.size < 100, `${s.objects.size} objects written`);
  });

  it('rejects bad options with a usage error', async () => {
    await assert.rejects(generateSampleExports(memorySink(), { start: '2024-13-01' }), { name: 'UsageError' });
    await assert.rejects(generateSampleExports(memorySink(), { days: 0 }), { name: 'UsageError' });
  });
});

/** ORDER BY value DESC NULLS LAST, then the later export partition. */
function expectedWinner(g: DuplicateGroup): number {
  const ranked = g.copies.map((c, i) => ({ i, ts: c.orderValue === null ? -Infinity : parseTimestamp(c.orderValue), at: partitionSortKey(parseExportKey('b', c.partition)) }));
  ranked.sort((a, b) => (b.ts - a.ts) || (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return ranked[0].i;
}
