// Benchmark data sets, generated once with the project's sample generator and cached on disk (the
// generator makes realistic gzip'd JSONL, which takes minutes for 500 MB on a busy machine), then
// uploaded to the local server for each benchmark run.
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateSampleExports } from '../../src/core/sample/generate';
import { folderSink } from '../../src/core/sample/sinks';

export const BENCH_CACHE = process.env.ASAPP_BENCH_CACHE ?? path.join(os.tmpdir(), 'asapp-exports-bench-cache');

export interface PullDataset {
  dir: string;
  feed: string;
  days: string[];
  files: number;
  bytes: number;
}

/**
 * The pull benchmark's export: utterances, 3 days × 24 hours × 2 split files of ~3.8 MB gz, all
 * partitions complete (≈ 550 MB, 216 objects with the _SUCCESS markers).
 */
export async function ensurePullDataset(log: (s: string) => void = () => undefined): Promise<PullDataset> {
  const dir = path.join(BENCH_CACHE, 'pull-utterances-3d-2x3.8MB');
  const days = ['2024-01-01', '2024-01-02', '2024-01-03'];
  const done = path.join(dir, '.complete');
  if (!existsSync(done)) {
    log(`generating the pull data set into ${dir} (once; a few minutes)…`);
    await fs.rm(dir, { recursive: true, force: true });
    await generateSampleExports(folderSink(dir), {
      seed: 7, start: days[0], days: 3, feeds: ['utterances'], splits: 2, fileBytes: 3_800_000, docs: false,
      now: '2024-01-04T01:00:00Z', duplicateRate: 0.01,
      onProgress: p => { if (p.objects % 24 === 0) log(`  ${p.objects} objects, ${(p.bytes / 1e6).toFixed(0)} MB`); },
    });
    await fs.writeFile(done, new Date().toISOString());
  }
  let files = 0;
  let bytes = 0;
  for (const f of await listFiles(dir)) {
    files++;
    bytes += (await fs.stat(path.join(dir, f))).size;
  }
  return { dir, feed: 'utterances', days, files, bytes };
}

/** Relative '/'-separated paths of the files under dir (dot-files skipped). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(path.relative(dir, p).split(path.sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}

if (require.main === module) {
  ensurePullDataset(console.log).then(d => console.log(`${d.files} files, ${(d.bytes / 1e6).toFixed(0)} MB in ${d.dir}`));
}
