import type { Db } from '../db/database.js';
import type { ListenbrainzAccountsTable, ListenbrainzOutboxTable } from '../db/schema.js';

export type ListenBrainzAccountRow = ListenbrainzAccountsTable;
export type OutboxRow = ListenbrainzOutboxTable;

/**
 * SQL for ListenBrainz connections and the durable outbox of listens to forward. Every row is one user's; a listen
 * stays `pending` until ListenBrainz accepts it (then it is deleted) or refuses it (`dropped`, kept with the error
 * so the user can see why).
 */
export function createListenBrainzRepository(db: Db) {
  return {
    async findAccount(userId: string): Promise<ListenBrainzAccountRow | undefined> {
      return db.selectFrom('listenbrainzAccounts').selectAll().where('userId', '=', userId).executeTakeFirst();
    },

    /** Connects the user, or replaces their token. */
    async saveAccount(account: ListenBrainzAccountRow): Promise<void> {
      await db
        .insertInto('listenbrainzAccounts')
        .values(account)
        .onConflict((oc) =>
          oc.column('userId').doUpdateSet({
            sealedToken: account.sealedToken,
            userName: account.userName,
            validatedAt: account.validatedAt,
            connectedAt: account.connectedAt,
          }),
        )
        .execute();
    },

    /** Disconnects the user and forgets their queued and dropped listens (there is no token left to send them with). */
    async deleteAccount(userId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('listenbrainzOutbox').where('userId', '=', userId).execute();
        await trx.deleteFrom('listenbrainzAccounts').where('userId', '=', userId).execute();
      });
    },

    /**
     * Queues a listen when the user is connected; a play already queued is not queued twice. Call it in the
     * transaction that records the play, so a recorded play and its forwarding are never separated by a crash.
     */
    async enqueueIfConnected(entry: Omit<OutboxRow, 'state' | 'attempts' | 'lastAttemptAt' | 'lastError'>): Promise<void> {
      const connected = await db.selectFrom('listenbrainzAccounts').select('userId').where('userId', '=', entry.userId).executeTakeFirst();
      if (!connected) return;
      await db
        .insertInto('listenbrainzOutbox')
        .values({ ...entry, state: 'pending', attempts: 0, lastAttemptAt: null, lastError: null })
        .onConflict((oc) => oc.column('playId').doNothing())
        .execute();
    },

    /**
     * Claims up to `limit` pending listens due at `now` (oldest play first) by pushing their next attempt to
     * `leaseUntil`, in one statement, so two workers (or instances) never send the same listen at once and a worker
     * that dies mid-send leaves them to be retried after the lease. Returns the claimed rows.
     */
    async claimDue(now: number, leaseUntil: number, limit: number): Promise<OutboxRow[]> {
      return db
        .updateTable('listenbrainzOutbox')
        .set({ nextAttemptAt: leaseUntil })
        .where('state', '=', 'pending')
        .where('nextAttemptAt', '<=', now)
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('listenbrainzOutbox as o')
            .select('o.id')
            .where('o.state', '=', 'pending')
            .where('o.nextAttemptAt', '<=', now)
            .orderBy('o.nextAttemptAt')
            .orderBy('o.createdAt')
            .orderBy('o.id')
            .limit(limit),
        )
        .returningAll()
        .execute();
    },

    /** Forgets listens: delivered, or of a user who is no longer connected. */
    async remove(ids: string[]): Promise<void> {
      if (ids.length === 0) return;
      await db.deleteFrom('listenbrainzOutbox').where('id', 'in', ids).execute();
    },

    /** Records a failed attempt (at `now`) of each listen; they are tried again at `nextAttemptAt`. */
    async reschedule(ids: string[], now: number, nextAttemptAt: number, error: string): Promise<void> {
      if (ids.length === 0) return;
      await db
        .updateTable('listenbrainzOutbox')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), lastAttemptAt: now, nextAttemptAt, lastError: error }))
        .where('id', 'in', ids)
        .execute();
    },

    /** Gives up on the listens after a refused attempt at `now`, keeping the error. */
    async drop(ids: string[], now: number, error: string): Promise<void> {
      if (ids.length === 0) return;
      await db
        .updateTable('listenbrainzOutbox')
        .set((eb) => ({ state: 'dropped', attempts: eb('attempts', '+', 1), lastAttemptAt: now, lastError: error }))
        .where('id', 'in', ids)
        .execute();
    },

    /** When the earliest pending listen is due (epoch ms), or null when none waits. */
    async nextDueAt(): Promise<number | null> {
      const row = await db
        .selectFrom('listenbrainzOutbox')
        .select((eb) => eb.fn.min('nextAttemptAt').as('at'))
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return row?.at == null ? null : Number(row.at);
    },

    /** The user's queue: pending and dropped counts and the most recent error of either. */
    async queueSummary(userId: string) {
      const counts = await db
        .selectFrom('listenbrainzOutbox')
        .select((eb) => ['state', eb.fn.countAll<number>().as('count')])
        .where('userId', '=', userId)
        .groupBy('state')
        .execute();
      const latestError = await db
        .selectFrom('listenbrainzOutbox')
        .select('lastError')
        .where('userId', '=', userId)
        .where('lastError', 'is not', null)
        .orderBy('lastAttemptAt', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      const countOf = (state: OutboxRow['state']) => Number(counts.find((c) => c.state === state)?.count ?? 0);
      return { pending: countOf('pending'), dropped: countOf('dropped'), lastError: latestError?.lastError ?? null };
    },
  };
}

export type ListenBrainzRepository = ReturnType<typeof createListenBrainzRepository>;
