// The export layout of the vendor guide, as pure functions:
//   bucket   asapp-{env}-{company}-exports-{region}   (custom names allowed)
//   path     s3://BUCKET[/SUB-FOLDER]/FEED/version=N/format=F/dt=YYYY-MM-DD[/hr=HH[/mi=MM]]/FILE
//   file     {FEED}.jsonl[.NN][.gz][.enc]   plus the _SUCCESS marker and export_docs.yaml
import { LayoutError } from './errors';

export const SUCCESS_MARKER = '_SUCCESS';
export const EXPORT_DOCS = 'export_docs.yaml';
export const DEFAULT_REGION = 'us-east-1';

// ---------------------------------------------------------------------------------------------- buckets

export interface BucketInfo {
  bucket: string;
  /** True when the name follows asapp-{env}-{company}-exports-{region}. */
  conventional: boolean;
  env?: string;
  company?: string;
  region?: string;
}

const BUCKET_RULE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const CONVENTIONAL_BUCKET = /^asapp-([a-z0-9]+)-([a-z0-9][a-z0-9-]*?)-exports-([a-z]{2}(?:-[a-z]+)+-\d+)$/;

/** Validates an S3 bucket name and, when it follows the vendor's convention, yields env/company/region. */
export function parseBucketName(name: string): BucketInfo {
  if (!name) throw new LayoutError('The bucket name is empty.', { code: 'layout.bucket-empty' });
  if (!BUCKET_RULE.test(name) || name.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(name)) {
    throw new LayoutError(
      `"${name}" is not a valid S3 bucket name: use 3–63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit (e.g. asapp-prod-acme-exports-us-east-1).`,
      { code: 'layout.bucket-invalid' },
    );
  }
  const m = CONVENTIONAL_BUCKET.exec(name);
  if (!m) return { bucket: name, conventional: false };
  return { bucket: name, conventional: true, env: m[1], company: m[2], region: m[3] };
}

export function formatBucketName(parts: { env: string; company: string; region?: string }): string {
  const company = parts.company.toLowerCase().replace(/\s+/g, '');
  return parseBucketName(`asapp-${parts.env.toLowerCase()}-${company}-exports-${parts.region ?? DEFAULT_REGION}`).bucket;
}

// ------------------------------------------------------------------------------------------- S3 URIs

export interface S3Uri {
  bucket: string;
  /** Key or prefix without a leading slash; '' for the bucket root. */
  key: string;
}

export function parseS3Uri(uri: string): S3Uri {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri.trim());
  if (!m) {
    throw new LayoutError(`"${uri}" is not an S3 URI: expected s3://BUCKET/PATH.`, { code: 'layout.uri-invalid' });
  }
  parseBucketName(m[1]);
  return { bucket: m[1], key: m[2] ?? '' };
}

export function formatS3Uri(bucket: string, key = ''): string {
  return `s3://${bucket}/${key}`;
}

// ------------------------------------------------------------------------------------ partition levels

/** The levels below a feed, in path order. */
export const PARTITION_LEVELS = ['version', 'format', 'dt', 'hr', 'mi'] as const;
export type PartitionLevel = (typeof PARTITION_LEVELS)[number];

export interface PartitionValues {
  version?: number;
  format?: string;
  /** YYYY-MM-DD */
  dt?: string;
  /** HH, 00–23 */
  hr?: string;
  /** MM, 00–59 */
  mi?: string;
}

/** Parses one `name=value` path segment, validating the value. Returns undefined for other segments. */
export function parsePartitionSegment(segment: string): { level: PartitionLevel; value: string | number } | undefined {
  const eq = segment.indexOf('=');
  if (eq <= 0) return undefined;
  const name = segment.slice(0, eq);
  const value = segment.slice(eq + 1);
  switch (name) {
    case 'version':
      if (!/^[1-9]\d{0,5}$/.test(value)) throw bad(segment, 'a positive whole number, e.g. version=1');
      return { level: 'version', value: Number(value) };
    case 'format':
      if (!/^[a-z0-9_]+$/.test(value)) throw bad(segment, 'a lowercase format name, e.g. format=jsonl');
      return { level: 'format', value };
    case 'dt':
      if (!isValidDate(value)) throw bad(segment, 'a date YYYY-MM-DD, e.g. dt=2019-01-20');
      return { level: 'dt', value };
    case 'hr':
      if (!/^([01]\d|2[0-3])$/.test(value)) throw bad(segment, 'a two-digit hour 00–23, e.g. hr=07');
      return { level: 'hr', value };
    case 'mi':
      if (!/^[0-5]\d$/.test(value)) throw bad(segment, 'a two-digit minute 00–59, e.g. mi=15');
      return { level: 'mi', value };
    default:
      return undefined;
  }
}

