// Benchmark (not a test): `asapp-exports preview -n 100` of a 1 GB `.jsonl.gz` object vs a 10 MB one on
// the local S3 server (own process), each preview a fresh CLI process: wall time of the whole command,
// the time inside preview (request → 100 records), and the process's peak RSS.
//
//   node esbuild.js && npx tsx bench/preview.ts        (BENCH_ROUNDS=7)
//
// The 10 MB object is one gzip member of sample-generator rows; the 1 GB object is 100 copies of that
// member (a valid multi-member gzip, as produced by concatenating exports). Generating 1 GB of distinct
// rows takes many minutes here and would not change what preview reads: the first 100 lines.
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../src/core/s3';
import { LOCAL_CREDENTIALS } from '../src/core/localS3';
import { generateSampleExports } from '../src/core/sample/generate';
import { memorySink } from '../src/core/sample/sinks';
import { putObject } from './lib/seed';
import { BENCH_CACHE } from './lib/dataset';
import { startServerProcess } from './lib/server';
import { cleanEnv, median, table, timeCommand } from './lib/run';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist/cli.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BUCKET = 'asapp-bench-acme-exports-us-east-1';

async function tenMegabytes(): Promise<Buffer> {
  const file = path.join(BENCH_CACHE, 'preview-convos_metrics-10MB.jsonl.gz');
  if (existsSync(file)) return fs.readFile(file);
  console.error('generating the 10 MB object (once)…');
  const sink = memorySink();
  await generateSampleExports(sink, { days: 1, feeds: ['convos_metrics'], fileBytes: 10_000_000, docs: false, now: '2024-01-01T01:30:00Z', duplicateRate: 0 });
  const body = [...sink.objects].find(([k]) => k.endsWith('.jsonl.gz'))![1];
  await fs.mkdir(BENCH_CACHE, { recursive: true });
  await fs.writeFile(file, body);
  return body;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `node esbuild.js` first');
  const small = await tenMegabytes();
  const copies = Math.ceil(1e9 / small.length);
  const big = Buffer.concat(Array.from({ length: copies }, () => small));
  console.log(`objects: ${(small.length / 1e6).toFixed(1)} MB and ${(big.length / 1e6).toFixed(0)} MB (${copies} gzip members)`);
  console.log(`machine: ${os.cpus().length} CPUs, load ${os.loadavg().map(l => l.toFixed(1)).join(' ')} (shared: expect noise)`);
  const server = await startServerProcess();
  try {
    const s3 = createS3Client({ endpoint: server.endpoint, credentials: LOCAL_CREDENTIALS });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const prefix = 'convos_metrics/version=1/format=jsonl/dt=2024-01-01/';
    const keys = { '10 MB': `${prefix}hr=00/convos_metrics.jsonl.gz`, '1 GB': `${prefix}hr=01/convos_metrics.jsonl.gz` };
    await putObject(s3, BUCKET, keys['10 MB'], small);
    await putObject(s3, BUCKET, keys['1 GB'], big);
    s3.destroy();
    const env = cleanEnv({ AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' });
    const results: Record<string, { wall: number[]; inner: number[]; rss: number[] }> = {};
    const startup: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // what any command of this CLI costs before it does anything (Node start + loading the bundle)
      const v = await timeCommand(process.execPath, [CLI, '--version'], { env });
      startup.push(v.ms);
      const names = round % 2 ? (['1 GB', '10 MB'] as const) : (['10 MB', '1 GB'] as const);
      for (const name of names) {
        const r = await timeCommand(process.execPath, ['--require', path.join(__dirname, 'lib/rss.cjs'), CLI, 'preview', `s3://${BUCKET}/${keys[name]}`, '-n', '100', '--json', '--endpoint', server.endpoint], { env });
        if (r.code !== 0) throw new Error(r.stderr);
        const doc = JSON.parse(r.stdout) as { records: unknown[]; elapsedMs: number; bytesRead: number };
        if (doc.records.length !== 100) throw new Error(`expected 100 records, got ${doc.records.length}`);
        const rss = Number(/BENCH_MAXRSS_KB (\d+)/.exec(r.stderr)?.[1]) / 1024;
        (results[name] ??= { wall: [], inner: [], rss: [] }).wall.push(r.ms);
        results[name].inner.push(doc.elapsedMs);
        results[name].rss.push(rss);
        console.log(`round ${round + 1}: ${name.padEnd(6)} command ${r.ms.toFixed(0)} ms, preview ${doc.elapsedMs} ms, ${(doc.bytesRead / 1024).toFixed(0)} KiB read, peak RSS ${rss.toFixed(0)} MB`);
      }
    }
    const s = results['10 MB'];
    const b = results['1 GB'];
    console.log(`\npreview -n 100, ${ROUNDS} rounds, medians:`);
    console.log(table([
      ['object', 'command ms', 'preview ms', 'peak RSS MB'],
      ['10 MB .jsonl.gz', median(s.wall).toFixed(0), median(s.inner).toFixed(0), median(s.rss).toFixed(0)],
      ['1 GB .jsonl.gz', median(b.wall).toFixed(0), median(b.inner).toFixed(0), Math.max(...b.rss).toFixed(0) + ' (max)'],
      ['CLI start (--version)', median(startup).toFixed(0), '', ''],
      ['1 GB / 10 MB', `${(median(b.wall) / median(s.wall)).toFixed(2)}×`, `${(median(b.inner) / Math.max(1, median(s.inner))).toFixed(2)}×`, ''],
    ]));
  } finally {
    await server.stop();
  }
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
