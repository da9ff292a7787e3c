import type { Db } from '../db/database.js';
import type { Clock } from '../shared/clock.js';
import type { EventBus } from '../shared/events.js';
import type { TransactionalEventPublisher, UserEvent, UserEventType } from './contracts.js';
import type { AppendRetention, NewStoredEvent, UserEventLogRepository } from './user-event-log-repository.js';

/**
 * How much of each user's log is kept for replay: the newest `maxEvents` events, none older than `maxAgeMs`.
 * Defaults 1,000 events / 24 h: a phone that slept overnight still catches up event by event; anything older gets a
 * fresh snapshot, which is smaller than a long replay anyway.
 */
export interface RetentionSettings {
  maxEvents: number;
  /** ms. */
  maxAgeMs: number;
}

export const DEFAULT_RETENTION: RetentionSettings = { maxEvents: 1000, maxAgeMs: 24 * 3_600_000 };

/**
 * Each user's durable event log: ids strictly increase per user, across every instance writing to the same database.
 * Pruning runs every tenth of `maxEvents` appends, so a user holds at most 1.1 × `maxEvents` rows.
 */
export function createUserEventLog(deps: { repository: UserEventLogRepository; clock: Clock; retention: RetentionSettings }) {
  const { repository, clock, retention } = deps;
  const pruneEvery = Math.max(1, Math.ceil(retention.maxEvents / 10));

  /** Stores an event through `store` (a transaction of its own, or the caller's) and returns it with id and time. */
  async function stored(
    store: (event: NewStoredEvent, retention: AppendRetention) => Promise<number>,
    userId: string,
    type: Exclude<UserEventType, 'snapshot'>,
    data: unknown,
  ): Promise<UserEvent> {
    const at = clock.now();
    const id = await store({ userId, type, data: JSON.stringify(data ?? null), at }, { keep: retention.maxEvents, olderThan: at - retention.maxAgeMs, pruneEvery });
    return { id, userId, type, data: data ?? null, at };
  }

  return {
    /** Stores an event and returns it with its id and time (epoch ms). */
    append: (userId: string, type: Exclude<UserEventType, 'snapshot'>, data: unknown): Promise<UserEvent> =>
      stored((event, kept) => repository.append(event, kept), userId, type, data),

    /** `append` inside the caller's open transaction `executor` (see `TransactionalEventPublisher.appendIn`). */
    appendIn: (executor: Db, userId: string, type: Exclude<UserEventType, 'snapshot'>, data: unknown): Promise<UserEvent> =>
      stored((event, kept) => repository.appendIn(executor, event, kept), userId, type, data),

    /** The id of the user's latest event, 0 before the first: what a snapshot taken now is current up to. */
    lastId: (userId: string): Promise<number> => repository.lastId(userId),

    /**
     * Every event after `afterId` (the client's `Last-Event-ID`), oldest first — or null when the log cannot replay
     * exactly what was missed, so the caller sends a snapshot instead: more than `maxEvents` were missed, the next
     * event was pruned or is older than `maxAgeMs`, or `afterId` lies ahead of the log (another database, or a
     * made-up id).
     */
    async since(userId: string, afterId: number): Promise<UserEvent[] | null> {
      const lastId = await repository.lastId(userId);
      if (afterId > lastId || lastId - afterId > retention.maxEvents) return null;
      if (afterId === lastId) return [];
      const rows = await repository.after(userId, afterId, retention.maxEvents);
      const first = rows[0];
      if (!first || first.id !== afterId + 1 || first.at < clock.now() - retention.maxAgeMs) return null;
      return rows.map((row) => ({ id: row.id, userId, type: row.type as UserEventType, data: JSON.parse(row.data) as unknown, at: row.at }));
    },
  };
}

export type UserEventLog = ReturnType<typeof createUserEventLog>;

/**
 * `UserEventPublisher` and `TransactionalEventPublisher`: append to the durable log, then hand the stored event to the
 * bus (every instance's SSE hub).
 */
export function createUserEventPublisher(deps: { log: Pick<UserEventLog, 'append' | 'appendIn'>; bus: Pick<EventBus, 'publish'> }): TransactionalEventPublisher {
  const deliver = (event: UserEvent) => deps.bus.publish({ type: 'user-event', event });
  return {
    async publish(userId, type, data) {
      const event = await deps.log.append(userId, type, data);
      deliver(event);
      return event;
    },
    appendIn: deps.log.appendIn,
    deliver,
  };
}
