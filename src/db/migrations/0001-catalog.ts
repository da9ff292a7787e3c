import { PostgresAdapter, sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

/**
 * Sort keys compare byte-wise on both databases: PostgreSQL's default collation would order punctuation and case
 * differently from SQLite, and keyset cursors need one order.
 */
function byteOrder(db: Kysely<any>) {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return (c: ColumnDefinitionBuilder) => (postgres ? c.notNull().modifyEnd(sql`collate "C"`) : c.notNull());
}

/** Libraries, accounts, the catalog (artists, albums, genres, tracks) and scan bookkeeping. */
export async function up(db: Kysely<any>): Promise<void> {
  const sortKey = byteOrder(db);
  await db.schema
    .createTable('libraries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('root_path', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('username_key', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('artworks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('artists')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull().unique())
    .addColumn('sort_name', 'text', sortKey)
    .addColumn('mbid', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('artists_sort').on('artists').columns(['sort_name', 'id']).execute();

  await db.schema
    .createTable('albums')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('title_key', 'text', sortKey)
    .addColumn('album_artist_id', 'text', (c) => c.notNull().references('artists.id'))
    .addColumn('album_artist_name', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text', (c) => c.notNull().unique())
    .addColumn('mbid', 'text')
    .addColumn('year', 'integer')
    .addColumn('compilation', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('artwork_id', 'text', (c) => c.references('artworks.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('albums_title').on('albums').columns(['title_key', 'id']).execute();
  await db.schema.createIndex('albums_artist').on('albums').columns(['album_artist_id']).execute();
  await db.schema.createIndex('albums_year').on('albums').columns(['year', 'id']).execute();
  await db.schema.createIndex('albums_created').on('albums').columns(['created_at', 'id']).execute();

  await db.schema
    .createTable('genres')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull().unique())
    .execute();

  await db.schema
    .createTable('tracks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id'))
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('broken_reason', 'text')
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('mtime_ms', 'bigint', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('title_key', 'text', sortKey)
    .addColumn('artist', 'text', (c) => c.notNull())
    .addColumn('album_id', 'text', (c) => c.references('albums.id'))
    .addColumn('album_artist', 'text', (c) => c.notNull())
    .addColumn('track_number', 'integer')
    .addColumn('track_total', 'integer')
    .addColumn('disc_number', 'integer')
    .addColumn('disc_total', 'integer')
    .addColumn('year', 'integer')
    .addColumn('date', 'text')
    .addColumn('original_date', 'text')
    .addColumn('compilation', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('mb_track_id', 'text')
    .addColumn('mb_recording_id', 'text')
    .addColumn('mb_release_id', 'text')
    .addColumn('isrc', 'text')
    .addColumn('bpm', 'real')
    .addColumn('musical_key', 'text')
    .addColumn('comment', 'text')
    .addColumn('lyrics', 'text')
    .addColumn('synced_lyrics', 'text')
    .addColumn('rg_track_gain', 'real')
    .addColumn('rg_track_peak', 'real')
    .addColumn('rg_album_gain', 'real')
    .addColumn('rg_album_peak', 'real')
    .addColumn('duration_ms', 'integer')
    .addColumn('bitrate', 'integer')
    .addColumn('sample_rate', 'integer')
    .addColumn('bit_depth', 'integer')
    .addColumn('channels', 'integer')
    .addColumn('codec', 'text')
    .addColumn('container', 'text')
    .addColumn('lossless', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('artwork_id', 'text', (c) => c.references('artworks.id'))
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('missing_since', 'bigint')
    .addUniqueConstraint('tracks_library_path', ['library_id', 'path'])
    .execute();
  await db.schema.createIndex('tracks_album').on('tracks').columns(['album_id', 'disc_number', 'track_number']).execute();
  await db.schema.createIndex('tracks_status_title').on('tracks').columns(['status', 'title_key', 'id']).execute();
  await db.schema.createIndex('tracks_fingerprint').on('tracks').columns(['fingerprint']).execute();
  await db.schema.createIndex('tracks_content_hash').on('tracks').columns(['content_hash']).execute();

  await db.schema
    .createTable('track_artists')
    .addColumn('track_id', 'text', (c) => c.notNull().references('tracks.id').onDelete('cascade'))
    .addColumn('artist_id', 'text', (c) => c.notNull().references('artists.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('track_artists_pk', ['track_id', 'role', 'position'])
    .execute();
  await db.schema.createIndex('track_artists_artist').on('track_artists').columns(['artist_id', 'role']).execute();

  await db.schema
    .createTable('track_genres')
    .addColumn('track_id', 'text', (c) => c.notNull().references('tracks.id').onDelete('cascade'))
    .addColumn('genre_id', 'text', (c) => c.notNull().references('genres.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('track_genres_pk', ['track_id', 'position'])
    .execute();
  await db.schema.createIndex('track_genres_genre').on('track_genres').column('genre_id').execute();

  await db.schema
    .createTable('track_duplicates')
    .addColumn('track_id', 'text', (c) => c.notNull().references('tracks.id').onDelete('cascade'))
    .addColumn('library_id', 'text', (c) => c.notNull().references('libraries.id'))
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('mtime_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('track_duplicates_pk', ['library_id', 'path'])
    .execute();
  await db.schema.createIndex('track_duplicates_track').on('track_duplicates').column('track_id').execute();

  await db.schema
    .createTable('scans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('summary', 'text')
    .execute();
}
