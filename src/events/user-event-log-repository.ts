import type { Db } from '../db/database.js';

/** A stored event as the log returns it; `data` is still JSON text. */
export interface StoredUserEvent {
  id: number;
  type: string;
  data: string;
  at: number;
}

/** An event to append: `data` already JSON text, `at` epoch ms. */
export interface NewStoredEvent {
  userId: string;
  type: string;
  data: string;
  at: number;
}

/** Which of a user's events the log keeps: see `appendIn`. */
export interface AppendRetention {
  keep: number;
  olderThan: number;
  pruneEvery: number;
}

/** SQL for the per-user durable event log and its counters. */
export function createUserEventLogRepository(db: Db) {
  /**
   * Appends one event through `executor`, which must be inside a transaction, and returns its id: the user's counter
   * row is created or bumped (`… ON CONFLICT DO UPDATE SET last_id = last_id + 1 RETURNING last_id`), then the event
   * is inserted. On PostgreSQL the bump locks that row until commit, so concurrent writers on any instance get
   * consecutive ids and commit in id order: once event N is visible, every id below N is too. Every
   * `pruneEvery`-th id also deletes the user's events with ids up to `id - keep` or older than `olderThan` (epoch ms).
   */
  async function appendIn(executor: Db, event: NewStoredEvent, retention: AppendRetention): Promise<number> {
    const { lastId } = await executor
      .insertInto('userEventCounters')
      .values({ userId: event.userId, lastId: 1 })
      .onConflict((oc) => oc.column('userId').doUpdateSet((eb) => ({ lastId: eb('userEventCounters.lastId', '+', 1) })))
      .returning('lastId')
      .executeTakeFirstOrThrow();
    await executor.insertInto('userEvents').values({ ...event, id: lastId }).execute();
    if (lastId % retention.pruneEvery === 0) {
      await executor
        .deleteFrom('userEvents')
        .where('userId', '=', event.userId)
        .where((eb) => eb.or([eb('id', '<=', lastId - retention.keep), eb('at', '<', retention.olderThan)]))
        .execute();
    }
    return lastId;
  }

  return {
    appendIn,

    /** `appendIn` in a transaction of its own. */
    async append(event: NewStoredEvent, retention: AppendRetention): Promise<number> {
      return db.transaction().execute((trx) => appendIn(trx, event, retention));
    },

    /** The id of the user's latest event; 0 when they never had one. */
    async lastId(userId: string): Promise<number> {
      const row = await db.selectFrom('userEventCounters').select('lastId').where('userId', '=', userId).executeTakeFirst();
      return row?.lastId ?? 0;
    },

    /** Up to `limit` of the user's stored events with ids above `afterId`, oldest first. */
    async after(userId: string, afterId: number, limit: number): Promise<StoredUserEvent[]> {
      return db
        .selectFrom('userEvents')
        .select(['id', 'type', 'data', 'at'])
        .where('userId', '=', userId)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .execute();
    },
  };
}

export type UserEventLogRepository = ReturnType<typeof createUserEventLogRepository>;
