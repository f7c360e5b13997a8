// Benchmark (not a test): `asapp-exports dedupe run` (embedded DuckDB, after reading every file once for
// integrity) against a naive streaming Node implementation (bench/dedupeNaive.mjs: gunzip + readline +
// JSON.parse + Map) on the same generated convos_metrics export: 1M and 4M rows, ~30% duplicates, in the
// pull layout (dt/hr partitions, split .gz files). Each tool runs in its own process; peak RSS is that
// process's VmHWM (bench/lib/rss.cjs). Prints rows/s, peak RSS and the ratios, and checks the bars:
// 1M ≥ 300k rows/s with peak RSS < memory_limit + 300 MB; 4M completes with memory_limit=1GB.
//
//   node esbuild.js && npx tsx bench/dedupe.ts        (BENCH_SIZES=1000000,4000000  BENCH_ROUNDS=1  BENCH_THREADS=2)
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { timeCommand, table, median } from './lib/run';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist/cli.js');
const RSS = path.join(ROOT, 'bench/lib/rss.cjs');
const NAIVE = path.join(ROOT, 'bench/dedupeNaive.mjs');
const SIZES = (process.env.BENCH_SIZES ?? '1000000,4000000').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const THREADS = process.env.BENCH_THREADS ?? '2';
const MEMORY_LIMIT = '1GB';
const MEMORY_LIMIT_MB = 1000;
const gz = promisify(gzip);

/** Deterministic convos_metrics-like rows (~25 columns, ~600 bytes), 30% of them re-exports of earlier keys. */
async function ensureData(rows: number, log: (s: string) => void): Promise<{ dir: string; files: number; bytes: number }> {
  const dir = path.join(os.tmpdir(), `asapp-bench-dedupe-${rows}-v1`);
  const feedDir = path.join(dir, 'convos_metrics', 'version=1', 'format=jsonl');
  if (existsSync(path.join(dir, 'READY'))) {
    const info = JSON.parse(await fs.readFile(path.join(dir, 'READY'), 'utf8'));
    return { dir: path.join(dir, 'convos_metrics', 'version=1'), ...info };
  }
  await fs.rm(dir, { recursive: true, force: true });
  const hours = 24;
  const days = rows > 2_000_000 ? 4 : 3;
  const splits = rows > 2_000_000 ? 4 : 2;
  const files = days * hours * splits;
  const perFile = Math.ceil(rows / files);
  log(`generating ${rows} rows in ${files} files under ${dir} …`);
  let s = 12345;
  const rnd = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 4294967296; };
  const base = Date.parse('2024-01-01T00:00:00Z');
  let fresh = 0;
  let bytes = 0;
  let written = 0;
  const pending: Array<Promise<void>> = [];
  for (let d = 0; d < days; d++) {
    for (let h = 0; h < hours; h++) {
      for (let sp = 0; sp < splits; sp++) {
        const lines: string[] = [];
        for (let i = 0; i < perFile && written < rows; i++, written++) {
          const dup = fresh > 1000 && rnd() < 0.3;
          const id = dup ? Math.floor(rnd() * fresh) : fresh++;
          const t0 = base + id * 137;
          const kind = rnd();
          const ts = dup && kind < 0.1 ? null : new Date(t0 + (dup ? Math.floor((kind - 0.5) * 7200000) : 0)).toISOString();
          lines.push(JSON.stringify({
            issue_id: String(21352352 + id), company_id: 17, company_name: 'acme', company_subdivision: 'care', company_segments: 'retail,us',
            customer_id: 900000 + (id % 50000), first_utterance_ts: ts, first_utterance_text: `I need help with order ${id}`, device_type: rnd() < 0.5 ? 'mobile' : 'desktop',
            platform: 'web', assisted: rnd() < 0.7, customer_sent_msgs: Math.floor(rnd() * 20), agent_sent_msgs: Math.floor(rnd() * 20),
            rep_sent_msgs: Math.floor(rnd() * 20), auto_suggest_msgs: Math.floor(rnd() * 5), auto_complete_msgs: Math.floor(rnd() * 5),
            total_handle_time: Math.round(rnd() * 360000) / 100, total_wrap_up_time: Math.round(rnd() * 6000) / 100, time_in_queue: Math.round(rnd() * 9000) / 100,
            total_lead_time: Math.round(rnd() * 90000) / 100, conversation_id: String(7000000 + id), attempted_chat: rnd() < 0.2, out_business_ct: 0,
            customer_response_count: Math.floor(rnd() * 10), agent_response_count: Math.floor(rnd() * 10),
          }));
        }
        if (!lines.length) continue;
        const part = path.join(feedDir, `dt=2024-01-${String(d + 1).padStart(2, '0')}`, `hr=${String(h).padStart(2, '0')}`);
        const name = `convos_metrics.jsonl.${String(sp).padStart(2, '0')}.gz`;
        pending.push((async () => {
          await fs.mkdir(part, { recursive: true });
          const body = await gz(lines.join('\n') + '\n');
          bytes += body.length;
          await fs.writeFile(path.join(part, name), body);
          await fs.writeFile(path.join(part, '_SUCCESS'), '');
        })());
        if (pending.length >= 8) await Promise.all(pending.splice(0));
      }
    }
  }
  await Promise.all(pending);
  await fs.writeFile(path.join(dir, 'READY'), JSON.stringify({ files, bytes }));
  return { dir: path.join(dir, 'convos_metrics', 'version=1'), files, bytes };
}

