import type { Selectable } from 'kysely';
import { libraryCondition } from '../catalog/catalog-repository.js';
import type { Db } from '../db/database.js';
import type { PlaybackSessionsTable } from '../db/schema.js';
import type { TransactionalEventPublisher, UserEvent } from '../events/contracts.js';
import type { PlaybackState, PlaybackSession, QueueItem, QueueTrack } from './state.js';

/** What a command came to, as kept for its retries: the state it produced, or the error it was refused with. */
export type CommandOutcome = { state: PlaybackState } | { error: { code: string; message: string } };

export interface CommandRecord {
  commandId: string;
  fingerprint: string;
  outcome: CommandOutcome;
  appliedAt: number;
}

/**
 * The result of a write: `saved`, with the `playback` event appended for the new state (null when the write
 * announced nothing); `stale` when the session is no longer at the revision the write was computed from (another
 * writer got there first); `duplicate` when an outcome for the command id is already stored (another attempt of the
 * same command got there first). Nothing is written unless `saved`.
 */
export type WriteResult = { status: 'saved'; event: UserEvent | null } | { status: 'stale' | 'duplicate' };

class Rollback extends Error {
  constructor(readonly status: 'stale' | 'duplicate') {
    super(status);
  }
}

function toRow(userId: string, session: PlaybackSession, updatedAt: number): Selectable<PlaybackSessionsTable> {
  return {
    userId,
    revision: session.revision,
    activeDeviceId: session.activeDeviceId,
    playState: session.playState,
    currentItemId: session.current?.queueItemId ?? null,
    positionMs: session.positionMs,
    positionAsOf: session.positionAsOf,
    queueRevision: session.queue.revision,
    queueItems: JSON.stringify(session.queue.items.map(({ itemId, trackId, durationMs }) => ({ itemId, trackId, durationMs }))),
    unshuffledOrder: session.unshuffledOrder && JSON.stringify(session.unshuffledOrder),
    shuffle: session.shuffle ? 1 : 0,
    repeatMode: session.repeat,
    volume: session.volume,
    updatedBy: session.updatedBy,
    updatedAt,
  };
}

function fromRow(row: Selectable<PlaybackSessionsTable>): PlaybackSession {
  const items = JSON.parse(row.queueItems) as QueueItem[];
  const current = items.find((item) => item.itemId === row.currentItemId);
  return {
    revision: row.revision,
    activeDeviceId: row.activeDeviceId,
    playState: row.playState,
    current: current ? { queueItemId: current.itemId, trackId: current.trackId } : null,
    positionMs: row.positionMs,
    positionAsOf: row.positionAsOf,
    queue: { revision: row.queueRevision, items },
    shuffle: row.shuffle === 1,
    repeat: row.repeatMode,
    volume: row.volume,
    updatedBy: row.updatedBy,
    unshuffledOrder: row.unshuffledOrder === null ? null : (JSON.parse(row.unshuffledOrder) as string[]),
  };
}

/** Compare-and-swap of the session row from revision `from` to `to`; throws `Rollback('stale')` when it lost. */
async function replaceSession(trx: Db, userId: string, session: { from: number; to: PlaybackSession }, now: number): Promise<void> {
  const row = toRow(userId, session.to, now);
  // On PostgreSQL a concurrent writer's uncommitted change makes these wait for it, then see its outcome.
  const written =
    session.from === 0
      ? (await trx.insertInto('playbackSessions').values(row).onConflict((oc) => oc.column('userId').doNothing()).executeTakeFirst())
          .numInsertedOrUpdatedRows
      : (await trx.updateTable('playbackSessions').set(row).where('userId', '=', userId).where('revision', '=', session.from).executeTakeFirst())
          .numUpdatedRows;
  if (Number(written ?? 0) === 0) throw new Rollback('stale');
}

/**
 * SQL for playback sessions and command outcomes; the same statements on SQLite and PostgreSQL. Every write of a
 * session is a compare-and-swap on its revision, which is what keeps one writer per user across server processes.
 * `events` appends the `playback` event announcing a new state in the same transaction as the state.
 */
export function createPlaybackRepository(db: Db, events: Pick<TransactionalEventPublisher, 'appendIn'>) {
  const inLibraries = libraryCondition(db);

  return {
    /** The user's stored session; undefined when they never played anything. */
    async findSession(userId: string): Promise<PlaybackSession | undefined> {
      const row = await db.selectFrom('playbackSessions').selectAll().where('userId', '=', userId).executeTakeFirst();
      return row && fromRow(row);
    },

    async findCommand(userId: string, commandId: string): Promise<CommandRecord | undefined> {
      const row = await db
        .selectFrom('playbackCommands')
        .select(['commandId', 'fingerprint', 'outcome', 'appliedAt'])
        .where('userId', '=', userId)
        .where('commandId', '=', commandId)
        .executeTakeFirst();
      return row && { ...row, outcome: JSON.parse(row.outcome) as CommandOutcome };
    },

    /**
     * In one transaction: stores `command`'s outcome (when given), replaces the session at revision `session.from`
     * by `session.to` (when given; revision 0 means no row exists yet) and appends `announce` as the user's next
     * `playback` event (when given). The state and its event commit together: no device can miss a state that was
     * saved. `stale` and `duplicate` roll everything back (see `WriteResult`).
     */
    async write(
      userId: string,
      change: { session?: { from: number; to: PlaybackSession }; command?: CommandRecord; announce?: PlaybackState; now: number },
    ): Promise<WriteResult> {
      const { session, command, announce, now } = change;
      try {
        return await db.transaction().execute(async (trx): Promise<WriteResult> => {
          if (command) {
            const inserted = await trx
              .insertInto('playbackCommands')
              .values({ userId, ...command, outcome: JSON.stringify(command.outcome) })
              .onConflict((oc) => oc.columns(['userId', 'commandId']).doNothing())
              .executeTakeFirst();
            if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new Rollback('duplicate');
          }
          if (session) await replaceSession(trx, userId, session, now);
          return { status: 'saved', event: announce ? await events.appendIn(trx, userId, 'playback', announce) : null };
        });
      } catch (error) {
        if (error instanceof Rollback) return { status: error.status };
        throw error;
      }
    },

    /** Sessions that name an active device (the sweeper checks those devices are still there). */
    async sessionsWithActiveDevice(): Promise<{ userId: string; activeDeviceId: string }[]> {
      const rows = await db
        .selectFrom('playbackSessions')
        .select(['userId', 'activeDeviceId'])
        .where('activeDeviceId', 'is not', null)
        .execute();
      return rows.map((row) => ({ userId: row.userId, activeDeviceId: row.activeDeviceId! }));
    },

    /** Forgets command outcomes stored before `before` (epoch ms): retries older than that are new commands. */
    async deleteCommandsBefore(before: number): Promise<void> {
      await db.deleteFrom('playbackCommands').where('appliedAt', '<', before).execute();
    },

    /** Of `trackIds`, the playable (`ok`) tracks in `libraryIds`, with their durations; in no particular order. */
    async playableTracks(libraryIds: string[], trackIds: string[]): Promise<QueueTrack[]> {
      if (trackIds.length === 0) return [];
      return db
        .selectFrom('tracks as t')
        .select(['t.id as trackId', 't.durationMs'])
        .where('t.id', 'in', trackIds)
        .where('t.status', '=', 'ok')
        .where(inLibraries(libraryIds))
        .execute();
    },
  };
}

export type PlaybackRepository = ReturnType<typeof createPlaybackRepository>;
