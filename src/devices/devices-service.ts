import type { AuditLog } from '../audit/audit-log.js';
import { DEVICE_TOKEN_PREFIX, hashToken, newToken } from '../auth/tokens.js';
import type { DeviceListChanged } from '../events/contracts.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { DeviceRow, DevicesRepository } from './devices-repository.js';

/** A device as its owner sees it (never the token or its hash). */
export interface Device {
  id: string;
  clientId: string;
  name: string;
  platform: string;
  appVersion: string;
  createdAt: number;
  createdIp: string | null;
  lastSeenAt: number | null;
  lastUsedAt: number | null;
}

export interface DeviceRegistration {
  name: string;
  platform: string;
  appVersion: string;
  clientId: string;
}

function toDevice(row: DeviceRow): Device {
  return {
    id: row.id,
    clientId: row.clientId,
    name: row.name,
    platform: row.platform,
    appVersion: row.appVersion,
    createdAt: row.createdAt,
    createdIp: row.createdIp,
    lastSeenAt: row.lastSeenAt,
    lastUsedAt: row.lastUsedAt,
  };
}

export interface DevicesServiceDeps {
  devices: DevicesRepository;
  audit: AuditLog;
  clock: Clock;
  /** Announces a change of the user's device list to their open apps (the real-time layer's `devices` event). */
  listChanged: DeviceListChanged;
  log: { error(details: object, message: string): void };
}

/**
 * Registered client apps and their revocable access tokens. Every change of a user's device list (registration,
 * re-registration, rename, revocation) is announced to the user's open apps once it is saved.
 */
export function createDevicesService(deps: DevicesServiceDeps) {
  const { devices, audit, clock, log } = deps;

  /** The change is saved already: a failed announcement is only logged (apps refetch the list when they reconnect). */
  async function announce(userId: string): Promise<void> {
    try {
      await deps.listChanged(userId);
    } catch (error) {
      log.error({ err: error, userId }, 'announcing a device list change failed');
    }
  }

  async function owned(userId: string, id: string): Promise<DeviceRow> {
    const row = await devices.findOwned(userId, id);
    if (!row) throw new AppError('device_not_found');
    return row;
  }

  return {
    /**
     * Registers a device, or — when the user already has one with this `clientId` — rotates its token and updates
     * its name/platform/version, so relaunching an app never creates a duplicate. The token (`omd_…`) is returned
     * once; only its SHA-256 is stored.
     */
    async register(userId: string, input: DeviceRegistration, ip: string | null): Promise<{ device: Device; accessToken: string }> {
      const accessToken = newToken(DEVICE_TOKEN_PREFIX);
      const now = clock.now();
      const existing = await devices.findByClientId(userId, input.clientId);
      let row: DeviceRow;
      if (existing) {
        const changes = { name: input.name, platform: input.platform, appVersion: input.appVersion, tokenHash: hashToken(accessToken), lastSeenAt: now };
        await devices.update(existing.id, changes);
        row = { ...existing, ...changes };
      } else {
        row = {
          id: newId(),
          userId,
          clientId: input.clientId,
          name: input.name,
          platform: input.platform,
          appVersion: input.appVersion,
          tokenHash: hashToken(accessToken),
          createdAt: now,
          createdIp: ip,
          lastSeenAt: now,
          lastUsedAt: null,
        };
        await devices.insert(row);
      }
      await audit.record({
        action: 'device.registered',
        actorUserId: userId,
        target: row.id,
        ip,
        details: { name: row.name, platform: row.platform, rotated: Boolean(existing) },
      });
      await announce(userId);
      return { device: toDevice(row), accessToken };
    },

    async list(userId: string): Promise<Device[]> {
      return (await devices.listOwned(userId)).map(toDevice);
    },

    async get(userId: string, id: string): Promise<Device> {
      return toDevice(await owned(userId, id));
    },

    async rename(userId: string, id: string, name: string): Promise<Device> {
      const row = await owned(userId, id);
      await devices.update(id, { name });
      await announce(userId);
      return toDevice({ ...row, name });
    },

    /**
     * Revokes a device of `userId`: its token stops working on the very next request (tokens are checked against the
     * database). `actorUserId` is who did it, for the audit log: the owner, or an admin.
     */
    async revoke(userId: string, id: string, ip: string | null, actorUserId = userId): Promise<void> {
      const row = await owned(userId, id);
      await devices.delete(row.id);
      await audit.record({ action: 'device.revoked', actorUserId, target: row.id, ip, details: { name: row.name } });
      await announce(userId);
    },

    /** Marks the device as alive now; returns it with the new `lastSeenAt`. */
    async heartbeat(userId: string, id: string): Promise<Device> {
      const row = await owned(userId, id);
      const lastSeenAt = clock.now();
      await devices.update(id, { lastSeenAt });
      return toDevice({ ...row, lastSeenAt });
    },
  };
}

export type DevicesService = ReturnType<typeof createDevicesService>;
