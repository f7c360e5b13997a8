// Writes objects into a bucket the way the vendor does (single PUT for small objects, multipart for
// big ones, since a local server may refuse large single PUTs), and builds gzip'd JSONL bodies.
// Shared by the pull/preview benchmarks and their tests.
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

export interface SeedObject {
  key: string;
  body: Buffer | string;
}

const SINGLE_PUT_LIMIT = 8 * 1024 * 1024;

export async function putObject(client: S3Client, bucket: string, key: string, body: Buffer | string): Promise<void> {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  if (buf.length <= SINGLE_PUT_LIMIT) {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: buf }));
    return;
  }
  await new Upload({ client, params: { Bucket: bucket, Key: key, Body: buf }, partSize: 8 * 1024 * 1024, queueSize: 4 }).done();
}

export async function seedObjects(client: S3Client, bucket: string, objects: SeedObject[], concurrency = 8): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const o = objects[next++];
      await putObject(client, bucket, o.key, o.body);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, objects.length) }, worker));
}

/** JSONL rows of a conversation-metrics-like table; deterministic for a given seed. */
export function jsonlRows(count: number, seed = 1, start = 0): string {
  let s = seed >>> 0 || 1;
  const rand = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 0x100000000;
  };
  const lines: string[] = [];
  for (let i = start; i < start + count; i++) {
    lines.push(JSON.stringify({
      issue_id: String(21352352 + i),
      company_marker: 'acme',
      first_utterance_ts: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
      agent_id: `agent-${Math.floor(rand() * 500)}`,
      handle_time_s: Math.round(rand() * 3600 * 100) / 100,
      escalated: rand() < 0.1,
      note: rand().toString(36).slice(2) + rand().toString(36).slice(2),
    }));
  }
  return lines.join('\n') + '\n';
}

export function gz(text: string | Buffer): Buffer {
  return gzipSync(text, { level: 1 });
}

/** Keys of one hourly partition: `prefix` is FEED/version=N/format=jsonl/. */
export function hourKey(prefix: string, dt: string, hr: number, name: string): string {
  return `${prefix}dt=${dt}/hr=${String(hr).padStart(2, '0')}/${name}`;
}
