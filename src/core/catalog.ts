// Browsing an export bucket level by level, without ListBuckets (the keys are scoped to one bucket and
// sub-folder): feeds → version= → format= → dt= → hr= → mi= → files, each level one ListObjectsV2 page
// with Delimiter '/'. Paging follows the continuation token only: real S3 and RGW may legally return a
// truncated page shorter than MaxKeys, so a short page never means "the end".
import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { LayoutError, S3Error, throwIfAborted } from './errors';
import {
  PARTITION_LEVELS,
  SUCCESS_MARKER,
  deepestLevel,
  formatExportPrefix,
  isFeedName,
  isValidDate,
  parseFileName,
  parsePartitionSegment,
  partitionSortKey,
  type ExportFile,
  type ExportLocation,
  type PartitionLevel,
} from './layout';
import { silentLogger, type Logger } from './ports';
import { assertListResult, toS3Error, type S3ErrorContext } from './s3Errors';

export type PartitionState = 'complete' | 'in-progress' | 'empty';

export interface ObjectInfo {
  key: string;
  /** The name below the listed prefix (the file name). */
  name: string;
  size: number;
  /** As S3 returns it, quotes included (ready for If-Match). */
  etag?: string;
  lastModified?: Date;
  file: ExportFile;
}

/**
 * 'other' is a prefix that does not follow the layout at its level (e.g. `tmp/` beside `version=1/`,
 * or `dt=garbage/`): shown so nothing is hidden, but its location is the parent's and it is not a
 * partition.
 */
export type EntryKind = 'feed' | 'version' | 'format' | 'dt' | 'hr' | 'mi' | 'file' | 'other';

export interface CatalogEntry {
  kind: EntryKind;
  /** The last path segment without '/', e.g. 'dt=2024-01-02', or the file name. */
  name: string;
  location: ExportLocation;
  /** The S3 prefix (ending in '/') for folders, the key for files. */
  prefix: string;
  object?: ObjectInfo;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface CatalogOptions {
  signal?: AbortSignal;
  /** Told about prefixes that do not follow the layout. */
  logger?: Logger;
}

export const DEFAULT_PAGE_SIZE = 1000;
export const DEFAULT_CONCURRENCY = 8;

// --------------------------------------------------------------------------------------- requests

async function errorContext(client: S3Client, ctx: S3ErrorContext): Promise<S3ErrorContext> {
  const config = client.config as unknown as { profile?: string; isCustomEndpoint?: boolean; endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path: string }> };
  let endpoint: string | undefined;
  try {
    if (config.isCustomEndpoint && config.endpoint) {
      const e = await config.endpoint();
      endpoint = `${e.protocol}//${e.hostname}${e.port ? `:${e.port}` : ''}`;
    }
  } catch {
    endpoint = undefined;
  }
  return { ...ctx, profile: ctx.profile ?? config.profile, endpoint: ctx.endpoint ?? endpoint };
}

/** One ListObjectsV2 page, validated, with errors mapped to advice. */
export async function listPage(
  client: S3Client,
  input: { bucket: string; prefix: string; delimiter?: string; maxKeys?: number; continuationToken?: string; startAfter?: string },
  signal?: AbortSignal,
): Promise<ListObjectsV2CommandOutput> {
  throwIfAborted(signal);
  const ctx: S3ErrorContext = { operation: 'listing', bucket: input.bucket, key: input.prefix };
  let out: ListObjectsV2CommandOutput;
  try {
    out = await client.send(
      new ListObjectsV2Command({
        Bucket: input.bucket,
        Prefix: input.prefix,
        Delimiter: input.delimiter ?? '/',
        MaxKeys: input.maxKeys,
        ContinuationToken: input.continuationToken,
        StartAfter: input.continuationToken ? undefined : input.startAfter,
      }),
      { abortSignal: signal },
    );
  } catch (err) {
    throw toS3Error(err, await errorContext(client, ctx));
  }
  try {
    assertListResult(out, ctx);
  } catch (err) {
    throw toS3Error(err, await errorContext(client, ctx));
  }
  if (out.IsTruncated && !out.NextContinuationToken) {
    throw new S3Error(
      `The listing of s3://${input.bucket}/${input.prefix} was cut short without a continuation token: the server does not page like S3; use an S3-compatible endpoint.`,
      { code: 's3.bad-paging' },
    );
  }
  return out;
}

