// The core SecretStore port over VS Code's SecretStorage (the OS keychain on desktop). Nothing secret is
// ever written to settings, globalState or files by the extension.
import type * as vscode from 'vscode';
import type { SecretStore } from '../../core/ports';

export class VscodeSecretStore implements SecretStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}
  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.secrets.get(key));
  }
  store(key: string, value: string): Promise<void> {
    return Promise.resolve(this.secrets.store(key, value));
  }
  delete(key: string): Promise<void> {
    return Promise.resolve(this.secrets.delete(key));
  }
  /** Fires for changes from this and other windows. */
  get onDidChange(): vscode.Event<vscode.SecretStorageChangeEvent> {
    return this.secrets.onDidChange;
  }
}
