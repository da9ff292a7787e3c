import type { Kysely } from 'kysely';

/**
 * The personal collection: favorites, ratings, play history (scrobbles) and ListenBrainz forwarding.
 * Item and track ids carry no foreign key on purpose: a user's history and marks outlive a rescan that drops an
 * album or artist, and reappear when it comes back; reads join them to the catalog and skip what is gone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('favorites')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('item_type', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('favorited_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('favorites_pk', ['user_id', 'item_type', 'item_id'])
    .execute();
  // The favorites listing: newest first.
  await db.schema.createIndex('favorites_user_time').on('favorites').columns(['user_id', 'favorited_at', 'item_type', 'item_id']).execute();

  await db.schema
    .createTable('ratings')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('item_type', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('rating', 'integer', (c) => c.notNull())
    .addColumn('rated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ratings_pk', ['user_id', 'item_type', 'item_id'])
    .execute();

  await db.schema
    .createTable('plays')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('track_id', 'text', (c) => c.notNull())
    .addColumn('played_at', 'bigint', (c) => c.notNull())
    .addColumn('duration_played_ms', 'bigint', (c) => c.notNull())
    .addColumn('device_id', 'text')
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    // The idempotency key of a submission; also answers per-track counts.
    .addUniqueConstraint('plays_user_track_time', ['user_id', 'track_id', 'played_at'])
    .execute();
  // History, recently played and period filters.
  await db.schema.createIndex('plays_user_time').on('plays').columns(['user_id', 'played_at', 'id']).execute();

  await db.schema
    .createTable('listenbrainz_accounts')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('sealed_token', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text')
    .addColumn('validated_at', 'bigint')
    .addColumn('connected_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('listenbrainz_outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('play_id', 'text', (c) => c.notNull().unique())
    .addColumn('listen', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('last_attempt_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('listenbrainz_outbox_due').on('listenbrainz_outbox').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('listenbrainz_outbox_user').on('listenbrainz_outbox').columns(['user_id', 'state']).execute();
}
