// Where the sample generator writes: an S3 bucket, a local folder (mirroring the keys), or memory.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

export interface ExportSink {
  put(key: string, body: Buffer, o?: { signal?: AbortSignal }): Promise<void>;
}

/** Single PUTs above ~11 MiB fail on the local server (fauxqs): bigger bodies go multipart. */
export const MULTIPART_THRESHOLD = 8 * 1024 * 1024;

export function s3Sink(client: S3Client, bucket: string, o: { partSize?: number; queueSize?: number } = {}): ExportSink {
  return {
    async put(key, body, { signal } = {}) {
      if (body.length <= MULTIPART_THRESHOLD) {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.length }), { abortSignal: signal });
        return;
      }
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: body },
        partSize: o.partSize ?? MULTIPART_THRESHOLD,
        queueSize: o.queueSize ?? 4,
        leavePartsOnError: false,
      });
      const abort = () => void upload.abort();
      signal?.addEventListener('abort', abort, { once: true });
      try {
        await upload.done();
      } finally {
        signal?.removeEventListener('abort', abort);
      }
    },
  };
}

/** Writes `dir/KEY`; keys are the generator's own, but a key that would leave `dir` is refused anyway. */
export function folderSink(dir: string): ExportSink {
  const root = resolve(dir);
  return {
    async put(key, body) {
      const file = resolve(join(root, ...key.split('/')));
      if (!file.startsWith(root + sep)) throw new Error(`Refusing to write outside ${root}: ${key}`);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, body);
    },
  };
}

export interface MemorySink extends ExportSink {
  objects: Map<string, Buffer>;
}

export function memorySink(): MemorySink {
  const objects = new Map<string, Buffer>();
  return {
    objects,
    async put(key, body) {
      objects.set(key, body);
    },
  };
}
