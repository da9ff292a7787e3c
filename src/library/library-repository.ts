import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { parseOverrideRows, type OverriddenTrack } from '../overrides/fields.js';
import {
  appendLibraryEvents,
  catalogDeletes,
  catalogEventsOfAlbums,
  catalogEventsOfTracks,
  librariesOf,
} from '../sync/library-events-repository.js';
import type {
  AlbumsTable,
  ArtistsTable,
  ArtworksTable,
  GenresTable,
  TrackArtistsTable,
  TrackDuplicatesTable,
  TrackGenresTable,
  TracksTable,
  TrackStatus,
} from '../db/schema.js';

export interface LibraryRow {
  id: string;
  name: string;
  rootPath: string;
}

/** What the reconciliation needs to know about a catalogued file: enough to decide "unchanged" from a stat. */
export interface KnownTrack {
  id: string;
  path: string;
  status: TrackStatus;
  brokenReason: string | null;
  size: number;
  mtimeMs: number;
  albumId: string | null;
}

/** A catalogued track a new file may be a move or a copy of. */
export interface FingerprintMatch extends KnownTrack {
  libraryId: string;
  contentHash: string | null;
  fingerprint: string;
}

export type KnownDuplicate = TrackDuplicatesTable;

/** A track's artist and genre links, replaced as a whole when its tags change. */
export interface TrackLinks {
  artists: TrackArtistsTable[];
  genres: TrackGenresTable[];
}

/** Everything one batch of scanned files writes, applied in one transaction so a crash leaves all or nothing. */
export interface ScanBatch {
  artworks: ArtworksTable[];
  artists: ArtistsTable[];
  albums: AlbumsTable[];
  genres: GenresTable[];
  inserts: { track: TracksTable; links: TrackLinks }[];
  /** `links` given: the track's artist/genre links are replaced. */
  updates: { id: string; fields: Partial<TracksTable>; links?: TrackLinks }[];
  duplicates: TrackDuplicatesTable[];
  removedDuplicates: { libraryId: string; path: string }[];
  /** Updated tracks with catalog edits: their edited columns win over `updates`' file values (see `src/overrides`). */
  overridden: OverriddenTrack[];
}

export function emptyBatch(): ScanBatch {
  return { artworks: [], artists: [], albums: [], genres: [], inserts: [], updates: [], duplicates: [], removedDuplicates: [], overridden: [] };
}

export function batchIsEmpty(batch: ScanBatch): boolean {
  return Object.values(batch).every((list: unknown[]) => list.length === 0);
}

/** The fields of an album the artwork/grouping refresh recomputes from its tracks. */
export interface AlbumTrackFacts {
  albumId: string;
  artworkId: string | null;
  discNumber: number | null;
  trackNumber: number | null;
  path: string;
  year: number | null;
  compilation: number;
}

/** Loaded for every catalogued file of a scanned folder: kept to what the per-file decision needs. */
const KNOWN_TRACK_COLUMNS = ['id', 'path', 'status', 'brokenReason', 'size', 'mtimeMs', 'albumId'] as const;
const FINGERPRINT_MATCH_COLUMNS = [...KNOWN_TRACK_COLUMNS, 'libraryId', 'contentHash', 'fingerprint'] as const;

/** Rows per multi-row INSERT: ~50 columns × 200 stays under SQLite's 32,766 bound parameters. */
const INSERT_CHUNK = 200;
/** Ids per `IN (…)` list. */
const IN_CHUNK = 500;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A condition "path lies under `dir`" that is the same SQL on SQLite and PostgreSQL (no LIKE escaping). */
function underDir(dir: string) {
  const prefix = `${dir}/`;
  return sql<boolean>`substr(path, 1, ${prefix.length}) = ${prefix}`;
}

