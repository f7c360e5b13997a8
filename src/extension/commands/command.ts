// The one wrapper every command runs in: logs the call, stays silent on cancellation, and otherwise shows
// "<Action> failed: <reason>" (core's reason already says how to fix it) with a "Show Log" button.
// Secrets are redacted from both the log and the message. Model: aws-toolkit-vscode commands2.ts.
import * as vscode from 'vscode';
import { errorMessage, isCancellation } from '../../core/errors';
import type { ExtensionEnv } from '../env';

export interface CommandDef {
  id: string;
  /** Verb phrase for the failure message, e.g. "Download". */
  action: string;
  run: (...args: any[]) => unknown;
}

export function registerCommands(env: ExtensionEnv, defs: CommandDef[]): vscode.Disposable[] {
  return defs.map(def => vscode.commands.registerCommand(def.id, (...args: unknown[]) => runCommand(env, def, args)));
}

export async function runCommand(env: ExtensionEnv, def: CommandDef, args: unknown[]): Promise<unknown> {
  const { log } = env;
  log.info(`${def.id}`);
  try {
    return await def.run(...args);
  } catch (e) {
    if (isCancellation(e)) {
      log.info(`${def.id}: cancelled`);
      return undefined;
    }
    const reason = log.redactor.redact(errorMessage(e));
    const code = (e as { code?: unknown }).code;
    log.error(`${def.action} failed: ${reason}${typeof code === 'string' ? ` [${code}]` : ''}`);
    if (e instanceof Error && e.stack && !(typeof code === 'string')) log.debug(log.redactor.redact(e.stack));
    const message = `${def.action} failed: ${reason}`;
    env.shown.push(message);
    void vscode.window.showErrorMessage(message, 'Show Log').then(choice => {
      if (choice === 'Show Log') log.show();
    });
    return undefined;
  }
}
