// What a pull would do, without writing anything: the partitions of a feed in a time range (or one
// partition, read with flat listings: see flatListing.ts), which of their files are new or changed since the last pull into the same folder, which
// are unchanged, and which keys are refused because they would leave the output folder.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { listAllChildren, type ObjectInfo, type PartitionSummary } from '../catalog';
import { DownloadError, UsageError } from '../errors';
import { formatExportPrefix, formatExportUri, type ExportLocation } from '../layout';
import type { Logger } from '../ports';
import { listPartitionsFlat } from './flatListing';
import { localPathFor } from './localPath';
import { Manifest } from './manifest';
import type { DownloadPlan, DownloadRequest, PlannedFile, PlannedPartition } from './types';

export interface PlanOptions {
  signal?: AbortSignal;
  logger?: Logger;
}

export async function planDownload(client: S3Client, request: DownloadRequest, opts: PlanOptions = {}): Promise<DownloadPlan> {
  const loc = request.location;
  if (!loc.feed) {
    throw new UsageError(`Name a feed to pull, e.g. ${formatExportUri({ bucket: loc.bucket, subFolder: loc.subFolder, feed: 'FEED' })}`, 'download.no-feed');
  }
  if (loc.fileName) {
    throw new UsageError('pull takes a feed or a partition, not a file: use `preview` for one file, or name its partition (…/dt=…/hr=…/).', 'download.file-uri');
  }
  const partitionGiven = loc.dt !== undefined;
  if (partitionGiven && (request.from || request.to)) {
    throw new UsageError('Give either a partition (…/dt=…/) or --from/--to, not both.', 'download.range-and-partition');
  }
  const version = loc.version ?? (await newestVersion(client, loc, opts));
  const range = partitionGiven ? { from: loc.hr ? `${loc.dt}T${loc.hr}` : loc.dt, to: loc.hr ? `${loc.dt}T${loc.hr}` : loc.dt } : { from: request.from, to: request.to };
  const listing = (format: string) => {
    const formatLoc: ExportLocation = { bucket: loc.bucket, subFolder: loc.subFolder, feed: loc.feed, version, format };
    const within = partitionGiven ? formatExportPrefix({ ...formatLoc, dt: loc.dt, hr: loc.hr, mi: loc.mi }) : formatExportPrefix(formatLoc);
    const partitions = listPartitionsFlat(client, formatLoc, range, { within, signal: opts.signal, logger: opts.logger });
    return { within, partitions };
  };
  // Exports are jsonl: while the format folders are listed, the jsonl partitions already are (one
  // round trip less for every pull that does not name the format; thrown away in the rare other case).
  const guess = loc.format === undefined ? listing('jsonl') : undefined;
  guess?.partitions.catch(() => undefined);
  const format = loc.format ?? (await onlyFormat(client, { ...loc, version }, opts));
  const { within, partitions } = guess && format === 'jsonl' ? guess : listing(format);

  const outDir = path.resolve(request.outDir);
  const manifest = await Manifest.load(outDir, opts.logger);
  const strip = loc.subFolder ? `${loc.subFolder}/` : '';
  const plan: DownloadPlan = {
    bucket: loc.bucket,
    subFolder: loc.subFolder,
    feed: loc.feed,
    version,
    format,
    outDir,
    range,
    partitions: [],
    skippedIncomplete: [],
    totals: { partitions: 0, files: 0, bytes: 0, toDownload: { files: 0, bytes: 0 }, unchanged: { files: 0, bytes: 0 }, refused: 0 },
  };
  const wanted: PartitionSummary[] = [];
  for (const p of await partitions) {
    if (!p.prefix.startsWith(within)) continue;
    if (!p.hasSuccess && !request.includeIncomplete) {
      plan.skippedIncomplete.push({ prefix: p.prefix, state: p.state, fileCount: p.fileCount, bytes: p.bytes });
      continue;
    }
    wanted.push(p);
  }
  // The manifest checks (a stat per file already pulled) of all partitions at once.
  plan.partitions.push(...(await Promise.all(wanted.map((p, i) => planPartition(p, i, outDir, strip, manifest)))));
  for (const p of plan.partitions) {
    plan.totals.partitions++;
    for (const f of p.files) {
      plan.totals.files++;
      plan.totals.bytes += f.size;
      if (f.action === 'download') {
        plan.totals.toDownload.files++;
        plan.totals.toDownload.bytes += f.size;
      } else if (f.action === 'skip-unchanged') {
        plan.totals.unchanged.files++;
        plan.totals.unchanged.bytes += f.size;
      } else plan.totals.refused++;
    }
  }
  return plan;
}

