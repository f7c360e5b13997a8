// The record of what a previous pull wrote into an output folder, so a re-run (e.g. from cron) fetches
// only what is new or changed. One JSON file at the root of the output folder, always replaced
// atomically (temp file + rename), so a crash or Ctrl-C leaves either the old or the new version.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DownloadError } from '../errors';
import type { Logger } from '../ports';

export const MANIFEST_FILE = '.asapp-exports-manifest.json';
export const LOCK_FILE = '.asapp-exports.lock';
const MANIFEST_VERSION = 1;

export interface ManifestEntry {
  bucket: string;
  key: string;
  size: number;
  etag?: string;
  /** ISO 8601 */
  lastModified?: string;
  /** ISO 8601: when this copy was written. */
  downloadedAt: string;
  /** Relative path of the decrypted copy of an `.enc` file, when one was written. */
  decrypted?: string;
}

interface ManifestDocument {
  version: number;
  /** Keyed by the file's path relative to the output folder ('/'-separated). */
  files: Record<string, ManifestEntry>;
}

export interface RemoteObject {
  size: number;
  etag?: string;
  lastModified?: Date;
}

export class Manifest {
  private dirty = false;
  private saving: Promise<void> = Promise.resolve();

  private constructor(readonly outDir: string, private readonly files: Map<string, ManifestEntry>) {}

  static file(outDir: string): string {
    return path.join(outDir, MANIFEST_FILE);
  }

  /** Loads the manifest of `outDir`; a missing one is empty, an unreadable one is set aside with a warning. */
  static async load(outDir: string, logger?: Logger): Promise<Manifest> {
    const file = Manifest.file(outDir);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Manifest(outDir, new Map());
      throw new DownloadError(`Cannot read ${file}: ${(e as Error).message}. Check the folder's permissions.`, { code: 'download.manifest-unreadable', cause: e });
    }
    try {
      const doc = JSON.parse(text) as ManifestDocument;
      if (doc?.version !== MANIFEST_VERSION || typeof doc.files !== 'object' || doc.files === null) throw new Error('unknown format');
      return new Manifest(outDir, new Map(Object.entries(doc.files)));
    } catch {
      logger?.warn(`${file} is not a manifest this version understands; every file will be checked again.`);
      return new Manifest(outDir, new Map());
    }
  }

  get(relative: string): ManifestEntry | undefined {
    return this.files.get(relative);
  }

  get size(): number {
    return this.files.size;
  }

  /** True when the recorded copy is of exactly this object version (size, ETag and LastModified all equal). */
  matches(relative: string, remote: RemoteObject): boolean {
    const e = this.files.get(relative);
    if (!e) return false;
    return e.size === remote.size && (e.etag ?? '') === (remote.etag ?? '') && sameSecond(e.lastModified, remote.lastModified);
  }

  set(relative: string, entry: ManifestEntry): void {
    this.files.set(relative, entry);
    this.dirty = true;
  }

  delete(relative: string): void {
    if (this.files.delete(relative)) this.dirty = true;
  }

  /** Writes the manifest when it changed; concurrent calls are serialized. */
  save(): Promise<void> {
    this.saving = this.saving.catch(() => undefined).then(() => this.writeNow());
    return this.saving;
  }

  private async writeNow(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const doc: ManifestDocument = { version: MANIFEST_VERSION, files: Object.fromEntries([...this.files].sort(([a], [b]) => (a < b ? -1 : 1))) };
    const file = Manifest.file(this.outDir);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      await fs.mkdir(this.outDir, { recursive: true });
      await fs.writeFile(tmp, JSON.stringify(doc, null, 1) + '\n');
      await fs.rename(tmp, file);
    } catch (e) {
      this.dirty = true;
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw new DownloadError(`Cannot write ${file}: ${(e as Error).message}. Check free space and permissions.`, { code: 'download.manifest-write', cause: e });
    }
  }
}

/** Listings give LastModified in milliseconds, GET responses in whole seconds (HTTP dates). */
function sameSecond(recorded: string | undefined, remote: Date | undefined): boolean {
  if (recorded === undefined || remote === undefined) return recorded === undefined && remote === undefined;
  return Math.floor(Date.parse(recorded) / 1000) === Math.floor(remote.getTime() / 1000);
}

/**
 * One pull at a time per output folder (cron runs can overlap). The lock holds the owner's pid; a lock
 * whose process is gone is taken over.
 */
export async function acquireOutputLock(outDir: string): Promise<() => Promise<void>> {
  await fs.mkdir(outDir, { recursive: true });
  const file = path.join(outDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      return async () => { await fs.rm(file, { force: true }); };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
      if (pid && isAlive(pid)) {
        throw new DownloadError(
          `Another pull (process ${pid}) is writing to ${outDir}. Wait for it to finish, or delete ${file} if that process is not a pull.`,
          { code: 'download.locked' },
        );
      }
      await fs.rm(file, { force: true });
    }
  }
  throw new DownloadError(`Cannot lock ${outDir}: ${file} keeps reappearing.`, { code: 'download.locked' });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
