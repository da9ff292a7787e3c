import { visibilityConditions } from '../catalog/catalog-repository.js';
import { sql, type Expression, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Db } from '../db/database.js';
import type { CollectionItemType, Database, PlaysTable } from '../db/schema.js';
import { newId } from '../shared/ids.js';
import { appendLibraryEvents } from '../sync/library-events-repository.js';
import type { ListenBrainzListen } from './listenbrainz-client.js';
import { createListenBrainzRepository } from './listenbrainz-repository.js';

export type PlayRow = PlaysTable;

const ITEM_TYPES: CollectionItemType[] = ['track', 'album', 'artist'];

/** A favorite's sync change-log event; its sync id is `<itemType>:<itemId>`. */
function favoriteEvent(userId: string, itemType: CollectionItemType, itemId: string, op: 'upsert' | 'delete') {
  return { entityType: 'favorite' as const, entityId: `${itemType}:${itemId}`, op, libraryId: null, ownerUserId: userId };
}

/** Keyset position of the favorites listing (newest first). */
export interface FavoriteAfter {
  favoritedAt: number;
  itemType: CollectionItemType;
  itemId: string;
}

/** Keyset position of the history listing (newest first). */
export interface PlayAfter {
  playedAt: number;
  id: string;
}

/** A play-count ranking: `top` by count, then last play; `recent` by last play. Both descending, ties by id. */
export type Ranking =
  | { order: 'top'; after: { playCount: number; lastPlayedAt: number; id: string } | null }
  | { order: 'recent'; after: { lastPlayedAt: number; id: string } | null };

/** How often and when last an item was played. */
interface PlayCount {
  id: string;
  playCount: number;
  lastPlayedAt: number;
}

/** Which plays a count covers: those since `since` (epoch ms; all when null), of the items `ids` (all when null). */
interface PlayScope {
  since: number | null;
  ids: string[] | null;
}

/*
 * SQL for one user's collection: favorites, ratings and plays. Every read and write is scoped by `userId`, so other
 * users' rows do not exist here. Plays count towards a track; towards its album; and towards every artist credited
 * on it (any role) or album artist of its album — each play once per artist, however many ways it credits them.
 * Reads that list catalog items keep only those the caller may see (`visibilityConditions`, the catalog's rule).
 */
