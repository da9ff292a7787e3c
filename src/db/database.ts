import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CamelCasePlugin, Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration } from 'kysely';
import pg from 'pg';
import * as catalog from './migrations/0001-catalog.js';
import * as accounts from './migrations/0002-accounts.js';
import * as artworkIndexes from './migrations/0003-artwork-indexes.js';
import * as playback from './migrations/0005-playback.js';
import * as playlists from './migrations/0006-playlists.js';
import * as collection from './migrations/0007-collection.js';
import * as userEvents from './migrations/0004-user-events.js';
import * as overrides from './migrations/0008-overrides.js';
import * as uploads from './migrations/0009-uploads.js';
import * as subsonic from './migrations/0011-subsonic.js';
import * as search from './migrations/0010-search.js';
import * as sync from './migrations/0012-sync.js';
import * as smartPlaylists from './migrations/0013-smart-playlists.js';
import * as subsonicBookmarks from './migrations/0014-subsonic-bookmarks.js';
import type { Database } from './schema.js';
import { withStatementCache } from './statement-cache.js';
import { startWalCheckpointer } from './wal-checkpointer.js';

export type Db = Kysely<Database>;

export interface DatabaseOptions {
  /** PostgreSQL connection string; when absent, SQLite in `dataDir`. */
  databaseUrl?: string;
  /** Data directory holding `omnisonic.db` for SQLite. */
  dataDir: string;
  /** PostgreSQL schema to use (tests give each file its own); created when missing. */
  pgSchema?: string;
  /** SQLite: checkpoint the WAL from a worker thread instead of inside commits (the server; see `wal-checkpointer.ts`). */
  backgroundCheckpoints?: boolean;
}

export interface DatabaseHandle {
  db: Db;
  dialect: 'sqlite' | 'postgres';
  /** The PostgreSQL schema in use, when not the default. */
  pgSchema?: string;
  close(): Promise<void>;
}

// int8 (bigint) comes back from pg as a string by default; our bigints are epoch ms and byte sizes, safe as numbers.
pg.types.setTypeParser(20, (value) => Number(value));
// float8/real as numbers too.
pg.types.setTypeParser(700, (value) => Number(value));
pg.types.setTypeParser(701, (value) => Number(value));

/**
 * Opens the catalog database: SQLite (WAL, foreign keys, 5 s busy timeout, cached prepared statements) in the data
 * directory by default,
 * PostgreSQL when a URL is given. Does not migrate; call `migrateToLatest`.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const schema = options.pgSchema;
    if (schema) {
      const admin = new pg.Client({ connectionString: options.databaseUrl });
      await admin.connect();
      await admin.query(`create schema if not exists "${schema.replaceAll('"', '')}"`);
      await admin.end();
    }
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      ...(schema ? { options: `-c search_path="${schema.replaceAll('"', '')}"` } : {}),
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
    return { db, dialect: 'postgres', pgSchema: schema, close: () => db.destroy() };
  }
  mkdirSync(options.dataDir, { recursive: true });
  const sqlite = new SQLite(path.join(options.dataDir, 'omnisonic.db'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  const checkpointer = options.backgroundCheckpoints ? startWalCheckpointer(sqlite) : null;
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }), plugins: [new CamelCasePlugin()] });
  return {
    db,
    dialect: 'sqlite',
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

const migrations: Record<string, Migration> = {
  '0001-catalog': catalog,
  '0002-accounts': accounts,
  '0003-artwork-indexes': artworkIndexes,
  '0005-playback': playback,
  '0006-playlists': playlists,
  '0007-collection': collection,
  '0004-user-events': userEvents,
  '0008-overrides': overrides,
  '0009-uploads': uploads,
  '0010-search': search,
  '0011-subsonic': subsonic,
  '0012-sync': sync,
  '0013-smart-playlists': smartPlaylists,
  '0014-subsonic-bookmarks': subsonicBookmarks,
};

/**
 * Applies every pending migration; throws with the failing migration's name. The migration bookkeeping tables live
 * in the handle's own schema (Kysely would otherwise look for them across every schema on the search path).
 */
export async function migrateToLatest(handle: Pick<DatabaseHandle, 'db' | 'pgSchema'>): Promise<void> {
  const migrator = new Migrator({
    db: handle.db,
    provider: { getMigrations: async () => migrations },
    ...(handle.pgSchema ? { migrationTableSchema: handle.pgSchema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
