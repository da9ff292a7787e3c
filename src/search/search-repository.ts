import type { Db } from '../db/database.js';
import { foldKey } from '../shared/text.js';
import type { AlbumDoc, ArtistDoc, TrackDoc } from './search-index.js';

/** Ids per `in (…)` list: far below SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 500;

function chunks(ids: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(ids.slice(i, i + CHUNK));
  return out;
}

/** What the user played and marked, for tie-breaking, "most played" order and the favorites filter. */
export interface UserSignals {
  /** Track id → the user's plays of it, all time. */
  trackPlays: Map<string, number>;
  favorites: { track: Set<string>; album: Set<string>; artist: Set<string> };
}

/**
 * Reads what the search index holds. `null` ids mean everything (start-up build); otherwise the given rows, read
 * in chunks. Only playable (`ok`) tracks are documents: search finds things to play, and only they make albums and
 * artists visible (the catalog's rule).
 */
export function createSearchRepository(db: Db) {
  async function inChunks<T>(ids: string[] | null, read: (ids: string[] | null) => Promise<T[]>): Promise<T[]> {
    if (ids === null) return read(null);
    const rows: T[] = [];
    for (const chunk of chunks(ids)) rows.push(...(await read(chunk)));
    return rows;
  }

  return {
    async artists(ids: string[] | null): Promise<ArtistDoc[]> {
      return inChunks(ids, (chunk) =>
        db
          .selectFrom('artists')
          .select(['id', 'name'])
          .$if(chunk !== null, (q) => q.where('id', 'in', chunk!))
          .execute(),
      );
    },

    async albums(ids: string[] | null): Promise<AlbumDoc[]> {
      return inChunks(ids, (chunk) =>
        db
          .selectFrom('albums')
          .select(['id', 'title', 'albumArtistName as albumArtist'])
          .$if(chunk !== null, (q) => q.where('id', 'in', chunk!))
          .execute(),
      );
    },

    /** Ids of the tracks on the albums (any status), to re-read them when an album changes. */
    async trackIdsOfAlbums(albumIds: string[]): Promise<string[]> {
      const rows = await inChunks(albumIds, (chunk) => db.selectFrom('tracks').select('id').where('albumId', 'in', chunk!).execute());
      return rows.map((row) => row.id);
    },

    /** The playable tracks among `ids` (all when null) as documents; ids not returned are gone or unplayable. */
    async tracks(ids: string[] | null): Promise<TrackDoc[]> {
      const [rows, credits, genres] = await Promise.all([
        inChunks(ids, (chunk) =>
          db
            .selectFrom('tracks as t')
            .leftJoin('albums as al', 'al.id', 't.albumId')
            .select([
              't.id',
              't.title',
              't.titleKey',
              't.artist',
              'al.title as album',
              't.albumId',
              'al.albumArtistId',
              't.albumArtist',
              't.libraryId',
              't.year',
              't.durationMs',
              't.bpm',
              't.musicalKey',
              't.codec',
              't.lossless',
              't.addedAt',
            ])
            .where('t.status', '=', 'ok')
            .$if(chunk !== null, (q) => q.where('t.id', 'in', chunk!))
            .execute(),
        ),
        inChunks(ids, (chunk) =>
          db
            .selectFrom('trackArtists')
            .select(['trackId', 'artistId'])
            .$if(chunk !== null, (q) => q.where('trackId', 'in', chunk!))
            .execute(),
        ),
        inChunks(ids, (chunk) =>
          db
            .selectFrom('trackGenres as tg')
            .innerJoin('genres as g', 'g.id', 'tg.genreId')
            .select(['tg.trackId', 'g.name'])
            .$if(chunk !== null, (q) => q.where('tg.trackId', 'in', chunk!))
            .orderBy('tg.trackId')
            .orderBy('tg.position')
            .execute(),
        ),
      ]);
      const artistsOf = new Map<string, string[]>();
      for (const { trackId, artistId } of credits) (artistsOf.get(trackId) ?? artistsOf.set(trackId, []).get(trackId)!).push(artistId);
      const genresOf = new Map<string, string[]>();
      for (const { trackId, name } of genres) (genresOf.get(trackId) ?? genresOf.set(trackId, []).get(trackId)!).push(name);
      return rows.map((row) => ({
        id: row.id,
        title: row.title,
        artist: row.artist,
        album: row.album,
        albumId: row.albumId,
        albumArtist: row.albumArtist,
        genres: genresOf.get(row.id) ?? [],
        genreKeys: (genresOf.get(row.id) ?? []).map(foldKey),
        titleKey: row.titleKey,
        artistKey: foldKey(row.artist),
        albumKey: foldKey(row.album ?? ''),
        libraryId: row.libraryId,
        year: row.year,
        durationMs: row.durationMs,
        bpm: row.bpm === null ? null : Number(row.bpm),
        musicalKey: row.musicalKey === null ? null : foldKey(row.musicalKey),
        codec: row.codec === null ? null : foldKey(row.codec),
        lossless: Number(row.lossless) !== 0,
        addedAt: Number(row.addedAt),
        artistIds: [...new Set([...(artistsOf.get(row.id) ?? []), ...(row.albumArtistId ? [row.albumArtistId] : [])])],
      }));
    },

    /** The user's play counts per track and favorites: two queries bounded by the user's own activity, not the library. */
    async userSignals(userId: string): Promise<UserSignals> {
      const [plays, favorites] = await Promise.all([
        db
          .selectFrom('plays')
          .select((eb) => ['trackId', eb.fn.countAll<number>().as('plays')])
          .where('userId', '=', userId)
          .groupBy('trackId')
          .execute(),
        db.selectFrom('favorites').select(['itemType', 'itemId']).where('userId', '=', userId).execute(),
      ]);
      const signals: UserSignals = {
        trackPlays: new Map(plays.map((row) => [row.trackId, Number(row.plays)])),
        favorites: { track: new Set(), album: new Set(), artist: new Set() },
      };
      for (const { itemType, itemId } of favorites) signals.favorites[itemType].add(itemId);
      return signals;
    },
  };
}

export type SearchRepository = ReturnType<typeof createSearchRepository>;
