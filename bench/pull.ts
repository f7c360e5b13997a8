// Benchmark (not a test): `asapp-exports pull` against `aws s3 cp --recursive` (Debian awscli) and
// `rclone copy --transfers 16 --fast-list` on the same ~550 MB export, from the same local S3 server
// running in its own process, into fresh folders, rounds interleaved; then a no-change re-run of one
// day: `pull` again vs `aws s3 sync`. Prints medians and ratios.
//
//   node esbuild.js && npx tsx bench/pull.ts            (BENCH_ROUNDS=5; BENCH_TUNE=1 adds --concurrency 8/16/32/64 and --skip-md5)
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../src/core/s3';
import { LOCAL_CREDENTIALS } from '../src/core/localS3';
import { DEFAULT_CONCURRENCY } from '../src/core/download/execute';
import { putObject } from './lib/seed';
import { ensurePullDataset, listFiles } from './lib/dataset';
import { startServerProcess } from './lib/server';
import { cleanEnv, median, table, timeCommand, type Timed } from './lib/run';

const ROOT = path.resolve(__dirname, '..');
// BENCH_CLI: another build of the CLI (e.g. an older one, for a before/after comparison).
const CLI = process.env.BENCH_CLI ? path.resolve(process.env.BENCH_CLI) : path.join(ROOT, 'dist/cli.js');
const AWS = '/usr/bin/aws';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BUCKET = 'asapp-bench-acme-exports-us-east-1';

