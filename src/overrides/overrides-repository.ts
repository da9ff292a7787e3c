import type { Kysely } from 'kysely';
import type { Db } from '../db/database.js';
import type { AlbumsTable, CatalogEditsTable, CatalogEditTracksTable, Database, TracksTable, TrackStatus } from '../db/schema.js';
import { albumRefreshUpdates } from '../library/scanner/album-refresh.js';
import { createLibraryRepository } from '../library/library-repository.js';
import { newId } from '../shared/ids.js';
import { artistSortKey, foldKey } from '../shared/text.js';
import { appendLibraryEvents, catalogEventsOfAlbums, catalogEventsOfTracks, type LibraryEvent } from '../sync/library-events-repository.js';
import { isOverrideField, type EditableTags, type OverrideField } from './fields.js';

/** A stored override: the value shown and the file's tags for the field (see `TrackOverridesTable`). */
export interface StoredOverride {
  field: OverrideField;
  value: unknown;
  fileValue: Partial<EditableTags>;
}

/** A credited artist or genre of a track, in credit order. */
export interface NamedRef {
  id: string;
  name: string;
}

/** Everything an edit needs to know about a track: where its file is, what the catalog shows, its overrides. */
export interface TrackState {
  id: string;
  libraryId: string;
  /** Library root (absolute) and the track's path below it. */
  rootPath: string;
  path: string;
  status: TrackStatus;
  albumId: string | null;
  codec: string | null;
  container: string | null;
  columns: Pick<TracksTable, 'title' | 'artist' | 'albumArtist' | 'trackNumber' | 'discNumber' | 'year' | 'date' | 'compilation' | 'bpm' | 'musicalKey' | 'mbReleaseId'>;
  albumTitle: string | null;
  artists: NamedRef[];
  albumArtists: NamedRef[];
  genres: NamedRef[];
  overrides: StoredOverride[];
}

/** An album row as the regrouping sees it. */
export type AlbumGroupRow = Pick<AlbumsTable, 'id' | 'groupKey' | 'title' | 'albumArtistId' | 'albumArtistName'>;

/** One row of an edit listing; `oldValue`/`newValue` are JSON (a track's own values in a track's listing). */
export interface EditRow {
  id: string;
  scope: 'track' | 'album';
  subjectId: string;
  field: string;
  oldValue: string;
  newValue: string;
  userId: string | null;
  username: string | null;
  at: number;
  revertsEditId: string | null;
  trackCount: number;
}

/** Ids per `IN (…)` list. */
const IN_CHUNK = 500;

