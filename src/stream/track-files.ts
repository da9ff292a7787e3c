import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/** What streaming needs to know about a file on disk. */
export interface FileInfo {
  isFile: boolean;
  /** Bytes. */
  size: number;
  /** Epoch ms (may have a fractional part). */
  mtimeMs: number;
  /** Device and inode: identify the file itself, so we can tell that the file we opened is the one we checked. */
  dev: number;
  ino: number;
}

/** A file opened for reading. Its descriptor closes when the stream from `read` ends or is destroyed, or on `close`. */
export interface OpenedFile {
  info: FileInfo;
  /** Streams bytes `start..end`, both inclusive, without buffering the file. */
  read(start: number, end: number): Readable;
  close(): Promise<void>;
}

/** The filesystem as the stream service sees it; tests substitute an in-memory one. */
export interface TrackFiles {
  /** The canonical path (every symlink resolved), or null when it does not exist or cannot be reached. */
  realpath(path: string): Promise<string | null>;
  /** Follows symlinks; null when the file does not exist or cannot be reached. */
  stat(path: string): Promise<FileInfo | null>;
  /** Opens for reading without following a symlink in the last component; null as for `stat`. */
  open(path: string): Promise<OpenedFile | null>;
}

/**
 * Errors that mean "this file is not there for us" (deleted, a folder replaced by a file, a symlink loop, no
 * permission). They become 404 `track_unavailable`; anything else (EIO, EMFILE…) is a server fault and propagates.
 */
const UNAVAILABLE = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES', 'EPERM', 'ENAMETOOLONG', 'EISDIR']);

async function orNullWhenUnavailable<T>(operation: Promise<T>): Promise<T | null> {
  try {
    return await operation;
  } catch (error) {
    if (UNAVAILABLE.has((error as NodeJS.ErrnoException).code ?? '')) return null;
    throw error;
  }
}

function infoOf(stats: { isFile(): boolean; size: number; mtimeMs: number; dev: number; ino: number }): FileInfo {
  return { isFile: stats.isFile(), size: stats.size, mtimeMs: stats.mtimeMs, dev: stats.dev, ino: stats.ino };
}

// O_NOFOLLOW does not exist on Windows; there the dev/ino comparison the service makes still catches a swapped file.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/** The real filesystem (node:fs/promises). */
export const nodeTrackFiles: TrackFiles = {
  realpath: (path) => orNullWhenUnavailable(realpath(path)),
  stat: async (path) => {
    const stats = await orNullWhenUnavailable(stat(path));
    return stats ? infoOf(stats) : null;
  },
  open: async (path) => {
    const handle = await orNullWhenUnavailable(open(path, OPEN_FLAGS));
    if (!handle) return null;
    try {
      const info = infoOf(await handle.stat());
      return {
        info,
        read: (start, end) => handle.createReadStream({ start, end, autoClose: true }),
        close: () => handle.close(),
      };
    } catch (error) {
      await handle.close();
      throw error;
    }
  },
};
