import { SqliteAdapter, sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database, TrackArtistsTable, TrackStatus } from '../db/schema.js';
import type { TrackStatusFilter } from './schemas.js';

/*
 * Every read that finds tracks takes `libraryIds`, the caller's visible libraries
 * (`LibraryAccessRepository.visibleLibraryIds`), and sees only tracks in them (`trackArtists` and `trackGenres`
 * only describe tracks already found). Albums and artists have no library of their own: they are visible through
 * tracks. Only playable (`ok`) tracks in those libraries make an artist or an album visible and count towards it,
 * so a library whose files went missing shows no empty albums, and an artist shared by two libraries shows only the
 * albums and tracks of the one the caller may see. Every listing orders by its sort key(s) plus `id` and pages with
 * a keyset `(keys…, id) > (after…)`, so rows tying on the sort key are neither skipped nor repeated. Sort keys are
 * byte-ordered on both databases.
 */

/** Keyset position after which an artist listing continues. */
export interface ArtistAfter {
  sortName: string;
  id: string;
}

/** An album listing: its sort and the keyset position (values of that sort's keys) after which it continues. */
export type AlbumListing =
  | { sort: 'name'; after: { titleKey: string; id: string } | null }
  | { sort: 'artist'; after: { sortName: string; titleKey: string; id: string } | null }
  | { sort: 'year'; after: { year: number | null; titleKey: string; id: string } | null }
  | { sort: 'recent'; after: { createdAt: number; id: string } | null };

/** Keyset position after which a track listing continues. */
export interface TrackAfter {
  titleKey: string;
  id: string;
}

// A record over every status, so a status added to `TrackStatus` fails to compile until it is classified here.
const PLAYABLE: Record<TrackStatus, boolean> = { ok: true, missing: false, broken: false };
const UNPLAYABLE = (Object.keys(PLAYABLE) as TrackStatus[]).filter((status) => !PLAYABLE[status]);

type TracksScope = ExpressionBuilder<Database & { t: Database['tracks'] }, 't'>;

/**
 * `t.status = 'ok'` for lookups that start from albums or artists, written as "none of the other statuses" on
 * purpose. Without ANALYZE statistics (SQLite never gathers them by itself) SQLite answers an equality from the
 * `(status, title_key, id)` index, reading every playable track of the library for each album or artist instead of
 * the few found through the album or artist index: seconds per page for 50 000 tracks. `not in` cannot use that
 * index, and PostgreSQL still estimates it from its column statistics (an opaque expression would make it guess
 * and hash the whole table). Listings by status (`listTracks`) keep the equality, which is what that index is for.
 */
function isPlayable(eb: TracksScope) {
  return eb('t.status', 'not in', UNPLAYABLE);
}

type AlbumsScope = ExpressionBuilder<Database, 'albums'>;
type ArtistsScope = ExpressionBuilder<Database, 'artists'>;

/** A condition on `t`, the `tracks` row in scope. */
export type TrackCondition = (eb: TracksScope) => Expression<SqlBool>;

/**
 * `t.library_id in (libraryIds)`, for `db`'s dialect. It must only filter rows already found through the album,
 * artist, artwork or status indexes. Without ANALYZE statistics SQLite rates `library_id = ?` on the
 * `(library_id, path)` unique index as selective as any other lookup, and would answer an album's or artist's
 * tracks by reading every track of the library (seconds per page for 50 000 tracks); the unary `+` is SQLite's
 * documented way to keep a term from driving an index. PostgreSQL has no such operator on text and plans from its
 * column statistics, so it gets the plain column. No library matches no row (`1 = 0`): `in ()` is a syntax error
 * on PostgreSQL.
 */
export function libraryCondition(db: Db): (libraryIds: string[]) => TrackCondition {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  return (libraryIds) => (eb) => {
    if (libraryIds.length === 0) return eb.or([]);
    return eb(sqlite ? sql<string>`+${eb.ref('t.libraryId')}` : eb.ref('t.libraryId'), 'in', libraryIds);
  };
}

/** `t` is playable and in a library of `inLibraries`: the tracks that make albums and artists visible and count. */
function isVisibleTrack(inLibraries: TrackCondition): TrackCondition {
  return (eb) => eb.and([isPlayable(eb), inLibraries(eb)]);
}

/** The album has a visible track. */
function albumIsVisible(visible: TrackCondition) {
  return (eb: AlbumsScope) =>
    eb.exists(eb.selectFrom('tracks as t').select('t.id').whereRef('t.albumId', '=', 'albums.id').where(visible));
}