async function planPartition(p: PartitionSummary, index: number, outDir: string, strip: string, manifest: Manifest): Promise<PlannedPartition> {
  const folder = localPathFor(outDir, p.prefix.slice(0, -1), strip);
  const files = await Promise.all(p.files.map(obj => planFile(obj, p.location.bucket, index, outDir, strip, manifest)));
  return {
    location: p.location,
    prefix: p.prefix,
    relative: folder.ok ? folder.relative : '',
    state: p.state,
    hasSuccess: p.hasSuccess,
    files,
    bytes: p.bytes,
  };
}

async function planFile(obj: ObjectInfo, bucket: string, partition: number, outDir: string, strip: string, manifest: Manifest): Promise<PlannedFile> {
  const base = {
    bucket,
    key: obj.key,
    size: obj.size,
    etag: obj.etag,
    lastModified: obj.lastModified,
    encrypted: obj.file.kind === 'data' ? obj.file.encrypted : obj.name.endsWith('.enc'),
    partition,
  };
  const local = localPathFor(outDir, obj.key, strip);
  if (!local.ok) return { ...base, action: 'refused', refusal: local.message };
  const unchanged = await isUnchanged(manifest, local.relative, base);
  return { ...base, relative: local.relative, action: unchanged ? 'skip-unchanged' : 'download' };
}

/**
 * Unchanged = the manifest recorded this exact object version (size, ETag, LastModified) and the local
 * copy is still there with that size (or, for an `.enc` whose encrypted copy was deleted on purpose,
 * its decrypted copy is there).
 */
export async function isUnchanged(manifest: Manifest, relative: string, remote: { size: number; etag?: string; lastModified?: Date }): Promise<boolean> {
  if (!manifest.matches(relative, remote)) return false;
  const abs = path.join(manifest.outDir, relative);
  const st = await fs.stat(abs).catch(() => undefined);
  if (st?.isFile() && st.size === remote.size) return true;
  const entry = manifest.get(relative);
  if (!st && entry?.decrypted) return (await fs.stat(path.join(manifest.outDir, entry.decrypted)).catch(() => undefined))?.isFile() === true;
  return false;
}

async function newestVersion(client: S3Client, loc: ExportLocation, opts: PlanOptions): Promise<number> {
  const feedLoc: ExportLocation = { bucket: loc.bucket, subFolder: loc.subFolder, feed: loc.feed };
  const versions = (await listAllChildren(client, feedLoc, { signal: opts.signal, logger: opts.logger }))
    .filter(e => e.kind === 'version')
    .map(e => e.location.version as number);
  if (!versions.length) {
    throw new DownloadError(
      `No version=N folders under ${formatExportUri(feedLoc)}: check the feed name and the sub-folder (list feeds with \`asapp-exports ls\`).`,
      { code: 'download.no-version' },
    );
  }
  return Math.max(...versions);
}

async function onlyFormat(client: S3Client, loc: ExportLocation, opts: PlanOptions): Promise<string> {
  const versionLoc: ExportLocation = { bucket: loc.bucket, subFolder: loc.subFolder, feed: loc.feed, version: loc.version };
  const formats = (await listAllChildren(client, versionLoc, { signal: opts.signal, logger: opts.logger }))
    .filter(e => e.kind === 'format')
    .map(e => e.location.format as string);
  if (formats.length === 1) return formats[0];
  if (formats.includes('jsonl')) return 'jsonl';
  if (!formats.length) {
    throw new DownloadError(`No format=… folders under ${formatExportUri(versionLoc)}: nothing has been exported for this version yet.`, { code: 'download.no-format' });
  }
  throw new UsageError(`${formatExportUri(versionLoc)} has several formats (${formats.join(', ')}): name one, e.g. ${formatExportUri({ ...versionLoc, format: formats[0] })}`, 'download.several-formats');
}
