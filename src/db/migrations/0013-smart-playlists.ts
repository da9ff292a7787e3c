import type { Kysely } from 'kysely';

/**
 * Smart playlists: a playlist whose tracks are chosen live by saved rules (search filters, a sort, a limit) instead of
 * stored items. `rules` holds them as JSON; null for an ordinary playlist.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('playlists').addColumn('rules', 'text').execute();
}