/**
 * The artist is credited on a visible track or is album artist of an album with one. One `exists` over a union,
 * not two `exists` joined by `or`: PostgreSQL turns the `or` form into hashed subplans that read every track of the
 * library for each page, while this form is looked up per artist through the artist indexes.
 */
function artistIsVisible(visible: TrackCondition) {
  return (eb: ArtistsScope) =>
    eb.exists(
      eb
        .selectFrom('trackArtists as ta')
        .innerJoin('tracks as t', 't.id', 'ta.trackId')
        .select((eb) => eb.lit(1).as('found'))
        .whereRef('ta.artistId', '=', 'artists.id')
        .where(visible)
        .unionAll(
          eb
            .selectFrom('albums as al')
            .innerJoin('tracks as t', 't.albumId', 'al.id')
            .select((eb) => eb.lit(1).as('found'))
            .whereRef('al.albumArtistId', '=', 'artists.id')
            .where(visible),
        ),
    );
}

/** A visible track of the album credits `artistId` in `role`. */
function albumCredits(eb: AlbumsScope, visible: TrackCondition, artistId: string, role: TrackArtistsTable['role']) {
  return eb.exists(
    eb
      .selectFrom('tracks as t')
      .innerJoin('trackArtists as ta', 'ta.trackId', 't.id')
      .select('t.id')
      .whereRef('t.albumId', '=', 'albums.id')
      .where('ta.artistId', '=', artistId)
      .where('ta.role', '=', role)
      .where(visible),
  );
}

/**
 * What a viewer with `libraryIds` may see, as conditions for other features' queries over catalog rows (favorites,
 * play statistics), so the rule stays the one written here: a track in one of the libraries (any status); an album or
 * artist with a playable track in them.
 */
export function visibilityConditions(db: Db) {
  const inLibraries = libraryCondition(db);
  return {
    track: (libraryIds: string[]) => inLibraries(libraryIds),
    album: (libraryIds: string[]) => albumIsVisible(isVisibleTrack(inLibraries(libraryIds))),
    artist: (libraryIds: string[]) => artistIsVisible(isVisibleTrack(inLibraries(libraryIds))),
  };
}

const albumColumns = [
  'albums.id',
  'albums.title',
  'albums.titleKey',
  'albums.albumArtistId',
  'albums.albumArtistName',
  'albums.year',
  'albums.compilation',
  'albums.artworkId',
  'albums.createdAt',
] as const;

// Everything but the lyrics, which can be long and have their own route.
const trackColumns = [
  't.id',
  't.libraryId',
  't.path',
  't.status',
  't.brokenReason',
  't.size',
  't.contentHash',
  't.title',
  't.titleKey',
  't.artist',
  't.albumId',
  't.albumArtist',
  't.trackNumber',
  't.trackTotal',
  't.discNumber',
  't.discTotal',
  't.year',
  't.date',
  't.originalDate',
  't.compilation',
  't.mbTrackId',
  't.mbRecordingId',
  't.mbReleaseId',
  't.isrc',
  't.bpm',
  't.musicalKey',
  't.comment',
  't.rgTrackGain',
  't.rgTrackPeak',
  't.rgAlbumGain',
  't.rgAlbumPeak',
  't.durationMs',
  't.bitrate',
  't.sampleRate',
  't.bitDepth',
  't.channels',
  't.codec',
  't.container',
  't.lossless',
  't.addedAt',
  't.updatedAt',
] as const;

function selectTracks(db: Db) {
  return db
    .selectFrom('tracks as t')
    .leftJoin('albums as al', 'al.id', 't.albumId')
    .select(trackColumns)
    .select((eb) => [
      'al.title as album',
      eb.fn.coalesce('t.artworkId', 'al.artworkId').as('artworkId'),
      eb
        .case()
        .when(eb.or([eb('t.lyrics', '<>', ''), eb('t.syncedLyrics', 'is not', null)]))
        .then(eb.lit(1))
        .else(eb.lit(0))
        .end()
        .as('hasLyrics'),
    ]);
}

/** A track row without its artists and genres (0/1 integers for booleans). */
export type TrackRow = Awaited<ReturnType<ReturnType<typeof selectTracks>['executeTakeFirstOrThrow']>>;

/**
 * SQL for browsing the catalog. Read-only; the scanner owns writes. Every read is limited to `libraryIds`, the
 * caller's visible libraries (see the comment at the top of this file).
 */
