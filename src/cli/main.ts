// asapp-exports: the command-line front end. Thin: parses arguments, builds a context, dispatches to a
// command family, maps errors to one line on stderr and an exit code (0 ok, 1 failure, 2 usage).
import { parseArgs } from 'node:util';
import type { CliCommand, OptionSpec } from './command';
import { createContext, type Output } from './context';
import { ExportsError, UsageError, isCancellation, errorMessage } from '../core/errors';
import { Redactor } from '../core/redact';

// Each family's modules (the AWS SDK, openpgp, DuckDB glue…) are loaded only when one of its commands
// runs: `--version` and `--help` evaluate none of them, `pull` only the download path. The require()s
// are literal so that esbuild bundles each family as a lazily initialised module.
/* eslint-disable @typescript-eslint/no-require-imports -- lazy loading on purpose (see above) */
const FAMILIES = {
  keys: () => (require('./commands/keys') as typeof import('./commands/keys')).commands,
  credentials: () => (require('./commands/credentials') as typeof import('./commands/credentials')).commands,
  browse: () => (require('./commands/browse') as typeof import('./commands/browse')).commands,
  pull: () => (require('./commands/pull') as typeof import('./commands/pull')).commands,
  preview: () => (require('./commands/preview') as typeof import('./commands/preview')).commands,
  dedupe: () => (require('./commands/dedupe') as typeof import('./commands/dedupe')).commands,
  schema: () => (require('./commands/schema') as typeof import('./commands/schema')).commands,
  ddl: () => (require('./commands/ddl') as typeof import('./commands/ddl')).commands,
  demo: () => (require('./commands/demo') as typeof import('./commands/demo')).commands,
} satisfies Record<string, () => CliCommand[]>;
/* eslint-enable @typescript-eslint/no-require-imports */
type Family = keyof typeof FAMILIES;

/**
 * Which family runs which command (the order is the order of `--help`). A command missing here still
 * works (every family is loaded to find it); test/unit/cliStart.test.ts keeps this table complete.
 */
export const COMMAND_FAMILIES: ReadonlyArray<readonly [name: string, family: Family]> = [
  ['keygen', 'keys'], ['key show', 'keys'], ['key export-public', 'keys'],
  ['credentials decrypt', 'credentials'], ['credentials import', 'credentials'], ['credentials list', 'credentials'],
  ['feeds', 'browse'], ['ls', 'browse'],
  ['pull', 'pull'],
  ['preview', 'preview'],
  ['tables', 'dedupe'], ['dedupe sql', 'dedupe'], ['dedupe run', 'dedupe'],
  ['schema show', 'schema'], ['schema diff', 'schema'], ['schema infer', 'schema'],
  ['ddl', 'ddl'],
  ['demo', 'demo'],
];

/** Every command of every family (loads them all: for help, and for names missing from the table). */
export function allCommands(): CliCommand[] {
  return (Object.keys(FAMILIES) as Family[]).flatMap(f => FAMILIES[f]());
}

const GLOBAL_OPTIONS: OptionSpec = {
  endpoint: { type: 'string' },
  profile: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
};

const GLOBAL_HELP = [
  'Global options:',
  '  --endpoint URL   S3-compatible endpoint (also AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)',
  '  --profile NAME   AWS profile (e.g. asapp-prod, written by `credentials decrypt`)',
  '  --region NAME    AWS region (default us-east-1)',
  '  --json           machine-readable output on stdout',
  '  -v, --verbose    log details on stderr',
];

export interface MainIo {
  stdout: Output;
  stderr: Output;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal?: AbortSignal;
  stdin?: NodeJS.ReadStream;
}

/** The longest command name that argv starts with, among `names`. */
function longestMatch(argv: string[], names: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const name of names) {
    const words = name.split(' ');
    if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.split(' ').length)) best = name;
  }
  return best;
}

function findCommand(argv: string[]): { command?: CliCommand; rest: string[] } {
  const name = longestMatch(argv, COMMAND_FAMILIES.map(([n]) => n));
  const family = COMMAND_FAMILIES.find(([n]) => n === name)?.[1];
  let command = family ? FAMILIES[family]().find(c => c.name === name) : undefined;
  if (!command) {
    // Not in the table (a stale table): the slow way, every family loaded.
    const all = allCommands();
    const found = longestMatch(argv, all.map(c => c.name));
    command = all.find(c => c.name === found);
  }
  return { command, rest: command ? argv.slice(command.name.split(' ').length) : argv };
}

