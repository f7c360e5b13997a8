import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib, { gzipSync } from 'node:zlib';
import { runDedupe } from '../../src/core/dedupe/runner';
import { findReferenceTable } from '../../src/core/dedupe/reference';
import { CancellationError, DedupeError } from '../../src/core/errors';
import { encryptForRecipient, generateKeyPair, unlockPrivateKey, type UnlockedKey } from '../../src/core/pgp';
import { parseExportDocs } from '../../src/core/schema/exportDocs';

// The differential test of the issue: tricky generated exports (duplicates across partitions and splits,
// re-exports with equal timestamps, NULL timestamps, one instant written in several precisions, NULL
// key parts, an encrypted file, an uncompressed file) deduped by `runDedupe` and by the plain JS below;
// the row sets must be equal.

type Row = Record<string, unknown>;
interface Placed { row: Row; line: string; dt: string; hr?: string; mi?: string; split?: number }
interface Spec { name: string; cadence: 'hourly' | 'minutely' | 'daily'; splits: number; keys: number; make(key: number, rnd: () => number): Row }

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)];

// One instant, several spellings (DuckDB and the oracle must see them as equal).
function spell(ms: number, r: () => number): string {
  const iso = new Date(ms).toISOString(); // 2024-01-01T05:00:00.000Z
  return pick(r, [iso, iso.replace('.000Z', 'Z'), iso.replace('T', ' ').replace('Z', '+00:00'), iso.replace('Z', '000Z')]);
}

const BASE = Date.parse('2024-01-01T00:00:00Z');
const SPECS: Spec[] = [
  { name: 'convos_metrics', cadence: 'hourly', splits: 1, keys: 40, make: k => ({ issue_id: String(1000 + k), company_id: 7, total_handle_time: k * 1.5 }) },
  { name: 'utterances', cadence: 'hourly', splits: 3, keys: 40, make: k => ({ issue_id: String(2000 + (k % 10)), sender_id: k % 3 === 0 ? null : 50 + (k % 4), created_ts: spell(BASE + k * 60000, () => 0), utterance: `hello "${k}" é\\n` }) },
  { name: 'rep_activity', cadence: 'minutely', splits: 1, keys: 40, make: k => ({ company_id: 7, instance_ts: spell(BASE + (k % 5) * 900000, () => 0), rep_id: String(k % 8), status_id: pick(rng(k), ['ONLINE', 'AWAY']), in_status_starting_ts: spell(BASE + k * 1000, () => 0) }) },
  { name: 'flow_completions', cadence: 'hourly', splits: 2, keys: 40, make: k => ({ issue_id: String(3000 + k), is_flow_success_issue: k % 2 === 0 }) },
  { name: 'dim_queues', cadence: 'daily', splits: 2, keys: 30, make: k => ({ queue_key: String(k), queue_name: `queue ${k}` }) },
  { name: 'intents', cadence: 'daily', splits: 1, keys: 30, make: k => ({ code: `C${k}`, name: `intent ${k % 12}`, intent_type: k % 5 === 0 ? null : 'SYSTEM' }) },
];

function generate(spec: Spec, seed: number): Placed[] {
  const r = rng(seed);
  const ref = findReferenceTable(spec.name)!;
  const placed: Placed[] = [];
  const dts = ['2024-01-01', '2024-01-02', '2024-01-03'];
  for (let k = 0; k < spec.keys; k++) {
    const base = spec.make(k, r);
    const t0 = BASE + Math.floor(r() * 48) * 3600000;
    const copies = 1 + Math.floor(r() * 3); // ≤ 3: the smallest spec has 3 distinct files per key
    const used = new Set<string>();
    for (let c = 0; c < copies; c++) {
      const row: Row = { ...base };
      for (const [i, col] of ref.orderBy.entries()) {
        const kind = r();
        // older / newer / equal instant (other spelling) / NULL; the second order column is NULL often.
        const ms = kind < 0.3 ? t0 : kind < 0.55 ? t0 + 3600000 * (1 + Math.floor(r() * 3)) : kind < 0.7 ? t0 - 60000 : kind < 0.85 ? t0 : NaN;
        row[col] = Number.isNaN(ms) || (i > 0 && r() < 0.4) ? null : spell(ms, r);
      }
      row.copy = c;
      let p: Omit<Placed, 'row' | 'line'>;
      let where: string;
      do {
        p = {
          dt: pick(r, dts),
          ...(spec.cadence !== 'daily' ? { hr: pick(r, ['00', '01', '13']) } : {}),
          ...(spec.cadence === 'minutely' ? { mi: pick(r, ['00', '15', '45']) } : {}),
          ...(spec.splits > 1 ? { split: Math.floor(r() * spec.splits) } : {}),
        };
        where = JSON.stringify(p);
      } while (used.has(where)); // two copies of one key never share a file: their order there is undefined
      used.add(where);
      placed.push({ row, line: JSON.stringify(row), ...p });
    }
  }
  return placed;
}

