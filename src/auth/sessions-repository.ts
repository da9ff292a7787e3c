import type { Db } from '../db/database.js';
import type { SessionsTable } from '../db/schema.js';

/** SQL for login sessions (keyed by the SHA-256 of the token). */
export function createSessionsRepository(db: Db) {
  return {
    async insert(session: SessionsTable): Promise<void> {
      await db.insertInto('sessions').values(session).execute();
    },
    /** The session and its user when the session exists, has not expired and the user is enabled. */
    async findActive(id: string, now: number) {
      return db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.userId')
        .select(['sessions.id as sessionId', 'sessions.lastSeenAt', 'users.id', 'users.username', 'users.role'])
        .where('sessions.id', '=', id)
        .where('sessions.expiresAt', '>', now)
        .where('users.disabled', '=', 0)
        .executeTakeFirst();
    },
    async touch(id: string, now: number): Promise<void> {
      await db.updateTable('sessions').set({ lastSeenAt: now }).where('id', '=', id).execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('sessions').where('id', '=', id).execute();
    },
    async listForUser(userId: string, now: number): Promise<SessionsTable[]> {
      return db
        .selectFrom('sessions')
        .selectAll()
        .where('userId', '=', userId)
        .where('expiresAt', '>', now)
        .orderBy('createdAt', 'desc')
        .execute();
    },
    async deleteOwned(userId: string, id: string): Promise<number> {
      const result = await db.deleteFrom('sessions').where('userId', '=', userId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    /** Ends every session of a user except `keepId` (the caller's own, when they changed their own password). */
    async deleteAllForUser(userId: string, keepId?: string): Promise<void> {
      let query = db.deleteFrom('sessions').where('userId', '=', userId);
      if (keepId) query = query.where('id', '!=', keepId);
      await query.execute();
    },
    async deleteExpired(now: number): Promise<void> {
      await db.deleteFrom('sessions').where('expiresAt', '<=', now).execute();
    },
  };
}

export type SessionsRepository = ReturnType<typeof createSessionsRepository>;
