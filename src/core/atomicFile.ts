// Writing files that may hold secrets: the content goes to a temp file created (exclusively) with its
// final mode, is synced, then renamed over the target — so no reader ever sees a half file or a file
// with wider permissions, even for a moment.
import { randomBytes } from 'node:crypto';
import { mkdir, open, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `file` with `content`. A symlinked target (e.g. ~/.aws/credentials) is written through, so the
 * link stays a link. A new folder is created with mode 0700.
 */
export async function writeFileAtomic(file: string, content: string, mode: number): Promise<void> {
  const target = await realpath(file).catch(() => file);
  await mkdir(dirname(target), { recursive: true, mode: 0o700 });
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.chmod(mode); // the umask may have narrowed it; never wider than `mode`
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (e) {
    await rm(temp, { force: true }).catch(() => {});
    throw e;
  }
}
