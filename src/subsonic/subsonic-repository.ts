import { sql, type SelectQueryBuilder } from 'kysely';
import { visibilityConditions } from '../catalog/catalog-repository.js';
import type { Db } from '../db/database.js';
import type { CollectionItemType, Database } from '../db/schema.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { foldKey } from '../shared/text.js';
import { createPageContinuations } from './page-continuations.js';

/** `getAlbumList2` list types (Endpoints/getalbumlist2) this server answers. */
export const ALBUM_LIST_TYPES = [
  'random',
  'newest',
  'highest',
  'frequent',
  'recent',
  'alphabeticalByName',
  'alphabeticalByArtist',
  'starred',
  'byYear',
  'byGenre',
] as const;
export type AlbumListType = (typeof ALBUM_LIST_TYPES)[number];

export interface AlbumListRequest {
  type: AlbumListType;
  offset: number;
  size: number;
  fromYear?: number;
  toYear?: number;
  genre?: string;
}

export interface RandomSongsRequest {
  size: number;
  genre?: string;
  fromYear?: number;
  toYear?: number;
}

/** A folded substring pattern for `like`, with the wildcards of the query itself escaped (`\` is the escape). */
function containsPattern(query: string): string {
  return `%${foldKey(query).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The Subsonic listings the catalog has no query for: offset-paged and random orders, lists by the user's
 * favorites, ratings and plays, genre counts. Every query returns ids (or counts) only, filtered by the catalog's
 * own visibility rule (`visibilityConditions`); callers turn ids into objects through `CatalogService.*ByIds`, so
 * what an object looks like and who may see it stays decided in one place. Songs are playable (`ok`) tracks only:
 * Subsonic clients cannot do anything with a missing file.
 */
export function createSubsonicRepository(db: Db, clock: Clock = systemClock) {
  const visible = visibilityConditions(db);

  function songs(libraryIds: string[]) {
    return db.selectFrom('tracks as t').where(visible.track(libraryIds)).where('t.status', '=', 'ok');
  }

  function albums(libraryIds: string[]) {
    return db.selectFrom('albums').where(visible.album(libraryIds));
  }

  // A sync of 100k songs is 200 pages a few hundred ms apart; ten minutes covers a slow client's whole sync.
  const continuations = createPageContinuations({ max: 2_000, ttlMs: 10 * 60_000, now: () => clock.now() });

  /**
   * One offset page of ids ordered by `sortColumn` then `idColumn`, where `matchColumn` contains `query` (folded) when
   * it is not empty. Sequential pages continue from the previous page's last row (remembered per list) instead of
   * `OFFSET`, which scans every skipped row (see `createPageContinuations`).
   */
  async function pagedIds(
    kind: string,
    base: SelectQueryBuilder<Database, any, object>,
    columns: { id: string; sort: string; match: string },
    page: { libraryIds: string[]; query: string; offset: number; limit: number },
  ): Promise<string[]> {
    const { libraryIds, query, offset, limit } = page;
    const [id, sort] = [sql.ref(columns.id), sql.ref(columns.sort)];
    const list = `${kind}\n${[...libraryIds].sort().join(',')}\n${query}`;
    const after = offset > 0 ? continuations.find(list, offset) : undefined;
    let q = base.select([sql<string>`${id}`.as('id'), sql<string>`${sort}`.as('sortKey')]);
    if (query !== '') q = q.where(sql<boolean>`${sql.ref(columns.match)} like ${containsPattern(query)} escape '\\'`);
    q = after ? q.where(sql<boolean>`(${sort}, ${id}) > (${after.key}, ${after.id})`) : q.offset(offset);
    const rows = (await q.orderBy(sort).orderBy(id).limit(limit).execute()) as { id: string; sortKey: string }[];
    const last = rows.at(-1);
    if (last && rows.length === limit) continuations.remember(list, offset + rows.length, { key: last.sortKey, id: last.id });
    return rows.map((row) => row.id);
  }

  return {
    /** Song ids by title (then id), `offset`/`limit` paged; `query` (folded) must occur in the title when non-empty. */
    songIds(libraryIds: string[], query: string, offset: number, limit: number): Promise<string[]> {
      const columns = { id: 't.id', sort: 't.titleKey', match: 't.titleKey' };
      return pagedIds('song', songs(libraryIds), columns, { libraryIds, query, offset, limit });
    },

    /** Album ids by title, paged as `songIds`; `query` must occur in the title when non-empty. */
    albumIds(libraryIds: string[], query: string, offset: number, limit: number): Promise<string[]> {
      const columns = { id: 'albums.id', sort: 'albums.titleKey', match: 'albums.titleKey' };
      return pagedIds('album', albums(libraryIds), columns, { libraryIds, query, offset, limit });
    },

    /** Artist ids by sort name, paged as `songIds`; `query` must occur in the name when non-empty. */
    artistIds(libraryIds: string[], query: string, offset: number, limit: number): Promise<string[]> {
      const columns = { id: 'artists.id', sort: 'artists.sortName', match: 'artists.nameKey' };
      return pagedIds('artist', db.selectFrom('artists').where(visible.artist(libraryIds)), columns, { libraryIds, query, offset, limit });
    },

    /** Album ids of one `getAlbumList2` page for `userId`. */
    async albumList(libraryIds: string[], userId: string, request: AlbumListRequest): Promise<string[]> {
      const { offset, size } = request;
      const base = albums(libraryIds);
      let rows: { id: string }[];
      switch (request.type) {
        case 'newest':
          rows = await base.select('albums.id').orderBy('albums.createdAt', 'desc').orderBy('albums.id', 'desc').offset(offset).limit(size).execute();
          break;
        case 'alphabeticalByName':
          rows = await base.select('albums.id').orderBy('albums.titleKey').orderBy('albums.id').offset(offset).limit(size).execute();
          break;
        case 'alphabeticalByArtist':
          rows = await base
            .innerJoin('artists', 'artists.id', 'albums.albumArtistId')
            .select('albums.id')
            .orderBy('artists.sortName')
            .orderBy('albums.titleKey')
            .orderBy('albums.id')
            .offset(offset)
            .limit(size)
            .execute();
          break;
        case 'random':
          // Each request is a fresh draw: offset has no meaning for a random list (clients ask again for more).
          rows = await base.select('albums.id').orderBy(sql`random()`).limit(size).execute();
          break;
        case 'byYear': {
          const from = request.fromYear!;
          const to = request.toYear!;
          // Endpoints/getalbumlist2: "If fromYear > toYear a reverse chronological list is returned."
          const direction = from > to ? 'desc' : 'asc';
          rows = await base
            .select('albums.id')
            .where('albums.year', '>=', Math.min(from, to))
            .where('albums.year', '<=', Math.max(from, to))
            .orderBy('albums.year', direction)
            .orderBy('albums.titleKey')
            .orderBy('albums.id')
            .offset(offset)
            .limit(size)
            .execute();
          break;
        }
        case 'byGenre': {
          const genreKey = foldKey(request.genre!);
          rows = await base
            .select('albums.id')
            .where((eb) =>
              eb.exists(
                eb
                  .selectFrom('tracks as gt')
                  .innerJoin('trackGenres as tg', 'tg.trackId', 'gt.id')
                  .innerJoin('genres as g', 'g.id', 'tg.genreId')
                  .select('gt.id')
                  .whereRef('gt.albumId', '=', 'albums.id')
                  .where('gt.libraryId', 'in', libraryIds.length > 0 ? libraryIds : [''])
                  .where('g.nameKey', '=', genreKey),
              ),
            )
            .orderBy('albums.titleKey')
            .orderBy('albums.id')
            .offset(offset)
            .limit(size)
            .execute();
          break;
        }
        case 'starred':
          rows = await base
            .innerJoin('favorites as f', (join) => join.onRef('f.itemId', '=', 'albums.id').on('f.itemType', '=', 'album').on('f.userId', '=', userId))
            .select('albums.id')
            .orderBy('f.favoritedAt', 'desc')
            .orderBy('albums.id')
            .offset(offset)
            .limit(size)
            .execute();
          break;
        case 'highest':
          rows = await base
            .innerJoin('ratings as r', (join) => join.onRef('r.itemId', '=', 'albums.id').on('r.itemType', '=', 'album').on('r.userId', '=', userId))
            .select('albums.id')
            .orderBy('r.rating', 'desc')
            .orderBy('albums.titleKey')
            .orderBy('albums.id')
            .offset(offset)
            .limit(size)
            .execute();
          break;
        case 'frequent':
        case 'recent': {
          // The user's plays of the album's tracks: most plays first, or most recent play first.
          const played = db
            .selectFrom('plays as p')
            .innerJoin('tracks as pt', 'pt.id', 'p.trackId')
            .select((eb) => ['pt.albumId', eb.fn.countAll<number>().as('plays'), eb.fn.max('p.playedAt').as('lastPlayedAt')])
            .where('p.userId', '=', userId)
            .where('pt.albumId', 'is not', null)
            .groupBy('pt.albumId');
          const ranked = base.innerJoin(played.as('pl'), 'pl.albumId', 'albums.id').select('albums.id');
          rows = await (request.type === 'frequent'
            ? ranked.orderBy('pl.plays', 'desc').orderBy('pl.lastPlayedAt', 'desc')
            : ranked.orderBy('pl.lastPlayedAt', 'desc')
          )
            .orderBy('albums.id')
            .offset(offset)
            .limit(size)
            .execute();
          break;
        }
      }
      return rows.map((row) => row.id);
    },

    /** Up to `size` random song ids, optionally of a genre (folded name) and a year range (inclusive). */
    async randomSongIds(libraryIds: string[], request: RandomSongsRequest): Promise<string[]> {
      let q = songs(libraryIds).select('t.id');
      if (request.fromYear !== undefined) q = q.where('t.year', '>=', request.fromYear);
      if (request.toYear !== undefined) q = q.where('t.year', '<=', request.toYear);
      if (request.genre !== undefined) {
        const genreKey = foldKey(request.genre);
        q = q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('trackGenres as tg')
              .innerJoin('genres as g', 'g.id', 'tg.genreId')
              .select('tg.trackId')
              .whereRef('tg.trackId', '=', 't.id')
              .where('g.nameKey', '=', genreKey),
          ),
        );
      }
      const rows = await q.orderBy(sql`random()`).limit(request.size).execute();
      return rows.map((row) => row.id);
    },

    /** Genres with visible songs: name, song count, album count (Responses/genre), by name. */
    async genres(libraryIds: string[]) {
      const rows = await songs(libraryIds)
        .innerJoin('trackGenres as tg', 'tg.trackId', 't.id')
        .innerJoin('genres as g', 'g.id', 'tg.genreId')
        .select((eb) => [
          'g.name',
          eb.fn.count<number>('t.id').distinct().as('songCount'),
          eb.fn.count<number>('t.albumId').distinct().as('albumCount'),
        ])
        .groupBy(['g.id', 'g.name', 'g.nameKey'])
        .orderBy('g.nameKey')
        .execute();
      return rows.map((row) => ({ name: row.name, songCount: Number(row.songCount), albumCount: Number(row.albumCount) }));
    },

    /** When the user starred each of `ids` (of `type`); absent: not starred. */
    async starredAt(userId: string, type: CollectionItemType, ids: string[]): Promise<Map<string, number>> {
      if (ids.length === 0) return new Map();
      const rows = await db
        .selectFrom('favorites')
        .select(['itemId', 'favoritedAt'])
        .where('userId', '=', userId)
        .where('itemType', '=', type)
        .where('itemId', 'in', ids)
        .execute();
      return new Map(rows.map((row) => [row.itemId, Number(row.favoritedAt)]));
    },

    /** The libraries among `libraryIds` with their names, by name (`getMusicFolders`). */
    async librariesNamed(libraryIds: string[]) {
      if (libraryIds.length === 0) return [];
      return db.selectFrom('libraries').select(['id', 'name']).where('id', 'in', libraryIds).orderBy('name').orderBy('id').execute();
    },

    /** How many playable songs the libraries hold (`getScanStatus`'s `count` between scans). */
    async songCount(libraryIds: string[]): Promise<number> {
      const row = await songs(libraryIds).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirst();
      return Number(row?.count ?? 0);
    },
  };
}

export type SubsonicRepository = ReturnType<typeof createSubsonicRepository>;
