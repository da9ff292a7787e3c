import type { Db } from '../db/database.js';
import type { LibrariesTable } from '../db/schema.js';

export type LibraryRecord = Omit<LibrariesTable, 'kind'> & { kind: 'music' | 'upload' };

/** SQL for libraries as administered objects and for who may see them. */
export function createLibraryAccessRepository(db: Db) {
  /** The libraries a user may see (see `visibleLibraryIds`) with their kind and owner, in id order. */
  async function visibleLibraries(userId: string, isAdmin: boolean): Promise<Pick<LibraryRecord, 'id' | 'kind' | 'ownerUserId'>[]> {
    return db
      .selectFrom('libraries')
      .select(['id', 'kind', 'ownerUserId'])
      .where((eb) =>
        eb.or([
          eb('ownerUserId', '=', userId),
          ...(isAdmin ? [eb('kind', '=', 'music')] : []),
          eb('id', 'in', eb.selectFrom('libraryUsers').select('libraryId').where('userId', '=', userId)),
        ]),
      )
      .orderBy('id')
      .execute();
  }

  return {
    async listAll(): Promise<LibraryRecord[]> {
      return db.selectFrom('libraries').selectAll().orderBy('name').orderBy('id').execute();
    },
    async find(id: string): Promise<LibraryRecord | undefined> {
      return db.selectFrom('libraries').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async findByRoot(rootPath: string): Promise<LibraryRecord | undefined> {
      return db.selectFrom('libraries').selectAll().where('rootPath', '=', rootPath).executeTakeFirst();
    },
    async insert(library: LibraryRecord): Promise<void> {
      await db.insertInto('libraries').values(library).execute();
    },
    async grantedUserIds(libraryId: string): Promise<string[]> {
      const rows = await db.selectFrom('libraryUsers').select('userId').where('libraryId', '=', libraryId).orderBy('userId').execute();
      return rows.map((row) => row.userId);
    },
    /** Replaces the grants of a library with exactly `userIds`, atomically. */
    async setGrants(libraryId: string, userIds: string[]): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('libraryUsers').where('libraryId', '=', libraryId).execute();
        if (userIds.length > 0) await trx.insertInto('libraryUsers').values(userIds.map((userId) => ({ libraryId, userId }))).execute();
      });
    },
    async existingUserIds(userIds: string[]): Promise<string[]> {
      if (userIds.length === 0) return [];
      return (await db.selectFrom('users').select('id').where('id', 'in', userIds).execute()).map((row) => row.id);
    },
    /**
     * The users who may see at least one of `libraryIds` (the rule of `visibleLibraryIds`, the other way round):
     * owners of those that are upload libraries, users granted one, and every admin when one is a music library.
     */
    async userIdsWhoCanSee(libraryIds: string[]): Promise<Set<string>> {
      if (libraryIds.length === 0) return new Set();
      const rows = await db
        .selectFrom('libraries')
        .select('ownerUserId as userId')
        .where('id', 'in', libraryIds)
        .where('ownerUserId', 'is not', null)
        .union(db.selectFrom('libraryUsers').select('userId').where('libraryId', 'in', libraryIds))
        .union(
          db
            .selectFrom('users')
            .select('id as userId')
            .where('role', '=', 'admin')
            .where((eb) => eb.exists(eb.selectFrom('libraries').select('libraries.id').where('libraries.id', 'in', libraryIds).where('kind', '=', 'music'))),
        )
        .execute();
      return new Set(rows.flatMap((row) => (row.userId ? [row.userId] : [])));
    },

    /**
     * Libraries a user may see: their own upload library, music libraries granted to them, and — for admins —
     * every music library.
     */
    async visibleLibraryIds(userId: string, isAdmin: boolean): Promise<string[]> {
      return (await visibleLibraries(userId, isAdmin)).map((row) => row.id);
    },

    visibleLibraries,
  };

}

export type LibraryAccessRepository = ReturnType<typeof createLibraryAccessRepository>;
