import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { EventHub } from './hub.js';
import type { Presence, PresenceSettings, StreamRecord } from './presence.js';
import type { Scheduler } from './scheduler.js';
import { EventStreamConnection, type QueueLimits, type SseSink } from './sse-connection.js';
import { durableEventFrame } from './sse.js';
import type { UserEventLog } from './user-event-log.js';

/** The current playback state of a user for the snapshot (the playback feature's `getState`); null when none. */
export type PlaybackStateProvider = (userId: string) => Promise<unknown>;

/** What a `snapshot` event's `data` holds. */
export interface SnapshotData {
  playback: unknown;
  devices: Awaited<ReturnType<Presence['devices']>>;
}

export interface EventStreamsDeps {
  hub: EventHub;
  presence: Presence;
  log: Pick<UserEventLog, 'lastId' | 'since'>;
  clock: Clock;
  scheduler: Scheduler;
  /** Absent until the playback feature is wired: snapshots then say `playback: null`. */
  playbackState?: PlaybackStateProvider;
  settings: { queue: QueueLimits; retryMs: number; presence: Pick<PresenceSettings, 'refreshMs' | 'sweepMs'> };
  logger: { error(details: object, message: string): void };
}

/** Who opens a stream: the authenticated caller and the device the stream speaks for (none for a bare web session). */
export interface StreamOwner {
  userId: string;
  deviceId: string | null;
  sessionId: string | null;
}

/**
 * Opening and closing SSE connections and their upkeep: each connection is registered with the hub before its first
 * snapshot or replay (nothing published meanwhile is lost), recorded for presence, and closed within `refreshMs`
 * when its device is revoked, its session ends or expires, or its user is disabled or deleted.
 */
export function createEventStreams(deps: EventStreamsDeps) {
  const { hub, presence, log, clock, scheduler, settings, logger } = deps;
  const records = new Map<EventStreamConnection, { record: StreamRecord; opened: Promise<boolean> }>();
  /** Connections whose stream row was written: only those can be found missing by a refresh. */
  const recorded = new Set<string>();
  const stopTimers: (() => void)[] = [];
  let stopping = false;

  async function snapshot(userId: string): Promise<{ id: number; frame: string }> {
    // The id first: events appended while the state is read are delivered again afterwards, never lost.
    const id = await log.lastId(userId);
    const [playback, devices] = await Promise.all([deps.playbackState ? deps.playbackState(userId) : null, presence.devices(userId)]);
    const data: SnapshotData = { playback: playback ?? null, devices };
    return { id, frame: durableEventFrame({ id, type: 'snapshot', at: clock.now(), data }) };
  }

  async function record(connection: EventStreamConnection, stream: StreamRecord): Promise<boolean> {
    try {
      await presence.streamOpened(stream);
      recorded.add(stream.id);
      return true;
    } catch (error) {
      logger.error({ err: error }, 'recording an event stream failed');
      connection.close();
      return false;
    }
  }

  async function close(connection: EventStreamConnection): Promise<void> {
    const entry = records.get(connection);
    if (!entry || !hub.remove(connection)) return;
    records.delete(connection);
    connection.close();
    recorded.delete(connection.id);
    if (stopping || !(await entry.opened)) return;
    try {
      await presence.streamClosed(entry.record);
    } catch (error) {
      logger.error({ err: error }, 'forgetting a closed event stream failed');
    }
  }

  /** Closes the streams whose credentials no longer hold (revoked device, ended or expired session, disabled user). */
  async function refresh(): Promise<void> {
    const known = [...records.keys()].filter((connection) => recorded.has(connection.id));
    const alive = new Set(await presence.refresh());
    for (const connection of known) if (!alive.has(connection.id)) await close(connection);
  }

  /** A periodic task that logs its failures and skips a tick while its previous run is still going. */
  const guarded = (name: string, task: () => Promise<void>) => {
    let running = false;
    return () => {
      if (running) return;
      running = true;
      task()
        .catch((error: unknown) => logger.error({ err: error }, `${name} failed`))
        .finally(() => (running = false));
    };
  };

  return {
    /**
     * The device a stream speaks for: the device of a device token (`deviceId` ignored); for a session, `deviceId`
     * when it is one of the user's devices (the web app registers itself as a device but EventSource cannot send its
     * token). Errors: 404 `device_not_found`.
     */
    async deviceFor(user: { id: string; deviceId?: string }, deviceId: string | undefined): Promise<string | null> {
      if (user.deviceId) return user.deviceId;
      if (deviceId === undefined) return null;
      if (!(await presence.deviceOwned(user.id, deviceId))) throw new AppError('device_not_found');
      return deviceId;
    },

    /**
     * Opens a stream on `sink`: `retry:`, then the events after `lastEventId` or a snapshot, then live deltas.
     * The caller forwards the sink's `drain` to `connection.drained()` and its `close` to `close(connection)`.
     */
    open(owner: StreamOwner, sink: SseSink, lastEventId: number | undefined): EventStreamConnection {
      const id = newId();
      const connection = new EventStreamConnection({
        id,
        userId: owner.userId,
        deviceId: owner.deviceId,
        sink,
        clock,
        limits: settings.queue,
        retryMs: settings.retryMs,
        catchUp: { since: (afterId) => log.since(owner.userId, afterId), snapshot: () => snapshot(owner.userId) },
        onError: (error) => logger.error({ err: error }, 'catching up an event stream failed'),
      });
      const stream: StreamRecord = { id, ...owner };
      hub.add(connection);
      const opened = record(connection, stream);
      records.set(connection, { record: stream, opened });
      // Presence first, so the snapshot already lists this device as online.
      void opened.then((ok) => (ok ? connection.start(lastEventId) : undefined));
      return connection;
    },

    close,

    /** Starts heartbeats, stream refreshes and the presence sweep. */
    start(): void {
      hub.start();
      stopTimers.push(scheduler.every(settings.presence.refreshMs, guarded('refreshing event streams', refresh)));
      stopTimers.push(scheduler.every(settings.presence.sweepMs, guarded('presence sweep', () => presence.sweep())));
    },

    /** Stops the timers, closes every stream and removes this instance's stream rows. */
    async stop(): Promise<void> {
      stopping = true;
      for (const stop of stopTimers.splice(0)) stop();
      const opening = [...records.values()].map((entry) => entry.opened);
      hub.stop();
      await Promise.allSettled(opening);
      await presence.stop();
    },
  };
}

export type EventStreams = ReturnType<typeof createEventStreams>;
