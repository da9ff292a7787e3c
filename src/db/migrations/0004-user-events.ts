import type { Kysely } from 'kysely';

/**
 * The real-time layer: each user's durable event log (replay after a reconnect, on any instance) with its per-user
 * counter, the open event streams of every instance (device presence), and the last published online state of each
 * device (so exactly one instance announces a change).
 */
export async function up(db: Kysely<any>): Promise<void> {
  // One row per user, bumped in the same transaction that appends an event: the row lock orders concurrent writers.
  await db.schema
    .createTable('user_event_counters')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('last_id', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('user_events')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('id', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_events_pk', ['user_id', 'id'])
    .execute();

  await db.schema
    .createTable('event_streams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('instance_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // Revoking the device or ending the session deletes the row; its instance then closes the stream.
    .addColumn('device_id', 'text', (c) => c.references('devices.id').onDelete('cascade'))
    .addColumn('session_id', 'text', (c) => c.references('sessions.id').onDelete('cascade'))
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('refreshed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('event_streams_device').on('event_streams').columns(['device_id', 'refreshed_at']).execute();
  await db.schema.createIndex('event_streams_instance').on('event_streams').column('instance_id').execute();
  await db.schema.createIndex('event_streams_refreshed').on('event_streams').column('refreshed_at').execute();

  await db.schema
    .createTable('device_presence')
    .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('online', 'integer', (c) => c.notNull())
    .addColumn('changed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('device_presence_online').on('device_presence').column('online').execute();
}
