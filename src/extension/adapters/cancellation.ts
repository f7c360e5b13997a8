// Core speaks AbortSignal; VS Code hands out CancellationTokens.
import type * as vscode from 'vscode';

export function toAbortSignal(token: vscode.CancellationToken | undefined): AbortSignal {
  const controller = new AbortController();
  if (!token) return controller.signal;
  if (token.isCancellationRequested) controller.abort();
  else {
    const sub = token.onCancellationRequested(() => {
      sub.dispose();
      controller.abort();
    });
  }
  return controller.signal;
}
