import type { Clock } from '../shared/clock.js';
import type { BusEvent } from '../shared/events.js';
import type { Scheduler } from './scheduler.js';
import type { EventStreamConnection } from './sse-connection.js';
import { durableEventFrame, liveEventFrame } from './sse.js';

export interface HubSettings {
  /** Interval of the heartbeat comment on every stream (ms). */
  heartbeatMs: number;
  /** Scan progress is forwarded at most once per this interval (ms), latest first; start and finish at once. */
  scanProgressMs: number;
}

export const DEFAULT_HUB: HubSettings = { heartbeatMs: 15_000, scanProgressMs: 500 };

/**
 * Heartbeats go out in slices, one slice every this many ms, so each connection still gets one every `heartbeatMs`
 * but never all at once: a socket write costs tens of µs (more on a busy machine), and writing to every one of
 * thousands of streams in one go blocked the event loop — and every command waiting behind it — for hundreds of ms
 * (fan-out benchmark: 1,000 streams, ~300 ms).
 */
const HEARTBEAT_TICK_MS = 100;

/**
 * This instance's open event streams and the fan-out to them: a `user-event` from the bus goes to the connections of
 * its user (the frame is built once, whatever the number of connections); `library` bus events go, live-only, to the
 * connections of users who may see one of the event's libraries, `scan` events to every connection. Every
 * connection gets a heartbeat comment each `heartbeatMs`, spread out in time (see `HEARTBEAT_TICK_MS`).
 */
export function createEventHub(deps: {
  clock: Clock;
  scheduler: Scheduler;
  settings: HubSettings;
  /** The users who may see one of the libraries: a `library` event goes only to their connections. */
  libraryAudience?: (libraryIds: string[]) => Promise<ReadonlySet<string>>;
}) {
  const { clock, scheduler, settings } = deps;
  /** `library` deliveries wait for their audience lookup; chained so they reach clients in publication order. */
  let libraryDeliveries: Promise<void> = Promise.resolve();
  const all = new Set<EventStreamConnection>();
  /** Connections by heartbeat slice: slice `i` is due at tick `i` of every round of `heartbeatMs`. */
  const slices = Array.from({ length: Math.max(1, Math.round(settings.heartbeatMs / HEARTBEAT_TICK_MS)) }, () => new Set<EventStreamConnection>());
  const sliceOf = new Map<EventStreamConnection, Set<EventStreamConnection>>();
  let nextSlice = 0;
  const byUser = new Map<string, Set<EventStreamConnection>>();
  /** Open streams per device on this instance. */
  const byDevice = new Map<string, number>();
  let pendingProgress: string | null = null;
  let cancelProgress: (() => void) | null = null;
  let stopHeartbeat: (() => void) | null = null;

  function broadcast(frame: string): void {
    for (const connection of all) connection.deliver(null, frame);
  }

  function flushProgress(): void {
    cancelProgress = null;
    if (pendingProgress !== null) broadcast(pendingProgress);
    pendingProgress = null;
  }

  return {
    add(connection: EventStreamConnection): void {
      all.add(connection);
      // Round-robin keeps the slices within one connection of each other in size.
      const slice = slices[nextSlice++ % slices.length];
      slice.add(connection);
      sliceOf.set(connection, slice);
      let connections = byUser.get(connection.userId);
      if (!connections) byUser.set(connection.userId, (connections = new Set()));
      connections.add(connection);
      if (connection.deviceId) byDevice.set(connection.deviceId, (byDevice.get(connection.deviceId) ?? 0) + 1);
    },

    /** Forgets a connection; true when it was registered (so cleanup runs once). */
    remove(connection: EventStreamConnection): boolean {
      if (!all.delete(connection)) return false;
      sliceOf.get(connection)?.delete(connection);
      sliceOf.delete(connection);
      const connections = byUser.get(connection.userId);
      connections?.delete(connection);
      if (connections?.size === 0) byUser.delete(connection.userId);
      if (connection.deviceId) {
        const count = (byDevice.get(connection.deviceId) ?? 1) - 1;
        if (count === 0) byDevice.delete(connection.deviceId);
        else byDevice.set(connection.deviceId, count);
      }
      return true;
    },

    isStreamingHere: (deviceId: string): boolean => byDevice.has(deviceId),

    get size(): number {
      return all.size;
    },

    connections(): EventStreamConnection[] {
      return [...all];
    },

    /** The bus listener. */
    dispatch(event: BusEvent): void {
      switch (event.type) {
        case 'user-event': {
          const connections = byUser.get(event.event.userId);
          if (!connections) return;
          const frame = durableEventFrame(event.event);
          for (const connection of connections) connection.deliver(event.event, frame);
          return;
        }
        case 'library': {
          const { change, entity, ids, libraryIds } = event;
          const frame = liveEventFrame('library', clock.now(), { change, entity, ids });
          const audienceOf = deps.libraryAudience;
          if (!libraryIds || !audienceOf) {
            broadcast(frame);
            return;
          }
          libraryDeliveries = libraryDeliveries
            .then(() => audienceOf(libraryIds))
            .then(
              (audience) => {
                for (const userId of audience) for (const connection of byUser.get(userId) ?? []) connection.deliver(null, frame);
              },
              // Without the audience nobody gets the event: it is live-only, and clients resync from the API.
              () => undefined,
            );
          return;
        }
        case 'scan': {
          const { type: _type, ...data } = event;
          const frame = liveEventFrame('scan', clock.now(), data);
          if (event.state === 'progress') {
            pendingProgress = frame;
            cancelProgress ??= scheduler.after(settings.scanProgressMs, flushProgress);
            return;
          }
          // Start and finish supersede any progress still waiting.
          cancelProgress?.();
          cancelProgress = null;
          pendingProgress = null;
          broadcast(frame);
          return;
        }
      }
    },

    start(): void {
      let tick = 0;
      stopHeartbeat ??= scheduler.every(settings.heartbeatMs / slices.length, () => {
        for (const connection of slices[tick]) connection.heartbeat();
        tick = (tick + 1) % slices.length;
      });
    },

    /** Stops the timers and closes every connection (clients reconnect, possibly to another instance). */
    stop(): void {
      stopHeartbeat?.();
      stopHeartbeat = null;
      cancelProgress?.();
      cancelProgress = null;
      for (const connection of [...all]) connection.close();
    },
  };
}

export type EventHub = ReturnType<typeof createEventHub>;