function usageText(): string {
  const all = allCommands();
  const width = Math.max(...all.map(c => c.name.length));
  return [
    'asapp-exports — get, browse, pull, preview and dedupe ASAPP data exports on S3',
    '',
    'Usage: asapp-exports <command> [options]',
    '',
    'Commands:',
    ...all.map(c => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    ...GLOBAL_HELP,
    '',
    'Run `asapp-exports help <command>` for the options of one command.',
  ].join('\n');
}

function commandHelp(c: CliCommand): string {
  return [`Usage: asapp-exports ${c.usage}`, '', c.summary, ...(c.details?.length ? ['', ...c.details] : []), '', ...GLOBAL_HELP].join('\n');
}

export async function main(argv: string[], io: MainIo): Promise<number> {
  const redactor = new Redactor();
  const fail = (message: string) => io.stderr.write(`asapp-exports: ${redactor.redact(message)}\n`);
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    io.stdout.write(usageText() + '\n');
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === 'help') {
    const { command } = findCommand(argv.slice(1));
    io.stdout.write((command ? commandHelp(command) : usageText()) + '\n');
    return command || argv.length === 1 ? 0 : 2;
  }
  if (argv[0] === '--version') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const { command, rest } = findCommand(argv);
  if (!command) {
    fail(`unknown command "${argv.filter(a => !a.startsWith('-')).slice(0, 2).join(' ')}". Run \`asapp-exports --help\` for the list.`);
    return 2;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (e) {
    fail(`${errorMessage(e).replace(/\. To specify a positional.*$/s, '.')}\nUsage: asapp-exports ${command.usage}`);
    return 2;
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values.help) {
    io.stdout.write(commandHelp(command) + '\n');
    return 0;
  }
  const ctx = createContext({
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env,
    cwd: io.cwd,
    json: Boolean(values.json),
    verbose: Boolean(values.verbose),
    s3: {
      endpoint: (values.endpoint as string | undefined) ?? io.env.AWS_ENDPOINT_URL_S3 ?? io.env.AWS_ENDPOINT_URL,
      profile: values.profile as string | undefined,
      region: values.region as string | undefined,
    },
    signal: io.signal ?? new AbortController().signal,
    stdin: io.stdin,
  });
  try {
    const code = await command.run(ctx, { values, positionals: parsed.positionals });
    return code ?? 0;
  } catch (e) {
    if (isCancellation(e)) {
      fail('cancelled.');
      return 130;
    }
    const message = ctx.redactor.redact(errorMessage(e));
    if (e instanceof UsageError) {
      fail(`${message}\nUsage: asapp-exports ${command.usage}`);
      return 2;
    }
    if (!(e instanceof ExportsError)) ctx.logger.debug((e as Error)?.stack ?? String(e));
    if (ctx.json) ctx.printJson({ ok: false, error: { code: (e as ExportsError).code ?? 'internal', message } });
    fail(message);
    return 1;
  }
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

/** The SDK warns on every command that future versions need Node 22; users cannot act on it. */
function silenceNodeVersionWarning(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const name = typeof warning === 'string' ? (typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string })?.type) : warning.name;
    const text = typeof warning === 'string' ? warning : warning.message;
    if (name === 'NodeVersionSupportWarning' || /NodeVersionSupportWarning|no longer support Node/i.test(text)) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}

/**
 * The process entry (dist/cli.js calls it): Ctrl-C → cancellation, and a reader that goes away
 * (`asapp-exports feeds | head`) → EPIPE on stdout/stderr: the command is stopped quietly and the exit
 * code is 0 unless it had already failed. Resolves with the exit code (also set as process.exitCode).
 */
export async function runCli(argv: string[]): Promise<number> {
  silenceNodeVersionWarning();
  const controller = new AbortController();
  let interrupted = 0;
  process.on('SIGINT', () => {
    interrupted++;
    if (interrupted > 1) process.exit(130);
    process.stderr.write('\nCancelling… (Ctrl-C again to quit at once)\n');
    controller.abort();
  });
  let pipeClosed = false;
  const onPipeError = (e: NodeJS.ErrnoException) => {
    if (e?.code !== 'EPIPE') throw e;
    if (!pipeClosed) {
      pipeClosed = true;
      controller.abort();
    }
  };
  process.stdout.on('error', onPipeError);
  process.stderr.on('error', onPipeError);
  // Once the reader is gone nothing more is written (to either stream: the only news would be about that).
  const guard = (stream: NodeJS.WriteStream): Output => ({
    write: text => (pipeClosed ? true : stream.write(text)),
    get isTTY() { return stream.isTTY; },
  });
  let code: number;
  try {
    code = await main(argv, {
      stdout: guard(process.stdout),
      stderr: guard(process.stderr),
      env: process.env,
      cwd: process.cwd(),
      signal: controller.signal,
      stdin: process.stdin,
    });
  } catch (e) {
    if (!pipeClosed) process.stderr.write(`asapp-exports: ${errorMessage(e)}\n`);
    code = 1;
  }
  if (pipeClosed && code === 130 && interrupted === 0) code = 0;
  process.exitCode = code;
  return code;
}

if (require.main === module) void runCli(process.argv.slice(2));