function bad(segment: string, expected: string): LayoutError {
  return new LayoutError(`"${segment}" is not a valid partition: expected ${expected}.`, { code: 'layout.partition-invalid' });
}

export function isValidDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

export function formatPartitionSegment(level: PartitionLevel, value: string | number): string {
  const segment = `${level}=${level === 'hr' || level === 'mi' ? String(value).padStart(2, '0') : value}`;
  parsePartitionSegment(segment);
  return segment;
}

// ------------------------------------------------------------------------------------- export paths

export interface ExportLocation extends PartitionValues {
  bucket: string;
  /** Sub-folder from the credentials file, without slashes at either end; '' when none. */
  subFolder: string;
  feed?: string;
  /** A file name under the deepest partition, when the path names a file. */
  fileName?: string;
}

const FEED_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function isFeedName(name: string): boolean {
  return FEED_NAME.test(name) && !name.includes('=');
}

/**
 * Parses `s3://BUCKET[/SUB]/FEED/version=N/…` into its parts. The sub-folder cannot be told apart from a
 * feed by looking, so it is taken from `subFolder` when the caller knows it (credentials), otherwise
 * from the segments before the one that precedes `version=`. A prefix that stops above `version=` is
 * read as `SUB-FOLDER` only when `subFolder` says so.
 */
export function parseExportUri(uri: string, hints: { subFolder?: string } = {}): ExportLocation {
  const { bucket, key } = parseS3Uri(uri);
  return parseExportKey(bucket, key, hints);
}

export function parseExportKey(bucket: string, key: string, hints: { subFolder?: string } = {}): ExportLocation {
  const trailingSlash = key.endsWith('/') || key === '';
  let segments = key.split('/').filter(s => s !== '');
  if (key.includes('//')) {
    throw new LayoutError(`"${key}" has an empty path segment ("//").`, { code: 'layout.path-invalid' });
  }
  let subFolder = normalizeSubFolder(hints.subFolder ?? '');
  if (subFolder) {
    const sub = subFolder.split('/');
    const matches = sub.every((s, i) => segments[i] === s);
    if (!matches) {
      throw new LayoutError(`s3://${bucket}/${key} is not under the sub-folder "${subFolder}".`, { code: 'layout.outside-subfolder' });
    }
    segments = segments.slice(sub.length);
  } else {
    const versionAt = segments.findIndex(s => s.startsWith('version='));
    if (versionAt > 1) {
      subFolder = segments.slice(0, versionAt - 1).join('/');
      segments = segments.slice(versionAt - 1);
    } else if (versionAt === 0) {
      throw new LayoutError(`s3://${bucket}/${key} has version= without a feed name before it.`, { code: 'layout.path-invalid' });
    }
  }

  const loc: ExportLocation = { bucket, subFolder };
  if (segments.length === 0) return loc;
  const [feed, ...rest] = segments;
  if (!isFeedName(feed)) {
    throw new LayoutError(`"${feed}" is not a feed name (letters, digits, "_", "-" and ".").`, { code: 'layout.feed-invalid' });
  }
  loc.feed = feed;
  let expected = 0;
  for (let i = 0; i < rest.length; i++) {
    const segment = rest[i];
    const isLast = i === rest.length - 1;
    const partition = parsePartitionSegment(segment);
    if (!partition) {
      if (isLast && !trailingSlash) {
        loc.fileName = segment;
        break;
      }
      throw new LayoutError(
        `"${segment}" in s3://${bucket}/${key} is not a partition: expected ${PARTITION_LEVELS[expected] ?? 'a file name'}=… here.`,
        { code: 'layout.path-invalid' },
      );
    }
    // Levels come in order without gaps; the path may stop after any of them (hr and mi are optional).
    const at = PARTITION_LEVELS.indexOf(partition.level);
    if (at !== expected) {
      throw new LayoutError(
        `"${segment}" is out of order in s3://${bucket}/${key}: the layout is FEED/version=N/format=F/dt=YYYY-MM-DD[/hr=HH[/mi=MM]].`,
        { code: 'layout.path-order' },
      );
    }
    (loc as unknown as Record<string, unknown>)[partition.level] = partition.value;
    expected = at + 1;
  }
  return loc;
}

