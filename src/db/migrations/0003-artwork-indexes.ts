import type { Kysely } from 'kysely';

/**
 * Indexes for "who uses this artwork": serving `/artwork/{id}` checks that a track the caller may see uses it,
 * directly or through its album. Without them that check reads every track and album.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('tracks_artwork').on('tracks').column('artwork_id').execute();
  await db.schema.createIndex('albums_artwork').on('albums').column('artwork_id').execute();
}
