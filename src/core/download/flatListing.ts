// The partitions of a feed format in a time range from a flat listing (no delimiter): 1,000 keys per
// request, like `aws s3 cp --recursive` and `rclone --fast-list`, instead of one request per partition
// (catalog.walkPartitions, made for browsing level by level). A day of hourly partitions is one
// request instead of 25, which is what a 15-minute cron re-run mostly pays for. Summaries have the
// shape and meaning of walkPartitions' (every partition that holds objects, in time order).
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ObjectInfo, PartitionSummary } from '../catalog';
import { LayoutError, S3Error, throwIfAborted } from '../errors';
import { SUCCESS_MARKER, formatExportPrefix, isValidDate, parseFileName, parsePartitionSegment, partitionSortKey, type ExportLocation } from '../layout';
import type { Logger } from '../ports';
import { assertListResult, toS3Error } from '../s3Errors';
import { localPathFor } from './localPath';

interface Bound {
  date: string;
  hour?: string;
}

export function parseBound(value: string | undefined, which: 'from' | 'to'): Bound | undefined {
  if (value === undefined || value === '') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}))?$/.exec(value.trim());
  if (!m || !isValidDate(m[1]) || (m[2] !== undefined && Number(m[2]) > 23)) {
    throw new LayoutError(`--${which} "${value}" is not a date or hour: use YYYY-MM-DD or YYYY-MM-DDTHH (e.g. 2024-01-02T05).`, { code: 'download.range-invalid' });
  }
  return { date: m[1], ...(m[2] !== undefined ? { hour: m[2] } : {}) };
}

function inRange(dt: string, hr: string | undefined, from?: Bound, to?: Bound): boolean {
  if (from && dt < from.date) return false;
  if (to && dt > to.date) return false;
  if (hr !== undefined) {
    if (from?.hour !== undefined && dt === from.date && hr < from.hour) return false;
    if (to?.hour !== undefined && dt === to.date && hr > to.hour) return false;
  }
  return true;
}

const ORDER = ['dt', 'hr', 'mi'] as const;

/**
 * Every partition below `within` (a prefix at or below FEED/version=N/format=F/) in [from, to], read
 * with flat ListObjectsV2 pages. Keys in folders that are not partitions are skipped with a warning —
 * unless they would not be safe to write, then they are listed as files of the nearest partition so
 * that the plan refuses and reports them instead of silently dropping them.
 */
export async function listPartitionsFlat(
  client: S3Client,
  formatLoc: ExportLocation,
  range: { from?: string; to?: string },
  o: { within?: string; signal?: AbortSignal; logger?: Logger } = {},
): Promise<PartitionSummary[]> {
  const from = parseBound(range.from, 'from');
  const to = parseBound(range.to, 'to');
  if (from && to && (from.date > to.date || (from.date === to.date && (from.hour ?? '00') > (to.hour ?? '23')))) {
    throw new LayoutError(`The range ${range.from} … ${range.to} is empty: --from must not be after --to.`, { code: 'download.range-invalid' });
  }
  const base = formatExportPrefix(formatLoc);
  const prefix = o.within ?? base;
  // "…/dt=FROM" sorts just before "…/dt=FROM/…": days before `from` are never listed.
  const startAfter = from && prefix === base ? `${base}dt=${from.date}` : undefined;
  const stopAt = to ? `${base}dt=${to.date}/\uffff` : undefined;
  const partitions = new Map<string, PartitionSummary>();
  const warned = new Set<string>();
  let token: string | undefined;
  do {
    throwIfAborted(o.signal);
    const ctx = { operation: 'listing', bucket: formatLoc.bucket, key: prefix };
    let out;
    try {
      out = await client.send(
        new ListObjectsV2Command({ Bucket: formatLoc.bucket, Prefix: prefix, ContinuationToken: token, ...(token ? {} : { StartAfter: startAfter }) }),
        { abortSignal: o.signal },
      );
      assertListResult(out, ctx);
    } catch (e) {
      throw toS3Error(e, ctx);
    }
    if (out.IsTruncated && !out.NextContinuationToken) {
      throw new S3Error(`The listing of s3://${formatLoc.bucket}/${prefix} was cut short without a continuation token: use an S3-compatible endpoint.`, { code: 's3.bad-paging' });
    }
    let done = false;
    for (const obj of out.Contents ?? []) {
      const key = obj.Key;
      if (!key || key.endsWith('/')) continue;
      if (stopAt && key > stopAt) {
        done = true;
        break;
      }
      const rel = key.slice(base.length).split('/');
      rel.pop(); // the file name
      const values: { dt?: string; hr?: string; mi?: string } = {};
      let depth = 0;
      for (; depth < rel.length && depth < ORDER.length; depth++) {
        let seg: ReturnType<typeof parsePartitionSegment>;
        try {
          seg = parsePartitionSegment(rel[depth]);
        } catch {
          seg = undefined;
        }
        if (!seg || seg.level !== ORDER[depth]) break;
        values[ORDER[depth]] = String(seg.value);
      }
      if (values.dt === undefined) continue; // not inside a dt= partition
      if (!inRange(values.dt, values.hr, from, to)) continue;
      const partPrefix = base + rel.slice(0, depth).join('/') + '/';
      if (depth < rel.length) {
        // below a partition, in a folder the layout does not have
        if (localPathFor('/', key).ok) {
          const folder = base + rel.slice(0, depth + 1).join('/') + '/';
          if (!warned.has(folder)) {
            warned.add(folder);
            o.logger?.warn(`s3://${formatLoc.bucket}/${folder} is not a partition folder of the export layout; its files are not pulled.`);
          }
          continue;
        }
      }
      let p = partitions.get(partPrefix);
      if (!p) {
        p = {
          location: { ...formatLoc, ...values },
          prefix: partPrefix,
          state: 'in-progress',
          hasSuccess: false,
          files: [],
          fileCount: 0,
          bytes: 0,
          childPrefixes: [],
        };
        partitions.set(partPrefix, p);
      }
      const fileName = key.slice(partPrefix.length);
      if (fileName === SUCCESS_MARKER) {
        p.hasSuccess = true;
        continue;
      }
      const info: ObjectInfo = {
        key,
        name: fileName,
        size: obj.Size ?? 0,
        ...(obj.ETag !== undefined ? { etag: obj.ETag } : {}),
        ...(obj.LastModified !== undefined ? { lastModified: obj.LastModified } : {}),
        file: parseFileName(fileName),
      };
      p.files.push(info);
      p.fileCount++;
      p.bytes += info.size;
    }
    token = !done && out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  const all = [...partitions.values()];
  for (const p of all) p.state = !p.hasSuccess ? 'in-progress' : p.fileCount > 0 ? 'complete' : 'empty';
  return all.sort((a, b) => (partitionSortKey(a.location) < partitionSortKey(b.location) ? -1 : partitionSortKey(a.location) > partitionSortKey(b.location) ? 1 : 0));
}
