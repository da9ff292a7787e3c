import { SqliteAdapter, sql, type ExpressionBuilder } from 'kysely';
import { libraryCondition, visibilityConditions } from '../catalog/catalog-repository.js';
import type { Db } from '../db/database.js';
import type { CollectionItemType, Database, SyncEntityType } from '../db/schema.js';
import { advanceLibraryEventLog } from './library-events-repository.js';

/*
 * Reads of the sync API. What a user may see is the catalog's rule (`visibilityConditions`) narrowed to what can be
 * synced: a track is sent while it is playable (`ok`) in one of the user's libraries, an album or artist while such a
 * track makes it visible, a cover while such a track or album shows it. Playlists and favorites are the user's own
 * (favorites and playlist items are sent whatever their item's visibility: they are the user's records, not the
 * catalog's). Every page is a keyset over the entity's id, so rows written between two pages are neither skipped
 * nor repeated; the changes read after the snapshot catches up with them.
 */

/** A log row as the changes read needs it. */
export interface LogRow {
  seq: number;
  entityType: SyncEntityType;
  entityId: string;
}

export interface TrackRow {
  id: string;
  title: string;
  albumId: string | null;
  albumTitle: string | null;
  albumArtist: string;
  artistName: string;
  discNumber: number | null;
  trackNumber: number | null;
  durationMs: number | null;
  size: number;
  sha256: string | null;
  codec: string | null;
  path: string;
  artworkId: string | null;
}

export interface AlbumRow {
  id: string;
  title: string;
  albumArtistId: string;
  albumArtist: string;
  year: number | null;
  compilation: number;
  artworkId: string | null;
}

export interface ArtistRow {
  id: string;
  name: string;
  sortName: string;
  mbid: string | null;
}

export interface ArtworkRow {
  id: string;
  mime: string;
  width: number | null;
  height: number | null;
  size: number;
}

export interface PlaylistRow {
  id: string;
  name: string;
  description: string;
  shared: number;
  revision: number;
  createdAt: number;
  updatedAt: number;
  trackIds: string[];
}

export interface FavoriteRow {
  itemType: CollectionItemType;
  itemId: string;
  favoritedAt: number;
}

/** Where a reader stands: `lastSeq` is the committed counter, a safe upper bound for reads (see the append). */
export interface LogState {
  lastSeq: number;
  compactedSeq: number;
}

/** The rows of one entity type whose id is in `ids` (fetch) or after `after` in id order (page). */
export type EntitySelection = { ids: string[] } | { after: string; limit: number };

/** Ids per `IN (…)` list. */
const IN_CHUNK = 500;

