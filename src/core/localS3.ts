// An S3-compatible server in this process (fauxqs, pinned 1.9.2: see the project README), listening on
// 127.0.0.1 only. Used by the demo, the tests and the benchmarks. It checks no credentials.
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client, type StaticCredentials } from './s3';
import type { S3Client } from '@aws-sdk/client-s3';

export interface LocalS3 {
  endpoint: string;
  port: number;
  /** Keys that the local server accepts (it accepts any; these are what the demo writes to profiles). */
  credentials: StaticCredentials;
  client(): S3Client;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

export const LOCAL_CREDENTIALS: StaticCredentials = {
  accessKeyId: 'AKIALOCALDEMO0000001',
  secretAccessKey: 'local-demo-secret-key-not-a-real-secret0',
};

export async function startLocalS3(opts: { port?: number } = {}): Promise<LocalS3> {
  const { buildApp } = await import('fauxqs');
  const app = buildApp({ logger: false });
  await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : Number(opts.port);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = () => createS3Client({ endpoint, credentials: LOCAL_CREDENTIALS });
  return {
    endpoint,
    port,
    credentials: LOCAL_CREDENTIALS,
    client,
    async createBucket(name) {
      const c = client();
      try {
        await c.send(new CreateBucketCommand({ Bucket: name }));
      } finally {
        c.destroy();
      }
    },
    async stop() {
      await app.close();
    },
  };
}
