// `pull`: complete partitions of a feed (a day, a range, or one partition) into a local mirror of the
// S3 layout — parallel, resumable, skipping what is unchanged; safe to run from cron.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { CliCommand } from '../command';
import type { CliContext } from '../context';
import { UsageError } from '../../core/errors';
import { formatS3Uri, parseExportUri, type ExportLocation } from '../../core/layout';
import { createS3Client } from '../../core/s3';
import { planDownload } from '../../core/download/plan';
import { executeDownload, DEFAULT_CONCURRENCY } from '../../core/download/execute';
import { warmFetchWorkers } from '../../core/download/fetchPool';
import { MANIFEST_FILE } from '../../core/download/manifest';
import type { DownloadPlan, DownloadProgress, DownloadSummary } from '../../core/download/types';
import { resolveConnection } from '../connection';
import { PASSPHRASE_ENV, loadKey } from '../keyInput';

const MB = 1_000_000;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** One progress line: a bar on a terminal (redrawn in place), plain lines every few seconds otherwise. */
function progressRenderer(ctx: CliContext): { update(p: DownloadProgress): void; done(): void } {
  const tty = Boolean(ctx.stderr.isTTY);
  let lastPlain = 0;
  let drawn = false;
  const line = (p: DownloadProgress) => {
    const part = p.currentPartition ? p.currentPartition.slice(p.currentPartition.indexOf('dt=')).replace(/\/$/, '') : '';
    const rate = `${(p.bytesPerSecond / MB).toFixed(1)} MB/s`;
    return `${p.filesDone}/${p.filesTotal} files  ${mb(p.bytesDone)}/${mb(p.bytesTotal)}  ${rate}  ETA ${duration(p.etaSeconds)}${p.retries ? `  ${plural(p.retries, 'retry').replace('retrys', 'retries')}` : ''}  ${part}`;
  };
  return {
    update(p) {
      if (ctx.json) return;
      if (tty) {
        const width = 24;
        const frac = p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : 1;
        const fill = Math.round(frac * width);
        ctx.stderr.write(`\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${line(p)}\x1b[K`);
        drawn = true;
      } else if (Date.now() - lastPlain >= 5000) {
        lastPlain = Date.now();
        ctx.stderr.write(`pull: ${line(p)}\n`);
      }
    },
    done() {
      if (drawn) ctx.stderr.write('\r\x1b[K');
    },
  };
}

function describeTarget(plan: DownloadPlan): string {
  const range = plan.range.from || plan.range.to ? ` ${plan.range.from ?? '…'} … ${plan.range.to ?? '…'}` : '';
  return `${plan.feed} version=${plan.version} format=${plan.format}${range}`;
}

function printPlan(ctx: CliContext, plan: DownloadPlan): void {
  ctx.print(`Plan for ${describeTarget(plan)} → ${plan.outDir}`);
  for (const p of plan.partitions) {
    const fetch = p.files.filter(f => f.action === 'download');
    const state = p.state === 'complete' ? '' : ` (${p.state})`;
    ctx.print(`  ${p.prefix}${state}  ${plural(p.files.length, 'file')}, ${mb(p.bytes)}; ${fetch.length ? `${fetch.length} to download` : 'up to date'}`);
  }
  const t = plan.totals;
  ctx.print(`${plural(t.partitions, 'partition')}, ${plural(t.files, 'file')}, ${mb(t.bytes)}: ${t.toDownload.files} to download (${mb(t.toDownload.bytes)}), ${t.unchanged.files} unchanged, ${t.refused} refused`);
  printSkippedAndRefused(ctx, plan.skippedIncomplete, plan.partitions.flatMap(p => p.files.filter(f => f.action === 'refused').map(f => ({ key: f.key, reason: f.refusal ?? '' }))), plan.bucket);
}

