import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/** A file being written: chunks are appended; `close(true)` fsyncs first. */
export interface WritableFile {
  write(chunk: Uint8Array): Promise<void>;
  close(sync: boolean): Promise<void>;
}

/**
 * The local disk as the sync client uses it (absolute paths). The Node implementation is `nodeFileSystem`; unit
 * tests use an in-memory fake.
 */
export interface SyncFileSystem {
  /** The file's text, or null when it does not exist. */
  readText(file: string): Promise<string | null>;
  /** Replaces `file` atomically: a temp file in the same folder, fsynced, renamed over it, then the folder fsynced. */
  writeAtomic(file: string, text: string): Promise<void>;
  /** Size (bytes) and mtime (epoch ms) of a regular file; null when it does not exist or is not a file. */
  stat(file: string): Promise<{ size: number; mtimeMs: number } | null>;
  /** The file's bytes in order. */
  read(file: string): AsyncIterable<Uint8Array>;
  /** Opens for appending (creating folders as needed); `truncate` empties it first. */
  openAppend(file: string, truncate: boolean): Promise<WritableFile>;
  /** Moves `from` to `to` (creating `to`'s folders), replacing `to`, then fsyncs `to`'s folder. */
  rename(from: string, to: string): Promise<void>;
  /** Deletes a file; no error when it is already gone. */
  remove(file: string): Promise<void>;
  /** Deletes `folder` and its parents while they are empty, stopping at (never deleting) `stopAt`. */
  removeEmptyFolders(folder: string, stopAt: string): Promise<void>;
}

/** Hex SHA-256 of a file through the adapter. */
export async function sha256Of(fs: SyncFileSystem, file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.read(file)) hash.update(chunk);
  return hash.digest('hex');
}

async function fsyncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

export const nodeFileSystem: SyncFileSystem = {
  async readText(file) {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  },

  async writeAtomic(file, text) {
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, file);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await fsyncFolder(path.dirname(file));
  },

  async stat(file) {
    try {
      const info = await stat(file);
      return info.isFile() ? { size: info.size, mtimeMs: Math.floor(info.mtimeMs) } : null;
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw error;
    }
  },

  read: (file) => createReadStream(file),

  async openAppend(file, truncate) {
    await mkdir(path.dirname(file), { recursive: true });
    const handle = await open(file, truncate ? 'w' : 'a');
    return {
      async write(chunk) {
        await handle.write(chunk);
      },
      async close(sync) {
        try {
          if (sync) await handle.sync();
        } finally {
          await handle.close();
        }
      },
    };
  },

  async rename(from, to) {
    await mkdir(path.dirname(to), { recursive: true });
    await rename(from, to);
    await fsyncFolder(path.dirname(to));
  },

  async remove(file) {
    await unlink(file).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
  },

  async removeEmptyFolders(folder, stopAt) {
    const root = path.resolve(stopAt);
    let current = path.resolve(folder);
    while (current.startsWith(root + path.sep)) {
      const entries = await readdir(current).catch(() => null);
      if (entries === null || entries.length > 0) return;
      await rmdir(current).catch(() => undefined);
      current = path.dirname(current);
    }
  },
};
