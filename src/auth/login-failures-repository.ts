import type { Db } from '../db/database.js';
import type { LoginFailuresTable } from '../db/schema.js';

/** SQL for failed-login counters (keys `user:<name>` and `ip:<address>`). */
export function createLoginFailuresRepository(db: Db) {
  return {
    async find(keys: string[]): Promise<LoginFailuresTable[]> {
      if (keys.length === 0) return [];
      return db.selectFrom('loginFailures').selectAll().where('key', 'in', keys).execute();
    },
    async save(row: LoginFailuresTable): Promise<void> {
      await db
        .insertInto('loginFailures')
        .values(row)
        .onConflict((oc) => oc.column('key').doUpdateSet({ failures: row.failures, lastFailureAt: row.lastFailureAt, lockedUntil: row.lockedUntil }))
        .execute();
    },
    async delete(key: string): Promise<void> {
      await db.deleteFrom('loginFailures').where('key', '=', key).execute();
    },
  };
}

export type LoginFailuresRepository = ReturnType<typeof createLoginFailuresRepository>;
