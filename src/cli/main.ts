// asapp-exports: the command-line front end. Thin: parses arguments, builds a context, dispatches to a
// command family, maps errors to one line on stderr and an exit code (0 ok, 1 failure, 2 usage).
import { parseArgs } from 'node:util';
import type { CliCommand, OptionSpec } from './command';
import { createContext, type Output } from './context';
import { ExportsError, UsageError, isCancellation, errorMessage } from '../core/errors';
import { Redactor } from '../core/redact';
import { commands as keys } from './commands/keys';
import { commands as credentials } from './commands/credentials';
import { commands as browse } from './commands/browse';
import { commands as demo } from './commands/demo';
import { commands as pull } from './commands/pull';
import { commands as preview } from './commands/preview';
import { commands as dedupe } from './commands/dedupe';
import { commands as schema } from './commands/schema';
import { commands as ddl } from './commands/ddl';

export const ALL_COMMANDS: CliCommand[] = [...keys, ...credentials, ...browse, ...pull, ...preview, ...dedupe, ...schema, ...ddl, ...demo];

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

function findCommand(argv: string[]): { command?: CliCommand; rest: string[] } {
  let best: CliCommand | undefined;
  for (const c of ALL_COMMANDS) {
    const words = c.name.split(' ');
    if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.name.split(' ').length)) best = c;
  }
  return { command: best, rest: best ? argv.slice(best.name.split(' ').length) : argv };
}

function usageText(): string {
  const width = Math.max(...ALL_COMMANDS.map(c => c.name.length));
  return [
    'asapp-exports — get, browse, pull, preview and dedupe ASAPP data exports on S3',
    '',
    'Usage: asapp-exports <command> [options]',
    '',
    'Commands:',
    ...ALL_COMMANDS.map(c => `  ${c.name.padEnd(width)}  ${c.summary}`),
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

if (require.main === module) {
  silenceNodeVersionWarning();
  const controller = new AbortController();
  let interrupted = 0;
  process.on('SIGINT', () => {
    interrupted++;
    if (interrupted > 1) process.exit(130);
    process.stderr.write('\nCancelling… (Ctrl-C again to quit at once)\n');
    controller.abort();
  });
  main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
    stdin: process.stdin,
  }).then(
    code => { process.exitCode = code; },
    e => { process.stderr.write(`asapp-exports: ${errorMessage(e)}\n`); process.exitCode = 1; },
  );
}
