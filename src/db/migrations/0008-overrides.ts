import type { Kysely } from 'kysely';

/**
 * Catalog edits: per-track overrides that win over the file's tags, and their append-only history (one row per
 * field an edit changed, with each track's value before and after, and whether the value before was the file's, so
 * any edit can be reverted).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('track_overrides')
    .addColumn('track_id', 'text', (c) => c.notNull().references('tracks.id').onDelete('cascade'))
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('file_value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('track_overrides_pk', ['track_id', 'field'])
    .execute();

  await db.schema
    .createTable('catalog_edits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('old_value', 'text', (c) => c.notNull())
    .addColumn('new_value', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('reverts_edit_id', 'text')
    .execute();
  // An album's history, newest first.
  await db.schema.createIndex('catalog_edits_subject').on('catalog_edits').columns(['scope', 'subject_id', 'at', 'id']).execute();

  await db.schema
    .createTable('catalog_edit_tracks')
    .addColumn('edit_id', 'text', (c) => c.notNull().references('catalog_edits.id').onDelete('cascade'))
    .addColumn('track_id', 'text', (c) => c.notNull().references('tracks.id').onDelete('cascade'))
    .addColumn('old_value', 'text', (c) => c.notNull())
    .addColumn('new_value', 'text', (c) => c.notNull())
    .addColumn('old_from_file', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('catalog_edit_tracks_pk', ['edit_id', 'track_id'])
    .execute();
  // A track's history.
  await db.schema.createIndex('catalog_edit_tracks_track').on('catalog_edit_tracks').column('track_id').execute();
}
