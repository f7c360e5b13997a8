// Where export_docs.yaml comes from: a local file, an s3:// key, or the export_docs feed of a bucket
// (the newest dt= is taken: export_docs/version=1/format=yaml/dt=YYYY-MM-DD/export_docs.yaml).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { listDatesNewestFirst } from '../catalog';
import { SchemaError } from '../errors';
import { EXPORT_DOCS, formatExportPrefix, parseExportUri, parseS3Uri } from '../layout';
import { toS3Error } from '../s3Errors';
import { parseExportDocs, type ExportDocs } from './exportDocs';

export async function loadExportDocs(
  source: string,
  o: { cwd?: string; client?: () => S3Client; subFolder?: string; signal?: AbortSignal } = {},
): Promise<{ docs: ExportDocs; from: string }> {
  if (!source.startsWith('s3://')) {
    const file = path.resolve(o.cwd ?? process.cwd(), source);
    const text = await readFile(file, 'utf8').catch(e => {
      throw new SchemaError(`Cannot read ${source}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}.`, { code: 'schema.no-file', cause: e });
    });
    return { docs: parseExportDocs(text, source), from: file };
  }
  if (!o.client) throw new SchemaError('Reading export_docs.yaml from S3 needs a connection.', { code: 'schema.no-client' });
  const client = o.client();
  const { bucket, key: given } = parseS3Uri(source);
  let key = given;
  if (!key.endsWith('.yaml')) {
    // A bucket root, sub-folder or the export_docs feed: find the newest day.
    const loc = parseExportUri(source.endsWith('/') ? source : `${source}/`, o.subFolder !== undefined ? { subFolder: o.subFolder } : {});
    const feedLoc = { bucket, subFolder: loc.subFolder, feed: 'export_docs', version: 1, format: 'yaml' };
    const page = await listDatesNewestFirst(client, feedLoc, { pageSize: 1, signal: o.signal }).catch(e => { throw toS3Error(e, { operation: 'list export_docs', bucket }); });
    const newest = page.items[0];
    if (!newest) {
      throw new SchemaError(`No export_docs.yaml under s3://${bucket}/${formatExportPrefix(feedLoc)}: give the file with --docs FILE, or check the bucket/sub-folder.`, { code: 'schema.no-docs' });
    }
    key = `${newest.prefix}${EXPORT_DOCS}`;
  }
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: o.signal }).catch(e => {
    throw toS3Error(e, { operation: 'read export_docs.yaml', bucket, key });
  });
  const text = await res.Body!.transformToString('utf8');
  const from = `s3://${bucket}/${key}`;
  return { docs: parseExportDocs(text, from), from };
}
