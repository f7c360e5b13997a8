// A small S3 object as text (export_docs.yaml), for the schema commands. Part of the services bundle.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { toS3Error } from '../core/s3Errors';

export async function readObjectText(client: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<string> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return (await out.Body?.transformToString('utf8')) ?? '';
  } catch (e) {
    throw toS3Error(e, { operation: 'reading', bucket, key });
  }
}