/** Every page of a prefix (the continuation token decides when to stop, never the page length). */
async function* listAllPages(
  client: S3Client,
  input: { bucket: string; prefix: string; startAfter?: string },
  signal?: AbortSignal,
): AsyncGenerator<ListObjectsV2CommandOutput> {
  let token: string | undefined;
  do {
    const out = await listPage(client, { ...input, continuationToken: token }, signal);
    yield out;
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
}

function toObjectInfo(prefix: string, o: { Key?: string; Size?: number; ETag?: string; LastModified?: Date }): ObjectInfo {
  const key = o.Key ?? '';
  const name = key.slice(prefix.length);
  return {
    key,
    name,
    size: o.Size ?? 0,
    ...(o.ETag !== undefined ? { etag: o.ETag } : {}),
    ...(o.LastModified !== undefined ? { lastModified: o.LastModified } : {}),
    file: parseFileName(name),
  };
}

// ------------------------------------------------------------------------------------------ levels

/** The level of the children of `parent`: 'feed' at the root, then version… mi; undefined below mi. */
export function childLevel(parent: ExportLocation): 'feed' | PartitionLevel | undefined {
  if (parent.feed === undefined) return 'feed';
  const deepest = deepestLevel(parent);
  if (deepest === undefined) return 'version';
  return PARTITION_LEVELS[PARTITION_LEVELS.indexOf(deepest) + 1];
}

function locationOnly(loc: ExportLocation): ExportLocation {
  const { fileName: _ignored, ...rest } = loc;
  return rest;
}

/** Types a child prefix of `parent`; layout violations become 'other' entries (logged, never thrown). */
function prefixEntry(parent: ExportLocation, parentPrefix: string, prefix: string, logger: Logger): CatalogEntry {
  const name = prefix.slice(parentPrefix.length).replace(/\/$/, '');
  const level = childLevel(parent);
  const other = (why: string): CatalogEntry => {
    logger.warn(`s3://${parent.bucket}/${prefix} does not follow the export layout (${why}); shown as is.`);
    return { kind: 'other', name, location: locationOnly(parent), prefix };
  };
  if (level === undefined) return other('nothing is expected below mi=');
  if (level === 'feed') {
    if (!isFeedName(name)) return other('not a feed name');
    return { kind: 'feed', name, location: { ...locationOnly(parent), feed: name }, prefix };
  }
  let segment: ReturnType<typeof parsePartitionSegment>;
  try {
    segment = parsePartitionSegment(name);
  } catch (err) {
    return other(err instanceof LayoutError ? err.message : String(err));
  }
  if (!segment) return other(`expected ${level}=…`);
  if (segment.level !== level) return other(`expected ${level}=… at this level`);
  return { kind: level, name, location: { ...locationOnly(parent), [level]: segment.value }, prefix };
}

/**
 * Exactly one ListObjectsV2 page (Delimiter '/', MaxKeys = pageSize) below `parent`: child prefixes
 * first, then the objects directly under it (unknown files included, kind 'other' in `object.file`).
 * Both groups come in S3 key order. `nextToken` is S3's continuation token.
 */
export async function listChildren(
  client: S3Client,
  parent: ExportLocation,
  o: CatalogOptions & { pageSize?: number; continuationToken?: string } = {},
): Promise<Page<CatalogEntry>> {
  const loc = locationOnly(parent);
  const prefix = formatExportPrefix(loc);
  const out = await listPage(
    client,
    { bucket: loc.bucket, prefix, maxKeys: o.pageSize ?? DEFAULT_PAGE_SIZE, continuationToken: o.continuationToken },
    o.signal,
  );
  const logger = o.logger ?? silentLogger;
  const items: CatalogEntry[] = (out.CommonPrefixes ?? [])
    .map(p => p.Prefix)
    .filter((p): p is string => typeof p === 'string' && p.length > prefix.length)
    .map(p => prefixEntry(loc, prefix, p, logger));
  for (const obj of out.Contents ?? []) {
    if (!obj.Key || obj.Key === prefix) continue; // a "folder" marker object
    const info = toObjectInfo(prefix, obj);
    items.push({ kind: 'file', name: info.name, location: { ...loc, fileName: info.name }, prefix: info.key, object: info });
  }
  return { items, ...(out.IsTruncated && out.NextContinuationToken ? { nextToken: out.NextContinuationToken } : {}) };
}

/** Every page of listChildren, for levels that are known to be small (feeds, versions, formats). */
export async function listAllChildren(client: S3Client, parent: ExportLocation, o: CatalogOptions = {}): Promise<CatalogEntry[]> {
  const all: CatalogEntry[] = [];
  let token: string | undefined;
  do {
    const page = await listChildren(client, parent, { ...o, continuationToken: token });
    all.push(...page.items);
    token = page.nextToken;
  } while (token);
  return all;
}

// -------------------------------------------------------------------------------------- partitions

export interface PartitionSummary {
  location: ExportLocation;
  prefix: string;
  state: PartitionState;
  hasSuccess: boolean;
  /** Every object directly in the partition except _SUCCESS (unknown files included, kind 'other'). */
  files: ObjectInfo[];
  fileCount: number;
  /** Sum of `files` sizes (_SUCCESS excluded). */
  bytes: number;
  /** Child prefixes (e.g. hr= under a dt=): a partition with children and no objects is not a leaf. */
  childPrefixes: string[];
}

function stateOf(hasSuccess: boolean, fileCount: number): PartitionState {
  if (!hasSuccess) return 'in-progress';
  return fileCount > 0 ? 'complete' : 'empty';
}

/** True when the partition itself holds objects (files or _SUCCESS), i.e. it is a leaf to show. */
export function holdsObjects(s: PartitionSummary): boolean {
  return s.hasSuccess || s.fileCount > 0;
}

/**
 * Reads every page of one partition prefix (Delimiter '/'): complete = _SUCCESS and files; empty = only
 * _SUCCESS; in-progress = no _SUCCESS (also when nothing is there yet).
 */
export async function getPartitionSummary(client: S3Client, loc: ExportLocation, o: CatalogOptions = {}): Promise<PartitionSummary> {
  const location = locationOnly(loc);
  const prefix = formatExportPrefix(location);
  const files: ObjectInfo[] = [];
  const childPrefixes: string[] = [];
  let hasSuccess = false;
  for await (const out of listAllPages(client, { bucket: location.bucket, prefix }, o.signal)) {
    for (const p of out.CommonPrefixes ?? []) if (p.Prefix) childPrefixes.push(p.Prefix);
    for (const obj of out.Contents ?? []) {
      if (!obj.Key || obj.Key === prefix) continue;
      const info = toObjectInfo(prefix, obj);
      if (info.name === SUCCESS_MARKER) hasSuccess = true;
      else files.push(info);
    }
  }
  const bytes = files.reduce((n, f) => n + f.size, 0);
  return { location, prefix, state: stateOf(hasSuccess, files.length), hasSuccess, files, fileCount: files.length, bytes, childPrefixes };
}

/** Summaries for the partition entries (dt/hr/mi) of a page, in the same order, `concurrency` at a time. */
export async function summarizeEntries(
  client: S3Client,
  entries: CatalogEntry[],
  o: CatalogOptions & { concurrency?: number } = {},
): Promise<Array<PartitionSummary | undefined>> {
  const limit = limiter(o.concurrency ?? DEFAULT_CONCURRENCY);
  return Promise.all(
    entries.map(e => (e.kind === 'dt' || e.kind === 'hr' || e.kind === 'mi' ? limit(() => getPartitionSummary(client, e.location, o)) : undefined)),
  );
}

// ------------------------------------------------------------------------------------------- walks

interface TimeBound {
  date: string;
  hour?: string;
}

function parseBound(value: string | undefined, which: 'from' | 'to'): TimeBound | undefined {
  if (value === undefined || value === '') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}))?$/.exec(value.trim());
  if (!m || !isValidDate(m[1]) || (m[2] !== undefined && Number(m[2]) > 23)) {
    throw new LayoutError(`--${which} "${value}" is not a date or hour: use YYYY-MM-DD or YYYY-MM-DDTHH (e.g. 2024-01-02T05).`, {
      code: 'catalog.range-invalid',
    });
  }
  return { date: m[1], ...(m[2] !== undefined ? { hour: m[2] } : {}) };
}

