import type { Db } from '../db/database.js';
import { createLibraryAccessRepository } from '../library/access-repository.js';
import type { Clock } from '../shared/clock.js';
import type { EventBus } from '../shared/events.js';
import { newId } from '../shared/ids.js';
import type { DeviceListChanged, DevicePresence, TransactionalEventPublisher } from './contracts.js';
import { createEventHub, DEFAULT_HUB, type HubSettings } from './hub.js';
import { createPresenceRepository } from './presence-repository.js';
import { createPresence, DEFAULT_PRESENCE, type Presence, type PresenceSettings } from './presence.js';
import { nodeScheduler, type Scheduler } from './scheduler.js';
import { DEFAULT_QUEUE_LIMITS, type QueueLimits } from './sse-connection.js';
import { createUserEventLogRepository } from './user-event-log-repository.js';
import { createUserEventLog, createUserEventPublisher, DEFAULT_RETENTION, type RetentionSettings, type UserEventLog } from './user-event-log.js';

/** Every tunable of the real-time layer; tests shorten the intervals. */
export interface RealtimeSettings {
  retention: RetentionSettings;
  queue: QueueLimits;
  presence: PresenceSettings;
  hub: HubSettings;
  /** The `retry:` sent to EventSource: its reconnection delay, ms. */
  retryMs: number;
}

export const DEFAULT_REALTIME: RealtimeSettings = {
  retention: DEFAULT_RETENTION,
  queue: DEFAULT_QUEUE_LIMITS,
  presence: DEFAULT_PRESENCE,
  hub: DEFAULT_HUB,
  retryMs: 3000,
};

/** Settings with some groups partly replaced. */
export type RealtimeOverrides = { [K in keyof RealtimeSettings]?: RealtimeSettings[K] extends object ? Partial<RealtimeSettings[K]> : RealtimeSettings[K] };

/** The real-time layer as features and the events plugin use it. */
export interface Realtime {
  /** For features: append to a user's stream, alone or in their own transaction (contracts in `contracts.ts`). */
  publisher: TransactionalEventPublisher;
  /** For features: which devices are online (contract in `contracts.ts`). */
  presence: DevicePresence;
  /** For the devices feature: announces a change of a user's device list (contract in `contracts.ts`). */
  deviceListChanged: DeviceListChanged;
  /** The rest is for the events plugin. */
  internals: {
    log: UserEventLog;
    presence: Presence;
    hub: ReturnType<typeof createEventHub>;
    bus: EventBus;
    clock: Clock;
    scheduler: Scheduler;
    settings: RealtimeSettings;
  };
}

/**
 * Builds the real-time layer on the database and the bus. Created early in `buildApp` so feature services can take
 * the publisher and presence; the events plugin (routes, timers) is registered later with the playback snapshot.
 */
export function createRealtime(deps: { db: Db; bus: EventBus; clock: Clock; scheduler?: Scheduler; settings?: RealtimeOverrides }): Realtime {
  const { db, bus, clock } = deps;
  const scheduler = deps.scheduler ?? nodeScheduler;
  const overrides = deps.settings ?? {};
  const settings: RealtimeSettings = {
    retention: { ...DEFAULT_REALTIME.retention, ...overrides.retention },
    queue: { ...DEFAULT_REALTIME.queue, ...overrides.queue },
    presence: { ...DEFAULT_REALTIME.presence, ...overrides.presence },
    hub: { ...DEFAULT_REALTIME.hub, ...overrides.hub },
    retryMs: overrides.retryMs ?? DEFAULT_REALTIME.retryMs,
  };
  const log = createUserEventLog({ repository: createUserEventLogRepository(db), clock, retention: settings.retention });
  const publisher = createUserEventPublisher({ log, bus });
  const hub = createEventHub({ clock, scheduler, settings: settings.hub, libraryAudience: createLibraryAccessRepository(db).userIdsWhoCanSee });
  const presence = createPresence({
    repository: createPresenceRepository(db),
    clock,
    publisher,
    instanceId: newId(),
    isStreamingHere: hub.isStreamingHere,
    settings: settings.presence,
  });
  return {
    publisher,
    presence: { isOnline: presence.isOnline, onlineDeviceIds: presence.onlineDeviceIds },
    deviceListChanged: presence.listChanged,
    internals: { log, presence, hub, bus, clock, scheduler, settings },
  };
}