interface Client {
  name: string;
  run(out: string): Promise<Timed>;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`node esbuild.js\` first`);
  if (!existsSync(AWS)) throw new Error(`${AWS} is missing: apt-get install awscli`);
  const data = await ensurePullDataset(s => console.error(s));
  console.log(`data: ${data.files} objects, ${(data.bytes / 1e6).toFixed(0)} MB (${data.feed}, ${data.days.length} days × 24 h × 2 files + _SUCCESS)`);
  console.log(`machine: ${os.cpus().length} CPUs, load ${os.loadavg().map(l => l.toFixed(1)).join(' ')} (shared: expect noise; compare ratios)`);

  const server = await startServerProcess();
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-pull-'));
  try {
    const s3 = createS3Client({ endpoint: server.endpoint, credentials: LOCAL_CREDENTIALS });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const keys = await listFiles(data.dir);
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < keys.length) {
        const k = keys[next++];
        await putObject(s3, BUCKET, k, await fs.readFile(path.join(data.dir, k)));
      }
    }));
    s3.destroy();
    console.log(`seeded ${keys.length} objects into ${server.endpoint} (server pid ${server.pid})\n`);

    const creds = { AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1' };
    const env = cleanEnv(creds);
    const rcloneEnv = cleanEnv({
      RCLONE_CONFIG_BENCH_TYPE: 's3',
      RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
      RCLONE_CONFIG_BENCH_ENDPOINT: server.endpoint,
      RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
      RCLONE_CONFIG_BENCH_REGION: 'us-east-1',
    });
    const feedUri = `s3://${BUCKET}/${data.feed}/version=1`;
    const ours = (concurrency?: number, extra: string[] = []): Client => ({
      name: concurrency ? `pull --concurrency ${concurrency}` : extra.length ? `pull ${extra.join(' ')}` : 'asapp-exports pull',
      run: out => timeCommand(process.execPath, [CLI, 'pull', feedUri, '--out', out, '--endpoint', server.endpoint, ...(concurrency ? ['--concurrency', String(concurrency)] : []), ...extra], { env }),
    });
    const clients: Client[] = [
      ours(),
      { name: 'aws s3 cp --recursive', run: out => timeCommand(AWS, ['s3', 'cp', '--recursive', '--only-show-errors', '--endpoint-url', server.endpoint, `s3://${BUCKET}/${data.feed}/`, path.join(out, data.feed)], { env }) },
      { name: 'rclone copy --transfers 16', run: out => timeCommand('rclone', ['copy', '--transfers', '16', '--fast-list', `bench:${BUCKET}/${data.feed}`, path.join(out, data.feed)], { env: rcloneEnv }) },
    ];
    if (process.env.BENCH_TUNE) {
      for (const n of [8, 16, 32, 64]) if (n !== DEFAULT_CONCURRENCY) clients.push(ours(n));
      clients.push(ours(undefined, ['--skip-md5']));
    }

    const times = new Map<string, number[]>(clients.map(c => [c.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // rotate the order each round so no client always runs first (or right after another's writes)
      const order = clients.map((_, i) => clients[(i + round) % clients.length]);
      for (const c of order) {
        const out = path.join(work, `out-${round}-${c.name.replace(/\W+/g, '_')}`);
        const r = await c.run(out);
        if (r.code !== 0) throw new Error(`${c.name} failed (${r.code}): ${r.stderr.slice(-2000)}`);
        const got = (await listFiles(out)).filter(f => f.startsWith(data.feed));
        let bytes = 0;
        for (const f of got) bytes += (await fs.stat(path.join(out, f))).size;
        if (got.length !== data.files || bytes !== data.bytes) {
          throw new Error(`${c.name} wrote ${got.length} files / ${bytes} B, expected ${data.files} / ${data.bytes}`);
        }
        times.get(c.name)!.push(r.ms);
        console.log(`round ${round + 1}: ${c.name.padEnd(28)} ${(r.ms / 1000).toFixed(2)} s  ${((data.bytes / 1e6) / (r.ms / 1000)).toFixed(0)} MB/s`);
        await fs.rm(out, { recursive: true, force: true });
      }
    }
    const base = median(times.get('asapp-exports pull')!);
    const rows = [['client', 'median s', 'MB/s', 'pull speed-up']];
    for (const c of clients) {
      const m = median(times.get(c.name)!);
      rows.push([c.name, (m / 1000).toFixed(2), ((data.bytes / 1e6) / (m / 1000)).toFixed(0), `${(m / base).toFixed(2)}×`]);
    }
    console.log(`\nwhole feed, ${ROUNDS} rounds, medians (speed-up = client time / pull time):\n${table(rows)}\n`);

    // ---- no-change re-run of one day
    const day = data.days[1];
    const oursDir = path.join(work, 'rerun-pull');
    const syncDir = path.join(work, 'rerun-sync');
    const dayUri = `s3://${BUCKET}/${data.feed}/version=1/format=jsonl/dt=${day}/`;
    const pullDay = () => timeCommand(process.execPath, [CLI, 'pull', feedUri, '--from', day, '--to', day, '--out', oursDir, '--endpoint', server.endpoint], { env });
    const syncDay = () => timeCommand(AWS, ['s3', 'sync', '--only-show-errors', '--endpoint-url', server.endpoint, dayUri, syncDir], { env });
    for (const first of [await pullDay(), await syncDay()]) if (first.code !== 0) throw new Error(first.stderr);
    const rerun = { pull: [] as number[], sync: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const p = await pullDay();
      const s = await syncDay();
      if (p.code !== 0 || s.code !== 0) throw new Error(p.stderr + s.stderr);
      if (!/downloaded\s+0 files/.test(p.stdout)) throw new Error(`the re-run downloaded something:\n${p.stdout}`);
      rerun.pull.push(p.ms);
      rerun.sync.push(s.ms);
    }
    const rp = median(rerun.pull);
    const rs = median(rerun.sync);
    // What part of the re-run is starting the CLI at all, and starting Node.
    const start = { cli: [] as number[], node: [] as number[] };
    for (let round = 0; round < Math.max(5, ROUNDS); round++) {
      start.cli.push((await timeCommand(process.execPath, [CLI, '--version'], { env })).ms);
      start.node.push((await timeCommand(process.execPath, ['-e', '0'], { env })).ms);
    }
    console.log(`no-change re-run of one day (${day}: 24 partitions, 48 files), ${ROUNDS} rounds, medians:`);
    console.log(table([
      ['client', 'median s', 'pull speed-up'],
      ['asapp-exports pull (re-run)', (rp / 1000).toFixed(2), '1.00×'],
      ['aws s3 sync (re-run)', (rs / 1000).toFixed(2), `${(rs / rp).toFixed(2)}×`],
      ['asapp-exports --version', (median(start.cli) / 1000).toFixed(3), ''],
      ['node -e 0', (median(start.node) / 1000).toFixed(3), ''],
    ]));
  } finally {
    await server.stop();
    await fs.rm(work, { recursive: true, force: true });
  }
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
