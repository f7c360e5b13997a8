// Fast seeding of export layouts into any S3 target (fauxqs or RGW) through real PutObject calls:
// small bodies, many requests in flight. Thousands of partitions take a few seconds.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { PartitionState } from '../../src/core/catalog';
import { SUCCESS_MARKER, formatExportPrefix, formatFileName, type ExportLocation } from '../../src/core/layout';

export interface SeedObject {
  key: string;
  body?: string | Uint8Array;
}

/** PUTs every object, `concurrency` at a time (the SDK client's agent allows 64 sockets by default). */
export async function putObjects(client: S3Client, bucket: string, objects: SeedObject[], o: { concurrency?: number } = {}): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const obj = objects[next++];
      const body = obj.body === undefined ? Buffer.alloc(0) : typeof obj.body === 'string' ? Buffer.from(obj.body) : obj.body;
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: obj.key, Body: body }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 48, objects.length) }, worker));
}

export interface SeedPartition {
  /** A location down to dt, hr or mi. */
  location: ExportLocation;
  state: PartitionState;
  /** Data files to write (default: one `{feed}.jsonl.gz` of 10 bytes); ignored for 'empty'. */
  files?: SeedObject[];
}

/** The objects of one partition: complete = files + _SUCCESS, empty = only _SUCCESS, in-progress = files only. */
export function partitionObjects(p: SeedPartition): SeedObject[] {
  const prefix = formatExportPrefix(p.location);
  const files = p.files ?? [{ key: formatFileName({ feed: p.location.feed as string, gzip: true }), body: '0123456789' }];
  const out: SeedObject[] = p.state === 'empty' ? [] : files.map(f => ({ key: prefix + f.key, body: f.body }));
  if (p.state !== 'in-progress') out.push({ key: prefix + SUCCESS_MARKER });
  return out;
}

/** `count` consecutive dates YYYY-MM-DD starting at `start`. */
export function consecutiveDates(start: string, count: number): string[] {
  const t0 = Date.parse(`${start}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(t0 + i * 86_400_000).toISOString().slice(0, 10));
}

/** A state per index that mixes all three (most complete), deterministic. */
export function mixedState(i: number): PartitionState {
  if (i % 7 === 3) return 'in-progress';
  if (i % 11 === 5) return 'empty';
  return 'complete';
}
