// The shapes a front end sees: what to pull (request), what would be pulled (plan), how it is going
// (progress) and what happened (summary). Plain data, so the extension and the CLI render them alike.
import type { ExportLocation } from '../layout';
import type { PartitionState } from '../catalog';

export interface DownloadRequest {
  /**
   * A feed (the newest version is taken), a feed/version, a feed/version/format, or one partition or
   * prefix below it (dt=, dt=/hr=, dt=/hr=/mi=).
   */
  location: ExportLocation;
  /** Inclusive bounds, 'YYYY-MM-DD' or 'YYYY-MM-DDTHH'. */
  from?: string;
  to?: string;
  /** Also take partitions without _SUCCESS (still being written). */
  includeIncomplete?: boolean;
  /** The output folder; the S3 layout below the sub-folder is mirrored in it. */
  outDir: string;
}

export type FileAction = 'download' | 'skip-unchanged' | 'refused';

export interface PlannedFile {
  bucket: string;
  key: string;
  size: number;
  /** Quoted, as S3 returns it. */
  etag?: string;
  lastModified?: Date;
  /** Path relative to outDir, '/'-separated; absent when refused. */
  relative?: string;
  action: FileAction;
  /** Why a key was refused (it would leave the output folder). */
  refusal?: string;
  encrypted: boolean;
  /** Index into DownloadPlan.partitions. */
  partition: number;
}

export interface PlannedPartition {
  location: ExportLocation;
  /** S3 prefix ending in '/'. */
  prefix: string;
  /** Local folder relative to outDir ('/'-separated, no trailing slash). */
  relative: string;
  state: PartitionState;
  hasSuccess: boolean;
  files: PlannedFile[];
  bytes: number;
}

export interface SkippedPartition {
  prefix: string;
  state: PartitionState;
  fileCount: number;
  bytes: number;
}

export interface DownloadPlan {
  bucket: string;
  subFolder: string;
  feed: string;
  version: number;
  format: string;
  outDir: string;
  range: { from?: string; to?: string };
  /** Partitions that will be pulled, in time order. */
  partitions: PlannedPartition[];
  /** In-progress partitions left out (no _SUCCESS) — pulled only with includeIncomplete. */
  skippedIncomplete: SkippedPartition[];
  totals: {
    partitions: number;
    files: number;
    bytes: number;
    toDownload: { files: number; bytes: number };
    unchanged: { files: number; bytes: number };
    refused: number;
  };
}

export interface DownloadProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Bytes per second over the last few seconds. */
  bytesPerSecond: number;
  /** Seconds left at the current rate; undefined until a rate is known. */
  etaSeconds?: number;
  /** S3 prefix of the partition whose files are being fetched. */
  currentPartition?: string;
  retries: number;
  failed: number;
}

export interface FileFailure {
  key: string;
  code: string;
  message: string;
}

export interface DownloadSummary {
  outDir: string;
  downloaded: { files: number; bytes: number };
  skippedUnchanged: { files: number; bytes: number };
  skippedIncomplete: SkippedPartition[];
  refused: Array<{ key: string; reason: string }>;
  failed: FileFailure[];
  decrypted: Array<{ key: string; file: string; bytes: number }>;
  /** Bytes of partial temp files that were continued instead of fetched again. */
  resumedBytes: number;
  retries: number;
  /** Partitions that got a local _SUCCESS (every file of them is present and verified). */
  partitionsCompleted: number;
  elapsedMs: number;
  bytesPerSecond: number;
}
