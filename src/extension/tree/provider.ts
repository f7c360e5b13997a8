// The exports tree: connection → feed → version → format → dt (newest first) → hr → mi → files. Children
// load when a node is expanded, one S3 page at a time, with a "Load more…" node while S3 says there is more.
// Listing failures show as an error node under the parent (and in the log), not as a popup per expand.
import * as vscode from 'vscode';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CatalogEntry } from '../../core/catalog';
import { errorMessage } from '../../core/errors';
import type { ExportLocation } from '../../core/layout';
import type { Settings } from '../adapters/config';
import type { ExtensionLog } from '../adapters/log';
import type { Connection, ConnectionStore } from '../connections';
import type { Services } from '../lazy';
import { dayAfter, describeFilter, isActive, matchesDate, matchesFeed, type TreeFilter } from './filter';
import { toTreeItem, tooltipFor } from './items';
import { nodeKey, type ExportNode, type FolderNode, type LoadMoreNode, type MessageNode } from './nodes';
import { PagedChildren, type PageResult } from './paging';

export interface TreeDeps {
  connections: ConnectionStore;
  client(connection: Connection): Promise<S3Client>;
  core(): Services;
  settings(): Settings;
  log: ExtensionLog;
}

/** Pages that the filter empties are skipped, up to this many requests per expand or "Load more…". */
const MAX_FILTERED_PAGES = 10;

