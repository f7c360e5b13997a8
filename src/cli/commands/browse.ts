// `feeds` and `ls`: browse an export bucket from a terminal, one level at a time, with partition states.
import type { S3Client } from '@aws-sdk/client-s3';
import type { CliCommand, OptionValues } from '../command';
import type { CliContext } from '../context';
import { LayoutError, UsageError } from '../../core/errors';
import {
  formatExportUri,
  formatS3Uri,
  normalizeSubFolder,
  parseExportUri,
  parseS3Uri,
  type ExportFile,
  type ExportLocation,
} from '../../core/layout';
import { createS3Client } from '../../core/s3';
import { readToolProfile } from '../../core/awsProfile';
import {
  DEFAULT_PAGE_SIZE,
  childLevel,
  getPartitionSummary,
  listChildren,
  listFeeds,
  summarizeEntries,
  type CatalogEntry,
  type FeedSummary,
  type ObjectInfo,
  type PartitionState,
  type PartitionSummary,
} from '../../core/catalog';
import { resolveConnection } from '../connection';

// ------------------------------------------------------------------------------------------ output

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** Left-aligned columns; numbers right-aligned when `right` says so. */
function table(rows: string[][], right: boolean[] = []): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map(r => (r[c] ?? '').length)));
  return rows.map(r => r.map((cell, c) => (c === r.length - 1 && !right[c] ? cell : right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd());
}

const STATE_LABEL: Record<PartitionState, string> = { complete: 'complete', 'in-progress': 'in progress', empty: 'empty' };

function partitionLabel(loc: ExportLocation): string {
  return `${loc.dt ?? ''}${loc.hr !== undefined ? `T${loc.hr}` : ''}${loc.mi !== undefined ? `:${loc.mi}` : ''}`;
}

function fileType(f: ExportFile): string {
  if (f.kind === 'success') return 'marker';
  if (f.kind === 'docs') return 'docs';
  if (f.kind === 'other') return 'unknown';
  return [f.format, f.split !== undefined ? `split ${String(f.split).padStart(2, '0')}` : '', f.compression === 'gzip' ? 'gz' : '', f.encrypted ? 'enc' : '']
    .filter(Boolean)
    .join(', ');
}

function fileJson(o: ObjectInfo, loc: ExportLocation) {
  return {
    kind: 'file',
    name: o.name,
    uri: formatS3Uri(loc.bucket, o.key),
    size: o.size,
    ...(o.etag ? { etag: o.etag } : {}),
    ...(o.lastModified ? { lastModified: o.lastModified.toISOString() } : {}),
    type: o.file,
  };
}

/** A leaf has a state; a partition with only sub-partitions (a day of an hourly feed) has totals instead. */
function summaryJson(s: PartitionSummary) {
  if (isParent(s)) return { leaf: false, children: s.childPrefixes.length, ...(s.below ? { below: s.below } : {}) };
  return {
    leaf: true,
    state: s.state,
    hasSuccess: s.hasSuccess,
    files: s.fileCount,
    bytes: s.bytes,
    ...(s.childPrefixes.length ? { children: s.childPrefixes.length } : {}),
    ...(s.below && s.below.partitions > 0 ? { below: s.below } : {}),
  };
}

/** A partition that holds nothing itself but has sub-partitions is described by what is below it. */
function isParent(s: PartitionSummary): boolean {
  return !s.hasSuccess && s.fileCount === 0 && s.childPrefixes.length > 0;
}

function belowText(s: PartitionSummary): string {
  const b = s.below;
  if (!b) return `${s.childPrefixes.length} sub-partitions`;
  const parts = [b.complete ? `${b.complete} complete` : '', b.inProgress ? `${b.inProgress} in progress` : '', b.empty ? `${b.empty} empty` : ''].filter(Boolean);
  return `${b.partitions} partitions: ${parts.join(', ') || 'none'}`;
}

// ------------------------------------------------------------------------------------- connection

async function connect(ctx: CliContext, uri: string, values: OptionValues): Promise<{ client: S3Client; subFolder?: string }> {
  const { s3, subFolder } = await resolveConnection(ctx, uri, values);
  return { client: createS3Client(s3, ctx.env), subFolder };
}

function parseUriOrUsage(uri: string, hints: { subFolder?: string }): ExportLocation {
  if (!uri.startsWith('s3://')) throw new UsageError(`"${uri}" is not an s3:// URI (e.g. s3://BUCKET/FEED/).`);
  try {
    return parseExportUri(uri, hints);
  } catch (e) {
    if (e instanceof LayoutError) throw new UsageError(e.message);
    throw e;
  }
}

function pageSizeOf(values: OptionValues): number {
  if (values['page-size'] === undefined) return DEFAULT_PAGE_SIZE;
  const n = Number(values['page-size']);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError('--page-size must be a whole number from 1 to 1000 (S3 returns at most 1,000 keys per request).');
  return n;
}

// ---------------------------------------------------------------------------------------------- ls

async function runLs(ctx: CliContext, values: OptionValues, positionals: string[]): Promise<number> {
  if (positionals.length > 1) throw new UsageError('ls takes one s3:// URI.');
  const uri = positionals[0] ?? (await profileRoot(ctx, 'ls'));
  if (values.all && values.next) throw new UsageError('--all and --next cannot be combined: --all already follows every page.');
  const pageSize = pageSizeOf(values);
  if (!uri.startsWith('s3://')) throw new UsageError(`"${uri}" is not an s3:// URI (e.g. s3://BUCKET/FEED/).`);
  const { client, subFolder } = await connect(ctx, uri, values);
  try {
    const location = parseUriOrUsage(uri, subFolder !== undefined ? { subFolder } : {});
    if (location.fileName !== undefined) return await lsFile(ctx, client, location);
    return await lsLevel(ctx, client, location, { all: Boolean(values.all), next: values.next as string | undefined, pageSize, uri });
  } finally {
    client.destroy();
  }
}

async function lsFile(ctx: CliContext, client: S3Client, location: ExportLocation): Promise<number> {
  const summary = await getPartitionSummary(client, location, { signal: ctx.signal, logger: ctx.logger });
  const object = summary.files.find(f => f.name === location.fileName);
  const uri = formatExportUri(location);
  if (!object && !(location.fileName === '_SUCCESS' && summary.hasSuccess)) {
    throw new UsageError(`${uri} does not exist: run asapp-exports ls ${formatExportUri({ ...location, fileName: undefined })} to see the files.`);
  }
  if (ctx.json) {
    ctx.printJson({ uri, partition: { uri: formatExportUri({ ...location, fileName: undefined }), ...summaryJson(summary) }, ...(object ? { file: fileJson(object, location) } : {}) });
    return 0;
  }
  ctx.print(`${uri}  ${object ? `${formatBytes(object.size)}  ${fileType(object.file)}` : 'marker'}  (partition ${STATE_LABEL[summary.state]})`);
  return 0;
}

async function lsLevel(
  ctx: CliContext,
  client: S3Client,
  location: ExportLocation,
  o: { all: boolean; next?: string; pageSize: number; uri: string },
): Promise<number> {
  const signal = ctx.signal;
  // Layout warnings are held back: when the whole level is "not in the layout", one hint says why.
  const warnings: string[] = [];
  const logger = { ...ctx.logger, warn: (m: string) => warnings.push(m) };
  const items: CatalogEntry[] = [];
  let token = o.next;
  do {
    const page = await listChildren(client, location, { pageSize: o.pageSize, continuationToken: token, signal, logger });
    items.push(...page.items);
    token = page.nextToken;
  } while (o.all && token);
  const summaries = await summarizeEntries(client, items, { signal, logger });
  const files = items.filter(e => e.kind === 'file');
  const level = childLevel(location);
  const listedUri = formatExportUri(location);

  // At a partition, the files listed here decide its state when every page was read.
  let partition: PartitionSummary | undefined;
  if (location.dt !== undefined && files.length > 0) {
    partition = token === undefined && o.next === undefined
      ? stateFromFiles(location, files)
      : await getPartitionSummary(client, location, { signal, logger: ctx.logger });
  }
  const hint = subFolderHint(location, items);
  if (!hint) for (const w of warnings) ctx.logger.warn(w);

  if (ctx.json) {
    ctx.printJson({
      uri: listedUri,
      location,
      level: level ?? 'files',
      ...(partition ? { partition: summaryJson(partition) } : {}),
      items: items.map((e, i) => {
        if (e.kind === 'file' && e.object) return fileJson(e.object, location);
        const s = summaries[i];
        return { kind: e.kind, name: e.name, uri: formatS3Uri(location.bucket, e.prefix), ...(s ? summaryJson(s) : {}) };
      }),
      count: items.length,
      ...(token ? { nextToken: token } : {}),
    });
    return 0;
  }

  if (items.length === 0) {
    ctx.print(`Nothing under ${listedUri}${location.feed === undefined ? ': check the bucket and sub-folder (--sub-folder, or the --profile written by credentials decrypt).' : '.'}`);
    return 0;
  }
  if (partition) ctx.print(`${listedUri}  ${STATE_LABEL[partition.state]}, ${partition.fileCount} file${partition.fileCount === 1 ? '' : 's'}, ${formatBytes(partition.bytes)}`);
  const folders = items.filter(e => e.kind !== 'file');
  if (folders.length) {
    const partitionRows = level === 'dt' || level === 'hr' || level === 'mi';
    if (partitionRows) {
      const rows = [['PARTITION', 'STATE', 'FILES', 'SIZE', '']];
      for (const e of folders) {
        const s = summaries[items.indexOf(e)];
        if (!s) rows.push([`${e.name}/`, '(not in the layout)', '', '', '']);
        else if (isParent(s)) rows.push([`${e.name}/`, '—', String(s.below?.files ?? ''), formatBytes(s.below?.bytes ?? 0), belowText(s)]);
        else rows.push([`${e.name}/`, STATE_LABEL[s.state], String(s.fileCount), formatBytes(s.bytes), s.childPrefixes.length ? belowText(s) : '']);
      }
      for (const line of table(rows, [false, false, true, true, false])) ctx.print(line);
    } else {
      for (const e of folders) ctx.print(`${e.name}/${e.kind === 'other' ? '    (not in the layout)' : ''}`);
    }
  }
  if (files.length) {
    if (folders.length) ctx.print();
    const rows = [['FILE', 'SIZE', 'TYPE', 'MODIFIED']];
    for (const e of files) {
      const obj = e.object as ObjectInfo;
      rows.push([obj.name, formatBytes(obj.size), fileType(obj.file), obj.lastModified ? obj.lastModified.toISOString().replace(/\.\d{3}Z$/, 'Z') : '']);
    }
    for (const line of table(rows, [false, true, false, false])) ctx.print(line);
  }
  if (hint) ctx.print(hint);
  if (token) ctx.print(`More entries: asapp-exports ls ${o.uri} --next ${token}   (or --all)`);
  return 0;
}

function stateFromFiles(location: ExportLocation, files: CatalogEntry[]): PartitionSummary {
  const objects = files.map(f => f.object as ObjectInfo);
  const hasSuccess = objects.some(o => o.file.kind === 'success');
  const data = objects.filter(o => o.file.kind !== 'success');
  const bytes = data.reduce((n, f) => n + f.size, 0);
  const state: PartitionState = !hasSuccess ? 'in-progress' : data.length ? 'complete' : 'empty';
  return { location, prefix: '', state, hasSuccess, files: data, fileCount: data.length, bytes, childPrefixes: [] };
}

/** Listing a sub-folder as if it were a feed shows feeds where versions were expected: say so. */
function subFolderHint(location: ExportLocation, items: CatalogEntry[]): string | undefined {
  if (location.feed === undefined || location.version !== undefined || items.length === 0) return undefined;
  if (!items.every(e => e.kind === 'other')) return undefined;
  return `Hint: "${location.feed}" looks like a sub-folder, not a feed: add --sub-folder ${location.subFolder ? `${location.subFolder}/` : ''}${location.feed} (or use the --profile written by credentials decrypt).`;
}

// ------------------------------------------------------------------------------------------- feeds

/** s3://BUCKET/[SUB/] recorded in --profile (or AWS_PROFILE) by `credentials decrypt`, for commands given no URI. */
async function profileRoot(ctx: CliContext, command: string): Promise<string> {
  const profileName = ctx.s3.profile ?? ctx.env.AWS_PROFILE;
  if (!profileName) {
    throw new UsageError(`Name the bucket (s3://BUCKET[/SUB-FOLDER]${command === 'ls' ? '/FEED/…' : ''}) or a --profile written by \`asapp-exports credentials decrypt\`.`);
  }
  const profile = await readToolProfile(profileName, ctx.env);
  if (!profile) {
    throw new UsageError(`Profile '${profileName}' has no bucket recorded for this tool: give s3://BUCKET[/SUB-FOLDER], or re-run \`asapp-exports credentials decrypt\` to write it.`);
  }
  const sub = normalizeSubFolder(profile.subFolder);
  return formatS3Uri(profile.bucket, sub ? `${sub}/` : '');
}

async function runFeeds(ctx: CliContext, values: OptionValues, positionals: string[]): Promise<number> {
  if (positionals.length > 1) throw new UsageError('feeds takes at most one s3://BUCKET[/SUB-FOLDER] URI.');
  const uri = positionals[0] ?? (await profileRoot(ctx, 'feeds'));
  if (!uri.startsWith('s3://')) throw new UsageError(`"${uri}" is not an s3:// URI (e.g. s3://BUCKET/SUB-FOLDER/).`);
  let bucket: string;
  let rootSub: string;
  try {
    const parsed = parseS3Uri(uri);
    bucket = parsed.bucket;
    rootSub = normalizeSubFolder(parsed.key);
  } catch (e) {
    if (e instanceof LayoutError) throw new UsageError(e.message);
    throw e;
  }
  const { client } = await connect(ctx, uri, values);
  try {
    const feeds = await listFeeds(client, { bucket, subFolder: rootSub }, { signal: ctx.signal, logger: ctx.logger });
    const rootUri = formatS3Uri(bucket, rootSub ? `${rootSub}/` : '');
    if (ctx.json) {
      ctx.printJson({ uri: rootUri, bucket, subFolder: rootSub, feeds: feeds.map(feedJson) });
      return 0;
    }
    if (feeds.length === 0) {
      ctx.print(`No feeds under ${rootUri}: check the bucket and sub-folder (they are in the credentials file).`);
      return 0;
    }
    const rows = [['FEED', 'VERSIONS', 'FORMAT', 'LATEST COMPLETE', 'FILES', 'SIZE']];
    for (const f of feeds) {
      const l = f.latestComplete;
      rows.push([f.feed, f.versions.join(', ') || '-', f.formats.join(', ') || '-', l ? partitionLabel(l.location) : '-', l ? String(l.fileCount) : '', l ? formatBytes(l.bytes) : '']);
    }
    ctx.print(`Feeds under ${rootUri} (latest complete partition of the newest version):`);
    for (const line of table(rows, [false, false, false, false, true, true])) ctx.print(line);
    return 0;
  } finally {
    client.destroy();
  }
}

function feedJson(f: FeedSummary) {
  const l = f.latestComplete;
  return {
    feed: f.feed,
    uri: formatExportUri(f.location),
    versions: f.versions,
    formats: f.formats,
    ...(l ? { latestComplete: { uri: formatExportUri(l.location), partition: partitionLabel(l.location), version: l.location.version, ...summaryJson(l) } } : {}),
  };
}

// ---------------------------------------------------------------------------------------- commands

const feeds: CliCommand = {
  name: 'feeds',
  summary: 'List the feeds of an export bucket with their versions and latest complete partition',
  usage: 'feeds [s3://BUCKET[/SUB-FOLDER]] [--profile P] [--json]',
  details: [
    'Without a URI, the bucket and sub-folder recorded in --profile (or AWS_PROFILE) by `credentials decrypt` are used.',
    'Never lists buckets: the keys ASAPP issues are scoped to one bucket and sub-folder.',
  ],
  async run(ctx, { values, positionals }) {
    return runFeeds(ctx, values, positionals);
  },
};

const ls: CliCommand = {
  name: 'ls',
  summary: 'List the next level below an export path: versions, formats, partitions with their state, or files',
  usage: 'ls [s3://BUCKET/[SUB/]FEED/…] [--all] [--page-size N] [--next TOKEN] [--sub-folder S] [--json]',
  details: [
    'Partitions show their state: complete (_SUCCESS and files), in progress (no _SUCCESS yet), empty (only _SUCCESS),',
    'with file count and size; a partition with sub-partitions (a day of an hourly feed) shows the totals below it.',
    'At a partition, its files are listed with size and type (split number, gz, enc).',
    'Without a URI, lists the feeds under the bucket and sub-folder recorded in --profile (or AWS_PROFILE).',
    '',
    '  --all              follow every page (default: one page of up to --page-size entries, then a --next hint)',
    `  --page-size N      entries per page, 1–1000 (default ${DEFAULT_PAGE_SIZE})`,
    '  --next TOKEN       continue from the token printed by the previous page',
    '  --sub-folder S     the sub-folder of your credentials (taken from --profile when recorded there)',
  ],
  options: {
    all: { type: 'boolean' },
    'page-size': { type: 'string' },
    next: { type: 'string' },
    'sub-folder': { type: 'string' },
  },
  async run(ctx, { values, positionals }) {
    return runLs(ctx, values, positionals);
  },
};

export const commands: CliCommand[] = [feeds, ls];
