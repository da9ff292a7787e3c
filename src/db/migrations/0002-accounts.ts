import type { Kysely } from 'kysely';

/**
 * Multi-user accounts: library kinds and grants, devices with their own tokens, the audit log and login throttling.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('libraries').addColumn('kind', 'text', (c) => c.notNull().defaultTo('music')).execute();
  await db.schema.alterTable('libraries').addColumn('owner_user_id', 'text', (c) => c.references('users.id').onDelete('cascade')).execute();

  await db.schema
    .createTable('library_users')
    .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('library_users_pk', ['library_id', 'user_id'])
    .execute();
  await db.schema.createIndex('library_users_user').on('library_users').column('user_id').execute();

  await db.schema.alterTable('sessions').addColumn('ip', 'text').execute();
  await db.schema.alterTable('sessions').addColumn('user_agent', 'text').execute();

  await db.schema
    .createTable('devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('app_version', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_ip', 'text')
    .addColumn('last_seen_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .addUniqueConstraint('devices_user_client', ['user_id', 'client_id'])
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor_user_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('ip', 'text')
    .addColumn('details', 'text')
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute();

  await db.schema
    .createTable('login_failures')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_failure_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .execute();
}