function partitionDir(root: string, feed: string, p: Omit<Placed, 'row' | 'line'>): string {
  return path.join(root, feed, 'version=1', 'format=jsonl', `dt=${p.dt}`, ...(p.hr ? [`hr=${p.hr}`] : []), ...(p.mi ? [`mi=${p.mi}`] : []));
}

async function writeExport(root: string, spec: Spec, placed: Placed[], o: { key?: { publicKeyArmored: string }; plainOne?: boolean } = {}): Promise<void> {
  const files = new Map<string, string[]>();
  for (const p of placed) {
    const name = `${spec.name}.jsonl${p.split !== undefined ? `.${String(p.split).padStart(2, '0')}` : ''}.gz`;
    const file = path.join(partitionDir(root, spec.name, p), name);
    files.set(file, [...(files.get(file) ?? []), p.line]);
  }
  let i = 0;
  for (const [file, lines] of [...files.entries()].sort()) {
    mkdirSync(path.dirname(file), { recursive: true });
    const body = lines.join('\n') + '\n';
    if (o.key && i === 1) writeFileSync(`${file}.enc`, await encryptForRecipient(gzipSync(body), o.key.publicKeyArmored) as Uint8Array);
    else if (o.plainOne && i === 2) writeFileSync(file.replace(/\.gz$/, ''), body);
    else writeFileSync(file, gzipSync(body));
    writeFileSync(path.join(path.dirname(file), '_SUCCESS'), '');
    i++;
  }
}