/** Whether a partition (daily, hourly or minutely) overlaps the range; a day overlaps any hour bound inside it. */
function inRange(loc: ExportLocation, from?: TimeBound, to?: TimeBound): boolean {
  const dt = loc.dt;
  if (dt === undefined) return true;
  if (from && dt < from.date) return false;
  if (to && dt > to.date) return false;
  if (loc.hr !== undefined) {
    if (from?.hour !== undefined && dt === from.date && loc.hr < from.hour) return false;
    if (to?.hour !== undefined && dt === to.date && loc.hr > to.hour) return false;
  }
  return true;
}

function requireFormat(feed: ExportLocation): void {
  if (feed.feed === undefined || feed.version === undefined || feed.format === undefined) {
    throw new LayoutError(
      'Walking partitions needs a feed, version and format, e.g. s3://BUCKET/FEED/version=1/format=jsonl/.',
      { code: 'catalog.feed-incomplete' },
    );
  }
}

/** All dt= entries of FEED/version=N/format=F in ascending order, starting at `fromDate` when given. */
export async function listDates(
  client: S3Client,
  formatLoc: ExportLocation,
  o: CatalogOptions & { fromDate?: string } = {},
): Promise<CatalogEntry[]> {
  requireFormat(formatLoc);
  const loc: ExportLocation = { bucket: formatLoc.bucket, subFolder: formatLoc.subFolder, feed: formatLoc.feed, version: formatLoc.version, format: formatLoc.format };
  const prefix = formatExportPrefix(loc);
  const logger = o.logger ?? silentLogger;
  // StartAfter "…/dt=FROM" sorts before "…/dt=FROM/", so the from date itself is kept.
  const startAfter = o.fromDate ? `${prefix}dt=${o.fromDate}` : undefined;
  const dates: CatalogEntry[] = [];
  for await (const out of listAllPages(client, { bucket: loc.bucket, prefix, startAfter }, o.signal)) {
    for (const p of out.CommonPrefixes ?? []) {
      if (!p.Prefix) continue;
      const e = prefixEntry(loc, prefix, p.Prefix, logger);
      if (e.kind === 'dt') dates.push(e);
    }
  }
  return dates;
}

