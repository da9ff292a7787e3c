import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Playlists: a user's ordered lists of tracks, and the playlist files (`.m3u`, `.m3u8`) a scan imported.
 *
 * Items have their own ids, so one track can appear twice; `position` is the item's 0-based index, kept dense by
 * every edit and unique per playlist. Items reference tracks with a foreign key: tracks are never deleted by a
 * scan (a vanished file only turns `missing`), so an item survives its file disappearing and coming back.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('playlists')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    // Byte order on both databases, like the catalog's sort keys: keyset cursors need one order.
    .addColumn('name_key', 'text', (c) => (postgres ? c.notNull().modifyEnd(sql`collate "C"`) : c.notNull()))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('shared', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('playlists_owner_name').on('playlists').columns(['owner_user_id', 'name_key', 'id']).execute();
  await db.schema.createIndex('playlists_shared_name').on('playlists').columns(['shared', 'name_key', 'id']).execute();

  await db.schema
    .createTable('playlist_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('playlist_id', 'text', (c) => c.notNull().references('playlists.id').onDelete('cascade'))
    .addColumn('track_id', 'text', (c) => c.notNull().references('tracks.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('playlist_items_position', ['playlist_id', 'position'])
    .execute();
  await db.schema.createIndex('playlist_items_track').on('playlist_items').column('track_id').execute();

  // One row per playlist file a scan found, kept after the file or its playlist is gone: a file that comes back
  // updates its playlist instead of adding a second one, and a playlist its owner deleted stays deleted until the
  // file changes.
  await db.schema
    .createTable('playlist_files')
    .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('playlist_id', 'text', (c) => c.references('playlists.id').onDelete('set null'))
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('unmatched', 'integer', (c) => c.notNull())
    .addColumn('imported_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('playlist_files_pk', ['library_id', 'path'])
    .execute();
  await db.schema.createIndex('playlist_files_playlist').on('playlist_files').column('playlist_id').execute();
}
