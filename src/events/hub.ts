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
 * This instance's open event streams and the fan-out to them: a `user-event` from the bus goes to the connections of
 * its user (the frame is built once, whatever the number of connections); `library` and `scan` bus events go to every
 * connection as live-only events. Every connection gets a heartbeat comment each `heartbeatMs`.
 */
export function createEventHub(deps: { clock: Clock; scheduler: Scheduler; settings: HubSettings }) {
  const { clock, scheduler, settings } = deps;
  const all = new Set<EventStreamConnection>();
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
      let connections = byUser.get(connection.userId);
      if (!connections) byUser.set(connection.userId, (connections = new Set()));
      connections.add(connection);
      if (connection.deviceId) byDevice.set(connection.deviceId, (byDevice.get(connection.deviceId) ?? 0) + 1);
    },

    /** Forgets a connection; true when it was registered (so cleanup runs once). */
    remove(connection: EventStreamConnection): boolean {
      if (!all.delete(connection)) return false;
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
          const { change, entity, ids } = event;
          broadcast(liveEventFrame('library', clock.now(), { change, entity, ids }));
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
      stopHeartbeat ??= scheduler.every(settings.heartbeatMs, () => {
        for (const connection of all) connection.heartbeat();
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
