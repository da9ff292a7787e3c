import type { Kysely } from 'kysely';

/**
 * Subsonic credentials (`src/subsonic`). `subsonic_passwords`: one per user, the Subsonic password sealed with
 * AES-256-GCM under a key derived from the server secret — token auth (`t` = md5(password + salt)) needs the
 * plaintext, so it cannot be a one-way hash, and it is kept apart from the argon2 login hash. `subsonic_api_keys`:
 * OpenSubsonic `apiKeyAuthentication` keys, only their SHA-256 is stored.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('subsonic_passwords')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('subsonic_api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('subsonic_api_keys_user').on('subsonic_api_keys').columns(['user_id', 'created_at']).execute();
}