/**
 * dt= entries newest first, paged in memory. A tree wants the newest days on top, but S3 lists keys in
 * ascending order only: reaching the newest page means listing all of them. Prefix-only listings are
 * cheap (1,000 dates per request: 2,500 dates = 3 requests, a few KB each), so this lists every date
 * on each call and pages the reversed list; `nextToken` is the last date returned (the next page holds
 * older dates), which stays valid when new dates arrive meanwhile. Callers that page often may keep the
 * full list themselves (listDates) and slice it.
 */
export async function listDatesNewestFirst(
  client: S3Client,
  formatLoc: ExportLocation,
  o: CatalogOptions & { pageSize?: number; continuationToken?: string } = {},
): Promise<Page<CatalogEntry>> {
  const pageSize = o.pageSize ?? DEFAULT_PAGE_SIZE;
  const before = o.continuationToken;
  if (before !== undefined && !isValidDate(before)) {
    throw new LayoutError(`"${before}" is not a page token of listDatesNewestFirst (a date YYYY-MM-DD).`, { code: 'catalog.token-invalid' });
  }
  const all = (await listDates(client, formatLoc, o)).reverse().filter(e => before === undefined || (e.location.dt as string) < before);
  const items = all.slice(0, pageSize);
  const more = all.length > pageSize;
  return { items, ...(more ? { nextToken: items[items.length - 1].location.dt as string } : {}) };
}

/** Runs at most `n` tasks at once. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  const next = () => {
    if (active >= n) return;
    const run = queue.shift();
    if (run) {
      active++;
      run();
    }
  };
  return task =>
    new Promise((resolve, reject) => {
      queue.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
}

/**
 * Every partition below `loc` that holds objects, depth first in time order: a partition is yielded
 * when it holds files or _SUCCESS, then its hr=/mi= children (filtered by the range) are walked.
 */
async function expand(
  client: S3Client,
  loc: ExportLocation,
  ctx: { from?: TimeBound; to?: TimeBound; limit: <T>(t: () => Promise<T>) => Promise<T>; o: CatalogOptions },
): Promise<PartitionSummary[]> {
  const summary = await ctx.limit(() => getPartitionSummary(client, loc, ctx.o));
  const level = childLevel(loc);
  const children: ExportLocation[] = [];
  if (level === 'hr' || level === 'mi') {
    const logger = ctx.o.logger ?? silentLogger;
    for (const p of summary.childPrefixes) {
      const e = prefixEntry(loc, summary.prefix, p, logger);
      if (e.kind === level && inRange(e.location, ctx.from, ctx.to)) children.push(e.location);
    }
  }
  const below = await Promise.all(children.map(c => expand(client, c, ctx)));
  return [...(holdsObjects(summary) ? [summary] : []), ...below.flat()];
}

/**
 * Every leaf partition of FEED/version=N/format=F whose time is in [from, to] (inclusive; 'YYYY-MM-DD'
 * or 'YYYY-MM-DDTHH'), in time order. Dates are listed with StartAfter so days before `from` cost
 * nothing; up to `concurrency` listings run at once, a bounded window of days ahead of the consumer,
 * and results are still yielded in order.
 */
