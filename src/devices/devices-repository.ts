import type { Db } from '../db/database.js';
import type { DevicesTable } from '../db/schema.js';

export type DeviceRow = DevicesTable;

/** SQL for registered devices. Every read is scoped to the owning user, so other users' ids simply do not exist. */
export function createDevicesRepository(db: Db) {
  return {
    async insert(device: DeviceRow): Promise<void> {
      await db.insertInto('devices').values(device).execute();
    },
    async findByClientId(userId: string, clientId: string): Promise<DeviceRow | undefined> {
      return db.selectFrom('devices').selectAll().where('userId', '=', userId).where('clientId', '=', clientId).executeTakeFirst();
    },
    async findOwned(userId: string, id: string): Promise<DeviceRow | undefined> {
      return db.selectFrom('devices').selectAll().where('userId', '=', userId).where('id', '=', id).executeTakeFirst();
    },
    async listOwned(userId: string): Promise<DeviceRow[]> {
      return db.selectFrom('devices').selectAll().where('userId', '=', userId).orderBy('createdAt').orderBy('id').execute();
    },
    /** The device holding this token hash, with its enabled owner; undefined when revoked or the user is disabled. */
    async findByTokenHash(tokenHash: string) {
      return db
        .selectFrom('devices')
        .innerJoin('users', 'users.id', 'devices.userId')
        .select(['devices.id as deviceId', 'devices.lastUsedAt', 'users.id', 'users.username', 'users.role'])
        .where('devices.tokenHash', '=', tokenHash)
        .where('users.disabled', '=', 0)
        .executeTakeFirst();
    },
    async update(id: string, changes: Partial<Omit<DeviceRow, 'id' | 'userId'>>): Promise<void> {
      await db.updateTable('devices').set(changes).where('id', '=', id).execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('devices').where('id', '=', id).execute();
    },
  };
}

export type DevicesRepository = ReturnType<typeof createDevicesRepository>;
