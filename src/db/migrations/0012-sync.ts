import type { Kysely } from 'kysely';

/**
 * The sync change log (`src/sync`). `library_events` is append-only: one row per entity a committed change may have
 * altered for the viewers of one library (`library_id`, catalog rows) or for one user (`owner_user_id`, playlists and
 * favorites). `seq` is assigned from the single row of `library_event_log`, which every appending transaction updates
 * last: its row lock makes appenders commit in `seq` order (see `library-events-repository.ts`). `compacted_seq` is
 * the highest `seq` the retention job has deleted; cursors before it are expired. `sync_devices` holds each device's
 * acknowledged cursor and the `seq` before which an admin forced it to bootstrap again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('library_event_log')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('compacted_seq', 'bigint', (c) => c.notNull())
    .execute();
  await db.insertInto('library_event_log').values({ id: 1, last_seq: 0, compacted_seq: 0 }).execute();

  await db.schema
    .createTable('library_events')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('op', 'text', (c) => c.notNull())
    .addColumn('library_id', 'text')
    .addColumn('owner_user_id', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('library_events_at').on('library_events').columns(['at', 'seq']).execute();

  await db.schema
    .createTable('sync_devices')
    .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('acked_cursor', 'text')
    .addColumn('acked_seq', 'bigint')
    .addColumn('acked_at', 'bigint')
    .addColumn('reset_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('reset_at', 'bigint')
    .execute();
  await db.schema.createIndex('sync_devices_user').on('sync_devices').column('user_id').execute();
}
