import type { Kysely } from 'kysely';

/**
 * Uploads: one row per file a user sends (`src/uploads`). Partial bytes live under `<data>/upload-staging/<id>`;
 * `final_path` and `track_id` are recorded before the file is moved into the upload library, so start-up recovery
 * can tell a finished upload from an interrupted one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('received', 'bigint', (c) => c.notNull())
    .addColumn('library_id', 'text')
    .addColumn('final_path', 'text')
    .addColumn('track_id', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('uploads_user').on('uploads').columns(['user_id', 'status']).execute();
  await db.schema.createIndex('uploads_status_expiry').on('uploads').columns(['status', 'expires_at']).execute();
}
