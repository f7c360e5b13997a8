// Every local path is derived from an S3 key and must stay inside the output folder. A key is refused,
// never "cleaned up": a vendor key with `..`, a backslash or NUL is a bug or an attack, and silently
// writing it somewhere else would hide either.
import * as path from 'node:path';

export type RefusalReason = 'dot-segment' | 'absolute' | 'backslash' | 'nul' | 'empty-segment' | 'control-char' | 'escapes' | 'not-under-prefix';

export type LocalPathResult =
  | { ok: true; /** Relative to the output folder, '/'-separated. */ relative: string; absolute: string }
  | { ok: false; reason: RefusalReason; message: string };

/**
 * The local path of `key` under `outDir`, after stripping `stripPrefix` (the sub-folder, with or
 * without a trailing '/'). Refuses keys with '.'/'..' segments, a leading '/', drive letters,
 * backslashes, NUL or other control characters, empty segments, and anything that would still resolve
 * outside `outDir`.
 */
export function localPathFor(outDir: string, key: string, stripPrefix = ''): LocalPathResult {
  const refuse = (reason: RefusalReason, why: string): LocalPathResult => ({
    ok: false,
    reason,
    message: `refused key ${JSON.stringify(key)}: ${why}; it would not stay inside the output folder, so it was not downloaded`,
  });
  const prefix = stripPrefix && !stripPrefix.endsWith('/') ? stripPrefix + '/' : stripPrefix;
  if (prefix && !key.startsWith(prefix)) return refuse('not-under-prefix', `it is not under "${prefix}"`);
  const rel = key.slice(prefix.length);
  if (rel.includes('\0')) return refuse('nul', 'it contains a NUL character');
  if (rel.includes('\\')) return refuse('backslash', 'it contains a backslash');
  // eslint-disable-next-line no-control-regex
  if (/[\x01-\x1f\x7f]/.test(rel)) return refuse('control-char', 'it contains a control character');
  if (rel.startsWith('/') || /^[A-Za-z]:/.test(rel)) return refuse('absolute', 'it is an absolute path');
  const segments = rel.split('/');
  if (segments.some(s => s === '..' || s === '.')) return refuse('dot-segment', 'it has a "." or ".." path segment');
  if (segments.some(s => s === '')) return refuse('empty-segment', 'it has an empty path segment');
  const root = path.resolve(outDir);
  const absolute = path.resolve(root, ...segments);
  const back = path.relative(root, absolute);
  if (!back || back.startsWith('..') || path.isAbsolute(back)) return refuse('escapes', 'it resolves outside the output folder');
  return { ok: true, relative: segments.join('/'), absolute };
}
