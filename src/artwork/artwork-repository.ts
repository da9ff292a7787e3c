import type { Db } from '../db/database.js';

/** An artwork row: the original image as the scanner stored it. */
export interface ArtworkRecord {
  /** SHA-256 hex of the original bytes. */
  id: string;
  /** As detected when the picture was extracted (e.g. image/jpeg). */
  mime: string;
  /** Bytes. */
  size: number;
}

export interface ArtworkRepository {
  findById(id: string): Promise<ArtworkRecord | null>;
}

export function createArtworkRepository(db: Db): ArtworkRepository {
  return {
    async findById(id) {
      const row = await db.selectFrom('artworks').select(['id', 'mime', 'size']).where('id', '=', id).executeTakeFirst();
      return row ?? null;
    },
  };
}