function printSkippedAndRefused(ctx: CliContext, skipped: DownloadPlan['skippedIncomplete'], refused: Array<{ key: string; reason: string }>, bucket: string): void {
  for (const s of skipped) ctx.print(`  skipped (no _SUCCESS yet, --include-incomplete takes it): ${formatS3Uri(bucket, s.prefix)}`);
  for (const r of refused) ctx.print(`  ${r.reason}`);
}

function printSummary(ctx: CliContext, plan: DownloadPlan, s: DownloadSummary): void {
  const secs = s.elapsedMs / 1000;
  ctx.print(`Pulled ${describeTarget(plan)} → ${s.outDir}`);
  ctx.print(`  downloaded          ${plural(s.downloaded.files, 'file')}, ${mb(s.downloaded.bytes)} in ${secs.toFixed(1)} s (${(s.bytesPerSecond / MB).toFixed(1)} MB/s)${s.resumedBytes ? `, ${mb(s.resumedBytes)} resumed` : ''}`);
  ctx.print(`  skipped unchanged   ${plural(s.skippedUnchanged.files, 'file')}, ${mb(s.skippedUnchanged.bytes)}`);
  ctx.print(`  skipped incomplete  ${plural(s.skippedIncomplete.length, 'partition')}`);
  ctx.print(`  refused keys        ${s.refused.length}`);
  ctx.print(`  retries             ${s.retries}`);
  if (s.decrypted.length) ctx.print(`  decrypted           ${plural(s.decrypted.length, 'file')}`);
  if (s.failed.length) ctx.print(`  failed              ${plural(s.failed.length, 'file')}`);
  printSkippedAndRefused(ctx, s.skippedIncomplete, s.refused, plan.bucket);
  for (const f of s.failed) ctx.print(`  failed: ${f.message}`);
}

function planJson(plan: DownloadPlan) {
  return {
    bucket: plan.bucket,
    subFolder: plan.subFolder,
    feed: plan.feed,
    version: plan.version,
    format: plan.format,
    outDir: plan.outDir,
    range: plan.range,
    totals: plan.totals,
    partitions: plan.partitions.map(p => ({
      prefix: p.prefix,
      state: p.state,
      files: p.files.map(f => ({ key: f.key, size: f.size, etag: f.etag, action: f.action, ...(f.relative ? { path: f.relative } : {}), ...(f.refusal ? { refusal: f.refusal } : {}) })),
    })),
    skippedIncomplete: plan.skippedIncomplete,
  };
}

