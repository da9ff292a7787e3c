import { sql, type ExpressionBuilder, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database, PlaylistFilesTable, PlaylistsTable, Role, TrackStatus } from '../db/schema.js';
import { appendLibraryEvents } from '../sync/library-events-repository.js';

/*
 * SQL of playlists. Positions are each item's 0-based index, dense and unique per playlist (a unique index holds
 * them to it). Every edit is one transaction that first bumps the playlist's revision — on PostgreSQL that row lock
 * queues concurrent edits of one playlist, SQLite runs one transaction at a time — so an edit sees the items as the
 * previous edit left them, and `expectedRevision` is compared with the revision it is about to replace.
 */

/** A playlist with its owner's name. */
export type PlaylistRow = PlaylistsTable & { ownerName: string };

/** A catalog track as playlist file matching sees it. */
export interface CandidateTrack {
  id: string;
  libraryId: string;
  path: string;
  status: TrackStatus;
  titleKey: string;
  artist: string;
  albumArtist: string;
  durationMs: number | null;
}

/** What an edit did: `done` with the new revision, or why nothing changed (the transaction was rolled back). */
export type EditOutcome<T> =
  | { kind: 'done'; revision: number; value: T }
  | { kind: 'conflict'; revision: number }
  | { kind: 'not_found' }
  | { kind: 'item_not_found' }
  | { kind: 'full' };

/** The sync change-log event of a playlist (its owner's devices resend it as it then is). */
function playlistEvent(id: string, ownerUserId: string, op: 'upsert' | 'delete') {
  return { entityType: 'playlist' as const, entityId: id, op, libraryId: null, ownerUserId };
}

/** Thrown inside an edit's transaction to roll it back with an outcome. */
class Rollback {
  constructor(readonly outcome: Exclude<EditOutcome<never>, { kind: 'done' }>) {}
}

/** Rows per statement when a list is sent as parameters: far below SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 500;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

// Every status, so a status added to `TrackStatus` fails to compile until it is listed here.
const STATUSES = Object.keys({ ok: true, missing: true, broken: true } satisfies Record<TrackStatus, true>) as TrackStatus[];

type ItemScope = ExpressionBuilder<Database & { i: Database['playlistItems']; t: Database['tracks'] }, 'i' | 't'>;

/** `t` is in one of the libraries; no library matches nothing (`in ()` is a syntax error on PostgreSQL). */
function inLibraries(eb: ItemScope, libraryIds: string[]) {
  return libraryIds.length === 0 ? eb.or([]) : eb('t.libraryId', 'in', libraryIds);
}

/** The item's track is playable and in one of the libraries. */
function isAvailable(eb: ItemScope, libraryIds: string[]) {
  return eb.and([eb('t.status', '=', 'ok'), inLibraries(eb, libraryIds)]);
}

const playlistColumns = [
  'p.id',
  'p.ownerUserId',
  'u.username as ownerName',
  'p.name',
  'p.nameKey',
  'p.description',
  'p.shared',
  'p.revision',
  'p.createdAt',
  'p.updatedAt',
  'p.rules',
] as const;