function chunks<T>(items: T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

type TracksScope = ExpressionBuilder<Database & { t: Database['tracks'] }, 't'>;

export function createSyncRepository(db: Db) {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const inLibraries = libraryCondition(db);
  const visibility = visibilityConditions(db);

  /**
   * A playable track in one of the libraries. On SQLite the status term is kept from choosing the
   * `(status, title_key, id)` index (unary `+`), so pages in id order walk the primary key instead of sorting every
   * playable track for each page (see `libraryCondition` for the same on the library term).
   */
  const syncableTrack = (libraryIds: string[]) => (eb: TracksScope) =>
    eb.and([eb(sqlite ? sql<string>`+${eb.ref('t.status')}` : eb.ref('t.status'), '=', 'ok'), inLibraries(libraryIds)(eb)]);

  /** Runs `select` for each chunk of `ids`, or once for a page. */
  async function select<R>(selection: EntitySelection, run: (narrow: { ids?: string[]; after?: string; limit?: number }) => Promise<R[]>): Promise<R[]> {
    if ('after' in selection) return run({ after: selection.after, limit: selection.limit });
    const out: R[] = [];
    for (const ids of chunks(selection.ids)) out.push(...(await run({ ids })));
    return out;
  }

  return {
    async logState(): Promise<LogState> {
      const row = await db.selectFrom('libraryEventLog').select(['lastSeq', 'compactedSeq']).where('id', '=', 1).executeTakeFirstOrThrow();
      return { lastSeq: Number(row.lastSeq), compactedSeq: Number(row.compactedSeq) };
    },

    /**
     * Log rows in `(afterSeq, upToSeq]` that concern the user (a catalog row of one of `libraryIds`, or a row they
     * own), in `seq` order, at most `limit`.
     */
    async logRows(afterSeq: number, upToSeq: number, libraryIds: string[], userId: string, limit: number): Promise<LogRow[]> {
      const rows = await db
        .selectFrom('libraryEvents')
        .select(['seq', 'entityType', 'entityId'])
        .where('seq', '>', afterSeq)
        .where('seq', '<=', upToSeq)
        .where((eb) => eb.or([...(libraryIds.length > 0 ? [eb('libraryId', 'in', libraryIds)] : []), eb('ownerUserId', '=', userId)]))
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map((row) => ({ ...row, seq: Number(row.seq) }));
    },

    async tracks(libraryIds: string[], selection: EntitySelection): Promise<TrackRow[]> {
      return select(selection, async ({ ids, after, limit }) => {
        let query = db
          .selectFrom('tracks as t')
          .leftJoin('albums as al', 'al.id', 't.albumId')
          .select((eb) => [
            't.id',
            't.title',
            't.albumId',
            'al.title as albumTitle',
            eb.fn.coalesce('al.albumArtistName', 't.albumArtist').as('albumArtist'),
            't.artist as artistName',
            't.discNumber',
            't.trackNumber',
            't.durationMs',
            't.size',
            't.contentHash as sha256',
            't.codec',
            't.path',
            eb.fn.coalesce('t.artworkId', 'al.artworkId').as('artworkId'),
          ])
          .where(syncableTrack(libraryIds));
        if (ids) query = query.where('t.id', 'in', ids);
        if (after !== undefined) query = query.where('t.id', '>', after).orderBy('t.id').limit(limit!);
        return (await query.execute()).map((row) => ({ ...row, size: Number(row.size) }));
      });
    },

    async albums(libraryIds: string[], selection: EntitySelection): Promise<AlbumRow[]> {
      return select(selection, async ({ ids, after, limit }) => {
        let query = db
          .selectFrom('albums')
          .select(['albums.id', 'albums.title', 'albums.albumArtistId', 'albums.albumArtistName as albumArtist', 'albums.year', 'albums.compilation', 'albums.artworkId'])
          .where(visibility.album(libraryIds));
        if (ids) query = query.where('albums.id', 'in', ids);
        if (after !== undefined) query = query.where('albums.id', '>', after).orderBy('albums.id').limit(limit!);
        return query.execute();
      });
    },

    async artists(libraryIds: string[], selection: EntitySelection): Promise<ArtistRow[]> {
      return select(selection, async ({ ids, after, limit }) => {
        let query = db.selectFrom('artists').select(['artists.id', 'artists.name', 'artists.sortName', 'artists.mbid']).where(visibility.artist(libraryIds));
        if (ids) query = query.where('artists.id', 'in', ids);
        if (after !== undefined) query = query.where('artists.id', '>', after).orderBy('artists.id').limit(limit!);
        return query.execute();
      });
    },

    async artworks(libraryIds: string[], selection: EntitySelection): Promise<ArtworkRow[]> {
      const shownByTrack = syncableTrack(libraryIds);
      const albumVisible = visibility.album(libraryIds);
      return select(selection, async ({ ids, after, limit }) => {
        let query = db
          .selectFrom('artworks as aw')
          .select(['aw.id', 'aw.mime', 'aw.width', 'aw.height', 'aw.size'])
          .where((eb) =>
            eb.or([
              eb.exists(eb.selectFrom('tracks as t').select('t.id').whereRef('t.artworkId', '=', 'aw.id').where(shownByTrack)),
              eb.exists(eb.selectFrom('albums').select('albums.id').whereRef('albums.artworkId', '=', 'aw.id').where(albumVisible)),
            ]),
          );
        if (ids) query = query.where('aw.id', 'in', ids);
        if (after !== undefined) query = query.where('aw.id', '>', after).orderBy('aw.id').limit(limit!);
        return (await query.execute()).map((row) => ({ ...row, size: Number(row.size) }));
      });
    },

    /** The user's own playlists with their items' track ids in playlist order. */
    async playlists(userId: string, selection: EntitySelection): Promise<PlaylistRow[]> {
      const playlists = await select(selection, async ({ ids, after, limit }) => {
        let query = db
          .selectFrom('playlists')
          .select(['id', 'name', 'description', 'shared', 'revision', 'createdAt', 'updatedAt'])
          .where('ownerUserId', '=', userId);
        if (ids) query = query.where('id', 'in', ids);
        if (after !== undefined) query = query.where('id', '>', after).orderBy('id').limit(limit!);
        return query.execute();
      });
      const items = new Map<string, string[]>();
      for (const ids of chunks(playlists.map((p) => p.id))) {
        const rows = await db
          .selectFrom('playlistItems')
          .select(['playlistId', 'trackId'])
          .where('playlistId', 'in', ids)
          .orderBy('playlistId')
          .orderBy('position')
          .execute();
        for (const row of rows) {
          const list = items.get(row.playlistId) ?? [];
          list.push(row.trackId);
          items.set(row.playlistId, list);
        }
      }
      return playlists.map((p) => ({ ...p, createdAt: Number(p.createdAt), updatedAt: Number(p.updatedAt), trackIds: items.get(p.id) ?? [] }));
    },

    /** The user's favorites; a favorite's sync id is `<itemType>:<itemId>`, and pages follow that key. */
    async favorites(userId: string, selection: EntitySelection): Promise<FavoriteRow[]> {
      const rows = await select(selection, async ({ ids, after, limit }) => {
        let query = db.selectFrom('favorites').select(['itemType', 'itemId', 'favoritedAt']).where('userId', '=', userId);
        if (ids) {
          const wanted = ids.map((id) => id.split(':')).filter((parts) => parts.length === 2);
          if (wanted.length === 0) return [];
          query = query.where((eb) => eb.or(wanted.map(([type, id]) => eb.and([eb('itemType', '=', type as CollectionItemType), eb('itemId', '=', id)]))));
        }
        if (after !== undefined) {
          // Keyset on (itemType, itemId): the same order as the key, since types hold no ':' and ids are hex.
          const [type = '', id = ''] = after.split(':');
          query = query
            .where((eb) => eb.or([eb('itemType', '>', type as CollectionItemType), eb.and([eb('itemType', '=', type as CollectionItemType), eb('itemId', '>', id)])]))
            .orderBy('itemType')
            .orderBy('itemId')
            .limit(limit!);
        }
        return query.execute();
      });
      return rows.map((row) => ({ ...row, favoritedAt: Number(row.favoritedAt) }));
    },

    async deviceOwner(deviceId: string): Promise<{ id: string; userId: string } | undefined> {
      return db.selectFrom('devices').select(['id', 'userId']).where('id', '=', deviceId).executeTakeFirst();
    },

    async deviceResetSeq(deviceId: string): Promise<number> {
      const row = await db.selectFrom('syncDevices').select('resetSeq').where('deviceId', '=', deviceId).executeTakeFirst();
      return Number(row?.resetSeq ?? 0);
    },

    /** The user's devices with their sync state, oldest first. */
    async devices(userId: string) {
      const rows = await db
        .selectFrom('devices as d')
        .leftJoin('syncDevices as s', 's.deviceId', 'd.id')
        .select(['d.id', 'd.name', 'd.platform', 's.ackedCursor', 's.ackedSeq', 's.ackedAt', 's.resetSeq', 's.resetAt'])
        .where('d.userId', '=', userId)
        .orderBy('d.createdAt')
        .orderBy('d.id')
        .execute();
      return rows.map((row) => ({
        ...row,
        ackedSeq: row.ackedSeq === null ? null : Number(row.ackedSeq),
        ackedAt: row.ackedAt === null ? null : Number(row.ackedAt),
        resetSeq: Number(row.resetSeq ?? 0),
        resetAt: row.resetAt === null ? null : Number(row.resetAt),
      }));
    },

    async saveAck(deviceId: string, userId: string, cursor: string, seq: number, at: number): Promise<void> {
      await db
        .insertInto('syncDevices')
        .values({ deviceId, userId, ackedCursor: cursor, ackedSeq: seq, ackedAt: at, resetSeq: 0, resetAt: null })
        .onConflict((oc) => oc.column('deviceId').doUpdateSet({ ackedCursor: cursor, ackedSeq: seq, ackedAt: at }))
        .execute();
    },

    /**
     * Forces the device to bootstrap again: its reset point becomes a fresh log position (the counter moved past
     * every position handed out so far), so every cursor it holds is before it. Returns that position.
     */
    async resetDevice(deviceId: string, userId: string, at: number): Promise<number> {
      return db.transaction().execute(async (trx) => {
        // The counter is bumped first here: the only other row this transaction writes is the device's own, which
        // no appender of the log ever locks, so holding the counter meanwhile cannot deadlock.
        const resetSeq = await advanceLibraryEventLog(trx);
        await trx
          .insertInto('syncDevices')
          .values({ deviceId, userId, ackedCursor: null, ackedSeq: null, ackedAt: null, resetSeq, resetAt: at })
          .onConflict((oc) => oc.column('deviceId').doUpdateSet({ resetSeq, resetAt: at }))
          .execute();
        return resetSeq;
      });
    },

    /**
     * Deletes the log rows written before `cutoff` (epoch ms) and records the highest deleted `seq` as the
     * compaction point. Returns the number of rows deleted.
     */
    async compact(cutoff: number): Promise<number> {
      return db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('libraryEvents').select((eb) => eb.fn.max('seq').as('seq')).where('at', '<', cutoff).executeTakeFirst();
        const through = row?.seq === null || row?.seq === undefined ? null : Number(row.seq);
        if (through === null) return 0;
        const deleted = await trx.deleteFrom('libraryEvents').where('seq', '<=', through).executeTakeFirst();
        await trx
          .updateTable('libraryEventLog')
          .set((eb) => ({ compactedSeq: sql<number>`case when ${eb.ref('compactedSeq')} > ${through} then ${eb.ref('compactedSeq')} else ${through} end` }))
          .where('id', '=', 1)
          .execute();
        return Number(deleted.numDeletedRows);
      });
    },
  };
}

export type SyncRepository = ReturnType<typeof createSyncRepository>;
