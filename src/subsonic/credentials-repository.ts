import type { Db } from '../db/database.js';

/** SQL for Subsonic passwords (sealed) and API keys (hashed); see migration 0011. */
export function createSubsonicCredentialsRepository(db: Db) {
  return {
    async findSealedPassword(userId: string): Promise<string | undefined> {
      const row = await db.selectFrom('subsonicPasswords').select('sealed').where('userId', '=', userId).executeTakeFirst();
      return row?.sealed;
    },
    async savePassword(userId: string, sealed: string, now: number): Promise<void> {
      await db
        .insertInto('subsonicPasswords')
        .values({ userId, sealed, updatedAt: now })
        .onConflict((oc) => oc.column('userId').doUpdateSet({ sealed, updatedAt: now }))
        .execute();
    },
    async deletePassword(userId: string): Promise<void> {
      await db.deleteFrom('subsonicPasswords').where('userId', '=', userId).execute();
    },
    async insertApiKey(row: { id: string; userId: string; name: string; keyHash: string; createdAt: number }): Promise<void> {
      await db.insertInto('subsonicApiKeys').values({ ...row, lastUsedAt: null }).execute();
    },
    async listApiKeys(userId: string) {
      return db
        .selectFrom('subsonicApiKeys')
        .select(['id', 'name', 'createdAt', 'lastUsedAt'])
        .where('userId', '=', userId)
        .orderBy('createdAt', 'desc')
        .orderBy('id')
        .execute();
    },
    /** Deletes the user's key; false when they have no key with that id. */
    async deleteApiKey(userId: string, id: string): Promise<boolean> {
      const result = await db.deleteFrom('subsonicApiKeys').where('userId', '=', userId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    /** The key's owner (enabled or not) by the key's hash. */
    async findApiKeyOwner(keyHash: string) {
      return db
        .selectFrom('subsonicApiKeys as k')
        .innerJoin('users as u', 'u.id', 'k.userId')
        .select(['k.id as keyId', 'k.lastUsedAt', 'u.id', 'u.username', 'u.role', 'u.disabled'])
        .where('k.keyHash', '=', keyHash)
        .executeTakeFirst();
    },
    async touchApiKey(id: string, now: number): Promise<void> {
      await db.updateTable('subsonicApiKeys').set({ lastUsedAt: now }).where('id', '=', id).execute();
    },
  };
}

export type SubsonicCredentialsRepository = ReturnType<typeof createSubsonicCredentialsRepository>;