export function createPlaylistsRepository(db: Db) {
  function selectPlaylists() {
    return db.selectFrom('playlists as p').innerJoin('users as u', 'u.id', 'p.ownerUserId').select(playlistColumns);
  }

  /**
   * Runs `work` in a transaction after bumping the playlist's revision, if it is `expected` (any revision when
   * undefined). `work` may throw `Rollback` to undo everything.
   */
  async function edit<T>(
    playlistId: string,
    expected: number | undefined,
    now: number,
    work: (trx: Transaction<Database>) => Promise<T>,
  ): Promise<EditOutcome<T>> {
    try {
      return await db.transaction().execute(async (trx) => {
        let bump = trx
          .updateTable('playlists')
          .set((eb) => ({ revision: eb('revision', '+', 1), updatedAt: now }))
          .where('id', '=', playlistId);
        if (expected !== undefined) bump = bump.where('revision', '=', expected);
        const bumped = await bump.returning(['revision', 'ownerUserId']).executeTakeFirst();
        if (!bumped) {
          const current = await trx.selectFrom('playlists').select('revision').where('id', '=', playlistId).executeTakeFirst();
          throw new Rollback(current ? { kind: 'conflict', revision: current.revision } : { kind: 'not_found' });
        }
        const value = await work(trx);
        await appendLibraryEvents(trx, [playlistEvent(playlistId, bumped.ownerUserId, 'upsert')], now);
        return { kind: 'done' as const, revision: bumped.revision, value };
      });
    } catch (error) {
      if (error instanceof Rollback) return error.outcome;
      throw error;
    }
  }

  async function countItems(trx: Transaction<Database>, playlistId: string): Promise<number> {
    const row = await trx
      .selectFrom('playlistItems')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('playlistId', '=', playlistId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Adds `delta` to the positions in [from, to) (to the end when `to` is null). Both databases check a unique index
   * row by row, so `position + 1` could collide midway; the rows go through distinct negative values instead
   * (-1 - new position), then come back.
   */
  async function shift(trx: Transaction<Database>, playlistId: string, from: number, to: number | null, delta: number): Promise<void> {
    let away = trx
      .updateTable('playlistItems')
      .set({ position: sql<number>`${sql.lit(-1 - delta)} - ${sql.ref('position')}` })
      .where('playlistId', '=', playlistId)
      .where('position', '>=', from);
    if (to !== null) away = away.where('position', '<', to);
    await away.execute();
    await trx
      .updateTable('playlistItems')
      .set({ position: sql<number>`-1 - ${sql.ref('position')}` })
      .where('playlistId', '=', playlistId)
      .where('position', '<', 0)
      .execute();
  }

  async function insertItems(trx: Transaction<Database>, playlistId: string, items: { id: string; trackId: string }[], at: number, now: number) {
    for (const [n, chunk] of chunks(items).entries()) {
      await trx
        .insertInto('playlistItems')
        .values(chunk.map((item, i) => ({ id: item.id, playlistId, trackId: item.trackId, position: at + n * CHUNK + i, addedAt: now })))
        .execute();
    }
  }

  async function findItemPosition(trx: Transaction<Database>, playlistId: string, itemId: string): Promise<number> {
    const item = await trx.selectFrom('playlistItems').select('position').where('id', '=', itemId).where('playlistId', '=', playlistId).executeTakeFirst();
    if (!item) throw new Rollback({ kind: 'item_not_found' });
    return item.position;
  }

  return {
    async findPlaylist(id: string): Promise<PlaylistRow | undefined> {
      return selectPlaylists().where('p.id', '=', id).executeTakeFirst();
    },

    /**
     * Playlists `viewerId` owns, and shared ones none of whose tracks lie outside `libraryIds`, in `(nameKey, id)`
     * order after `after`; at most `limit` rows.
     */
    async listVisible(viewerId: string, libraryIds: string[], after: { nameKey: string; id: string } | null, limit: number): Promise<PlaylistRow[]> {
      let query = selectPlaylists().where((eb) =>
        eb.or([
          eb('p.ownerUserId', '=', viewerId),
          eb.and([
            eb('p.shared', '=', 1),
            eb.not(
              eb.exists(
                eb
                  .selectFrom('playlistItems as i')
                  .innerJoin('tracks as t', 't.id', 'i.trackId')
                  .select('i.id')
                  .whereRef('i.playlistId', '=', 'p.id')
                  .where((eb) => eb.not(inLibraries(eb, libraryIds))),
              ),
            ),
          ]),
        ]),
      );
      if (after) query = query.where((eb) => eb(eb.refTuple('p.nameKey', 'p.id'), '>', eb.tuple(after.nameKey, after.id)));
      return query.orderBy('p.nameKey').orderBy('p.id').limit(limit).execute();
    },

    /** Whether an item of the playlist has a track outside `libraryIds` (which hides a shared playlist). */
    async hasItemOutside(playlistId: string, libraryIds: string[]): Promise<boolean> {
      const row = await db
        .selectFrom('playlistItems as i')
        .innerJoin('tracks as t', 't.id', 'i.trackId')
        .select('i.id')
        .where('i.playlistId', '=', playlistId)
        .where((eb) => eb.not(inLibraries(eb, libraryIds)))
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    /** Per playlist (of those with items): items, available items (playable, in `libraryIds`) and their total ms. */
    async itemStats(playlistIds: string[], libraryIds: string[]) {
      if (playlistIds.length === 0) return [];
      return db
        .selectFrom('playlistItems as i')
        .innerJoin('tracks as t', 't.id', 'i.trackId')
        .select((eb) => [
          'i.playlistId',
          eb.fn.countAll<number>().as('itemCount'),
          eb.fn.sum<number>(eb.case().when(isAvailable(eb, libraryIds)).then(eb.lit(1)).else(eb.lit(0)).end()).as('availableCount'),
          eb.fn
            .sum<number>(eb.case().when(isAvailable(eb, libraryIds)).then(eb.fn.coalesce('t.durationMs', eb.lit(0))).else(eb.lit(0)).end())
            .as('durationMs'),
        ])
        .where('i.playlistId', 'in', playlistIds)
        .groupBy('i.playlistId')
        .execute();
    },

    /** Distinct artwork of the playlists' available items (the track's picture, else its album's), per playlist in item order. */
    async itemArtwork(playlistIds: string[], libraryIds: string[]) {
      if (playlistIds.length === 0) return [];
      const pictures = db
        .selectFrom('playlistItems as i')
        .innerJoin('tracks as t', 't.id', 'i.trackId')
        .leftJoin('albums as al', 'al.id', 't.albumId')
        .select((eb) => ['i.playlistId', 'i.position', eb.fn.coalesce('t.artworkId', 'al.artworkId').as('artworkId')])
        .where('i.playlistId', 'in', playlistIds)
        .where((eb) => isAvailable(eb, libraryIds));
      return db
        .selectFrom(pictures.as('a'))
        .select((eb) => ['a.playlistId', 'a.artworkId', eb.fn.min('a.position').as('first')])
        .where('a.artworkId', 'is not', null)
        .groupBy(['a.playlistId', 'a.artworkId'])
        .orderBy('a.playlistId')
        .orderBy('first')
        .$narrowType<{ artworkId: string }>()
        .execute();
    },

    /** Items after position `after` (from the start when null) with their track's status and library; at most `limit`. */
    async listItems(playlistId: string, after: number | null, limit: number) {
      let query = db
        .selectFrom('playlistItems as i')
        .innerJoin('tracks as t', 't.id', 'i.trackId')
        .select(['i.id', 'i.position', 'i.trackId', 'i.addedAt', 't.status', 't.libraryId'])
        .where('i.playlistId', '=', playlistId);
      if (after !== null) query = query.where('i.position', '>', after);
      return query.orderBy('i.position').limit(limit).execute();
    },

    /** Items with the given ids (added by one edit), in order. */
    async itemsByIds(playlistId: string, itemIds: string[]) {
      const rows = [];
      for (const ids of chunks(itemIds)) {
        rows.push(
          ...(await db
            .selectFrom('playlistItems as i')
            .innerJoin('tracks as t', 't.id', 'i.trackId')
            .select(['i.id', 'i.position', 'i.trackId', 'i.addedAt', 't.status', 't.libraryId'])
            .where('i.playlistId', '=', playlistId)
            .where('i.id', 'in', ids)
            .execute()),
        );
      }
      return rows.sort((a, b) => a.position - b.position);
    },

    /** Track ids of every item, in order. */
    async trackIdsOf(playlistId: string): Promise<string[]> {
      const rows = await db.selectFrom('playlistItems').select('trackId').where('playlistId', '=', playlistId).orderBy('position').execute();
      return rows.map((row) => row.trackId);
    },

    /** Track ids of the available items (playable, in `libraryIds`), in order. */
    async availableTrackIds(playlistId: string, libraryIds: string[]): Promise<string[]> {
      const rows = await db
        .selectFrom('playlistItems as i')
        .innerJoin('tracks as t', 't.id', 'i.trackId')
        .select('i.trackId')
        .where('i.playlistId', '=', playlistId)
        .where((eb) => isAvailable(eb, libraryIds))
        .orderBy('i.position')
        .execute();
      return rows.map((row) => row.trackId);
    },

    /** What an M3U line says about each of `trackIds` (a smart playlist's tracks), in the order of `trackIds`. */
    async exportTracks(trackIds: string[]) {
      const rows = [];
      for (const ids of chunks(trackIds)) {
        rows.push(...(await db.selectFrom('tracks').select(['id', 'path', 'artist', 'title', 'durationMs']).where('id', 'in', ids).execute()));
      }
      const byId = new Map(rows.map((row) => [row.id, row]));
      return trackIds.flatMap((id) => byId.get(id) ?? []);
    },

    /** The artwork of each of `trackIds` that has one: the track's picture, else its album's. */
    async trackArtwork(trackIds: string[]): Promise<Map<string, string>> {
      const artwork = new Map<string, string>();
      for (const ids of chunks([...new Set(trackIds)])) {
        const rows = await db
          .selectFrom('tracks as t')
          .leftJoin('albums as al', 'al.id', 't.albumId')
          .select((eb) => ['t.id', eb.fn.coalesce('t.artworkId', 'al.artworkId').as('artworkId')])
          .where('t.id', 'in', ids)
          .execute();
        for (const row of rows) if (row.artworkId !== null) artwork.set(row.id, row.artworkId);
      }
      return artwork;
    },

    /** Tracks of the items in `libraryIds` (any status) with what an M3U line says about them, in order. */
    async exportEntries(playlistId: string, libraryIds: string[]) {
      return db
        .selectFrom('playlistItems as i')
        .innerJoin('tracks as t', 't.id', 'i.trackId')
        .select(['t.path', 't.artist', 't.title', 't.durationMs'])
        .where('i.playlistId', '=', playlistId)
        .where((eb) => inLibraries(eb, libraryIds))
        .orderBy('i.position')
        .execute();
    },

    /** The ids among `trackIds` of tracks in `libraryIds` (any status). */
    async tracksInLibraries(libraryIds: string[], trackIds: string[]): Promise<string[]> {
      if (libraryIds.length === 0) return [];
      const found: string[] = [];
      for (const ids of chunks([...new Set(trackIds)])) {
        const rows = await db.selectFrom('tracks').select('id').where('id', 'in', ids).where('libraryId', 'in', libraryIds).execute();
        found.push(...rows.map((row) => row.id));
      }
      return found;
    },

    /** Tracks in `libraryIds` at any of the library-relative `paths`. */
    async tracksAtPaths(libraryIds: string[], paths: string[]): Promise<CandidateTrack[]> {
      if (libraryIds.length === 0) return [];
      const rows: CandidateTrack[] = [];
      for (const some of chunks(paths)) {
        rows.push(
          ...(await db
            .selectFrom('tracks')
            .select(['id', 'libraryId', 'path', 'status', 'titleKey', 'artist', 'albumArtist', 'durationMs'])
            .where('libraryId', 'in', libraryIds)
            .where('path', 'in', some)
            .execute()),
        );
      }
      return rows;
    },

    /** Tracks in `libraryIds` whose folded title is one of `titleKeys`. */
    async tracksWithTitleKeys(libraryIds: string[], titleKeys: string[]): Promise<CandidateTrack[]> {
      if (libraryIds.length === 0) return [];
      const rows: CandidateTrack[] = [];
      for (const keys of chunks(titleKeys)) {
        rows.push(
          ...(await db
            .selectFrom('tracks')
            .select(['id', 'libraryId', 'path', 'status', 'titleKey', 'artist', 'albumArtist', 'durationMs'])
            // Every status, spelled out, so the (status, title_key, id) index answers instead of a full scan.
            .where('status', 'in', STATUSES)
            .where('titleKey', 'in', keys)
            .where('libraryId', 'in', libraryIds)
            .execute()),
        );
      }
      return rows;
    },

    /** The role of an enabled user. */
    async roleOf(userId: string): Promise<Role | undefined> {
      const row = await db.selectFrom('users').select('role').where('id', '=', userId).where('disabled', '=', 0).executeTakeFirst();
      return row?.role;
    },

    /** The enabled admin created first: the owner of playlists imported by scans. */
    async firstAdminId(): Promise<string | undefined> {
      const row = await db
        .selectFrom('users')
        .select('id')
        .where('role', '=', 'admin')
        .where('disabled', '=', 0)
        .orderBy('createdAt')
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      return row?.id;
    },

    /** Absolute roots of the libraries. */
    async libraryRoots(libraryIds: string[]): Promise<{ id: string; rootPath: string }[]> {
      if (libraryIds.length === 0) return [];
      return db.selectFrom('libraries').select(['id', 'rootPath']).where('id', 'in', libraryIds).execute();
    },

    /** Music libraries (not users' uploads) with their absolute roots: where scans look for playlist files. */
    async musicLibraries(): Promise<{ id: string; rootPath: string }[]> {
      return db.selectFrom('libraries').select(['id', 'rootPath']).where('kind', '=', 'music').execute();
    },

    /** A new playlist with items for `trackIds` in order; `items` gives each item's id. */
    async createPlaylist(playlist: PlaylistsTable, items: { id: string; trackId: string }[]): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('playlists').values(playlist).execute();
        await insertItems(trx, playlist.id, items, 0, playlist.createdAt);
        await appendLibraryEvents(trx, [playlistEvent(playlist.id, playlist.ownerUserId, 'upsert')], playlist.createdAt);
      });
    },

    /** Changes name, description, sharing or a smart playlist's rules. */
    async updatePlaylist(
      playlistId: string,
      expected: number | undefined,
      changes: Partial<Pick<PlaylistsTable, 'name' | 'nameKey' | 'description' | 'shared' | 'rules'>>,
      now: number,
    ): Promise<EditOutcome<null>> {
      return edit(playlistId, expected, now, async (trx) => {
        if (Object.keys(changes).length > 0) await trx.updateTable('playlists').set(changes).where('id', '=', playlistId).execute();
        return null;
      });
    },

    /** Deletes the playlist (if at `expected`) and its items; `now` (epoch ms) times its change-log tombstone. */
    async deletePlaylist(
      playlistId: string,
      expected: number | undefined,
      now: number,
    ): Promise<'deleted' | Extract<EditOutcome<never>, { kind: 'conflict' | 'not_found' }>> {
      const deleted = await db.transaction().execute(async (trx) => {
        let query = trx.deleteFrom('playlists').where('id', '=', playlistId);
        if (expected !== undefined) query = query.where('revision', '=', expected);
        const row = await query.returning('ownerUserId').executeTakeFirst();
        if (row) await appendLibraryEvents(trx, [playlistEvent(playlistId, row.ownerUserId, 'delete')], now);
        return row !== undefined;
      });
      if (deleted) return 'deleted';
      const current = await db.selectFrom('playlists').select('revision').where('id', '=', playlistId).executeTakeFirst();
      return current ? { kind: 'conflict', revision: current.revision } : { kind: 'not_found' };
    },

    /**
     * Inserts `items` before position `position` (clamped; appended when null). `full` when the playlist would hold
     * more than `maxItems`. Resolves with the first new item's position.
     */
    async addItems(
      playlistId: string,
      expected: number | undefined,
      items: { id: string; trackId: string }[],
      position: number | null,
      maxItems: number,
      now: number,
    ): Promise<EditOutcome<number>> {
      return edit(playlistId, expected, now, async (trx) => {
        const count = await countItems(trx, playlistId);
        if (count + items.length > maxItems) throw new Rollback({ kind: 'full' });
        const at = position === null ? count : Math.min(position, count);
        await shift(trx, playlistId, at, null, items.length);
        await insertItems(trx, playlistId, items, at, now);
        return at;
      });
    },

    /** Removes one item; those after it move up. */
    async removeItem(playlistId: string, expected: number | undefined, itemId: string, now: number): Promise<EditOutcome<null>> {
      return edit(playlistId, expected, now, async (trx) => {
        const at = await findItemPosition(trx, playlistId, itemId);
        await trx.deleteFrom('playlistItems').where('id', '=', itemId).execute();
        await shift(trx, playlistId, at + 1, null, -1);
        return null;
      });
    },

    /**
     * Moves one item to `position` (clamped to the last) of the resulting order; the items between close up.
     * Resolves with the item's new position.
     */
    async moveItem(playlistId: string, expected: number | undefined, itemId: string, position: number, now: number): Promise<EditOutcome<number>> {
      return edit(playlistId, expected, now, async (trx) => {
        const from = await findItemPosition(trx, playlistId, itemId);
        const count = await countItems(trx, playlistId);
        const to = Math.min(position, count - 1);
        if (to !== from) {
          // Park the item past the end (a free position) while the others shift.
          await trx.updateTable('playlistItems').set({ position: count }).where('id', '=', itemId).execute();
          if (from < to) await shift(trx, playlistId, from + 1, to + 1, -1);
          else await shift(trx, playlistId, to, from, 1);
          await trx.updateTable('playlistItems').set({ position: to }).where('id', '=', itemId).execute();
        }
        return to;
      });
    },

    /** Replaces every item by new ones for `items`, in order. */
    async replaceItems(playlistId: string, items: { id: string; trackId: string }[], now: number): Promise<EditOutcome<null>> {
      return edit(playlistId, undefined, now, async (trx) => {
        await trx.deleteFrom('playlistItems').where('playlistId', '=', playlistId).execute();
        await insertItems(trx, playlistId, items, 0, now);
        return null;
      });
    },

    async findPlaylistFile(libraryId: string, path: string): Promise<PlaylistFilesTable | undefined> {
      return db.selectFrom('playlistFiles').selectAll().where('libraryId', '=', libraryId).where('path', '=', path).executeTakeFirst();
    },

    /** Records what the last import of a playlist file found. */
    async savePlaylistFile(row: PlaylistFilesTable): Promise<void> {
      await db
        .insertInto('playlistFiles')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['libraryId', 'path']).doUpdateSet({
            playlistId: row.playlistId,
            contentHash: row.contentHash,
            unmatched: row.unmatched,
            importedAt: row.importedAt,
          }),
        )
        .execute();
    },
  };
}

export type PlaylistsRepository = ReturnType<typeof createPlaylistsRepository>;
