import path from 'node:path';

/** The client's own folder inside DIR (state file, partial downloads); never a track's file. */
export const CLIENT_FOLDER = '.omnisonic-sync';

/** A server-suggested file name the client will not write: it would land outside DIR or in the client's folder. */
export class UnsafeFileNameError extends Error {
  constructor(
    readonly fileName: string,
    reason: string,
  ) {
    super(`refused file name ${JSON.stringify(fileName)}: ${reason}`);
  }
}

/**
 * The absolute path of `fileName` (a '/'-separated path relative to `dir`, as the server suggests it) inside `dir`.
 * Refuses, with `UnsafeFileNameError`, anything that could escape `dir` or clobber the client's own files however the
 * server was compromised: absolute paths, drive letters, backslashes, `.`/`..` or empty segments, control characters,
 * and the client's folder. The server sanitizes names already; this is the client's own line of defence.
 */
export function resolveInside(dir: string, fileName: string): string {
  if (fileName.length === 0 || fileName.length > 4096) throw new UnsafeFileNameError(fileName, 'empty or too long');
  if (/[\u0000-\u001f\u007f]/.test(fileName)) throw new UnsafeFileNameError(fileName, 'control character');
  if (fileName.includes('\\')) throw new UnsafeFileNameError(fileName, 'backslash');
  if (fileName.startsWith('/') || /^[a-zA-Z]:/.test(fileName)) throw new UnsafeFileNameError(fileName, 'absolute path');
  const segments = fileName.split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') throw new UnsafeFileNameError(fileName, `path segment "${segment}"`);
  }
  if (segments[0]!.toLowerCase() === CLIENT_FOLDER) throw new UnsafeFileNameError(fileName, 'inside the client folder');
  const root = path.resolve(dir);
  const target = path.resolve(root, ...segments);
  if (!target.startsWith(root + path.sep)) throw new UnsafeFileNameError(fileName, 'outside the sync folder');
  return target;
}
