import type { Clock } from '../shared/clock.js';
import type { DevicePresence, UserEventPublisher } from './contracts.js';
import type { DevicePresenceRow, PresenceRepository } from './presence-repository.js';

/**
 * A device is online while an event stream of it is open on any instance, or when it sent a heartbeat within the
 * last 30 s (`DevicePresence` contract). Instances refresh their stream rows every `refreshMs`; rows not refreshed
 * within the same 30 s belong to a crashed instance and no longer count.
 */
export interface PresenceSettings {
  /** ms; the contract's 30 s. */
  onlineWindowMs: number;
  /** How often an instance refreshes its stream rows (ms); well under `onlineWindowMs`. */
  refreshMs: number;
  /** How often an instance looks for devices whose state changed without a stream opening or closing (ms). */
  sweepMs: number;
}

export const DEFAULT_PRESENCE: PresenceSettings = { onlineWindowMs: 30_000, refreshMs: 10_000, sweepMs: 5_000 };

/** A device as `devices` events and snapshots list it. */
export interface DeviceStatus {
  id: string;
  name: string;
  platform: string;
  online: boolean;
  /** Last heartbeat or registration, epoch ms. */
  lastSeenAt: number | null;
}

/** An open SSE stream as presence records it. */
export interface StreamRecord {
  id: string;
  userId: string;
  deviceId: string | null;
  sessionId: string | null;
}

export interface PresenceDeps {
  repository: PresenceRepository;
  clock: Clock;
  publisher: UserEventPublisher;
  /** This server instance (streams are recorded per instance). */
  instanceId: string;
  /** This instance knows its own open streams without asking the database (and without waiting for a refresh). */
  isStreamingHere(deviceId: string): boolean;
  settings: Pick<PresenceSettings, 'onlineWindowMs'>;
}

/**
 * Device presence (implements `DevicePresence`) and its announcements: a `devices` event with the user's whole device
 * list whenever one of their devices goes online or offline, or the list itself changes (`listChanged`). Changes come from streams opening and closing here,
 * and from `sweep()` (heartbeats starting or lapsing, other instances' streams expiring); the announced state is
 * compared-and-set in the database, so each change is announced once however many instances notice it.
 */
export function createPresence(deps: PresenceDeps) {
  const { repository, clock, publisher, instanceId, isStreamingHere } = deps;
  const onlineWindowMs = deps.settings.onlineWindowMs;

  const isOnlineRow = (row: DevicePresenceRow, cutoff: number) =>
    row.streaming || isStreamingHere(row.id) || (row.lastSeenAt !== null && row.lastSeenAt >= cutoff);

  const toStatus = (row: DevicePresenceRow, cutoff: number): DeviceStatus => ({
    id: row.id,
    name: row.name,
    platform: row.platform,
    online: isOnlineRow(row, cutoff),
    lastSeenAt: row.lastSeenAt,
  });

  async function devices(userId: string): Promise<DeviceStatus[]> {
    const cutoff = clock.now() - onlineWindowMs;
    return (await repository.userDevices(userId, cutoff)).map((row) => toStatus(row, cutoff));
  }

  /**
   * Announces the user's device list when this call is the one that records a device's online change — or in any
   * case with `always` (the list itself changed). The online states it announces are recorded as announced.
   */
  async function reconcile(userId: string, always = false): Promise<void> {
    const now = clock.now();
    const cutoff = now - onlineWindowMs;
    const rows = await repository.userDevices(userId, cutoff);
    let changed = always;
    for (const row of rows) {
      const online = isOnlineRow(row, cutoff);
      if (online !== row.announcedOnline && (await repository.announce(userId, row.id, online, now))) changed = true;
    }
    if (changed) await publisher.publish(userId, 'devices', { devices: rows.map((row) => toStatus(row, cutoff)) });
  }

  const presence: DevicePresence = {
    async isOnline(userId, deviceId) {
      return (await devices(userId)).some((device) => device.id === deviceId && device.online);
    },
    async onlineDeviceIds(userId) {
      return (await devices(userId)).filter((device) => device.online).map((device) => device.id);
    },
  };

  return {
    ...presence,
    /** The user's devices with their online state, in registration order. */
    devices,
    reconcile,

    /** The user's device list changed (a device registered, renamed or revoked): announces the whole list. */
    listChanged: (userId: string): Promise<void> => reconcile(userId, true),

    /** True when `deviceId` is one of the user's devices. */
    deviceOwned: (userId: string, deviceId: string): Promise<boolean> => repository.deviceOwned(userId, deviceId),

    /** Records an open stream; a device stream may bring its device online. */
    async streamOpened(stream: StreamRecord): Promise<void> {
      const now = clock.now();
      await repository.insertStream({ ...stream, instanceId, openedAt: now, refreshedAt: now });
      if (stream.deviceId) await reconcile(stream.userId);
    },

    /** Forgets a closed stream (the caller has already stopped counting it as open here). */
    async streamClosed(stream: StreamRecord): Promise<void> {
      await repository.deleteStream(stream.id);
      if (stream.deviceId) await reconcile(stream.userId);
    },

    /** Keeps this instance's stream rows alive; returns the ids that still exist (see `refreshInstance`). */
    refresh: (): Promise<string[]> => repository.refreshInstance(instanceId, clock.now()),

    /** Expires crashed instances' streams and announces every device whose state changed unnoticed. */
    async sweep(): Promise<void> {
      const cutoff = clock.now() - onlineWindowMs;
      await repository.deleteExpired(instanceId, cutoff);
      const users = new Set<string>();
      for (const row of await repository.candidates(cutoff)) {
        if (isOnlineRow(row, cutoff) !== row.announcedOnline) users.add(row.userId);
      }
      for (const userId of users) await reconcile(userId);
    },

    /** Removes this instance's stream rows at shutdown; their devices' clients reconnect elsewhere. */
    stop: (): Promise<void> => repository.deleteInstance(instanceId),
  };
}

export type Presence = ReturnType<typeof createPresence>;