export function createCatalogRepository(db: Db) {
  const inLibraries = libraryCondition(db);
  const visibleIn = (libraryIds: string[]) => isVisibleTrack(inLibraries(libraryIds));

  function selectAlbums() {
    return db.selectFrom('albums').select(albumColumns);
  }

  return {
    /** Visible artists in `(sortName, id)` order after `after`; at most `limit` rows. */
    async listArtists(libraryIds: string[], after: ArtistAfter | null, limit: number) {
      let query = db
        .selectFrom('artists')
        .select(['artists.id', 'artists.name', 'artists.sortName'])
        .where(artistIsVisible(visibleIn(libraryIds)));
      if (after) {
        query = query.where((eb) => eb(eb.refTuple('artists.sortName', 'artists.id'), '>', eb.tuple(after.sortName, after.id)));
      }
      return query.orderBy('artists.sortName').orderBy('artists.id').limit(limit).execute();
    },

    /** The artist when it is visible. */
    async findVisibleArtist(libraryIds: string[], id: string) {
      return db
        .selectFrom('artists')
        .select(['artists.id', 'artists.name', 'artists.sortName'])
        .where('artists.id', '=', id)
        .where(artistIsVisible(visibleIn(libraryIds)))
        .executeTakeFirst();
    },

    /** The visible artists among `ids`, in no particular order. */
    async findVisibleArtists(libraryIds: string[], ids: string[]) {
      if (ids.length === 0) return [];
      return db
        .selectFrom('artists')
        .select(['artists.id', 'artists.name', 'artists.sortName'])
        .where('artists.id', 'in', ids)
        .where(artistIsVisible(visibleIn(libraryIds)))
        .execute();
    },

    /**
     * Per artist (of `artistIds` that have any), from visible tracks only: distinct tracks crediting them or on their
     * albums, albums they are album artist of, and an artwork id from one of those albums (else from any album they
     * appear on). One query however many artists.
     */
    async artistStats(libraryIds: string[], artistIds: string[]) {
      if (artistIds.length === 0) return [];
      const visible = visibleIn(libraryIds);
      const credits = db
        .selectFrom('trackArtists as ta')
        .innerJoin('tracks as t', 't.id', 'ta.trackId')
        .select((eb) => [
          'ta.artistId',
          't.id as trackId',
          't.albumId',
          eb.case().when('ta.role', '=', 'album_artist').then(eb.lit(1)).else(eb.lit(0)).end().as('own'),
        ])
        .where(visible)
        .where('ta.artistId', 'in', artistIds)
        .unionAll(
          db
            .selectFrom('albums as al')
            .innerJoin('tracks as t', 't.albumId', 'al.id')
            .select((eb) => ['al.albumArtistId as artistId', 't.id as trackId', 't.albumId', eb.lit(1).as('own')])
            .where(visible)
            .where('al.albumArtistId', 'in', artistIds),
        );
      // Per (artist, album) first, so each album row is read once rather than once per track (a track is on one
      // album, so the artist's distinct tracks are the sum of their distinct tracks per album).
      const perAlbum = db
        .selectFrom(credits.as('c'))
        .select((eb) => ['c.artistId', 'c.albumId', eb.fn.count<number>('c.trackId').distinct().as('tracks'), eb.fn.max('c.own').as('own')])
        .groupBy(['c.artistId', 'c.albumId']);
      return db
        .selectFrom(perAlbum.as('pa'))
        .leftJoin('albums as al', 'al.id', 'pa.albumId')
        .select((eb) => [
          'pa.artistId',
          eb.fn.sum<number>('pa.tracks').as('trackCount'),
          eb.fn.count<number>(eb.case().when('pa.own', '=', eb.lit(1)).then(eb.ref('pa.albumId')).end()).as('albumCount'),
          // max() picks the same album every time, so the picture does not change between requests.
          eb.fn
            .coalesce(eb.fn.max(eb.case().when('pa.own', '=', eb.lit(1)).then(eb.ref('al.artworkId')).end()), eb.fn.max('al.artworkId'))
            .as('artworkId'),
        ])
        .groupBy('pa.artistId')
        .execute();
    },

    /**
     * Visible albums on which the artist is album artist (`own` = 1: the album's artist, or credited as album artist
     * on one of its visible tracks) or only credited on a visible track (`own` = 0); by year (nulls last), title.
     */
    async albumsOfArtist(libraryIds: string[], artistId: string) {
      const visible = visibleIn(libraryIds);
      return selectAlbums()
        .select((eb) => [
          eb
            .case()
            .when(eb.or([eb('albums.albumArtistId', '=', artistId), albumCredits(eb, visible, artistId, 'album_artist')]))
            .then(eb.lit(1))
            .else(eb.lit(0))
            .end()
            .as('own'),
        ])
        // Candidates come from the artist's own rows (two index lookups) rather than from testing every album.
        .where('albums.id', 'in', (eb) =>
          eb
            .selectFrom('albums as al')
            .select('al.id')
            .where('al.albumArtistId', '=', artistId)
            .union(
              eb
                .selectFrom('trackArtists as ta')
                .innerJoin('tracks as t', 't.id', 'ta.trackId')
                .select('t.albumId as id')
                .where('ta.artistId', '=', artistId)
                .where(visible)
                .$narrowType<{ id: string }>(),
            ),
        )
        .where(albumIsVisible(visible))
        .orderBy('albums.year', (ob) => ob.asc().nullsLast())
        .orderBy('albums.titleKey')
        .orderBy('albums.id')
        .execute();
    },

    /** Visible albums in the listing's order after its position; at most `limit` rows. */
    async listAlbums(libraryIds: string[], listing: AlbumListing, limit: number) {
      let query = selectAlbums()
        .innerJoin('artists', 'artists.id', 'albums.albumArtistId')
        .select('artists.sortName as albumArtistSortName')
        .where(albumIsVisible(visibleIn(libraryIds)));
      switch (listing.sort) {
        case 'name': {
          const { after } = listing;
          if (after) query = query.where((eb) => eb(eb.refTuple('albums.titleKey', 'albums.id'), '>', eb.tuple(after.titleKey, after.id)));
          query = query.orderBy('albums.titleKey').orderBy('albums.id');
          break;
        }
        case 'artist': {
          const { after } = listing;
          if (after) {
            query = query.where((eb) =>
              eb(eb.refTuple('artists.sortName', 'albums.titleKey', 'albums.id'), '>', eb.tuple(after.sortName, after.titleKey, after.id)),
            );
          }
          query = query.orderBy('artists.sortName').orderBy('albums.titleKey').orderBy('albums.id');
          break;
        }
        case 'year': {
          const { after } = listing;
          if (after) {
            // Undated albums come after every dated one, so a dated position continues into them.
            query = query.where((eb) => {
              const rest = eb(eb.refTuple('albums.titleKey', 'albums.id'), '>', eb.tuple(after.titleKey, after.id));
              if (after.year === null) return eb.and([eb('albums.year', 'is', null), rest]);
              return eb.or([
                eb('albums.year', '>', after.year),
                eb.and([eb('albums.year', '=', after.year), rest]),
                eb('albums.year', 'is', null),
              ]);
            });
          }
          query = query.orderBy('albums.year', (ob) => ob.asc().nullsLast()).orderBy('albums.titleKey').orderBy('albums.id');
          break;
        }
        case 'recent': {
          const { after } = listing;
          if (after) query = query.where((eb) => eb(eb.refTuple('albums.createdAt', 'albums.id'), '<', eb.tuple(after.createdAt, after.id)));
          query = query.orderBy('albums.createdAt', 'desc').orderBy('albums.id', 'desc');
          break;
        }
      }
      return query.limit(limit).execute();
    },

    /** The album when it is visible. */
    async findVisibleAlbum(libraryIds: string[], id: string) {
      return selectAlbums().where('albums.id', '=', id).where(albumIsVisible(visibleIn(libraryIds))).executeTakeFirst();
    },

    /** The visible albums among `ids`, in no particular order. */
    async findVisibleAlbums(libraryIds: string[], ids: string[]) {
      if (ids.length === 0) return [];
      return selectAlbums().where('albums.id', 'in', ids).where(albumIsVisible(visibleIn(libraryIds))).execute();
    },

    /** Per album (of `albumIds` that have any): visible track count and their total duration in ms. One query. */
    async albumStats(libraryIds: string[], albumIds: string[]) {
      if (albumIds.length === 0) return [];
      return db
        .selectFrom('tracks as t')
        .select((eb) => [
          't.albumId',
          eb.fn.countAll<number>().as('trackCount'),
          eb.fn.coalesce(eb.fn.sum<number>('t.durationMs'), eb.lit(0)).as('durationMs'),
        ])
        .where('t.albumId', 'in', albumIds)
        .where(visibleIn(libraryIds))
        .groupBy('t.albumId')
        .execute();
    },

    /** Genre names of the albums' visible tracks, per album most frequent first, then by name. One query. */
    async albumGenres(libraryIds: string[], albumIds: string[]) {
      if (albumIds.length === 0) return [];
      return db
        .selectFrom('tracks as t')
        .innerJoin('trackGenres as tg', 'tg.trackId', 't.id')
        .innerJoin('genres as g', 'g.id', 'tg.genreId')
        .select((eb) => ['t.albumId', 'g.name', eb.fn.countAll<number>().as('uses')])
        .where('t.albumId', 'in', albumIds)
        .where(visibleIn(libraryIds))
        .groupBy(['t.albumId', 'g.id', 'g.name', 'g.nameKey'])
        .orderBy('t.albumId')
        .orderBy('uses', 'desc')
        .orderBy('g.nameKey')
        .execute();
    },

    /**
     * Tracks of the libraries with the status (any for `all`) in `(titleKey, id)` order after `after`; at most
     * `limit` rows.
     */
    async listTracks(libraryIds: string[], status: TrackStatusFilter, after: TrackAfter | null, limit: number): Promise<TrackRow[]> {
      let query = selectTracks(db).where(inLibraries(libraryIds));
      if (status !== 'all') query = query.where('t.status', '=', status);
      if (after) query = query.where((eb) => eb(eb.refTuple('t.titleKey', 't.id'), '>', eb.tuple(after.titleKey, after.id)));
      return query.orderBy('t.titleKey').orderBy('t.id').limit(limit).execute();
    },

    /** The album's visible tracks by disc, then track number (unnumbered last), then title. */
    async albumTracks(libraryIds: string[], albumId: string): Promise<TrackRow[]> {
      return selectTracks(db)
        .where('t.albumId', '=', albumId)
        .where(visibleIn(libraryIds))
        .orderBy('t.discNumber', (ob) => ob.asc().nullsLast())
        .orderBy('t.trackNumber', (ob) => ob.asc().nullsLast())
        .orderBy('t.titleKey')
        .orderBy('t.id')
        .execute();
    },

    /** The track when it is in one of the libraries, whatever its status. */
    async findTrack(libraryIds: string[], id: string): Promise<TrackRow | undefined> {
      return selectTracks(db).where('t.id', '=', id).where(inLibraries(libraryIds)).executeTakeFirst();
    },

    /** The tracks among `ids` that are in one of the libraries, whatever their status, in no particular order. */
    async findTracks(libraryIds: string[], ids: string[]): Promise<TrackRow[]> {
      if (ids.length === 0) return [];
      return selectTracks(db).where('t.id', 'in', ids).where(inLibraries(libraryIds)).execute();
    },

    /** Credited artists (role `artist`) of the tracks, per track in credit order. One query. */
    async trackArtists(trackIds: string[]) {
      if (trackIds.length === 0) return [];
      return db
        .selectFrom('trackArtists as ta')
        .innerJoin('artists as a', 'a.id', 'ta.artistId')
        .select(['ta.trackId', 'a.id', 'a.name'])
        .where('ta.trackId', 'in', trackIds)
        .where('ta.role', '=', 'artist')
        .orderBy('ta.trackId')
        .orderBy('ta.position')
        .execute();
    },

    /** Genre names of the tracks, per track in tag order. One query. */
    async trackGenres(trackIds: string[]) {
      if (trackIds.length === 0) return [];
      return db
        .selectFrom('trackGenres as tg')
        .innerJoin('genres as g', 'g.id', 'tg.genreId')
        .select(['tg.trackId', 'g.name'])
        .where('tg.trackId', 'in', trackIds)
        .orderBy('tg.trackId')
        .orderBy('tg.position')
        .execute();
    },

    /**
     * The track's stored lyrics (`syncedLyrics` is JSON text), or undefined when the track does not exist or is in
     * none of the libraries.
     */
    async findLyrics(libraryIds: string[], trackId: string) {
      return db
        .selectFrom('tracks as t')
        .select(['t.lyrics', 't.syncedLyrics'])
        .where('t.id', '=', trackId)
        .where(inLibraries(libraryIds))
        .executeTakeFirst();
    },
  };
}

export type CatalogRepository = ReturnType<typeof createCatalogRepository>;
