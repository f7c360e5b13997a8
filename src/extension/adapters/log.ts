// One LogOutputChannel for the extension. Every line passes through the session's Redactor, which knows
// the secrets seen so far (keys, passphrases) plus patterns that look like secrets. Core gets the Logger port.
import * as vscode from 'vscode';
import type { Logger } from '../../core/ports';
import { Redactor } from '../../core/redact';

export interface ExtensionLog extends Logger {
  readonly redactor: Redactor;
  show(): void;
  /** The redacted lines written in this session (the integration tests check them for secrets). */
  lines(): readonly string[];
  dispose(): void;
}

const KEEP_LINES = 2000;

export function createLog(name: string): ExtensionLog {
  const channel = vscode.window.createOutputChannel(name, { log: true });
  const redactor = new Redactor();
  const written: string[] = [];
  const write = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => {
    const line = redactor.redact(message);
    written.push(`${level}: ${line}`);
    if (written.length > KEEP_LINES) written.splice(0, written.length - KEEP_LINES);
    channel[level === 'debug' ? 'debug' : level](line);
  };
  return {
    redactor,
    debug: m => write('debug', m),
    info: m => write('info', m),
    warn: m => write('warn', m),
    error: m => write('error', m),
    show: () => channel.show(true),
    lines: () => written,
    dispose: () => channel.dispose(),
  };
}
