import type { Viewer } from '../catalog/catalog-service.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { DEFAULT_LIMIT, decodeCursor, toPage, type Page } from '../shared/pagination.js';
import type { SearchRequest } from './search-service.js';

/** What a saved search keeps: the `GET /search` query parameters without paging (`types` comma-separated, as sent). */
export type SavedSearchParams = Omit<SearchRequest, 'limit' | 'cursor' | 'types'> & { types?: string };

/** `{id, name, search, createdAt}`; `search` holds the parameters to send to `GET /search` again. */
export interface SavedSearch {
  id: string;
  name: string;
  search: SavedSearchParams;
  createdAt: number;
}

/** A user's saved searches: create, list by name (keyset on name, id), delete. Others' ids answer 404. */
export function createSavedSearches(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  const toSaved = (row: { id: string; name: string; search: string; createdAt: number }): SavedSearch => ({
    id: row.id,
    name: row.name,
    search: JSON.parse(row.search) as SavedSearchParams,
    createdAt: Number(row.createdAt),
  });

  return {
    async create(viewer: Viewer, input: { name: string; search: SavedSearchParams }): Promise<SavedSearch> {
      const row = { id: newId(), userId: viewer.id, name: input.name, search: JSON.stringify(input.search), createdAt: clock.now() };
      await db.insertInto('savedSearches').values(row).execute();
      return toSaved(row);
    },

    /** The caller's saved searches by name. Errors: `invalid_cursor`. */
    async list(viewer: Viewer, request: { limit?: number; cursor?: string }): Promise<Page<SavedSearch>> {
      const limit = request.limit ?? DEFAULT_LIMIT;
      const after = request.cursor === undefined ? null : decodeCursor(request.cursor, 'saved-searches');
      if (after && (after.values.length !== 1 || typeof after.values[0] !== 'string')) throw new AppError('invalid_cursor');
      const rows = await db
        .selectFrom('savedSearches')
        .select(['id', 'name', 'search', 'createdAt'])
        .where('userId', '=', viewer.id)
        .$if(after !== null, (q) => q.where((eb) => eb(eb.refTuple('name', 'id'), '>', eb.tuple(after!.values[0] as string, after!.id))))
        .orderBy('name')
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, 'saved-searches', (row) => [row.name], toSaved);
    },

    /** Errors: `saved_search_not_found` (unknown, or another user's). */
    async remove(viewer: Viewer, id: string): Promise<void> {
      // Ids are hex (`newId`); anything else cannot exist, and PostgreSQL would reject some strings (NUL) with an error.
      if (!/^[0-9a-f]{1,128}$/i.test(id)) throw new AppError('saved_search_not_found');
      const result = await db.deleteFrom('savedSearches').where('id', '=', id).where('userId', '=', viewer.id).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw new AppError('saved_search_not_found');
    },
  };
}

export type SavedSearches = ReturnType<typeof createSavedSearches>;