interface Result { tool: string; rows: number; rowsIn: number; rowsOut: number; seconds: number; rssMb: number; code: number; err: string }

function peakRss(stderr: string): number {
  const m = /BENCH_MAXRSS_KB (\d+)/.exec(stderr);
  return m ? Number(m[1]) / 1024 : NaN;
}

async function runOurs(rows: number, dir: string, out: string): Promise<Result> {
  await fs.rm(out, { force: true });
  const t = await timeCommand(process.execPath, ['--require', RSS, CLI, 'dedupe', 'run', 'convos_metrics', '--in', dir, '--out', out,
    '--memory-limit', MEMORY_LIMIT, '--threads', THREADS, '--raw', '--json']);
  const s = t.code === 0 ? JSON.parse(t.stdout) : { rowsIn: 0, rowsOut: 0 };
  return { tool: 'dedupe run --raw (byte-exact lines) → JSONL', rows, rowsIn: s.rowsIn, rowsOut: s.rowsOut, seconds: t.ms / 1000, rssMb: peakRss(t.stderr), code: t.code, err: t.stderr.slice(-400) };
}

async function runTyped(rows: number, dir: string, out: string): Promise<Result> {
  await fs.rm(out, { force: true });
  const t = await timeCommand(process.execPath, ['--require', RSS, CLI, 'dedupe', 'run', 'convos_metrics', '--in', dir, '--out', out,
    '--memory-limit', MEMORY_LIMIT, '--threads', THREADS, '--json']);
  const s = t.code === 0 ? JSON.parse(t.stdout) : { rowsIn: 0, rowsOut: 0 };
  return { tool: `dedupe run (typed → Parquet, ${THREADS} threads, ${MEMORY_LIMIT})`, rows, rowsIn: s.rowsIn, rowsOut: s.rowsOut, seconds: t.ms / 1000, rssMb: peakRss(t.stderr), code: t.code, err: t.stderr.slice(-400) };
}

