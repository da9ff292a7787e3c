import type { Db } from '../db/database.js';
import type { SubsonicBookmarksTable, SubsonicPlayQueueSavesTable } from '../db/schema.js';

export type BookmarkRow = SubsonicBookmarksTable;
export type PlayQueueSaveRow = SubsonicPlayQueueSavesTable;

/** SQL for the Subsonic per-user state of migration 0014: bookmarks and who last saved the play queue. */
export function createSubsonicBookmarksRepository(db: Db) {
  return {
    /** The user's bookmarks, newest change first. Callers filter them to the tracks the user may see. */
    async listBookmarks(userId: string): Promise<BookmarkRow[]> {
      return db.selectFrom('subsonicBookmarks').selectAll().where('userId', '=', userId).orderBy('updatedAt', 'desc').orderBy('trackId').execute();
    },

    async findBookmark(userId: string, trackId: string): Promise<BookmarkRow | undefined> {
      return db.selectFrom('subsonicBookmarks').selectAll().where('userId', '=', userId).where('trackId', '=', trackId).executeTakeFirst();
    },

    /** Creates or overwrites the user's bookmark of a track; `createdAt` is kept on overwrite. */
    async saveBookmark(row: Omit<BookmarkRow, 'createdAt' | 'updatedAt'>, now: number): Promise<void> {
      await db
        .insertInto('subsonicBookmarks')
        .values({ ...row, createdAt: now, updatedAt: now })
        .onConflict((oc) => oc.columns(['userId', 'trackId']).doUpdateSet({ positionMs: row.positionMs, comment: row.comment, updatedAt: now }))
        .execute();
    },

    /** Resolves with whether there was a bookmark to delete. */
    async deleteBookmark(userId: string, trackId: string): Promise<boolean> {
      const result = await db.deleteFrom('subsonicBookmarks').where('userId', '=', userId).where('trackId', '=', trackId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async findPlayQueueSave(userId: string): Promise<PlayQueueSaveRow | undefined> {
      return db.selectFrom('subsonicPlayQueueSaves').selectAll().where('userId', '=', userId).executeTakeFirst();
    },

    async savePlayQueueSave(row: PlayQueueSaveRow): Promise<void> {
      await db
        .insertInto('subsonicPlayQueueSaves')
        .values(row)
        .onConflict((oc) => oc.column('userId').doUpdateSet({ client: row.client, revision: row.revision, savedAt: row.savedAt }))
        .execute();
    },
  };
}

export type SubsonicBookmarksRepository = ReturnType<typeof createSubsonicBookmarksRepository>;
