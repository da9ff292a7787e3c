import type { Kysely } from 'kysely';

/** Saved searches: a user's named query and filters (`GET /api/v1/search` parameters), listed by name. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('saved_searches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    /** JSON: the search parameters without `limit` and `cursor`. */
    .addColumn('search', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('saved_searches_user_name').on('saved_searches').columns(['user_id', 'name', 'id']).execute();
}