async function runNaive(rows: number, dir: string, out: string): Promise<Result> {
  const t = await timeCommand(process.execPath, ['--max-old-space-size=16000', '--require', RSS, NAIVE, dir, out, 'issue_id', 'first_utterance_ts']);
  const s = t.code === 0 ? JSON.parse(t.stdout.trim().split('\n').at(-1)!) : { rowsIn: 0, rowsOut: 0 };
  return { tool: 'naive Node (gunzip+readline+Map)', rows, rowsIn: s.rowsIn, rowsOut: s.rowsOut, seconds: t.ms / 1000, rssMb: peakRss(t.stderr), code: t.code, err: t.stderr.slice(-400) };
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `node esbuild.js` first');
  console.log(`machine: ${os.cpus().length} CPUs, load ${os.loadavg().map(l => l.toFixed(1)).join(' ')} (shared: expect noise; compare ratios)`);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-dedupe-'));
  const rowsOut: string[][] = [['rows', 'tool', 'rows in', 'rows out', 'seconds', 'rows/s', 'peak RSS MB', 'exit']];
  const verdicts: string[] = [];
  try {
    for (const rows of SIZES) {
      const data = await ensureData(rows, s => console.error(s));
      console.log(`\n${rows} rows: ${data.files} files, ${(data.bytes / 1e6).toFixed(0)} MB gzip`);
      const results: Record<string, Result[]> = { ours: [], raw: [], naive: [] };
      // Interleaved rounds, so that load from other users of the machine hits every tool alike.
      for (let r = 0; r < ROUNDS; r++) {
        results.ours.push(await runTyped(rows, data.dir, path.join(work, 'typed.parquet')));
        results.raw.push(await runOurs(rows, data.dir, path.join(work, 'raw.jsonl')));
        results.naive.push(await runNaive(rows, data.dir, path.join(work, 'naive.jsonl')));
      }
      const med = (xs: Result[]): Result => ({ ...xs[0], seconds: median(xs.map(x => x.seconds)), rssMb: Math.max(...xs.map(x => x.rssMb)) });
      const [ours, raw, naive] = [med(results.ours), med(results.raw), med(results.naive)];
      for (const x of [ours, raw, naive]) {
        rowsOut.push([String(rows), x.tool, String(x.rowsIn), String(x.rowsOut), x.seconds.toFixed(2), x.code === 0 ? String(Math.round(x.rowsIn / x.seconds)) : '—', x.rssMb.toFixed(0), String(x.code)]);
        if (x.code !== 0) console.error(`${x.tool} failed:\n${x.err}`);
      }
      if (ours.code === 0 && naive.code === 0 && ours.rowsOut !== naive.rowsOut) verdicts.push(`!! ${rows}: row counts differ (ours ${ours.rowsOut}, naive ${naive.rowsOut})`);
      if (ours.code === 0 && naive.code === 0) {
        verdicts.push(`${rows}: dedupe run ${(naive.seconds / ours.seconds).toFixed(2)}× the naive speed, ${(ours.rssMb / naive.rssMb).toFixed(2)}× its peak RSS; --raw ${(naive.seconds / raw.seconds).toFixed(2)}× the naive speed, ${(raw.rssMb / naive.rssMb).toFixed(2)}× its peak RSS`);
      }
      if (rows === 1_000_000) {
        const rate = ours.rowsIn / ours.seconds;
        verdicts.push(`1M bar: ${Math.round(rate)} rows/s ${rate >= 300_000 ? '≥' : '<'} 300k → ${rate >= 300_000 ? 'PASS' : 'FAIL'}; peak RSS ${ours.rssMb.toFixed(0)} MB ${ours.rssMb < MEMORY_LIMIT_MB + 300 ? '<' : '≥'} ${MEMORY_LIMIT_MB + 300} MB → ${ours.rssMb < MEMORY_LIMIT_MB + 300 ? 'PASS' : 'FAIL'}`);
      }
      if (rows === 4_000_000) verdicts.push(`4M bar: completes with memory_limit=${MEMORY_LIMIT} → ${ours.code === 0 ? 'PASS' : 'FAIL'} (peak RSS ${ours.rssMb.toFixed(0)} MB)`);
    }
    console.log(`\n${table(rowsOut)}\n`);
    for (const v of verdicts) console.log(v);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

main().catch(e => { console.error(e); process.exit(1); });