export class ExportsTreeProvider implements vscode.TreeDataProvider<ExportNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ExportNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly loaders = new Map<string, PagedChildren<ExportNode>>();
  /** The element instances handed to VS Code, by key: refresh events must carry the same objects. */
  private readonly nodes = new Map<string, ExportNode>();
  private readonly filterChanged = new vscode.EventEmitter<TreeFilter>();
  readonly onDidChangeFilter = this.filterChanged.event;
  private currentFilter: TreeFilter = {};
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly deps: TreeDeps) {
    this.subscriptions = [deps.connections.onDidChange(() => this.refresh())];
  }

  get filter(): TreeFilter {
    return this.currentFilter;
  }

  setFilter(filter: TreeFilter): void {
    this.currentFilter = { ...filter };
    this.filterChanged.fire(this.currentFilter);
    this.refresh();
  }

  describeFilter(): string | undefined {
    return isActive(this.currentFilter) ? describeFilter(this.currentFilter) : undefined;
  }

  getTreeItem(node: ExportNode): vscode.TreeItem {
    return toTreeItem(node);
  }

  resolveTreeItem(item: vscode.TreeItem, node: ExportNode): vscode.TreeItem {
    item.tooltip = tooltipFor(node) ?? item.tooltip;
    return item;
  }

  async getChildren(node?: ExportNode): Promise<ExportNode[]> {
    if (!node) return this.remember((await this.deps.connections.list()).map(connection => ({ kind: 'connection' as const, connection })));
    if (node.kind === 'file' || node.kind === 'loadMore' || node.kind === 'message') return [];
    if (node.kind === 'folder' && node.entry.kind === 'other') return [];
    const key = nodeKey(node);
    let loader = this.loaders.get(key);
    if (!loader) {
      loader = new PagedChildren(token => this.fetchPage(node, token));
      this.loaders.set(key, loader);
    }
    try {
      await loader.first();
    } catch (e) {
      this.loaders.delete(key);
      this.deps.log.error(`Listing ${key} failed: ${errorMessage(e)}`);
      return [this.message(key, errorMessage(e), 'error')];
    }
    const children: ExportNode[] = [...loader.items];
    if (loader.hasMore) children.push({ kind: 'loadMore', parentKey: key, connectionId: connectionIdOf(node) });
    if (children.length === 0) children.push(this.message(key, this.emptyText(node), 'info'));
    return this.remember(children);
  }

  /** Loads the next page under the parent of a "Load more…" node; concurrent calls share one request. */
  async loadMore(node: LoadMoreNode): Promise<void> {
    const loader = this.loaders.get(node.parentKey);
    if (!loader) return;
    await loader.more();
    this.changed.fire(this.nodes.get(node.parentKey));
  }

  /** Forgets what was loaded below `node` (everything when omitted) and asks VS Code to list it again. */
  refresh(node?: ExportNode): void {
    if (!node) {
      this.loaders.clear();
      this.changed.fire(undefined);
      return;
    }
    const key = nodeKey(node);
    const [uri, conn] = splitKey(key);
    for (const k of [...this.loaders.keys()]) {
      const [u, c] = splitKey(k);
      if (k === key || (node.kind === 'connection' ? c === node.connection.id : c === conn && u.startsWith(uri))) this.loaders.delete(k);
    }
    this.changed.fire(this.nodes.get(key) ?? undefined);
  }

  /** The element VS Code knows under this key (for tests and commands that receive ids). */
  nodeByKey(key: string): ExportNode | undefined {
    return this.nodes.get(key);
  }

  private remember(children: ExportNode[]): ExportNode[] {
    for (const c of children) this.nodes.set(nodeKey(c), c);
    return children;
  }

  private message(parentKey: string, text: string, severity: MessageNode['severity']): MessageNode {
    return { kind: 'message', key: `${parentKey}#message`, text, severity };
  }

  private emptyText(node: ExportNode): string {
    if (isActive(this.currentFilter)) return `Nothing matches the filter (${describeFilter(this.currentFilter)})`;
    if (node.kind === 'connection') return 'No exports here yet';
    return 'Nothing here yet';
  }

  private async fetchPage(node: ExportNode, token: string | undefined): Promise<PageResult<ExportNode>> {
    const { core, settings, log } = this.deps;
    const services = core();
    const connection = node.kind === 'connection' ? node.connection : await this.deps.connections.get(connectionIdOf(node));
    if (!connection) throw new Error('This connection was removed: refresh the view.');
    const client = await this.deps.client(connection);
    const pageSize = settings().pageSize;
    const connectionId = connection.id;
    const filter = this.currentFilter;
    const location: ExportLocation =
      node.kind === 'connection' ? { bucket: connection.bucket, subFolder: connection.subFolder } : (node as FolderNode).entry.location;
    const opts = { pageSize, logger: log };

    if (node.kind === 'folder' && node.entry.kind === 'format') {
      // newest first; with a "to" date, start below it instead of paging down to it
      let next = token ?? (filter.to ? dayAfter(filter.to) : undefined);
      for (let i = 0; ; i++) {
        const page = await services.catalog.listDatesNewestFirst(client, location, { ...opts, continuationToken: next });
        const kept = page.items.filter(e => e.location.dt && matchesDate(filter, e.location.dt));
        const olderThanRange = filter.from !== undefined && page.items.some(e => (e.location.dt ?? '') < (filter.from as string));
        next = olderThanRange ? undefined : page.nextToken;
        if (kept.length > 0 || !next || i >= MAX_FILTERED_PAGES) return { items: await this.toNodes(kept, client, connectionId), nextToken: next };
      }
    }

    let next = token;
    for (let i = 0; ; i++) {
      const page = await services.catalog.listChildren(client, location, { ...opts, continuationToken: next });
      const kept = node.kind === 'connection' ? page.items.filter(e => e.kind !== 'feed' || matchesFeed(filter, e.name)) : page.items;
      next = page.nextToken;
      if (kept.length > 0 || !next || i >= MAX_FILTERED_PAGES) return { items: await this.toNodes(kept, client, connectionId), nextToken: next };
    }
  }

  private async toNodes(entries: CatalogEntry[], client: S3Client, connectionId: string): Promise<ExportNode[]> {
    const summaries = await this.deps.core().catalog.summarizeEntries(client, entries, { concurrency: 8 });
    // several version= folders mean the schema changed: say which one is current
    const versions = entries.filter(e => e.kind === 'version').map(e => e.location.version as number);
    const newest = versions.length > 1 ? Math.max(...versions) : undefined;
    return entries.map((entry, i): ExportNode => {
      if (entry.kind === 'file') return { kind: 'file', connectionId, entry };
      const summary = summaries[i];
      const note = newest === undefined || entry.kind !== 'version' ? undefined : entry.location.version === newest ? 'newest version' : `superseded by version=${newest}`;
      return { kind: 'folder', connectionId, entry, ...(summary ? { summary } : {}), ...(note ? { note } : {}) };
    });
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
    this.filterChanged.dispose();
  }
}

function connectionIdOf(node: ExportNode): string {
  switch (node.kind) {
    case 'connection':
      return node.connection.id;
    case 'folder':
    case 'file':
    case 'loadMore':
      return node.connectionId;
    case 'message':
      return '';
  }
}

function splitKey(key: string): [string, string] {
  const at = key.lastIndexOf('#');
  return at < 0 ? [key, ''] : [key.slice(0, at), key.slice(at + 1)];
}
