import { randomBytes } from 'node:crypto';
import { mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { originalArtworkPath } from '../../artwork/artwork-paths.js';

/** An image as stored in the data directory; becomes an `artworks` row. */
export interface StoredArtwork {
  /** SHA-256 (hex) of the image bytes. */
  id: string;
  mime: string;
  width: number;
  height: number;
  /** Bytes. */
  size: number;
}

export interface ArtworkStore {
  /**
   * Stores `bytes` (whose SHA-256 is `id`) at `originalArtworkPath(dataDir, id)` unless already there, and returns
   * its description. Null when sharp cannot read the image: a cover nobody can decode is worse than no cover.
   */
  store(id: string, bytes: Uint8Array): Promise<StoredArtwork | null>;
}

const MIME_BY_FORMAT: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  avif: 'image/avif',
  heif: 'image/heif',
};

/**
 * Content-addressed artwork originals in the data directory. Writes go to a temporary file renamed into place, so a
 * crash never leaves a truncated image under a valid name; the music folders are never written to.
 */
export function createArtworkStore(dataDir: string): ArtworkStore {
  return {
    async store(id, bytes) {
      let meta: sharp.Metadata;
      try {
        meta = await sharp(bytes, { failOn: 'none' }).metadata();
      } catch {
        return null;
      }
      const mime = meta.format ? MIME_BY_FORMAT[meta.format] : undefined;
      if (!mime || !meta.width || !meta.height) return null;
      const target = originalArtworkPath(dataDir, id);
      const exists = await stat(target).then(
        (s) => s.size === bytes.byteLength,
        () => false,
      );
      if (!exists) {
        await mkdir(path.dirname(target), { recursive: true });
        const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
        try {
          await writeFile(temp, bytes);
          await rename(temp, target);
        } catch (error) {
          await unlink(temp).catch(() => undefined);
          throw error;
        }
      }
      return { id, mime, width: meta.width, height: meta.height, size: bytes.byteLength };
    },
  };
}
