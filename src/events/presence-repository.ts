import type { Db } from '../db/database.js';
import type { EventStreamsTable } from '../db/schema.js';

/** One of a user's devices with what presence needs to know about it. */
export interface DevicePresenceRow {
  id: string;
  userId: string;
  name: string;
  platform: string;
  lastSeenAt: number | null;
  /** An event stream of this device was refreshed at or after the cutoff, on any instance. */
  streaming: boolean;
  /** The online state last announced in a `devices` event (false before the first). */
  announcedOnline: boolean;
}

/** SQL for open event streams (all instances) and the announced online state of devices. */
export function createPresenceRepository(db: Db) {
  /** Devices with, for each, whether a fresh stream row exists and what was last announced. */
  function devicesWithPresence(streamCutoff: number) {
    return db
      .selectFrom('devices')
      .leftJoin('devicePresence', 'devicePresence.deviceId', 'devices.id')
      .select((eb) => [
        'devices.id',
        'devices.userId',
        'devices.name',
        'devices.platform',
        'devices.lastSeenAt',
        'devicePresence.online',
        eb
          .exists(
            eb
              .selectFrom('eventStreams')
              .select('eventStreams.id')
              .whereRef('eventStreams.deviceId', '=', 'devices.id')
              .where('eventStreams.refreshedAt', '>=', streamCutoff),
          )
          .as('streaming'),
      ]);
  }
  type Row = { id: string; userId: string; name: string; platform: string; lastSeenAt: number | null; online: number | null; streaming: unknown };
  // SQLite answers EXISTS with 0/1, PostgreSQL with a boolean.
  const toPresence = (row: Row): DevicePresenceRow => ({
    id: row.id,
    userId: row.userId,
    name: row.name,
    platform: row.platform,
    lastSeenAt: row.lastSeenAt,
    streaming: row.streaming === true || Number(row.streaming) === 1,
    announcedOnline: row.online === 1,
  });

  return {
    async insertStream(row: EventStreamsTable): Promise<void> {
      await db.insertInto('eventStreams').values(row).execute();
    },

    async deleteStream(id: string): Promise<void> {
      await db.deleteFrom('eventStreams').where('id', '=', id).execute();
    },

    /**
     * Marks the instance's streams as alive at `now`; returns the ids of those whose credentials still hold. Missing
     * from the answer: rows deleted behind the instance's back (device revoked, session ended, user deleted: foreign
     * keys cascade), streams of a disabled user and streams of an expired session.
     */
    async refreshInstance(instanceId: string, now: number): Promise<string[]> {
      const rows = await db
        .updateTable('eventStreams')
        .set({ refreshedAt: now })
        .where('instanceId', '=', instanceId)
        .where('userId', 'not in', (eb) => eb.selectFrom('users').select('users.id').where('users.disabled', '=', 1))
        .where((eb) =>
          eb.or([
            eb('sessionId', 'is', null),
            eb('sessionId', 'in', eb.selectFrom('sessions').select('sessions.id').where('sessions.expiresAt', '>', now)),
          ]),
        )
        .returning('id')
        .execute();
      return rows.map((row) => row.id);
    },

    async deleteInstance(instanceId: string): Promise<void> {
      await db.deleteFrom('eventStreams').where('instanceId', '=', instanceId).execute();
    },

    /** Deletes other instances' stream rows not refreshed since `cutoff` (a crashed or partitioned instance). */
    async deleteExpired(exceptInstanceId: string, cutoff: number): Promise<void> {
      await db.deleteFrom('eventStreams').where('refreshedAt', '<', cutoff).where('instanceId', '<>', exceptInstanceId).execute();
    },

    async deviceOwned(userId: string, deviceId: string): Promise<boolean> {
      const row = await db.selectFrom('devices').select('id').where('userId', '=', userId).where('id', '=', deviceId).executeTakeFirst();
      return row !== undefined;
    },

    /** The user's devices in registration order. */
    async userDevices(userId: string, streamCutoff: number): Promise<DevicePresenceRow[]> {
      const rows = await devicesWithPresence(streamCutoff).where('devices.userId', '=', userId).orderBy('devices.createdAt').orderBy('devices.id').execute();
      return rows.map(toPresence);
    },

    /**
     * Every device whose online state may differ from the announced one: announced online, or with a heartbeat or a
     * stream since `cutoff`. Everything else is offline and announced so (or never announced).
     */
    async candidates(cutoff: number): Promise<DevicePresenceRow[]> {
      const rows = await devicesWithPresence(cutoff)
        .where((eb) =>
          eb.or([
            eb('devicePresence.online', '=', 1),
            eb('devices.lastSeenAt', '>=', cutoff),
            eb('devices.id', 'in', eb.selectFrom('eventStreams').select('eventStreams.deviceId').where('eventStreams.refreshedAt', '>=', cutoff)),
          ]),
        )
        .execute();
      return rows.map(toPresence);
    },

    /**
     * Compare-and-set of the announced state: true when this call changed it (or recorded it first), so among
     * instances racing on the same change exactly one announces it.
     */
    async announce(userId: string, deviceId: string, online: boolean, now: number): Promise<boolean> {
      const value = online ? 1 : 0;
      const row = await db
        .insertInto('devicePresence')
        .values({ deviceId, userId, online: value, changedAt: now })
        .onConflict((oc) =>
          oc
            .column('deviceId')
            .doUpdateSet({ online: value, changedAt: now })
            .where('devicePresence.online', '<>', value),
        )
        .returning('deviceId')
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

export type PresenceRepository = ReturnType<typeof createPresenceRepository>;