export function createCollectionRepository(db: Db) {
  const visible = visibilityConditions(db);

  /** A subquery that finds `itemId` (a column of the outer query) when the caller may see that item. */
  function visibleItem(type: CollectionItemType, libraryIds: string[], itemId: Expression<string>) {
    switch (type) {
      case 'track':
        return db.selectFrom('tracks as t').select('t.id').where('t.id', '=', itemId).where(visible.track(libraryIds));
      case 'album':
        return db.selectFrom('albums').select('albums.id').where('albums.id', '=', itemId).where(visible.album(libraryIds));
      case 'artist':
        return db.selectFrom('artists').select('artists.id').where('artists.id', '=', itemId).where(visible.artist(libraryIds));
    }
  }

  /**
   * Per item of `type`: `{id, playCount, lastPlayedAt}` over the user's plays in `scope`, as a query to run or to
   * nest. Its type forgets the tables inside, which differ per item type and matter to no caller.
   *
   * With `ids`, the items' tracks are found first and their plays looked up by (user, track) on the
   * `plays_user_track_time` unique index, so the cost follows the items' track counts, not the length of the user's
   * history (hydrating 20 artists of a search read every one of 3 000 plays: 25 ms). The joins to `plays` are
   * `cross join … where`: SQLite keeps the written order of a cross join, and without ANALYZE statistics it would
   * otherwise start from the user's plays; PostgreSQL plans a cross join with a join condition like an inner join.
   */
  function playCounts(userId: string, type: CollectionItemType, scope: PlayScope): SelectQueryBuilder<any, any, PlayCount> {
    const inScope = <Q extends SelectQueryBuilder<Database & { p: Database['plays'] }, 'p', any>>(query: Q): Q => {
      const mine = query.where('p.userId', '=', userId) as Q;
      return scope.since === null ? mine : (mine.where('p.playedAt', '>=', scope.since) as Q);
    };
    const ids = scope.ids;
    if (ids !== null) return playCountsOf(userId, ids, type, inScope);
    const plays = () => inScope(db.selectFrom('plays as p'));
    switch (type) {
      case 'track':
        return plays()
          .select((eb) => ['p.trackId as id', eb.fn.countAll<number>().as('playCount'), eb.fn.max('p.playedAt').as('lastPlayedAt')])
          .groupBy('p.trackId');
      case 'album':
        return plays()
          .innerJoin('tracks as t', 't.id', 'p.trackId')
          .where('t.albumId', 'is not', null)
          .select((eb) => ['t.albumId as id', eb.fn.countAll<number>().as('playCount'), eb.fn.max('p.playedAt').as('lastPlayedAt')])
          .groupBy('t.albumId')
          .$narrowType<{ id: string }>();
      case 'artist': {
        // `union` (not `union all`) keeps one row per (artist, play) however many credits link them.
        const credits = plays()
          .innerJoin('trackArtists as ta', 'ta.trackId', 'p.trackId')
          .select(['ta.artistId', 'p.id as playId', 'p.playedAt'])
          .union(
            plays()
              .innerJoin('tracks as t', 't.id', 'p.trackId')
              .innerJoin('albums as al', 'al.id', 't.albumId')
              .select(['al.albumArtistId as artistId', 'p.id as playId', 'p.playedAt']),
          );
        return db
          .selectFrom(credits.as('c'))
          .select((eb) => ['c.artistId as id', eb.fn.countAll<number>().as('playCount'), eb.fn.max('c.playedAt').as('lastPlayedAt')])
          .groupBy('c.artistId');
      }
    }
  }

  /**
   * `playCounts` of the items `ids`, starting from their tracks (see there). Each arm that lists the items' tracks
   * first asks whether the user has played anything at all (one index probe, evaluated once), so a user without a
   * history costs nothing rather than a walk over every track of the items.
   */
  function playCountsOf(
    userId: string,
    ids: string[],
    type: CollectionItemType,
    inScope: <Q extends SelectQueryBuilder<Database & { p: Database['plays'] }, 'p', any>>(query: Q) => Q,
  ): SelectQueryBuilder<any, any, PlayCount> {
    const hasPlayed = sql<SqlBool>`exists ${db.selectFrom('plays as q').select('q.id').where('q.userId', '=', userId)}`;
    switch (type) {
      case 'track':
        return inScope(db.selectFrom('plays as p'))
          .where('p.trackId', 'in', ids)
          .select((eb) => ['p.trackId as id', eb.fn.countAll<number>().as('playCount'), eb.fn.max('p.playedAt').as('lastPlayedAt')])
          .groupBy('p.trackId');
      case 'album':
        return inScope(db.selectFrom('tracks as t').crossJoin('plays as p'))
          .whereRef('p.trackId', '=', 't.id')
          .where('t.albumId', 'in', ids)
          .where(hasPlayed)
          .select((eb) => ['t.albumId as id', eb.fn.countAll<number>().as('playCount'), eb.fn.max('p.playedAt').as('lastPlayedAt')])
          .groupBy('t.albumId')
          .$narrowType<{ id: string }>();
      case 'artist': {
        // Each (artist, track) once however many credits link them, so each play counts once per artist.
        const tracks = db
          .selectFrom('trackArtists as ta')
          .select(['ta.artistId', 'ta.trackId'])
          .where('ta.artistId', 'in', ids)
          .where(hasPlayed)
          .union(
            db
              .selectFrom('albums as al')
              .innerJoin('tracks as t', 't.albumId', 'al.id')
              .select(['al.albumArtistId as artistId', 't.id as trackId'])
              .where('al.albumArtistId', 'in', ids)
              .where(hasPlayed),
          );
        return inScope(db.selectFrom(tracks.as('c')).crossJoin('plays as p'))
          .whereRef('p.trackId', '=', 'c.trackId')
          .select((eb) => ['c.artistId as id', eb.fn.countAll<number>().as('playCount'), eb.fn.max('p.playedAt').as('lastPlayedAt')])
          .groupBy('c.artistId');
      }
    }
  }

  return {
    /**
     * Marks the item as a favorite at `at`; a favorite keeps its first time. Resolves true when it was not one yet
     * (and only then appends its sync change-log event, in the same transaction).
     */
    async addFavorite(userId: string, itemType: CollectionItemType, itemId: string, at: number): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .insertInto('favorites')
          .values({ userId, itemType, itemId, favoritedAt: at })
          .onConflict((oc) => oc.columns(['userId', 'itemType', 'itemId']).doNothing())
          .executeTakeFirst();
        const added = Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
        if (added) await appendLibraryEvents(trx, [favoriteEvent(userId, itemType, itemId, 'upsert')], at);
        return added;
      });
    },

    /** Resolves true when the item was a favorite (its sync tombstone, timed `at`, is appended then). */
    async removeFavorite(userId: string, itemType: CollectionItemType, itemId: string, at: number): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .deleteFrom('favorites')
          .where('userId', '=', userId)
          .where('itemType', '=', itemType)
          .where('itemId', '=', itemId)
          .executeTakeFirst();
        const removed = Number(result.numDeletedRows) > 0;
        if (removed) await appendLibraryEvents(trx, [favoriteEvent(userId, itemType, itemId, 'delete')], at);
        return removed;
      });
    },

    /**
     * The user's favorites that they may still see (`type` only, when given), newest first, after `after`; at most
     * `limit` rows.
     */
    async listFavorites(userId: string, libraryIds: string[], type: CollectionItemType | null, after: FavoriteAfter | null, limit: number) {
      return db
        .selectFrom('favorites as f')
        .select(['f.itemType', 'f.itemId', 'f.favoritedAt'])
        .where('f.userId', '=', userId)
        .$if(type !== null, (q) => q.where('f.itemType', '=', type!))
        .where((eb) =>
          eb.or(
            ITEM_TYPES.map((itemType) =>
              eb.and([eb('f.itemType', '=', itemType), eb.exists(visibleItem(itemType, libraryIds, sql.ref<string>('f.itemId')))]),
            ),
          ),
        )
        .$if(after !== null, (q) =>
          q.where((eb) =>
            eb(eb.refTuple('f.favoritedAt', 'f.itemType', 'f.itemId'), '<', eb.tuple(after!.favoritedAt, after!.itemType, after!.itemId)),
          ),
        )
        .orderBy('f.favoritedAt', 'desc')
        .orderBy('f.itemType', 'desc')
        .orderBy('f.itemId', 'desc')
        .limit(limit)
        .execute();
    },

    /** The user's rating of the item (1–5), or undefined when unrated. */
    async findRating(userId: string, itemType: CollectionItemType, itemId: string): Promise<number | undefined> {
      const row = await db
        .selectFrom('ratings')
        .select('rating')
        .where('userId', '=', userId)
        .where('itemType', '=', itemType)
        .where('itemId', '=', itemId)
        .executeTakeFirst();
      return row?.rating;
    },

    async saveRating(userId: string, itemType: CollectionItemType, itemId: string, rating: number, at: number): Promise<void> {
      await db
        .insertInto('ratings')
        .values({ userId, itemType, itemId, rating, ratedAt: at })
        .onConflict((oc) => oc.columns(['userId', 'itemType', 'itemId']).doUpdateSet({ rating, ratedAt: at }))
        .execute();
    },

    async deleteRating(userId: string, itemType: CollectionItemType, itemId: string): Promise<void> {
      await db.deleteFrom('ratings').where('userId', '=', userId).where('itemType', '=', itemType).where('itemId', '=', itemId).execute();
    },

    /**
     * Records the play unless the same one (user, track, `playedAt`) is already recorded, and in the same
     * transaction queues `listen` for ListenBrainz when the user is connected. Resolves with the stored play (the
     * earlier one for a duplicate) and whether this call inserted it.
     */
    async insertPlay(play: PlayRow, listen: ListenBrainzListen): Promise<{ inserted: boolean; play: PlayRow }> {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .insertInto('plays')
          .values(play)
          .onConflict((oc) => oc.columns(['userId', 'trackId', 'playedAt']).doNothing())
          .executeTakeFirst();
        if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) {
          const existing = await trx
            .selectFrom('plays')
            .selectAll()
            .where('userId', '=', play.userId)
            .where('trackId', '=', play.trackId)
            .where('playedAt', '=', play.playedAt)
            .executeTakeFirstOrThrow();
          return { inserted: false, play: existing };
        }
        await createListenBrainzRepository(trx).enqueueIfConnected({
          id: newId(),
          userId: play.userId,
          playId: play.id,
          listen: JSON.stringify(listen),
          nextAttemptAt: play.recordedAt,
          createdAt: play.recordedAt,
        });
        return { inserted: true, play };
      });
    },

    /** The user's plays of tracks they may still see, newest first, after `after`; at most `limit` rows. */
    async listPlays(userId: string, libraryIds: string[], after: PlayAfter | null, limit: number): Promise<PlayRow[]> {
      return db
        .selectFrom('plays as p')
        .innerJoin('tracks as t', 't.id', 'p.trackId')
        .selectAll('p')
        .where('p.userId', '=', userId)
        .where(visible.track(libraryIds))
        .$if(after !== null, (q) => q.where((eb) => eb(eb.refTuple('p.playedAt', 'p.id'), '<', eb.tuple(after!.playedAt, after!.id))))
        .orderBy('p.playedAt', 'desc')
        .orderBy('p.id', 'desc')
        .limit(limit)
        .execute();
    },

    /**
     * Items of `type` the user played since `since` (all time when null) and may see, with the count and last time of
     * those plays, in the ranking's order after its position; at most `limit` rows.
     */
    async rank(userId: string, libraryIds: string[], type: CollectionItemType, since: number | null, ranking: Ranking, limit: number) {
      let ranked = db
        .selectFrom(playCounts(userId, type, { since, ids: null }).as('s'))
        .select(['s.id', 's.playCount', 's.lastPlayedAt'])
        .where((eb) => eb.exists(visibleItem(type, libraryIds, sql.ref<string>('s.id'))));
      if (ranking.order === 'top') {
        const { after } = ranking;
        if (after) {
          ranked = ranked.where((eb) =>
            eb(eb.refTuple('s.playCount', 's.lastPlayedAt', 's.id'), '<', eb.tuple(after.playCount, after.lastPlayedAt, after.id)),
          );
        }
        ranked = ranked.orderBy('s.playCount', 'desc');
      } else if (ranking.after) {
        const { after } = ranking;
        ranked = ranked.where((eb) => eb(eb.refTuple('s.lastPlayedAt', 's.id'), '<', eb.tuple(after.lastPlayedAt, after.id)));
      }
      const rows = await ranked.orderBy('s.lastPlayedAt', 'desc').orderBy('s.id', 'desc').limit(limit).execute();
      return rows.map((row) => ({ id: row.id, playCount: Number(row.playCount), lastPlayedAt: Number(row.lastPlayedAt) }));
    },

    /** The user's all-time plays, favorites and ratings of the items `ids` of `type`. Three queries however many ids. */
    async itemStats(userId: string, type: CollectionItemType, ids: string[]) {
      if (ids.length === 0) return { plays: [], favoriteIds: [], ratings: [] };
      const [plays, favorites, ratings] = await Promise.all([
        playCounts(userId, type, { since: null, ids }).execute(),
        db
          .selectFrom('favorites')
          .select('itemId')
          .where('userId', '=', userId)
          .where('itemType', '=', type)
          .where('itemId', 'in', ids)
          .execute(),
        db
          .selectFrom('ratings')
          .select(['itemId', 'rating'])
          .where('userId', '=', userId)
          .where('itemType', '=', type)
          .where('itemId', 'in', ids)
          .execute(),
      ]);
      return {
        plays: plays.map((row) => ({ id: row.id, playCount: Number(row.playCount), lastPlayedAt: Number(row.lastPlayedAt) })),
        favoriteIds: favorites.map((row) => row.itemId),
        ratings,
      };
    },
  };
}

export type CollectionRepository = ReturnType<typeof createCollectionRepository>;
