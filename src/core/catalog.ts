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
  /** delimiter: '/' by default; '' lists flat (every key below the prefix). */
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
        Delimiter: input.delimiter === '' ? undefined : (input.delimiter ?? '/'),
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
  /** Totals of the partitions below this one that hold objects (set by summarizeEntries). */
  below?: LeafTotals;
}

export interface LeafTotals {
  partitions: number;
  complete: number;
  inProgress: number;
  empty: number;
  files: number;
  bytes: number;
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

// Summaries of many partitions come from flat listings (no delimiter) rather than one listing per
// partition: S3 returns up to 1,000 keys per request whatever their depth, so 2,500 daily partitions
// (~5,000 keys) cost 5 requests instead of 2,500, and an hourly day (~50 keys) one request instead of
// 25. Keys come sorted, so all keys of one top-level child (e.g. dt=2024-01-02/) are contiguous and the
// child is finished as soon as a key of another child arrives.

interface Subtree {
  /** Top-level child name below the base, e.g. 'dt=2024-01-02'. */
  name: string;
  /** Summary of the child itself (its own objects, child prefixes, and `below` totals). */
  top: PartitionSummary;
  /** Every partition in the subtree that holds objects (the child included), in time order. */
  leaves: PartitionSummary[];
}

function emptySummary(location: ExportLocation, prefix: string): PartitionSummary {
  return { location, prefix, state: 'in-progress', hasSuccess: false, files: [], fileCount: 0, bytes: 0, childPrefixes: [] };
}

function finish(s: PartitionSummary): PartitionSummary {
  s.fileCount = s.files.length;
  s.bytes = s.files.reduce((n, f) => n + f.size, 0);
  s.state = stateOf(s.hasSuccess, s.fileCount);
  return s;
}

/** The location of `rel` ('dt=…/hr=…/') below `base`, or undefined when a segment breaks the layout. */
function descendPath(base: ExportLocation, rel: string): ExportLocation | undefined {
  let loc = base;
  for (const segment of rel.split('/').filter(Boolean)) {
    const level = childLevel(loc);
    let parsed: ReturnType<typeof parsePartitionSegment>;
    try {
      parsed = parsePartitionSegment(segment);
    } catch {
      return undefined;
    }
    if (!parsed || parsed.level !== level) return undefined;
    loc = { ...loc, [level]: parsed.value };
  }
  return loc;
}

function buildSubtree(base: ExportLocation, basePrefix: string, name: string, objects: ObjectInfo[], logger: Logger): Subtree | undefined {
  const topLoc = descendPath(base, name);
  if (!topLoc) {
    logger.warn(`s3://${base.bucket}/${basePrefix}${name}/ does not follow the export layout; left out.`);
    return undefined;
  }
  const dirs = new Map<string, PartitionSummary>();
  const dir = (rel: string): PartitionSummary | undefined => {
    let s = dirs.get(rel);
    if (!s) {
      const loc = descendPath(base, rel);
      if (!loc) return undefined;
      s = emptySummary(loc, basePrefix + rel);
      dirs.set(rel, s);
    }
    return s;
  };
  const top = dir(`${name}/`) as PartitionSummary;
  const skipped = new Set<string>();
  for (const obj of objects) {
    const rel = obj.key.slice(basePrefix.length);
    const cut = rel.lastIndexOf('/');
    const relDir = rel.slice(0, cut + 1);
    const own = dir(relDir);
    if (!own) {
      if (!skipped.has(relDir)) logger.warn(`s3://${base.bucket}/${basePrefix}${relDir} does not follow the export layout; left out.`);
      skipped.add(relDir);
      continue;
    }
    const file = { ...obj, name: rel.slice(cut + 1), file: parseFileName(rel.slice(cut + 1)) };
    if (file.name === SUCCESS_MARKER) own.hasSuccess = true;
    else if (file.name !== '') own.files.push(file);
    // Register the chain of parents so each knows its child prefixes.
    let child = relDir;
    while (child !== `${name}/`) {
      const parentRel = child.slice(0, child.slice(0, -1).lastIndexOf('/') + 1);
      const parent = dir(parentRel);
      if (!parent) break;
      const childPrefix = basePrefix + child;
      if (!parent.childPrefixes.includes(childPrefix)) parent.childPrefixes.push(childPrefix);
      child = parentRel;
    }
  }
  const all = [...dirs.values()].map(finish);
  for (const s of all) s.childPrefixes.sort();
  const leaves = all.filter(holdsObjects).sort((a, b) => (partitionSortKey(a.location) < partitionSortKey(b.location) ? -1 : 1));
  const below = leaves.filter(s => s !== top);
  top.below = {
    partitions: below.length,
    complete: below.filter(s => s.state === 'complete').length,
    inProgress: below.filter(s => s.state === 'in-progress').length,
    empty: below.filter(s => s.state === 'empty').length,
    files: below.reduce((n, s) => n + s.fileCount, 0),
    bytes: below.reduce((n, s) => n + s.bytes, 0),
  };
  return { name, top, leaves };
}

/**
 * Flat-lists the top-level children of `base` from `first` to `last` (names, inclusive) and yields
 * each child's subtree in key order. Listing stops at the first page that goes past `last`.
 */
async function* flatSubtrees(
  client: S3Client,
  base: ExportLocation,
  first: string,
  last: string,
  o: CatalogOptions,
): AsyncGenerator<Subtree> {
  const basePrefix = formatExportPrefix(base);
  const logger = o.logger ?? silentLogger;
  let current: { name: string; objects: ObjectInfo[] } | undefined;
  const flush = () => {
    const done = current ? buildSubtree(base, basePrefix, current.name, current.objects, logger) : undefined;
    current = undefined;
    return done;
  };
  let token: string | undefined;
  let past = false;
  do {
    // "…/first" sorts before "…/first/…", so StartAfter keeps the first child.
    const out = await listPage(
      client,
      { bucket: base.bucket, prefix: basePrefix, delimiter: '', continuationToken: token, startAfter: basePrefix + first },
      o.signal,
    );
    for (const obj of out.Contents ?? []) {
      if (!obj.Key) continue;
      const rel = obj.Key.slice(basePrefix.length);
      const slash = rel.indexOf('/');
      if (slash < 0) continue; // a file directly under the base is not a partition
      const name = rel.slice(0, slash);
      if (name > last) {
        past = true;
        break;
      }
      if (current?.name !== name) {
        const done = flush();
        if (done) yield done;
        current = { name, objects: [] };
      }
      current.objects.push(toObjectInfo(basePrefix, obj));
    }
    token = !past && out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  const done = flush();
  if (done) yield done;
}

/**
 * Subtrees of the named top-level children of `base` (names in key order), in that order. Names are cut
 * into runs listed concurrently (`concurrency` runs in flight), each run one flat listing.
 */
async function* subtreesInOrder(
  client: S3Client,
  base: ExportLocation,
  names: string[],
  o: CatalogOptions & { concurrency?: number },
): AsyncGenerator<Subtree> {
  if (names.length === 0) return;
  const concurrency = Math.max(1, o.concurrency ?? DEFAULT_CONCURRENCY);
  // Runs small enough that the first results come early, large enough that a run is a few requests.
  const runSize = Math.max(1, Math.min(128, Math.ceil(names.length / concurrency)));
  const runs: string[][] = [];
  for (let i = 0; i < names.length; i += runSize) runs.push(names.slice(i, i + runSize));
  const listRun = async (run: string[]): Promise<Subtree[]> => {
    const wanted = new Set(run);
    const out: Subtree[] = [];
    for await (const t of flatSubtrees(client, base, run[0], run[run.length - 1], o)) if (wanted.has(t.name)) out.push(t);
    return out;
  };
  const pending: Array<Promise<Subtree[]>> = [];
  let started = 0;
  const startMore = () => {
    while (started < runs.length && pending.length < concurrency) {
      const p = listRun(runs[started++]);
      p.catch(() => undefined); // surfaced when awaited in order
      pending.push(p);
    }
  };
  startMore();
  while (pending.length) {
    throwIfAborted(o.signal);
    const subtrees = await (pending.shift() as Promise<Subtree[]>);
    startMore();
    yield* subtrees;
  }
}

/**
 * Summaries for the entries of one listChildren page, in the same order (undefined for entries that
 * are not dt/hr/mi partitions). A partition with sub-partitions gets `below` totals. Costs a few flat
 * listings per page (not one request per entry).
 */
export async function summarizeEntries(
  client: S3Client,
  entries: CatalogEntry[],
  o: CatalogOptions & { concurrency?: number } = {},
): Promise<Array<PartitionSummary | undefined>> {
  const partitions = entries.filter(e => e.kind === 'dt' || e.kind === 'hr' || e.kind === 'mi');
  if (partitions.length === 0) return entries.map(() => undefined);
  const level = partitions[0].kind as PartitionLevel;
  const base = { ...partitions[0].location, [level]: undefined } as ExportLocation;
  delete (base as unknown as Record<string, unknown>)[level];
  const basePrefix = formatExportPrefix(base);
  const byName = new Map<string, PartitionSummary>();
  const names = [...new Set(partitions.filter(e => e.prefix.startsWith(basePrefix)).map(e => e.name))].sort();
  for await (const t of subtreesInOrder(client, base, names, o)) byName.set(t.name, t.top);
  return entries.map(e => {
    if (e.kind !== 'dt' && e.kind !== 'hr' && e.kind !== 'mi') return undefined;
    return byName.get(e.name) ?? { ...emptySummary(e.location, e.prefix), below: { partitions: 0, complete: 0, inProgress: 0, empty: 0, files: 0, bytes: 0 } };
  });
}

/**
 * Every leaf partition of FEED/version=N/format=F whose time is in [from, to] (inclusive; 'YYYY-MM-DD'
 * or 'YYYY-MM-DDTHH'), in time order. Dates are listed first (prefix-only, StartAfter `from`: days
 * before it cost nothing), then read in runs of days by flat listings, up to `concurrency` runs at
 * once; results are yielded in order.
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
  const base: ExportLocation = { bucket: feed.bucket, subFolder: feed.subFolder, feed: feed.feed, version: feed.version, format: feed.format };
  const names: string[] = [];
  for (const e of await listDates(client, base, { ...o, fromDate: from?.date })) {
    if (to && (e.location.dt as string) > to.date) break;
    names.push(e.name);
  }
  for await (const t of subtreesInOrder(client, base, names, o)) {
    for (const leaf of t.leaves) if (inRange(leaf.location, from, to)) yield leaf;
  }
}

/**
 * The newest complete leaf partition of a feed format. Dates are listed (prefix-only: cheap), then read
 * newest first in runs of days by flat listings, `concurrency` runs at a time, until a run holds a
 * complete partition: usually the first request finds it, and a long tail of empty or unfinished days
 * costs one request per run of 32 days.
 */
export async function findLatestComplete(
  client: S3Client,
  formatLoc: ExportLocation,
  o: CatalogOptions & { concurrency?: number } = {},
): Promise<PartitionSummary | undefined> {
  const base: ExportLocation = { bucket: formatLoc.bucket, subFolder: formatLoc.subFolder, feed: formatLoc.feed, version: formatLoc.version, format: formatLoc.format };
  const names = (await listDates(client, base, o)).map(e => e.name);
  const runSize = 32;
  const runs: string[][] = [];
  for (let end = names.length; end > 0; end -= runSize) runs.push(names.slice(Math.max(0, end - runSize), end));
  const newestIn = async (run: string[]): Promise<PartitionSummary | undefined> => {
    let newest: PartitionSummary | undefined;
    for await (const t of flatSubtrees(client, base, run[0], run[run.length - 1], o)) {
      for (const leaf of t.leaves) if (leaf.state === 'complete') newest = leaf;
    }
    return newest;
  };
  const concurrency = Math.max(1, o.concurrency ?? DEFAULT_CONCURRENCY);
  // The newest run alone first (it usually holds the answer), then `concurrency` runs at a time.
  for (let i = 0; i < runs.length; ) {
    throwIfAborted(o.signal);
    const size = i === 0 ? 1 : concurrency;
    const found = await Promise.all(runs.slice(i, i + size).map(newestIn));
    const first = found.find(f => f !== undefined);
    if (first) return first;
    i += size;
  }
  return undefined;
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