export function normalizeSubFolder(sub: string): string {
  const s = sub.trim().replace(/^\/+|\/+$/g, '');
  if (s.split('/').some(p => p === '..' || p === '.')) {
    throw new LayoutError(`Sub-folder "${sub}" must not contain "." or ".." segments.`, { code: 'layout.subfolder-invalid' });
  }
  return s;
}

/**
 * The S3 key prefix (ending in '/') for a location, down to its deepest given level; '' for the root of
 * a bucket without sub-folder. Levels must be given in order (no dt without version and format).
 */
export function formatExportPrefix(loc: Omit<ExportLocation, 'fileName'>): string {
  const parts: string[] = [];
  const sub = normalizeSubFolder(loc.subFolder ?? '');
  if (sub) parts.push(sub);
  if (loc.feed !== undefined) {
    if (!isFeedName(loc.feed)) throw new LayoutError(`"${loc.feed}" is not a feed name.`, { code: 'layout.feed-invalid' });
    parts.push(loc.feed);
    let gap = false;
    for (const level of PARTITION_LEVELS) {
      const value = loc[level];
      if (value === undefined) {
        gap = true;
        continue;
      }
      if (gap) {
        throw new LayoutError(`Cannot build a path with ${level}= but without the levels above it.`, { code: 'layout.path-order' });
      }
      parts.push(formatPartitionSegment(level, value));
    }
  } else if (PARTITION_LEVELS.some(l => loc[l] !== undefined)) {
    throw new LayoutError('Cannot build a partition path without a feed name.', { code: 'layout.path-order' });
  }
  return parts.length ? parts.join('/') + '/' : '';
}

export function formatExportUri(loc: ExportLocation): string {
  return formatS3Uri(loc.bucket, formatExportPrefix(loc) + (loc.fileName ?? ''));
}

/** The deepest partition level a location names, or undefined above version=. */
export function deepestLevel(loc: PartitionValues): PartitionLevel | undefined {
  for (let i = PARTITION_LEVELS.length - 1; i >= 0; i--) {
    if (loc[PARTITION_LEVELS[i]] !== undefined) return PARTITION_LEVELS[i];
  }
  return undefined;
}

// -------------------------------------------------------------------------------------- file names

export type ExportFile =
  | {
      kind: 'data';
      name: string;
      feed: string;
      format: 'jsonl';
      /** 0–99 when the partition is split across files (`.00`, `.01`, …). */
      split?: number;
      compression?: 'gzip';
      encrypted: boolean;
    }
  | { kind: 'success'; name: string }
  | { kind: 'docs'; name: string }
  | { kind: 'other'; name: string };

const DATA_FILE = /^(.+?)\.jsonl(?:\.(\d{2}))?(\.gz)?(\.enc)?$/;

/** Never throws: files the layout does not describe come back as `other`, to be shown, not dropped. */
export function parseFileName(name: string): ExportFile {
  if (name === SUCCESS_MARKER) return { kind: 'success', name };
  if (name === EXPORT_DOCS) return { kind: 'docs', name };
  const m = DATA_FILE.exec(name);
  if (!m || !isFeedName(m[1])) return { kind: 'other', name };
  return {
    kind: 'data',
    name,
    feed: m[1],
    format: 'jsonl',
    ...(m[2] !== undefined ? { split: Number(m[2]) } : {}),
    ...(m[3] ? { compression: 'gzip' as const } : {}),
    encrypted: Boolean(m[4]),
  };
}

export function formatFileName(parts: { feed: string; split?: number; gzip?: boolean; encrypted?: boolean }): string {
  if (!isFeedName(parts.feed)) throw new LayoutError(`"${parts.feed}" is not a feed name.`, { code: 'layout.feed-invalid' });
  if (parts.split !== undefined && !(Number.isInteger(parts.split) && parts.split >= 0 && parts.split <= 99)) {
    throw new LayoutError(`Split number ${parts.split} is outside 00–99.`, { code: 'layout.split-invalid' });
  }
  const split = parts.split === undefined ? '' : `.${String(parts.split).padStart(2, '0')}`;
  return `${parts.feed}.jsonl${split}${parts.gzip ? '.gz' : ''}${parts.encrypted ? '.enc' : ''}`;
}

/** The name a `.enc` file has once decrypted (`x.jsonl.gz.enc` → `x.jsonl.gz`). */
export function decryptedName(name: string): string {
  return name.endsWith('.enc') ? name.slice(0, -4) : name;
}

/** Sort key that orders partitions by export time: dt, hr, mi (absent hr/mi sort first). */
export function partitionSortKey(p: PartitionValues): string {
  return `${p.dt ?? ''}/${p.hr ?? ''}/${p.mi ?? ''}`;
}