function chunks<T>(items: T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The statements an edit runs inside its transaction. */
function editQueries(q: Kysely<Database>) {
  return {
    async loadTracks(ids: string[]): Promise<TrackState[]> {
      if (ids.length === 0) return [];
      const rows = await q
        .selectFrom('tracks as t')
        .innerJoin('libraries as l', 'l.id', 't.libraryId')
        .leftJoin('albums as a', 'a.id', 't.albumId')
        .select([
          't.id', 't.libraryId', 'l.rootPath', 't.path', 't.status', 't.albumId', 't.codec', 't.container', 't.title', 't.artist',
          't.albumArtist', 't.trackNumber', 't.discNumber', 't.year', 't.date', 't.compilation', 't.bpm', 't.musicalKey',
          't.mbReleaseId', 'a.title as albumTitle',
        ])
        .where('t.id', 'in', ids)
        .execute();
      const [credits, genres, overrides] = await Promise.all([
        q
          .selectFrom('trackArtists as ta')
          .innerJoin('artists as ar', 'ar.id', 'ta.artistId')
          .select(['ta.trackId', 'ta.role', 'ar.id', 'ar.name'])
          .where('ta.trackId', 'in', ids)
          .orderBy('ta.position')
          .execute(),
        q
          .selectFrom('trackGenres as tg')
          .innerJoin('genres as g', 'g.id', 'tg.genreId')
          .select(['tg.trackId', 'g.id', 'g.name'])
          .where('tg.trackId', 'in', ids)
          .orderBy('tg.position')
          .execute(),
        q.selectFrom('trackOverrides').select(['trackId', 'field', 'value', 'fileValue']).where('trackId', 'in', ids).execute(),
      ]);
      return rows.map(({ id, libraryId, rootPath, path, status, albumId, codec, container, albumTitle, ...columns }) => ({
        id,
        libraryId,
        rootPath,
        path,
        status,
        albumId,
        codec,
        container,
        albumTitle,
        columns,
        artists: credits.filter((c) => c.trackId === id && c.role === 'artist').map((c) => ({ id: c.id, name: c.name })),
        albumArtists: credits.filter((c) => c.trackId === id && c.role === 'album_artist').map((c) => ({ id: c.id, name: c.name })),
        genres: genres.filter((g) => g.trackId === id).map((g) => ({ id: g.id, name: g.name })),
        overrides: overrides.flatMap((o) =>
          o.trackId === id && isOverrideField(o.field)
            ? [{ field: o.field, value: JSON.parse(o.value) as unknown, fileValue: JSON.parse(o.fileValue) as Partial<EditableTags> }]
            : [],
        ),
      }));
    },

    /** Ids of the album's tracks (any status) in the given libraries. */
    async albumTrackIds(albumId: string, libraryIds: string[]): Promise<string[]> {
      if (libraryIds.length === 0) return [];
      const rows = await q.selectFrom('tracks').select('id').where('albumId', '=', albumId).where('libraryId', 'in', libraryIds).execute();
      return rows.map((r) => r.id);
    },

    async albumsByIds(ids: string[]): Promise<AlbumGroupRow[]> {
      const out: AlbumGroupRow[] = [];
      for (const list of chunks(ids)) {
        out.push(...(await q.selectFrom('albums').select(['id', 'groupKey', 'title', 'albumArtistId', 'albumArtistName']).where('id', 'in', list).execute()));
      }
      return out;
    },

    /** Tracks of any status per album (an album with none left is deleted). */
    async albumTrackCounts(ids: string[]): Promise<Map<string, number>> {
      const counts = new Map<string, number>();
      for (const list of chunks(ids)) {
        const rows = await q
          .selectFrom('tracks')
          .select((eb) => ['albumId', eb.fn.countAll<number>().as('n')])
          .where('albumId', 'in', list)
          .groupBy('albumId')
          .execute();
        for (const row of rows) if (row.albumId) counts.set(row.albumId, Number(row.n));
      }
      return counts;
    },

    async albumIdsByKeys(groupKeys: string[]): Promise<Map<string, string>> {
      const out = new Map<string, string>();
      for (const list of chunks(groupKeys)) {
        for (const row of await q.selectFrom('albums').select(['id', 'groupKey']).where('groupKey', 'in', list).execute()) out.set(row.groupKey, row.id);
      }
      return out;
    },

    async insertAlbum(row: AlbumsTable): Promise<void> {
      await q.insertInto('albums').values(row).execute();
    },

    async updateAlbum(id: string, fields: Partial<AlbumsTable>): Promise<void> {
      await q.updateTable('albums').set(fields).where('id', '=', id).execute();
    },

    /**
     * Artist ids by folded name, creating artists the catalog does not know (display name and sort key as the
     * scanner makes them). Returns the ids and the created ones.
     */
    async ensureArtists(names: string[], now: number): Promise<{ ids: Map<string, string>; created: string[] }> {
      const byKey = new Map(names.map((name) => [foldKey(name), name]));
      const ids = new Map<string, string>();
      for (const keys of chunks([...byKey.keys()])) {
        for (const row of await q.selectFrom('artists').select(['id', 'nameKey']).where('nameKey', 'in', keys).execute()) ids.set(row.nameKey, row.id);
      }
      const created: string[] = [];
      for (const [nameKey, name] of byKey) {
        if (ids.has(nameKey)) continue;
        const id = newId();
        await q.insertInto('artists').values({ id, name, nameKey, sortName: artistSortKey(name), mbid: null, createdAt: now }).execute();
        ids.set(nameKey, id);
        created.push(id);
      }
      return { ids, created };
    },

    /** Genre ids by folded name, creating unknown genres. */
    async ensureGenres(names: string[]): Promise<Map<string, string>> {
      const byKey = new Map(names.map((name) => [foldKey(name), name]));
      const ids = new Map<string, string>();
      for (const keys of chunks([...byKey.keys()])) {
        for (const row of await q.selectFrom('genres').select(['id', 'nameKey']).where('nameKey', 'in', keys).execute()) ids.set(row.nameKey, row.id);
      }
      for (const [nameKey, name] of byKey) {
        if (ids.has(nameKey)) continue;
        const id = newId();
        await q.insertInto('genres').values({ id, name, nameKey }).execute();
        ids.set(nameKey, id);
      }
      return ids;
    },

    /** Writes a track's columns and replaces its artist and genre links. */
    async rewriteTrack(
      id: string,
      fields: Partial<TracksTable>,
      links: { artists: { artistId: string; role: 'artist' | 'album_artist'; position: number }[]; genreIds: string[] },
    ): Promise<void> {
      await q.updateTable('tracks').set(fields).where('id', '=', id).execute();
      await q.deleteFrom('trackArtists').where('trackId', '=', id).execute();
      await q.deleteFrom('trackGenres').where('trackId', '=', id).execute();
      if (links.artists.length) await q.insertInto('trackArtists').values(links.artists.map((l) => ({ trackId: id, ...l }))).execute();
      if (links.genreIds.length) {
        await q.insertInto('trackGenres').values(links.genreIds.map((genreId, position) => ({ trackId: id, genreId, position }))).execute();
      }
    },

    /** Stores an override; a changed value of an existing one keeps the file value it was stored with. */
    async setOverride(trackId: string, field: OverrideField, value: unknown, fileValue: Partial<EditableTags>, now: number): Promise<void> {
      await q
        .insertInto('trackOverrides')
        .values({ trackId, field, value: JSON.stringify(value), fileValue: JSON.stringify(fileValue), updatedAt: now })
        .onConflict((oc) => oc.columns(['trackId', 'field']).doUpdateSet({ value: JSON.stringify(value), updatedAt: now }))
        .execute();
    },

    async deleteOverride(trackId: string, field: OverrideField): Promise<void> {
      await q.deleteFrom('trackOverrides').where('trackId', '=', trackId).where('field', '=', field).execute();
    },

    async insertEdit(edit: CatalogEditsTable, tracks: CatalogEditTracksTable[]): Promise<void> {
      await q.insertInto('catalogEdits').values(edit).execute();
      for (const rows of chunks(tracks, 200)) await q.insertInto('catalogEditTracks').values(rows).execute();
    },

    /** Deletes those of the albums no track (of any status) belongs to any more; returns their ids. */
    async deleteEmptyAlbums(ids: string[]): Promise<string[]> {
      const deleted: string[] = [];
      for (const list of chunks(ids)) {
        const empty = await q
          .selectFrom('albums')
          .select('id')
          .where('id', 'in', list)
          .where(({ not, exists, selectFrom }) => not(exists(selectFrom('tracks').select('tracks.id').whereRef('tracks.albumId', '=', 'albums.id'))))
          .execute();
        if (empty.length === 0) continue;
        await q.deleteFrom('albums').where('id', 'in', empty.map((r) => r.id)).execute();
        deleted.push(...empty.map((r) => r.id));
      }
      return deleted;
    },

    /** Deletes those of the artists no track credits and no album names as album artist; returns their ids. */
    async deleteUnusedArtists(ids: string[]): Promise<string[]> {
      const deleted: string[] = [];
      for (const list of chunks(ids)) {
        const unused = await q
          .selectFrom('artists')
          .select('id')
          .where('id', 'in', list)
          .where(({ not, exists, selectFrom, and }) =>
            and([
              not(exists(selectFrom('trackArtists').select('trackArtists.trackId').whereRef('trackArtists.artistId', '=', 'artists.id'))),
              not(exists(selectFrom('albums').select('albums.id').whereRef('albums.albumArtistId', '=', 'artists.id'))),
            ]),
          )
          .execute();
        if (unused.length === 0) continue;
        await q.deleteFrom('artists').where('id', 'in', unused.map((r) => r.id)).execute();
        deleted.push(...unused.map((r) => r.id));
      }
      return deleted;
    },

    async deleteUnusedGenres(ids: string[]): Promise<void> {
      for (const list of chunks(ids)) {
        await q
          .deleteFrom('genres')
          .where('id', 'in', list)
          .where(({ not, exists, selectFrom }) => not(exists(selectFrom('trackGenres').select('trackGenres.trackId').whereRef('trackGenres.genreId', '=', 'genres.id'))))
          .execute();
      }
    },

    /** Sync change-log events of the tracks and albums as they are now (see `src/sync/library-events-repository.ts`). */
    async catalogEvents(trackIds: string[], albumIds: string[]): Promise<LibraryEvent[]> {
      return [...(await catalogEventsOfTracks(q, trackIds)), ...(await catalogEventsOfAlbums(q, albumIds))];
    },

    /** Appends to the sync change log; the last statement of an edit's transaction. */
    async appendEvents(events: LibraryEvent[], now: number): Promise<void> {
      await appendLibraryEvents(q, events, now);
    },

    /** Recomputes the albums' cover, year and compilation flag from their tracks as the scanner does; returns the changed ids. */
    async refreshAlbums(ids: string[], now: number): Promise<string[]> {
      if (ids.length === 0) return [];
      const library = createLibraryRepository(q);
      const [facts, albums] = await Promise.all([library.albumTrackFacts(ids), library.albumsById(ids)]);
      const updates = albumRefreshUpdates(albums, facts, now);
      for (const update of updates) await q.updateTable('albums').set(update.fields).where('id', '=', update.id).execute();
      return updates.map((u) => u.id);
    },
  };
}

export type EditQueries = ReturnType<typeof editQueries>;

/** Keyset position of an edit listing (newest first). */
export interface EditAfter {
  at: number;
  id: string;
}

/** SQL of catalog edits: overrides, regrouping writes and the edit history. The same statements on SQLite and PostgreSQL. */
export function createOverridesRepository(db: Db) {
  const listEdits = (after: EditAfter | null, limit: number) => {
    let query = db
      .selectFrom('catalogEdits as e')
      .leftJoin('users as u', 'u.id', 'e.userId')
      .select((eb) => [
        'e.id', 'e.scope', 'e.subjectId', 'e.field', 'e.userId', 'u.username', 'e.at', 'e.revertsEditId',
        eb.selectFrom('catalogEditTracks as c').select((c) => c.fn.countAll<number>().as('n')).whereRef('c.editId', '=', 'e.id').as('trackCount'),
      ])
      .orderBy('e.at', 'desc')
      .orderBy('e.id', 'desc')
      .limit(limit);
    if (after) query = query.where((eb) => eb.or([eb('e.at', '<', after.at), eb.and([eb('e.at', '=', after.at), eb('e.id', '<', after.id)])]));
    return query;
  };
  const toRow = <R extends { at: number; trackCount: number | null }>(row: R) => ({ ...row, at: Number(row.at), trackCount: Number(row.trackCount ?? 0) });

  return {
    /** Runs `work` in one transaction: every write of an edit lands together or not at all. */
    transaction<T>(work: (q: EditQueries) => Promise<T>): Promise<T> {
      return db.transaction().execute((trx) => work(editQueries(trx)));
    },

    loadTracks: (ids: string[]) => editQueries(db).loadTracks(ids),
    albumTrackIds: (albumId: string, libraryIds: string[]) => editQueries(db).albumTrackIds(albumId, libraryIds),

    /** Edits that changed the track (its own and its albums'), newest first, with the track's own old and new values. */
    async trackEdits(trackId: string, after: EditAfter | null, limit: number): Promise<EditRow[]> {
      const rows = await listEdits(after, limit)
        .innerJoin('catalogEditTracks as mine', 'mine.editId', 'e.id')
        .select(['mine.oldValue', 'mine.newValue'])
        .where('mine.trackId', '=', trackId)
        .execute();
      return rows.map(toRow);
    },

    /** Edits made on the album, newest first, with the album's old and new values. */
    async albumEdits(albumId: string, after: EditAfter | null, limit: number): Promise<EditRow[]> {
      const rows = await listEdits(after, limit)
        .select(['e.oldValue', 'e.newValue'])
        .where('e.scope', '=', 'album')
        .where('e.subjectId', '=', albumId)
        .execute();
      return rows.map(toRow);
    },

    /** An edit and each track's old and new value. */
    async findEdit(id: string): Promise<{ edit: CatalogEditsTable; tracks: CatalogEditTracksTable[] } | null> {
      const edit = await db.selectFrom('catalogEdits').selectAll().where('id', '=', id).executeTakeFirst();
      if (!edit) return null;
      const tracks = await db.selectFrom('catalogEditTracks').selectAll().where('editId', '=', id).execute();
      return { edit: { ...edit, at: Number(edit.at) }, tracks };
    },

    /** Ids of tracks in `libraryIds` among `ids` (an edit's tracks the caller may still see). */
    async visibleTrackIds(ids: string[], libraryIds: string[]): Promise<string[]> {
      if (ids.length === 0 || libraryIds.length === 0) return [];
      const out: string[] = [];
      for (const list of chunks(ids)) {
        const rows = await db.selectFrom('tracks').select('id').where('id', 'in', list).where('libraryId', 'in', libraryIds).execute();
        out.push(...rows.map((r) => r.id));
      }
      return out;
    },
  };
}

export type OverridesRepository = ReturnType<typeof createOverridesRepository>;