/** SQL for the scanner: libraries, tracks and their links, albums/artists/genres, artworks, scans, hashing. */
export function createLibraryRepository(db: Db) {
  return {
    async listLibraries(): Promise<LibraryRow[]> {
      return db.selectFrom('libraries').select(['id', 'name', 'rootPath']).execute();
    },

    async insertLibrary(row: LibraryRow & { createdAt: number }): Promise<void> {
      await db.insertInto('libraries').values(row).onConflict((oc) => oc.column('rootPath').doNothing()).execute();
    },

    /** Tracks of a library (any status) whose path lies under `dir` ('' = the whole library). */
    async tracksUnder(libraryId: string, dir: string): Promise<KnownTrack[]> {
      let query = db
        .selectFrom('tracks')
        .select(KNOWN_TRACK_COLUMNS)
        .where('libraryId', '=', libraryId);
      if (dir !== '') query = query.where(underDir(dir));
      return query.execute();
    },

    async duplicatesUnder(libraryId: string, dir: string): Promise<KnownDuplicate[]> {
      let query = db.selectFrom('trackDuplicates').selectAll().where('libraryId', '=', libraryId);
      if (dir !== '') query = query.where(underDir(dir));
      return query.execute();
    },

    async duplicatesOf(trackIds: string[]): Promise<KnownDuplicate[]> {
      const out: KnownDuplicate[] = [];
      for (const ids of chunks(trackIds, IN_CHUNK)) {
        out.push(...(await db.selectFrom('trackDuplicates').selectAll().where('trackId', 'in', ids).execute()));
      }
      return out;
    },

    async tracksByFingerprint(fingerprints: string[]): Promise<FingerprintMatch[]> {
      const out: FingerprintMatch[] = [];
      for (const list of chunks(fingerprints, IN_CHUNK)) {
        out.push(
          ...(await db
            .selectFrom('tracks')
            .select(FINGERPRINT_MATCH_COLUMNS)
            .where('fingerprint', 'in', list)
            .where('status', '!=', 'broken')
            .execute()),
        );
      }
      return out;
    },

    /** Keys the scanner matches names on, loaded once per scan. */
    async catalogKeys() {
      const [artists, albums, genres, artworks, overrides] = await Promise.all([
        db.selectFrom('artists').select(['id', 'nameKey']).execute(),
        db.selectFrom('albums').select(['id', 'groupKey']).execute(),
        db.selectFrom('genres').select(['id', 'nameKey']).execute(),
        db.selectFrom('artworks').select('id').execute(),
        db.selectFrom('trackOverrides').select(['trackId', 'field', 'value']).execute(),
      ]);
      return {
        artists: new Map(artists.map((a) => [a.nameKey, a.id])),
        albums: new Map(albums.map((a) => [a.groupKey, a.id])),
        genres: new Map(genres.map((g) => [g.nameKey, g.id])),
        artworks: new Set(artworks.map((a) => a.id)),
        overrides: parseOverrideRows(overrides),
      };
    },

    /**
     * Applies the batch in one transaction, with its sync change-log events (`now`, epoch ms). Resolves with the ids
     * of the libraries whose viewers the change concerns.
     */
    async applyBatch(batch: ScanBatch, now: number): Promise<string[]> {
      return db.transaction().execute(async (trx) => {
        const updatedIds = batch.updates.map((u) => u.id);
        const before = updatedIds.length > 0 ? await catalogEventsOfTracks(trx, updatedIds) : [];
        for (const rows of chunks(batch.artworks, INSERT_CHUNK)) {
          await trx.insertInto('artworks').values(rows).onConflict((oc) => oc.column('id').doNothing()).execute();
        }
        for (const rows of chunks(batch.artists, INSERT_CHUNK)) await trx.insertInto('artists').values(rows).execute();
        for (const rows of chunks(batch.albums, INSERT_CHUNK)) await trx.insertInto('albums').values(rows).execute();
        for (const rows of chunks(batch.genres, INSERT_CHUNK)) await trx.insertInto('genres').values(rows).execute();
        for (const key of batch.removedDuplicates) {
          await trx.deleteFrom('trackDuplicates').where('libraryId', '=', key.libraryId).where('path', '=', key.path).execute();
        }
        const overridden = new Map(batch.overridden.map((o) => [o.trackId, o.columns]));
        for (const update of batch.updates) {
          await trx.updateTable('tracks').set({ ...update.fields, ...overridden.get(update.id) }).where('id', '=', update.id).execute();
          if (update.links) {
            await trx.deleteFrom('trackArtists').where('trackId', '=', update.id).execute();
            await trx.deleteFrom('trackGenres').where('trackId', '=', update.id).execute();
          }
        }
        for (const rows of chunks(batch.inserts, INSERT_CHUNK)) {
          await trx.insertInto('tracks').values(rows.map((r) => r.track)).execute();
        }
        const links = [...batch.inserts.map((i) => i.links), ...batch.updates.flatMap((u) => (u.links ? [u.links] : []))];
        const artistLinks = links.flatMap((l) => l.artists);
        const genreLinks = links.flatMap((l) => l.genres);
        for (const rows of chunks(artistLinks, INSERT_CHUNK * 2)) await trx.insertInto('trackArtists').values(rows).execute();
        for (const rows of chunks(genreLinks, INSERT_CHUNK * 3)) await trx.insertInto('trackGenres').values(rows).execute();
        // The file changed under the overrides: what it says now is what reverting an override restores.
        for (const { trackId, fileValues } of batch.overridden) {
          for (const { field, fileValue } of fileValues) {
            await trx.updateTable('trackOverrides').set({ fileValue }).where('trackId', '=', trackId).where('field', '=', field).execute();
          }
        }
        for (const rows of chunks(batch.duplicates, INSERT_CHUNK)) {
          await trx
            .insertInto('trackDuplicates')
            .values(rows)
            .onConflict((oc) =>
              oc.columns(['libraryId', 'path']).doUpdateSet((eb) => ({
                trackId: eb.ref('excluded.trackId'),
                size: eb.ref('excluded.size'),
                mtimeMs: eb.ref('excluded.mtimeMs'),
              })),
            )
            .execute();
        }
        const touched = [...batch.inserts.map((i) => i.track.id), ...updatedIds];
        const events = [...before, ...(touched.length > 0 ? await catalogEventsOfTracks(trx, touched) : [])];
        await appendLibraryEvents(trx, events, now);
        return librariesOf(events);
      });
    },

    /** Marks tracks missing, with their change-log events; resolves with the libraries concerned. */
    async markMissing(ids: string[], now: number): Promise<string[]> {
      return db.transaction().execute(async (trx) => {
        for (const list of chunks(ids, IN_CHUNK)) {
          await trx.updateTable('tracks').set({ status: 'missing', missingSince: now, updatedAt: now }).where('id', 'in', list).execute();
        }
        const events = await catalogEventsOfTracks(trx, ids);
        await appendLibraryEvents(trx, events, now);
        return librariesOf(events);
      });
    },

    /** Facts of the tracks of `albumIds` (every album when null), for the album refresh. */
    async albumTrackFacts(albumIds: string[] | null): Promise<AlbumTrackFacts[]> {
      const base = () =>
        db
          .selectFrom('tracks')
          .select(['albumId', 'artworkId', 'discNumber', 'trackNumber', 'path', 'year', 'compilation'])
          .where('status', '=', 'ok')
          .where('albumId', 'is not', null);
      if (albumIds === null) return (await base().execute()) as AlbumTrackFacts[];
      const out: AlbumTrackFacts[] = [];
      for (const ids of chunks(albumIds, IN_CHUNK)) out.push(...((await base().where('albumId', 'in', ids).execute()) as AlbumTrackFacts[]));
      return out;
    },

    async albumsById(albumIds: string[] | null) {
      const base = () => db.selectFrom('albums').select(['id', 'artworkId', 'year', 'compilation']);
      if (albumIds === null) return base().execute();
      const out: { id: string; artworkId: string | null; year: number | null; compilation: number }[] = [];
      for (const ids of chunks(albumIds, IN_CHUNK)) out.push(...(await base().where('id', 'in', ids).execute()));
      return out;
    },

    /** Writes album fields, with their change-log events; resolves with the libraries concerned. */
    async updateAlbums(updates: { id: string; fields: Partial<AlbumsTable> }[], now: number): Promise<string[]> {
      if (updates.length === 0) return [];
      return db.transaction().execute(async (trx) => {
        const ids = updates.map((u) => u.id);
        // Before too: a cover the album no longer shows may stop being visible.
        const before = await catalogEventsOfAlbums(trx, ids);
        for (const update of updates) await trx.updateTable('albums').set(update.fields).where('id', '=', update.id).execute();
        const events = [...before, ...(await catalogEventsOfAlbums(trx, ids))];
        await appendLibraryEvents(trx, events, now);
        return librariesOf(events);
      });
    },

    /**
     * Deletes albums no track (of any status) belongs to any more, then artists no album or track credits, then
     * unused genres. Returns the deleted album and artist ids. Their change-log tombstones go to the viewers of
     * `libraryIds` (the libraries whose tracks left them: an orphan has no track left to tell).
     */
    async deleteOrphans(libraryIds: string[], now: number): Promise<{ albums: string[]; artists: string[] }> {
      return db.transaction().execute(async (trx) => {
        const albums = (
          await trx
            .selectFrom('albums')
            .select('id')
            .where(({ not, exists, selectFrom }) =>
              not(exists(selectFrom('tracks').select('tracks.id').whereRef('tracks.albumId', '=', 'albums.id'))),
            )
            .execute()
        ).map((r) => r.id);
        for (const ids of chunks(albums, IN_CHUNK)) await trx.deleteFrom('albums').where('id', 'in', ids).execute();
        const artists = (
          await trx
            .selectFrom('artists')
            .select('id')
            .where(({ not, exists, selectFrom, and }) =>
              and([
                not(exists(selectFrom('trackArtists').select('trackArtists.trackId').whereRef('trackArtists.artistId', '=', 'artists.id'))),
                not(exists(selectFrom('albums').select('albums.id').whereRef('albums.albumArtistId', '=', 'artists.id'))),
              ]),
            )
            .execute()
        ).map((r) => r.id);
        for (const ids of chunks(artists, IN_CHUNK)) await trx.deleteFrom('artists').where('id', 'in', ids).execute();
        await trx
          .deleteFrom('genres')
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('trackGenres').select('trackGenres.trackId').whereRef('trackGenres.genreId', '=', 'genres.id'))),
          )
          .execute();
        await appendLibraryEvents(trx, [...catalogDeletes('album', albums, libraryIds), ...catalogDeletes('artist', artists, libraryIds)], now);
        return { albums, artists };
      });
    },

    async insertScan(id: string, startedAt: number): Promise<void> {
      await db.insertInto('scans').values({ id, startedAt, finishedAt: null, state: 'running', summary: null }).execute();
    },

    /** Records the summary and closes every scan left `running`, including ones interrupted by a crash. */
    async finishScan(id: string, finishedAt: number, summary: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('scans').set({ state: 'finished', finishedAt, summary }).where('id', '=', id).execute();
        await trx.updateTable('scans').set({ state: 'finished', finishedAt }).where('state', '=', 'running').execute();
      });
    },

    /** True when a scan was started and never finished (the process died during it). */
    async hasUnfinishedScan(exceptId?: string): Promise<boolean> {
      let query = db.selectFrom('scans').select('id').where('state', '=', 'running');
      if (exceptId) query = query.where('id', '!=', exceptId);
      return (await query.limit(1).executeTakeFirst()) !== undefined;
    },

    async latestScanSummary(): Promise<string | null> {
      const row = await db
        .selectFrom('scans')
        .select('summary')
        .where('state', '=', 'finished')
        .where('summary', 'is not', null)
        .orderBy('startedAt', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row?.summary ?? null;
    },

    /** `ok` tracks still without a content hash, in id order after `afterId`. */
    async unhashedTracks(limit: number, afterId: string) {
      return db
        .selectFrom('tracks')
        .innerJoin('libraries', 'libraries.id', 'tracks.libraryId')
        .select(['tracks.id', 'tracks.path', 'tracks.size', 'tracks.mtimeMs', 'libraries.rootPath'])
        .where('tracks.status', '=', 'ok')
        .where('tracks.contentHash', 'is', null)
        .where('tracks.id', '>', afterId)
        .orderBy('tracks.id')
        .limit(limit)
        .execute();
    },

    async countUnhashed(): Promise<number> {
      const row = await db
        .selectFrom('tracks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'ok')
        .where('contentHash', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /**
     * Stores a content hash only if the track still has the size and mtime that were hashed, with its change-log
     * event (sync clients wait for the SHA-256 before downloading). Resolves with the track's library when stored.
     */
    async setContentHash(id: string, contentHash: string, size: number, mtimeMs: number, now: number): Promise<string | null> {
      return db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('tracks')
          .set({ contentHash })
          .where('id', '=', id)
          .where('size', '=', size)
          .where('mtimeMs', '=', mtimeMs)
          .returning('libraryId')
          .executeTakeFirst();
        if (!updated) return null;
        await appendLibraryEvents(trx, [{ entityType: 'track', entityId: id, op: 'upsert', libraryId: updated.libraryId, ownerUserId: null }], now);
        return updated.libraryId;
      });
    },
  };
}

export type LibraryRepository = ReturnType<typeof createLibraryRepository>;
