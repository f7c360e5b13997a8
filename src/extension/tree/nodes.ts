// Tree elements are plain data; the provider maps them to TreeItems. Folder and file nodes carry the
// catalog entry (and the partition summary when the level is a partition) they were listed from.
import type { CatalogEntry, PartitionSummary } from '../../core/catalog';
import { formatExportUri } from '../../core/layout';
import type { Connection } from '../connections';

export interface ConnectionNode {
  kind: 'connection';
  connection: Connection;
}

export interface FolderNode {
  kind: 'folder';
  connectionId: string;
  entry: CatalogEntry;
  /** Present for dt/hr/mi entries. */
  summary?: PartitionSummary;
  /** e.g. "newest version" when a feed has several versions (a schema change). */
  note?: string;
}

export interface FileNode {
  kind: 'file';
  connectionId: string;
  entry: CatalogEntry;
}

export interface LoadMoreNode {
  kind: 'loadMore';
  parentKey: string;
  connectionId: string;
}

export interface MessageNode {
  kind: 'message';
  key: string;
  text: string;
  severity: 'info' | 'error';
  tooltip?: string;
}

export type ExportNode = ConnectionNode | FolderNode | FileNode | LoadMoreNode | MessageNode;

export function s3UriOf(node: FolderNode | FileNode): string {
  return formatExportUri(node.entry.location);
}

/** Stable id: the S3 URI, qualified by the connection (two connections may show the same bucket). */
export function nodeKey(node: ExportNode): string {
  switch (node.kind) {
    case 'connection':
      return `connection:${node.connection.id}`;
    case 'folder':
    case 'file':
      return `${s3UriOf(node)}#${node.connectionId}`;
    case 'loadMore':
      return `${node.parentKey}#more`;
    case 'message':
      return node.key;
  }
}

export function isPartitionNode(node: ExportNode): node is FolderNode & { summary: PartitionSummary } {
  return node.kind === 'folder' && node.summary !== undefined;
}
