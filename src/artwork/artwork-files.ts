import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** Artwork files in the data directory, as the artwork service sees them; tests may substitute their own. */
export interface ArtworkFiles {
  /** Size in bytes, or null when the file does not exist. */
  size(filePath: string): Promise<number | null>;
  /** Opens for streaming (the descriptor closes when the stream ends or is destroyed); null when missing. */
  open(filePath: string): Promise<{ size: number; stream: Readable } | null>;
  /** The whole file, or null when missing. */
  read(filePath: string): Promise<Buffer | null>;
  /**
   * Writes `bytes` so that readers only ever see the complete file: a uniquely named temp file in the same folder,
   * flushed to disk, then renamed over the target (atomic on POSIX). Concurrent writers of the same target each
   * rename a complete file; a killed process leaves at most a `.tmp` file, which no lookup ever serves.
   */
  writeAtomically(filePath: string, bytes: Uint8Array): Promise<void>;
}

async function orNullWhenMissing<T>(operation: Promise<T>): Promise<T | null> {
  try {
    return await operation;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

/** The real filesystem (node:fs/promises). */
export const nodeArtworkFiles: ArtworkFiles = {
  size: async (filePath) => (await orNullWhenMissing(stat(filePath)))?.size ?? null,

  open: async (filePath) => {
    const handle = await orNullWhenMissing(open(filePath, 'r'));
    if (!handle) return null;
    try {
      const { size } = await handle.stat();
      return { size, stream: handle.createReadStream({ autoClose: true }) };
    } catch (error) {
      await handle.close();
      throw error;
    }
  },

  read: (filePath) => orNullWhenMissing(readFile(filePath)),

  async writeAtomically(filePath, bytes) {
    await mkdir(path.dirname(filePath), { recursive: true });
    const temp = `${filePath}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(bytes);
        // Without the flush, a power cut after the rename could leave an empty file under the final name.
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, filePath);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  },
};
