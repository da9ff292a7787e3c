import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** How many distinct SQL texts keep their prepared statement; the least recently used one goes first. */
export const DEFAULT_STATEMENT_CACHE_SIZE = 500;

/**
 * The SQLite database as Kysely's `SqliteDialect` sees it, with a bounded LRU cache of prepared statements keyed by
 * SQL text. Kysely's SQLite driver calls `prepare(sql)` for every query it runs, and compiling a statement
 * (`sqlite3_prepare_v3`) costs about as much CPU as running it: a playback command runs about ten statements, and
 * preparing them took 10–16% of the server's CPU in profiles of the fan-out benchmark and of commands alone. The same
 * query builder call always compiles to the same SQL text (values are bound parameters), so hot statements hit.
 *
 * Reusing a statement is safe: better-sqlite3 resets it before each run and re-prepares it by itself after a schema
 * change. The only statement that cannot be reused is one still iterating (`busy`, a `stream()` in progress): such a
 * request gets a fresh, uncached statement.
 */
export function withStatementCache(database: SQLite.Database, capacity = DEFAULT_STATEMENT_CACHE_SIZE): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql);
      if (cached) {
        if (cached.busy) return database.prepare(sql);
        // Map order is insertion order: moving the hit to the end keeps the least recently used first.
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      cache.set(sql, statement);
      if (cache.size > capacity) cache.delete(cache.keys().next().value!);
      return statement;
    },
    close(): void {
      cache.clear();
      database.close();
    },
  };
}
