// A local S3 server process seeded with the pull benchmark's data set (shared by bench/pull.ts and
// bench/serve.ts, which keeps one running for profiling).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/core/s3';
import { LOCAL_CREDENTIALS } from '../../src/core/localS3';
import { putObject } from './seed';
import { ensurePullDataset, listFiles, type PullDataset } from './dataset';
import { startServerProcess, type ServerProcess } from './server';

export const BENCH_BUCKET = 'asapp-bench-acme-exports-us-east-1';

export async function startSeededServer(log: (s: string) => void): Promise<{ server: ServerProcess; data: PullDataset }> {
  const data = await ensurePullDataset(log);
  const server = await startServerProcess();
  const s3 = createS3Client({ endpoint: server.endpoint, credentials: LOCAL_CREDENTIALS });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BENCH_BUCKET }));
    const keys = await listFiles(data.dir);
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < keys.length) {
        const k = keys[next++];
        await putObject(s3, BENCH_BUCKET, k, await fs.readFile(path.join(data.dir, k)));
      }
    }));
  } finally {
    s3.destroy();
  }
  return { server, data };
}
