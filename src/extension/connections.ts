// Connections the tree shows. What identifies a connection (bucket, sub-folder, env, profile name) is not
// secret but lives in SecretStorage too, next to the keys, so that every window sees the same list
// (SecretStorage.onDidChange fires across windows) and nothing at all lands in settings or globalState.
// The demo connection exists for the session only (its server lives in this extension host).
import * as vscode from 'vscode';
import type { VscodeSecretStore } from './adapters/secretStore';
import { maskKeyId } from '../core/redact';

export type ConnectionSource = 'secrets' | 'profile' | 'demo';

export interface Connection {
  id: string;
  label: string;
  source: ConnectionSource;
  bucket: string;
  subFolder: string;
  env?: string;
  region?: string;
  /** AWS profile name (source 'profile'). */
  profile?: string;
  /** Endpoint fixed by the connection itself (the demo server); otherwise the setting applies. */
  endpoint?: string;
  /** e.g. AKIA…MPLE — shown in tooltips. */
  keyHint?: string;
}

export interface ConnectionKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

const LIST_KEY = 'asappExports.connections';
const keysKey = (id: string) => `asappExports.connection/${id}`;

export class ConnectionStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly session = new Map<string, Connection>();
  private readonly sessionKeys = new Map<string, ConnectionKeys>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: VscodeSecretStore) {
    this.subscription = secrets.onDidChange(e => {
      if (e.key === LIST_KEY || e.key.startsWith('asappExports.connection/')) this.changed.fire();
    });
  }

  async list(): Promise<Connection[]> {
    const stored = await this.readList();
    return [...stored, ...this.session.values()];
  }

  async get(id: string): Promise<Connection | undefined> {
    return (await this.list()).find(c => c.id === id);
  }

  async keys(id: string): Promise<ConnectionKeys | undefined> {
    if (this.sessionKeys.has(id)) return this.sessionKeys.get(id);
    const raw = await this.secrets.get(keysKey(id));
    return raw ? (JSON.parse(raw) as ConnectionKeys) : undefined;
  }

  /** Adds or replaces a stored connection (and its keys when given). */
  async save(connection: Connection, keys?: ConnectionKeys): Promise<void> {
    const withHint = keys ? { ...connection, keyHint: maskKeyId(keys.accessKeyId) } : connection;
    if (keys) await this.secrets.store(keysKey(connection.id), JSON.stringify(keys));
    const list = (await this.readList()).filter(c => c.id !== connection.id);
    list.push(withHint);
    await this.secrets.store(LIST_KEY, JSON.stringify(list));
    this.changed.fire();
  }

  addSession(connection: Connection, keys?: ConnectionKeys): void {
    this.session.set(connection.id, connection);
    if (keys) this.sessionKeys.set(connection.id, keys);
    this.changed.fire();
  }

  /** Removes the connection and its keys. */
  async remove(id: string): Promise<boolean> {
    if (this.session.delete(id)) {
      this.sessionKeys.delete(id);
      this.changed.fire();
      return true;
    }
    const list = await this.readList();
    const rest = list.filter(c => c.id !== id);
    await this.secrets.delete(keysKey(id));
    if (rest.length === list.length) return false;
    await this.secrets.store(LIST_KEY, JSON.stringify(rest));
    this.changed.fire();
    return true;
  }

  private async readList(): Promise<Connection[]> {
    const raw = await this.secrets.get(LIST_KEY);
    if (!raw) return [];
    try {
      const parsed = JSON.parse(raw) as Connection[];
      return Array.isArray(parsed) ? parsed : [];
    } catch {
      return [];
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

export function connectionId(source: ConnectionSource, bucket: string, subFolder: string, profile?: string): string {
  return source === 'profile' ? `profile:${profile}` : `${source}:${bucket}/${subFolder}`;
}