/** The straightforward reading of the guide + our tie-breaker, written independently of the SQL. */
function oracle(spec: Spec, placed: Placed[]): Placed[] {
  const ref = findReferenceTable(spec.name)!;
  const ts = (v: unknown) => (v === null || v === undefined ? null : Date.parse(String(v).replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1')));
  const best = new Map<string, Placed>();
  const later = (a: Placed, b: Placed): boolean => { // is a before b in the window order?
    for (const c of ref.orderBy) {
      const x = ts(a.row[c]);
      const y = ts(b.row[c]);
      if (x === y) continue;
      if (x === null) return false;
      if (y === null) return true;
      return x > y;
    }
    const ka = [a.dt, a.hr ?? '', a.mi ?? '', String(a.split ?? -1).padStart(3, '0')].join('/');
    const kb = [b.dt, b.hr ?? '', b.mi ?? '', String(b.split ?? -1).padStart(3, '0')].join('/');
    assert.notEqual(ka, kb, 'generator put two copies of a key in one file');
    return ka > kb;
  };
  for (const p of placed) {
    const k = JSON.stringify(ref.partitionBy.map(c => p.row[c] ?? null));
    const cur = best.get(k);
    if (!cur || later(p, cur)) best.set(k, p);
  }
  return [...best.values()];
}

describe('dedupe run: differential test against a plain implementation', function () {
  this.timeout(120000);
  let root: string;
  let key: UnlockedKey;
  let publicKeyArmored: string;
  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'dedupe-run-'));
    const pair = await generateKeyPair({ name: 'Test', email: 'test@example.com', passphrase: 'pw-123456' });
    publicKeyArmored = pair.publicKeyArmored;
    key = await unlockPrivateKey(pair.privateKeyArmored, 'pw-123456');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  SPECS.forEach((spec, n) => {
    it(`${spec.name}${findReferenceTable(spec.name)!.orderBy.length ? '' : ' (no order-by)'}: same rows as the oracle, raw lines and typed columns`, async () => {
      const placed = generate(spec, 42 + n);
      const dir = path.join(root, `in-${spec.name}`);
      await writeExport(dir, spec, placed, { key: n === 0 || n === 4 ? { publicKeyArmored } : undefined, plainOne: n === 1 });
      const want = oracle(spec, placed);
      assert.ok(want.length < placed.length, 'the data has duplicates');
      // The data must exercise the tie-breaker and NULL ordering, not only distinct timestamps.
      const ref = findReferenceTable(spec.name)!;
      const instant = (v: unknown) => (v === null ? 'null' : String(Date.parse(String(v).replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1'))));
      const byKey = new Map<string, string[]>();
      for (const p of placed) {
        const k = JSON.stringify(ref.partitionBy.map(c => p.row[c] ?? null));
        byKey.set(k, [...(byKey.get(k) ?? []), ref.orderBy.map(c => instant(p.row[c])).join('|')]);
      }
      const ties = [...byKey.values()].filter(v => new Set(v).size < v.length).length;
      assert.ok(ties > 0, 'some keys have copies with equal order-by values (decided by the export partition)');
      if (ref.orderBy.length) assert.ok(placed.some(p => p.row[ref.orderBy[0]] === null), 'some copies have a NULL timestamp');

      const raw = await runDedupe({ table: spec.name, input: path.join(dir, spec.name), output: path.join(root, `${spec.name}.raw.jsonl`), format: 'jsonl', raw: true, key, threads: 1, memoryLimit: '256MB' });
      const got = readFileSync(raw.output, 'utf8').split('\n').filter(Boolean).sort();
      assert.deepEqual(got, want.map(p => p.line).sort());
      assert.equal(raw.rowsIn, placed.length);
      assert.equal(raw.rowsOut, want.length);
      assert.equal(raw.duplicatesDropped, placed.length - want.length);
      assert.equal(raw.mode, 'raw');

      const sample = (name: string) => placed.map(p => p.row[name]).find(v => v !== null && v !== undefined);
      const columns = Object.keys(placed[0].row).map(name => ({ name, type: typeof sample(name) === 'number' ? 'double' : typeof sample(name) === 'boolean' ? 'boolean' : 'varchar' }));
      const typed = await runDedupe({ table: spec.name, input: path.join(dir, spec.name), output: path.join(root, `${spec.name}.typed.jsonl`), format: 'jsonl', columns, key, threads: 1, memoryLimit: '256MB' });
      const norm = (r: Row) => JSON.stringify(columns.map(c => r[c.name] ?? null));
      const gotRows = readFileSync(typed.output, 'utf8').split('\n').filter(Boolean).map(l => norm(JSON.parse(l))).sort();
      assert.deepEqual(gotRows, want.map(p => norm(p.row)).sort());
      assert.equal(typed.mode, 'columns');
      assert.equal(typed.schemaSource, 'given');
    });
  });
});

describe('dedupe run: inputs, outputs and errors', function () {
  this.timeout(60000);
  let root: string;
  const spec = SPECS[0];
  let input: string;
  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'dedupe-err-'));
    input = path.join(root, 'good');
    await writeExport(input, spec, generate(spec, 7));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const copyInput = (name: string) => {
    const dir = path.join(root, name);
    cpSync(input, dir, { recursive: true });
    return dir;
  };
  const firstFile = (dir: string) => {
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap(e => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
    return walk(dir).filter(f => f.endsWith('.gz')).sort()[0];
  };

  it('names a zero-byte file', async () => {
    const dir = copyInput('empty');
    const f = firstFile(dir);
    writeFileSync(f, '');
    await assert.rejects(runDedupe({ table: spec.name, input: dir, output: path.join(root, 'o1.parquet') }),
      (e: unknown) => e instanceof DedupeError && e.code === 'dedupe.empty-file' && e.message.includes(f));
  });

  it('names a corrupt gzip file and a gzip file cut at a clean line end (which DuckDB alone would accept)', async () => {
    const dir = copyInput('corrupt');
    const f = firstFile(dir);
    const body = readFileSync(f);
    writeFileSync(f, Buffer.concat([body.subarray(0, 10), Buffer.alloc(40, 7)]));
    await assert.rejects(runDedupe({ table: spec.name, input: dir, output: path.join(root, 'o2.parquet') }),
      (e: unknown) => e instanceof DedupeError && e.code === 'dedupe.corrupt-file' && e.message.includes(f));
    // A deflate stream flushed after whole lines and cut there: valid lines, no gzip trailer.
    const gz = zlib.createGzip();
    const chunks: Buffer[] = [];
    gz.on('data', (c: Buffer) => chunks.push(c));
    gz.write('{"issue_id":"1","first_utterance_ts":null}\n');
    await new Promise<void>(r => gz.flush(zlib.constants.Z_SYNC_FLUSH, () => r()));
    writeFileSync(f, Buffer.concat(chunks));
    await assert.rejects(runDedupe({ table: spec.name, input: dir, output: path.join(root, 'o2.parquet') }),
      (e: unknown) => e instanceof DedupeError && e.code === 'dedupe.corrupt-file' && e.message.includes(f));
  });

  it('names a file that is not gzip although named .gz', async () => {
    const dir = copyInput('notgz');
    const f = firstFile(dir);
    writeFileSync(f, '{"issue_id":"1"}\n');
    await assert.rejects(runDedupe({ table: spec.name, input: dir, output: path.join(root, 'o3.parquet') }),
      (e: unknown) => e instanceof DedupeError && e.code === 'dedupe.not-gzip' && e.message.includes(f));
  });

  it('asks for --key when a file is encrypted and no key is given', async () => {
    const dir = copyInput('enc');
    const f = firstFile(dir);
    writeFileSync(`${f}.enc`, readFileSync(f));
    rmSync(f);
    await assert.rejects(runDedupe({ table: spec.name, input: dir, output: path.join(root, 'o4.parquet') }),
      (e: unknown) => e instanceof DedupeError && e.code === 'dedupe.needs-key' && /--key/.test(e.message));
  });

  it('rejects a line that is not JSON with the file named, and never leaves an output behind', async () => {
    const dir = copyInput('badjson');
    const f = firstFile(dir);
    writeFileSync(f, gzipSync('{"issue_id":"1","first_utterance_ts":null}\n{"issue_id": tru\n'));
    const out = path.join(root, 'o5.parquet');
    await assert.rejects(runDedupe({ table: spec.name, input: dir, output: out }), (e: unknown) => e instanceof DedupeError && e.code === 'dedupe.bad-json' && e.message.includes(path.basename(f)));
    assert.deepEqual(readdirSync(root).filter(n => n.startsWith('o5') || n.startsWith('.o5')), []);
  });

  it('refuses a key column the data does not have, and an unknown table without keys', async () => {
    await assert.rejects(runDedupe({ table: spec.name, input, output: path.join(root, 'o6.parquet'), keys: { partitionBy: ['isue_id'] } }),
      (e: unknown) => e instanceof DedupeError && e.code === 'dedupe.missing-key' && /isue_id/.test(e.message));
    await assert.rejects(runDedupe({ table: 'mystery', input, output: path.join(root, 'o7.parquet') }), (e: unknown) => e instanceof DedupeError && e.code === 'dedupe.unknown-table');
  });

  it('refuses mixed versions and will not overwrite an output unless asked', async () => {
    const dir = copyInput('versions');
    const v1 = path.join(dir, spec.name, 'version=1');
    cpSync(v1, path.join(dir, spec.name, 'version=2'), { recursive: true });
    await assert.rejects(runDedupe({ table: spec.name, input: dir, output: path.join(root, 'o8.parquet') }), (e: unknown) => e instanceof DedupeError && e.code === 'dedupe.mixed-versions' && /version=2/.test(e.message));
    const out = path.join(root, 'o9.parquet');
    writeFileSync(out, 'keep');
    await assert.rejects(runDedupe({ table: spec.name, input: v1, output: out }), (e: unknown) => e instanceof DedupeError && e.code === 'dedupe.output-exists');
    assert.equal(readFileSync(out, 'utf8'), 'keep');
  });

  it('writes Parquet by default with the export_docs.yaml columns and types, readable by DuckDB', async () => {
    const docs = parseExportDocs([
      'tables:',
      '  - name: convos_metrics',
      '    version: 1',
      '    primary_key: [issue_id]',
      '    columns:',
      '      - { name: issue_id, type: varchar(191) }',
      '      - { name: first_utterance_ts, type: timestamp }',
      '      - { name: total_handle_time, type: double }',
      '      - { name: company_id, type: int }',
      '      - { name: copy, type: int }',
    ].join('\n'));
    const s = await runDedupe({ table: spec.name, input, docs, cwd: root, threads: 1 });
    assert.equal(s.output, path.join(root, 'convos_metrics.deduped.parquet'));
    assert.equal(s.schemaSource, 'export_docs');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const c = await db.connect();
    const r = (await c.runAndReadAll(`SELECT count(*) AS n, count(DISTINCT issue_id) AS k, typeof(any_value(total_handle_time)) AS t FROM '${s.output}'`)).getRowObjectsJson()[0];
    const cols = (await c.runAndReadAll(`SELECT column_name FROM (DESCRIBE SELECT * FROM '${s.output}')`)).getRowObjectsJson().map(x => x.column_name);
    c.closeSync();
    db.closeSync();
    assert.equal(Number(r.n), s.rowsOut);
    assert.equal(Number(r.k), s.rowsOut);
    assert.equal(r.t, 'DOUBLE');
    assert.deepEqual(cols, ['issue_id', 'first_utterance_ts', 'total_handle_time', 'company_id', 'copy']);
  });

  it('keeps a data column named filename; refuses one named like a partition folder unless --raw', async () => {
    const dir = path.join(root, 'names', 'convos_metrics', 'version=1', 'format=jsonl', 'dt=2024-01-01', 'hr=00');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'convos_metrics.jsonl.gz'), gzipSync('{"issue_id":"1","first_utterance_ts":null,"filename":"a.txt","dt":"x"}\n{"issue_id":"1","first_utterance_ts":"2024-01-01T00:00:00Z","filename":"b.txt","dt":"y"}\n'));
    const input = path.join(root, 'names', 'convos_metrics');
    await assert.rejects(runDedupe({ table: spec.name, input, output: path.join(root, 'n1.jsonl'), format: 'jsonl', columns: [{ name: 'issue_id' }, { name: 'first_utterance_ts' }, { name: 'filename' }, { name: 'dt' }] }),
      (e: unknown) => e instanceof DedupeError && e.code === 'dedupe.column-clash' && /--raw/.test(e.message));
    const s = await runDedupe({ table: spec.name, input, output: path.join(root, 'n2.jsonl'), format: 'jsonl', columns: [{ name: 'issue_id' }, { name: 'first_utterance_ts' }, { name: 'filename' }] });
    assert.deepEqual(JSON.parse(readFileSync(s.output, 'utf8')), { issue_id: '1', first_utterance_ts: '2024-01-01T00:00:00Z', filename: 'b.txt' });
    const raw = await runDedupe({ table: spec.name, input, output: path.join(root, 'n3.jsonl'), format: 'jsonl', raw: true });
    assert.equal(readFileSync(raw.output, 'utf8'), '{"issue_id":"1","first_utterance_ts":"2024-01-01T00:00:00Z","filename":"b.txt","dt":"y"}\n');
  });

  it('writes CSV with a header', async () => {
    const s = await runDedupe({ table: spec.name, input, output: path.join(root, 'o.csv'), format: 'csv', threads: 1 });
    const lines = readFileSync(s.output, 'utf8').trim().split('\n');
    assert.equal(lines.length, s.rowsOut + 1);
    assert.match(lines[0], /issue_id/);
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(runDedupe({ table: spec.name, input, output: path.join(root, 'o10.parquet'), signal: ac.signal }), CancellationError);
    const ac2 = new AbortController();
    const p = runDedupe({ table: spec.name, input, output: path.join(root, 'o11.parquet'), signal: ac2.signal, onProgress: pr => { if (pr.phase === 'check') ac2.abort(); } });
    await assert.rejects(p, CancellationError);
  });
});
