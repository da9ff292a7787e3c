import type { Kysely } from 'kysely';

/**
 * Subsonic per-user state (`src/subsonic`). `subsonic_bookmarks`: one position (ms) and comment per user and track
 * (Endpoints/createBookmark: "if a bookmark already exists for this file it will be overwritten").
 * `subsonic_play_queue_saves`: who saved the user's play queue through `savePlayQueue` — the client name (`c`) and
 * the playback-session revision that save produced, so `getPlayQueue` can say `changedBy` while the session is
 * still as that save left it. The queue itself lives in the playback session (`playback_sessions`), not here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('subsonic_bookmarks')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('track_id', 'text', (c) => c.notNull().references('tracks.id').onDelete('cascade'))
    .addColumn('position_ms', 'bigint', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('subsonic_bookmarks_pk', ['user_id', 'track_id'])
    .execute();
  await db.schema
    .createTable('subsonic_play_queue_saves')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('client', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('saved_at', 'bigint', (c) => c.notNull())
    .execute();
}
