// `asapp-exports demo`: prints the onboarding journey of core/demo.ts step by step; keeps the local S3
// server running for the other commands until Ctrl-C, or stops after listing with --once.
import type { CliCommand } from '../command';
import type { CliContext } from '../context';
import { UsageError } from '../../core/errors';
import { startDemo, formatBytes, type DemoResult, type DemoStep } from '../../core/demo';
import { formatS3Uri } from '../../core/layout';

const STATE_LABEL = { complete: 'complete', 'in-progress': 'in progress', empty: 'empty' } as const;

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new UsageError(`--port "${value}" is not a port number (1–65535).`);
  return port;
}

function printStep(ctx: CliContext, s: DemoStep): void {
  ctx.print(`[${s.index}/${s.total}] ${s.title}`);
  for (const line of s.details) ctx.print(`      ${line}`);
}

function printListing(ctx: CliContext, r: DemoResult): void {
  const rows = r.feeds.map(f => {
    const latest = f.latestComplete;
    const at = latest ? [`dt=${latest.location.dt}`, latest.location.hr && `hr=${latest.location.hr}`, latest.location.mi && `mi=${latest.location.mi}`].filter(Boolean).join('/') : '—';
    return [f.feed, f.versions.map(v => `v${v}`).join(','), at];
  });
  table(ctx, ['FEED', 'VERSIONS', 'LATEST COMPLETE'], rows);
  if (!r.day) return;
  ctx.print('');
  ctx.print(`      ${r.day.feed} version=${r.day.version} dt=${r.day.dt}:`);
  table(ctx, ['PARTITION', 'STATE', 'FILES', 'SIZE'], r.day.partitions.map(p => [
    [p.location.hr !== undefined && `hr=${p.location.hr}`, p.location.mi !== undefined && `mi=${p.location.mi}`].filter(Boolean).join('/') || `dt=${p.location.dt}`,
    STATE_LABEL[p.state],
    String(p.fileCount),
    formatBytes(p.bytes),
  ]));
}

function table(ctx: CliContext, head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  for (const r of [head, ...rows]) ctx.print('      ' + r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}

function tryCommands(r: DemoResult): string[] {
  const prod = r.environments[0];
  const q = (s: string) => (/^[\w./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const common = `--endpoint ${r.endpoint} --profile ${prod.profile}`;
  return [
    `export AWS_SHARED_CREDENTIALS_FILE=${q(r.env.AWS_SHARED_CREDENTIALS_FILE)} AWS_CONFIG_FILE=${q(r.env.AWS_CONFIG_FILE)}`,
    `npx asapp-exports feeds ${common}`,
    `npx asapp-exports ls ${formatS3Uri(prod.bucket, 'convos_metrics/version=1/format=jsonl/')} ${common}`,
    `aws s3 ls ${formatS3Uri(prod.bucket)} --endpoint-url ${r.endpoint} --profile ${prod.profile}`,
  ];
}

/** What --json prints: no secrets, no file contents. */
function summary(r: DemoResult, once: boolean) {
  return {
    ok: true,
    running: !once,
    endpoint: r.endpoint,
    dir: r.dir,
    temporaryDir: r.temporaryDir,
    fingerprint: r.fingerprint,
    environments: r.environments,
    files: r.files,
    env: r.env,
    encryptedExport: r.encryptedExport,
    feeds: r.feeds.map(f => ({ feed: f.feed, versions: f.versions, formats: f.formats, latestComplete: f.latestComplete?.prefix })),
    day: r.day && {
      feed: r.day.feed, version: r.day.version, dt: r.day.dt,
      partitions: r.day.partitions.map(p => ({ prefix: p.prefix, hr: p.location.hr, mi: p.location.mi, state: p.state, files: p.fileCount, bytes: p.bytes })),
    },
    ...(once ? {} : { try: tryCommands(r) }),
  };
}

export const commands: CliCommand[] = [
  {
    name: 'demo',
    summary: 'The onboarding journey on a local S3 server with sample exports (keys, credentials, profiles, browsing)',
    usage: 'demo [--once] [--port N] [--dir DIR] [--json]',
    details: [
      'Starts an S3-compatible server on 127.0.0.1 with the buckets asapp-prod-acme-exports-us-east-1 and',
      'asapp-preprod-acme-exports-us-east-1 seeded with sample exports, generates a key pair with a random',
      'passphrase, plays ASAPP (a credentials file encrypted to your public key), decrypts it into the AWS',
      'profiles asapp-demo-prod and asapp-demo-preprod of a demo-only AWS config, then lists the feeds and',
      "one day's partitions with their states. Your ~/.aws is never touched.",
      '',
      '  --once      stop after listing (exit 0); otherwise keep the server running until Ctrl-C',
      '  --port N    port of the local S3 server (default: any free port)',
      '  --dir DIR   keep the key pair, encrypted credentials and demo AWS files in DIR',
      '              (default: a new temp folder, removed when the demo stops)',
    ],
    options: {
      once: { type: 'boolean' },
      port: { type: 'string' },
      dir: { type: 'string' },
    },
    async run(ctx, { values, positionals }) {
      if (positionals.length) throw new UsageError(`demo takes no arguments (got "${positionals[0]}").`);
      const once = Boolean(values.once);
      const port = parsePort(values.port as string | undefined);
      if (!ctx.json) ctx.print('ASAPP Exports demo: the onboarding journey on a local S3 server (nothing leaves this machine).\n');
      const demo = await startDemo(
        { port, dir: values.dir as string | undefined, signal: ctx.signal, onSecret: s => ctx.redactor.add(s) },
        step => { if (!ctx.json) printStep(ctx, step); },
      );
      try {
        if (ctx.json) ctx.printJson(summary(demo, once));
        else printListing(ctx, demo);
        if (once) {
          if (!ctx.json) {
            ctx.print('');
            ctx.print(demo.temporaryDir
              ? 'Done: the demo server is stopped and its temp folder removed. Run `asapp-exports demo` (without --once) to keep it running and try the commands yourself.'
              : `Done: the demo server is stopped; the key pair and demo AWS files stay in ${demo.dir}.`);
          }
          return 0;
        }
        if (!ctx.json) {
          ctx.print('');
          ctx.print(`The local S3 server keeps running at ${demo.endpoint}. In another terminal, try:`);
          for (const c of tryCommands(demo)) ctx.print(`  ${c}`);
          ctx.print('');
          ctx.print(`Key pair and demo AWS files: ${demo.dir}${demo.temporaryDir ? ' (removed when the demo stops)' : ''}`);
          ctx.print('Press Ctrl-C to stop.');
        }
        await new Promise<void>(done => {
          if (ctx.signal.aborted) return done();
          ctx.signal.addEventListener('abort', () => done(), { once: true });
        });
        if (!ctx.json) ctx.print('Demo stopped.');
        return 0;
      } finally {
        await demo.stop();
      }
    },
  },
];
