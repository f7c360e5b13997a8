// What every command gets: output streams that redact secrets, the global S3 options, a cancellation
// signal wired to Ctrl-C, and a hidden prompt for passphrases.
import type { Logger } from '../core/ports';
import { Redactor } from '../core/redact';
import type { S3ConnectionOptions } from '../core/s3';
import { UsageError } from '../core/errors';

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface CliContext {
  stdout: Output;
  stderr: Output;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** --json: machine-readable stdout. */
  json: boolean;
  verbose: boolean;
  /** Global --endpoint/--profile/--region (with AWS_ENDPOINT_URL_S3/AWS_ENDPOINT_URL for the endpoint). */
  s3: S3ConnectionOptions;
  redactor: Redactor;
  logger: Logger;
  signal: AbortSignal;
  /** Prints a line on stdout (secrets redacted). */
  print(line?: string): void;
  /** Prints a JSON document on stdout (secrets redacted). */
  printJson(value: unknown): void;
  /** Reads a secret from a hidden prompt; fails with a usage error when stdin is not a terminal. */
  promptSecret(question: string): Promise<string>;
}

export function createContext(init: {
  stdout: Output;
  stderr: Output;
  env: NodeJS.ProcessEnv;
  cwd: string;
  json: boolean;
  verbose: boolean;
  s3: S3ConnectionOptions;
  signal: AbortSignal;
  stdin?: NodeJS.ReadStream;
}): CliContext {
  const redactor = new Redactor();
  const line = (out: Output, text: string) => out.write(redactor.redact(text) + '\n');
  const logger: Logger = {
    debug: m => { if (init.verbose) line(init.stderr, `debug: ${m}`); },
    info: m => { if (init.verbose) line(init.stderr, m); },
    warn: m => line(init.stderr, `warning: ${m}`),
    error: m => line(init.stderr, `error: ${m}`),
  };
  return {
    ...init,
    redactor,
    logger,
    print: (text = '') => line(init.stdout, text),
    printJson: value => line(init.stdout, JSON.stringify(value, null, 2)),
    promptSecret: question => promptHidden(question, init.stdin ?? process.stdin, init.stderr),
  };
}

async function promptHidden(question: string, stdin: NodeJS.ReadStream, stderr: Output): Promise<string> {
  if (!stdin.isTTY) {
    throw new UsageError(`${question.replace(/:\s*$/, '')} is needed, and there is no terminal to ask on: use --passphrase-file F or ASAPP_EXPORTS_PASSPHRASE.`);
  }
  stderr.write(question);
  return new Promise<string>((resolve, reject) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(Object.assign(new Error('Cancelled'), { name: 'CancellationError' }));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
