import type { Kysely } from 'kysely';

/**
 * Playback: one session row per user (its `revision` is the compare-and-swap token every writer checks), and the
 * outcome of every recent command by `(user_id, command_id)`, written in the same transaction as the session, so a
 * retried command is answered from here instead of being applied twice.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('playback_sessions')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('revision', 'bigint', (c) => c.notNull())
    // No foreign key: a revoked device stays named here until the sweeper notices it is gone.
    .addColumn('active_device_id', 'text')
    .addColumn('play_state', 'text', (c) => c.notNull())
    .addColumn('current_item_id', 'text')
    .addColumn('position_ms', 'bigint', (c) => c.notNull())
    .addColumn('position_as_of', 'bigint', (c) => c.notNull())
    .addColumn('queue_revision', 'bigint', (c) => c.notNull())
    .addColumn('queue_items', 'text', (c) => c.notNull())
    .addColumn('unshuffled_order', 'text')
    .addColumn('shuffle', 'integer', (c) => c.notNull())
    .addColumn('repeat_mode', 'text', (c) => c.notNull())
    .addColumn('volume', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // The sweeper looks for sessions with an active device.
  await db.schema.createIndex('playback_sessions_active_device').on('playback_sessions').column('active_device_id').execute();

  await db.schema
    .createTable('playback_commands')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('command_id', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('playback_commands_pk', ['user_id', 'command_id'])
    .execute();
  await db.schema.createIndex('playback_commands_applied_at').on('playback_commands').column('applied_at').execute();
}