export async function* walkPartitions(
  client: S3Client,
  feed: ExportLocation,
  range: { from?: string; to?: string } = {},
  o: CatalogOptions & { concurrency?: number } = {},
): AsyncGenerator<PartitionSummary> {
  requireFormat(feed);
  const from = parseBound(range.from, 'from');
  const to = parseBound(range.to, 'to');
  if (from && to && (from.date > to.date || (from.date === to.date && (from.hour ?? '00') > (to.hour ?? '23')))) {
    throw new LayoutError(`The range ${range.from} … ${range.to} is empty: --from must not be after --to.`, { code: 'catalog.range-invalid' });
  }
  const concurrency = Math.max(1, o.concurrency ?? DEFAULT_CONCURRENCY);
  const limit = limiter(concurrency);
  const dates: ExportLocation[] = [];
  for (const e of await listDates(client, feed, { ...o, fromDate: from?.date })) {
    if (to && (e.location.dt as string) > to.date) break;
    dates.push(e.location);
  }
  const ctx = { from, to, limit, o };
  const window = concurrency * 2;
  const pending: Array<Promise<PartitionSummary[]>> = [];
  let started = 0;
  const startMore = () => {
    while (started < dates.length && pending.length < window) {
      const p = expand(client, dates[started++], ctx);
      p.catch(() => undefined); // surfaced when awaited in order
      pending.push(p);
    }
  };
  startMore();
  while (pending.length) {
    throwIfAborted(o.signal);
    const next = pending.shift() as Promise<PartitionSummary[]>;
    const summaries = await next;
    startMore();
    for (const s of summaries) yield s;
  }
}

/** The newest complete leaf partition of a feed format, walking days from the newest back. */
export async function findLatestComplete(client: S3Client, formatLoc: ExportLocation, o: CatalogOptions = {}): Promise<PartitionSummary | undefined> {
  const dates = await listDates(client, formatLoc, o);
  const limit = limiter(DEFAULT_CONCURRENCY);
  for (let i = dates.length - 1; i >= 0; i--) {
    const found = await latestCompleteBelow(client, dates[i].location, limit, o);
    if (found) return found;
  }
  return undefined;
}

async function latestCompleteBelow(
  client: S3Client,
  loc: ExportLocation,
  limit: <T>(t: () => Promise<T>) => Promise<T>,
  o: CatalogOptions,
): Promise<PartitionSummary | undefined> {
  const summary = await limit(() => getPartitionSummary(client, loc, o));
  const level = childLevel(loc);
  if (level === 'hr' || level === 'mi') {
    const children = summary.childPrefixes
      .map(p => prefixEntry(loc, summary.prefix, p, o.logger ?? silentLogger))
      .filter(e => e.kind === level)
      .reverse();
    for (const c of children) {
      const found = await latestCompleteBelow(client, c.location, limit, o);
      if (found) return found;
    }
  }
  return summary.state === 'complete' ? summary : undefined;
}

// ------------------------------------------------------------------------------------------- feeds

export interface FeedSummary {
  feed: string;
  location: ExportLocation;
  /** Ascending. */
  versions: number[];
  /** Formats of the newest version. */
  formats: string[];
  /** Newest complete partition of the newest version (any of its formats). */
  latestComplete?: PartitionSummary;
}

/**
 * The feeds under bucket[/sub-folder]/ with their versions and newest complete partition. Feeds are
 * read `concurrency` at a time; prefixes that are not feeds are logged and left out.
 */
export async function listFeeds(
  client: S3Client,
  root: { bucket: string; subFolder: string },
  o: CatalogOptions & { concurrency?: number } = {},
): Promise<FeedSummary[]> {
  const base: ExportLocation = { bucket: root.bucket, subFolder: root.subFolder };
  const feeds = (await listAllChildren(client, base, o)).filter(e => e.kind === 'feed');
  const limit = limiter(Math.max(1, o.concurrency ?? 4));
  return Promise.all(feeds.map(f => limit(() => summarizeFeed(client, f.location, o))));
}

export async function summarizeFeed(client: S3Client, feedLoc: ExportLocation, o: CatalogOptions = {}): Promise<FeedSummary> {
  const versions = (await listAllChildren(client, feedLoc, o))
    .filter(e => e.kind === 'version')
    .map(e => e.location.version as number)
    .sort((a, b) => a - b);
  const summary: FeedSummary = { feed: feedLoc.feed as string, location: feedLoc, versions, formats: [] };
  const newest = versions[versions.length - 1];
  if (newest === undefined) return summary;
  const versionLoc: ExportLocation = { ...feedLoc, version: newest };
  const formats = (await listAllChildren(client, versionLoc, o)).filter(e => e.kind === 'format');
  summary.formats = formats.map(e => e.location.format as string);
  for (const f of formats) {
    const latest = await findLatestComplete(client, f.location, o);
    if (latest && (!summary.latestComplete || partitionSortKey(latest.location) > partitionSortKey(summary.latestComplete.location))) summary.latestComplete = latest;
  }
  return summary;
}
