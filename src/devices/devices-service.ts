import type { AuditLog } from '../audit/audit-log.js';
import { DEVICE_TOKEN_PREFIX, hashToken, newToken } from '../auth/tokens.js';
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

/** Registered client apps and their revocable access tokens. */
export function createDevicesService(deps: { devices: DevicesRepository; audit: AuditLog; clock: Clock }) {
  const { devices, audit, clock } = deps;

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
      return toDevice({ ...row, name });
    },

    /** Revokes a device: its token stops working on the very next request (tokens are checked against the database). */
    async revoke(userId: string, id: string, ip: string | null): Promise<void> {
      const row = await owned(userId, id);
      await devices.delete(row.id);
      await audit.record({ action: 'device.revoked', actorUserId: userId, target: row.id, ip, details: { name: row.name } });
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
