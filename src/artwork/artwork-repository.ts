import { libraryCondition } from '../catalog/catalog-repository.js';
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

/** Which artwork a caller may see: artwork has no library of its own, only the tracks and albums that use it. */
export interface ArtworkVisibility {
  /**
   * True when a track in one of `libraryIds` uses the artwork, or belongs to an album that does. Tracks of any
   * status count, as the catalog shows missing and broken tracks (with their artwork id) too.
   */
  isUsedIn(id: string, libraryIds: string[]): Promise<boolean>;
}

export function createArtworkRepository(db: Db): ArtworkRepository & ArtworkVisibility {
  const inLibraries = libraryCondition(db);
  return {
    async findById(id) {
      const row = await db.selectFrom('artworks').select(['id', 'mime', 'size']).where('id', '=', id).executeTakeFirst();
      return row ?? null;
    },

    async isUsedIn(id, libraryIds) {
      // No library, no use: skip the database.
      if (libraryIds.length === 0) return false;
      // Index lookups (tracks_artwork; albums_artwork then tracks_album), stopping at the first use found.
      const row = await db
        .selectFrom('tracks as t')
        .select('t.id')
        .where('t.artworkId', '=', id)
        .where(inLibraries(libraryIds))
        .unionAll(
          db
            .selectFrom('albums as al')
            .innerJoin('tracks as t', 't.albumId', 'al.id')
            .select('t.id')
            .where('al.artworkId', '=', id)
            .where(inLibraries(libraryIds)),
        )
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