const pull: CliCommand = {
  name: 'pull',
  summary: 'Download complete partitions of a feed (a day, a range or one partition) to a local mirror',
  usage:
    'pull s3://BUCKET/[SUB/]FEED[/version=N][/dt=…[/hr=…]] [--from D] [--to D] [--out DIR] [--concurrency N] [--include-incomplete] [--dry-run] [--skip-md5] [--decrypt --key K [--passphrase-file F]] [--delete-encrypted] [--json]',
  details: [
    'Takes only partitions with _SUCCESS unless --include-incomplete. Files are written to a temp file and',
    'renamed when complete and verified; a re-run fetches only new or changed objects (manifest in DIR).',
    '',
    '  --from D, --to D        inclusive range, YYYY-MM-DD or YYYY-MM-DDTHH (one day: give both the same)',
    '  --out DIR               output folder (default: current folder); the S3 layout below the sub-folder is mirrored',
    `  --concurrency N         files in flight (default ${DEFAULT_CONCURRENCY})`,
    '  --include-incomplete    also take partitions without _SUCCESS (still being written)',
    '  --skip-md5              do not check MD5 against ETags (sizes are still checked): saves CPU on slow machines',
    '  --dry-run               print what would be downloaded and stop',
    '  --decrypt --key K       decrypt .enc files after download with the armored private key K',
    `  --passphrase-file F     the key's passphrase (else ${PASSPHRASE_ENV}, else a prompt)`,
    '  --delete-encrypted      remove the .enc file once decrypted',
    '  --sub-folder S          the sub-folder of your credentials (taken from --profile when recorded there)',
    'Exit codes: 0 all done, 1 some files failed or keys were refused (see the summary), 2 usage error.',
    'Cron: */15 * * * * asapp-exports pull s3://BUCKET/FEED --from $(date -u +%F) --to $(date -u +%F) --out /data/asapp',
  ],
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    out: { type: 'string' },
    concurrency: { type: 'string' },
    'include-incomplete': { type: 'boolean' },
    'skip-md5': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    decrypt: { type: 'boolean' },
    key: { type: 'string' },
    'passphrase-file': { type: 'string' },
    'delete-encrypted': { type: 'boolean' },
    'sub-folder': { type: 'string' },
  },
  async run(ctx, { values, positionals }) {
    if (positionals.length !== 1) throw new UsageError('pull takes one s3:// URI of a feed or partition.');
    const uri = positionals[0];
    if (!uri.startsWith('s3://')) throw new UsageError(`"${uri}" is not an s3:// URI.`);
    const concurrency = values.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new UsageError('--concurrency must be a whole number from 1 to 256.');
    if (values['delete-encrypted'] && !values.decrypt) throw new UsageError('--delete-encrypted only makes sense with --decrypt.');
    if (values.key && !values.decrypt) throw new UsageError('--key is used with --decrypt.');
    const { s3, subFolder } = await resolveConnection(ctx, uri, values);
    const location: ExportLocation = parseExportUri(uri, subFolder !== undefined ? { subFolder } : {});
    if (location.fileName && location.version === undefined) {
      throw new UsageError(
        `Cannot tell the feed in ${uri}: if "${location.feed}" is your sub-folder, add --sub-folder ${location.feed} (or use --profile with a recorded sub-folder), or name the version (…/${location.fileName}/version=1).`,
      );
    }
    const key = values.decrypt ? await loadKey(ctx, values) : undefined;
    const client = createS3Client({ ...s3, maxSockets: Math.max(64, concurrency * 2) }, ctx.env);
    const outDir = path.resolve(ctx.cwd, (values.out as string | undefined) ?? '.');
    // A first pull into a folder downloads everything: its download threads start (~40 ms of CPU each) on
    // the other core while this one lists and plans. A re-run (the folder has a manifest) often has
    // nothing to fetch, and would only pay for them: it starts them once the plan says so.
    if (!values['dry-run'] && !existsSync(path.join(outDir, MANIFEST_FILE))) warmFetchWorkers(concurrency);
    try {
      const plan = await planDownload(
        client,
        {
          location,
          from: values.from as string | undefined,
          to: values.to as string | undefined,
          includeIncomplete: Boolean(values['include-incomplete']),
          outDir,
        },
        { signal: ctx.signal, logger: ctx.logger },
      );
      if (values['dry-run']) {
        if (ctx.json) ctx.printJson({ ok: true, dryRun: true, plan: planJson(plan) });
        else printPlan(ctx, plan);
        return 0;
      }
      const progress = progressRenderer(ctx);
      let summary: DownloadSummary;
      try {
        summary = await executeDownload(client, plan, {
          concurrency,
          signal: ctx.signal,
          logger: ctx.logger,
          onProgress: p => progress.update(p),
          progressIntervalMs: 200,
          verifyMd5: !values['skip-md5'],
          ...(key ? { decrypt: { key, deleteEncrypted: Boolean(values['delete-encrypted']) } } : {}),
        });
      } finally {
        progress.done();
      }
      const ok = summary.failed.length === 0 && summary.refused.length === 0;
      if (ctx.json) ctx.printJson({ ok, plan: { ...planJson(plan), partitions: undefined }, summary });
      else printSummary(ctx, plan, summary);
      return ok ? 0 : 1;
    } finally {
      client.destroy();
    }
  },
};

export const commands: CliCommand[] = [pull];
