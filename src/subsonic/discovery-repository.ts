import { sql, SqliteAdapter } from 'kysely';
import { visibilityConditions } from '../catalog/catalog-repository.js';
import type { Db } from '../db/database.js';
import type { CollectionItemType } from '../db/schema.js';
import { foldKey } from '../shared/text.js';

/** A `like` pattern matching `text` anywhere, the query's own wildcards escaped (`\` is the escape). */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * `t.path` lies under the folder `prefix` ('' = the library root: every path). A comparison of the leading
 * characters, not `like`, which SQLite applies case-insensitively ("Rock/" would take in "rock/").
 */
function underFolder(prefix: string) {
  if (prefix === '') return sql<boolean>`1 = 1`;
  return sql<boolean>`substr(${sql.ref('t.path')}, 1, ${[...prefix].length + 1}) = ${`${prefix}/`}`;
}

/** `search` (v1) criteria; each non-empty one must match (folded, substring). */
export interface SongCriteria {
  any?: string;
  artist?: string;
  album?: string;
  title?: string;
  /** Epoch ms: only tracks added after it. */
  newerThan?: number;
}

/** A user whose playback session is playing now (`getNowPlaying`). */
export interface PlayingSession {
  userId: string;
  username: string;
  trackId: string;
  /** Epoch ms of the last change of the session. */
  updatedAt: number;
  deviceName: string | null;
}

/**
 * The queries behind the Subsonic browsing, list and discovery methods (folder tree, starred, songs by genre, v1
 * search, top and similar songs, now playing). Like `SubsonicRepository` they return ids (or plain rows), filtered
 * by the catalog's visibility rule; callers turn ids into objects through `CatalogService.*ByIds`. Songs are
 * playable (`ok`) tracks only.
 */
export function createDiscoveryRepository(db: Db) {
  const visible = visibilityConditions(db);
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const songs = (libraryIds: string[]) => db.selectFrom('tracks as t').where(visible.track(libraryIds)).where('t.status', '=', 'ok');

  return {
    /**
     * The sub-folders of the folder `prefix` ('' = the library root) that hold playable tracks at any depth: name,
     * and one picture among their tracks' (track's own, else album's) to show for it. Unordered.
     */
    async childFolders(libraryId: string, prefix: string): Promise<{ name: string; artworkId: string | null }[]> {
      // substr/instr count characters on both databases, so the start is counted in code points, not UTF-16 units.
      const start = prefix === '' ? 1 : [...prefix].length + 2;
      const rest = sql<string>`substr(${sql.ref('t.path')}, ${start})`;
      const segment = sqlite ? sql<string>`substr(${rest}, 1, instr(${rest}, '/') - 1)` : sql<string>`split_part(${rest}, '/', 1)`;
      const rows = await songs([libraryId])
        .leftJoin('albums as al', 'al.id', 't.albumId')
        .where(underFolder(prefix))
        .where(sql<boolean>`${rest} like '%/%'`)
        .select([segment.as('name'), sql<string | null>`max(coalesce(${sql.ref('t.artworkId')}, ${sql.ref('al.artworkId')}))`.as('artworkId')])
        .groupBy(sql`1`)
        .execute();
      return rows.map((row) => ({ name: row.name, artworkId: row.artworkId ?? null }));
    },

    /** Playable tracks directly in the folder `prefix` ('' = the library root), by disc, track number and path. */
    async folderTrackIds(libraryId: string, prefix: string): Promise<string[]> {
      const start = prefix === '' ? 1 : [...prefix].length + 2;
      const rows = await songs([libraryId])
        .where(underFolder(prefix))
        .where(sql<boolean>`substr(${sql.ref('t.path')}, ${start}) not like '%/%'`)
        .select('t.id')
        .orderBy('t.discNumber')
        .orderBy('t.trackNumber')
        .orderBy('t.path')
        .execute();
      return rows.map((row) => row.id);
    },

    /** When anything in the libraries last changed (epoch ms, 0 for none): a track added, edited or gone missing. */
    async lastModified(libraryIds: string[]): Promise<number> {
      const row = await db
        .selectFrom('tracks as t')
        .where(visible.track(libraryIds))
        .select((eb) => eb.fn.max('t.updatedAt').as('at'))
        .executeTakeFirst();
      return Number(row?.at ?? 0);
    },

    /** Ids of what the user starred of `type`, visible in the libraries, most recently starred first. */
    async starredIds(userId: string, type: CollectionItemType, libraryIds: string[]): Promise<string[]> {
      const favorites = db
        .selectFrom('favorites as f')
        .select(['f.itemId', 'f.favoritedAt'])
        .where('f.userId', '=', userId)
        .where('f.itemType', '=', type);
      let rows: { itemId: string }[];
      if (type === 'track') {
        rows = await favorites
          .innerJoin('tracks as t', 't.id', 'f.itemId')
          .where(visible.track(libraryIds))
          .where('t.status', '=', 'ok')
          .orderBy('f.favoritedAt', 'desc')
          .orderBy('f.itemId')
          .execute();
      } else if (type === 'album') {
        rows = await favorites.innerJoin('albums', 'albums.id', 'f.itemId').where(visible.album(libraryIds)).orderBy('f.favoritedAt', 'desc').orderBy('f.itemId').execute();
      } else {
        rows = await favorites.innerJoin('artists', 'artists.id', 'f.itemId').where(visible.artist(libraryIds)).orderBy('f.favoritedAt', 'desc').orderBy('f.itemId').execute();
      }
      return rows.map((row) => row.itemId);
    },

    /** Songs of a genre (folded name), by album then disc and track order, paged. */
    async songIdsByGenre(libraryIds: string[], genre: string, offset: number, limit: number): Promise<string[]> {
      const rows = await songs(libraryIds)
        .innerJoin('trackGenres as tg', 'tg.trackId', 't.id')
        .innerJoin('genres as g', 'g.id', 'tg.genreId')
        .where('g.nameKey', '=', foldKey(genre))
        .select('t.id')
        .orderBy('t.albumId')
        .orderBy('t.discNumber')
        .orderBy('t.trackNumber')
        .orderBy('t.id')
        .offset(offset)
        .limit(limit)
        .execute();
      return rows.map((row) => row.id);
    },

    /** Songs whose folded title is exactly `titleKey` (`getLyrics` by artist and title), at most `limit`. */
    async songIdsByTitle(libraryIds: string[], titleKey: string, limit: number): Promise<string[]> {
      const rows = await songs(libraryIds).select('t.id').where('t.titleKey', '=', titleKey).orderBy('t.id').limit(limit).execute();
      return rows.map((row) => row.id);
    },

    /**
     * `search` (v1): songs matching every given criterion (title, album title, credited artist name; `any` = one
     * of the three), by title, paged, with the total count of matches.
     */
    async searchSongs(libraryIds: string[], criteria: SongCriteria, offset: number, limit: number): Promise<{ ids: string[]; total: number }> {
      const like = (column: string, text: string) => sql<boolean>`${sql.ref(column)} like ${containsPattern(foldKey(text))} escape '\\'`;
      let q = songs(libraryIds);
      const titleIs = (text: string) => like('t.titleKey', text);
      const albumIs = (text: string) => sql<boolean>`exists (select 1 from albums al where al.id = ${sql.ref('t.albumId')} and ${like('al.title_key', text)})`;
      const artistIs = (text: string) =>
        sql<boolean>`exists (select 1 from track_artists ta join artists ar on ar.id = ta.artist_id where ta.track_id = ${sql.ref('t.id')} and ${like('ar.name_key', text)})`;
      if (criteria.title) q = q.where(titleIs(criteria.title));
      if (criteria.album) q = q.where(albumIs(criteria.album));
      if (criteria.artist) q = q.where(artistIs(criteria.artist));
      if (criteria.any) {
        const any = criteria.any;
        q = q.where((eb) => eb.or([titleIs(any), albumIs(any), artistIs(any)]));
      }
      if (criteria.newerThan !== undefined) q = q.where('t.addedAt', '>', criteria.newerThan);
      const [rows, count] = await Promise.all([
        q.select('t.id').orderBy('t.titleKey').orderBy('t.id').offset(offset).limit(limit).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
      ]);
      return { ids: rows.map((row) => row.id), total: Number(count?.n ?? 0) };
    },

    /** Visible artists whose folded name is `name` folded (`getTopSongs` names its artist). */
    async artistIdsNamed(libraryIds: string[], name: string): Promise<string[]> {
      const rows = await db.selectFrom('artists').where(visible.artist(libraryIds)).where('artists.nameKey', '=', foldKey(name)).select('artists.id').execute();
      return rows.map((row) => row.id);
    },

    /**
     * Songs crediting one of `artistIds` (as artist or album artist), most played first — plays of every user, as
     * a local stand-in for last.fm's global popularity — then by the user's rating, then title. At most `limit`.
     */
    async topSongIds(libraryIds: string[], artistIds: string[], userId: string, limit: number): Promise<string[]> {
      if (artistIds.length === 0) return [];
      const plays = db.selectFrom('plays as p').select((eb) => ['p.trackId', eb.fn.countAll<number>().as('plays')]).groupBy('p.trackId');
      const rows = await songs(libraryIds)
        .where((eb) => eb.exists(eb.selectFrom('trackArtists as ta').select('ta.trackId').whereRef('ta.trackId', '=', 't.id').where('ta.artistId', 'in', artistIds)))
        .leftJoin(plays.as('pc'), 'pc.trackId', 't.id')
        .leftJoin('ratings as r', (join) => join.onRef('r.itemId', '=', 't.id').on('r.itemType', '=', 'track').on('r.userId', '=', userId))
        .select('t.id')
        .orderBy(sql`coalesce(${sql.ref('pc.plays')}, 0)`, 'desc')
        .orderBy(sql`coalesce(${sql.ref('r.rating')}, 0)`, 'desc')
        .orderBy('t.titleKey')
        .orderBy('t.id')
        .limit(limit)
        .execute();
      return rows.map((row) => row.id);
    },

    /** The credited artists (any role) and genres of the tracks: the seeds of `getSimilarSongs`. */
    async seedsOfTracks(trackIds: string[]): Promise<{ artistIds: string[]; genreIds: string[] }> {
      if (trackIds.length === 0) return { artistIds: [], genreIds: [] };
      const [artists, genres] = await Promise.all([
        db.selectFrom('trackArtists').select('artistId').distinct().where('trackId', 'in', trackIds).execute(),
        db.selectFrom('trackGenres').select('genreId').distinct().where('trackId', 'in', trackIds).execute(),
      ]);
      return { artistIds: artists.map((row) => row.artistId), genreIds: genres.map((row) => row.genreId) };
    },

    /** Playable track ids of albums, or credited to artists (any role); at most `limit`, in random order. */
    async trackIdsOf(libraryIds: string[], by: { albumIds?: string[]; artistIds?: string[] }, limit: number): Promise<string[]> {
      let q = songs(libraryIds).select('t.id');
      if (by.albumIds) q = q.where('t.albumId', 'in', by.albumIds.length > 0 ? by.albumIds : ['']);
      if (by.artistIds) {
        const artistIds = by.artistIds.length > 0 ? by.artistIds : [''];
        q = q.where((eb) => eb.exists(eb.selectFrom('trackArtists as ta').select('ta.trackId').whereRef('ta.trackId', '=', 't.id').where('ta.artistId', 'in', artistIds)));
      }
      const rows = await q.orderBy(sql`random()`).limit(limit).execute();
      return rows.map((row) => row.id);
    },

    /** Playable track ids in one of the genres; at most `limit`, in random order. */
    async trackIdsInGenres(libraryIds: string[], genreIds: string[], limit: number): Promise<string[]> {
      if (genreIds.length === 0) return [];
      const rows = await songs(libraryIds)
        .where((eb) => eb.exists(eb.selectFrom('trackGenres as tg').select('tg.trackId').whereRef('tg.trackId', '=', 't.id').where('tg.genreId', 'in', genreIds)))
        .select('t.id')
        .orderBy(sql`random()`)
        .limit(limit)
        .execute();
      return rows.map((row) => row.id);
    },

    /** Plays (every user) of each of the tracks; absent: never played. */
    async playCounts(trackIds: string[]): Promise<Map<string, number>> {
      if (trackIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('plays')
        .select((eb) => ['trackId', eb.fn.countAll<number>().as('plays')])
        .where('trackId', 'in', trackIds)
        .groupBy('trackId')
        .execute();
      return new Map(rows.map((row) => [row.trackId, Number(row.plays)]));
    },

    /** Genres of the artist's visible tracks (credited in any role). */
    async genreIdsOfArtist(libraryIds: string[], artistId: string): Promise<string[]> {
      const rows = await songs(libraryIds)
        .innerJoin('trackArtists as ta', 'ta.trackId', 't.id')
        .innerJoin('trackGenres as tg', 'tg.trackId', 't.id')
        .where('ta.artistId', '=', artistId)
        .select('tg.genreId')
        .distinct()
        .execute();
      return rows.map((row) => row.genreId);
    },

    /**
     * Other artists sharing genres with `genreIds`, those with the most tracks in them first: the "similar artists"
     * of `getArtistInfo`, from local data only. At most `limit`.
     */
    async artistIdsSharingGenres(libraryIds: string[], genreIds: string[], excludeArtistId: string, limit: number): Promise<string[]> {
      if (genreIds.length === 0 || limit <= 0) return [];
      const rows = await songs(libraryIds)
        .innerJoin('trackGenres as tg', 'tg.trackId', 't.id')
        .innerJoin('trackArtists as ta', 'ta.trackId', 't.id')
        .where('tg.genreId', 'in', genreIds)
        .where('ta.artistId', '<>', excludeArtistId)
        .select((eb) => ['ta.artistId', eb.fn.count<number>('t.id').distinct().as('shared')])
        .groupBy('ta.artistId')
        .orderBy('shared', 'desc')
        .orderBy('ta.artistId')
        .limit(limit)
        .execute();
      return rows.map((row) => row.artistId);
    },

    /** The album's MusicBrainz release id (`getAlbumInfo`). */
    async albumMbid(albumId: string): Promise<string | null> {
      const row = await db.selectFrom('albums').select('mbid').where('id', '=', albumId).executeTakeFirst();
      return row?.mbid ?? null;
    },

    /** The artist's MusicBrainz id (`getArtistInfo`). */
    async artistMbid(artistId: string): Promise<string | null> {
      const row = await db.selectFrom('artists').select('mbid').where('id', '=', artistId).executeTakeFirst();
      return row?.mbid ?? null;
    },

    /** Users whose playback session is playing a track now, with the session's active device name. */
    async playingSessions(): Promise<PlayingSession[]> {
      const rows = await db
        .selectFrom('playbackSessions as s')
        .innerJoin('users as u', 'u.id', 's.userId')
        .leftJoin('devices as d', 'd.id', 's.activeDeviceId')
        .select(['s.userId', 'u.username', 's.currentItemId', 's.queueItems', 's.updatedAt', 'd.name as deviceName'])
        .where('s.playState', '=', 'playing')
        .where('s.currentItemId', 'is not', null)
        .where('u.disabled', '=', 0)
        .execute();
      return rows.flatMap((row) => {
        let items: unknown;
        try {
          items = JSON.parse(row.queueItems);
        } catch {
          return [];
        }
        const current = Array.isArray(items) ? items.find((item) => item?.itemId === row.currentItemId) : undefined;
        if (typeof current?.trackId !== 'string') return [];
        return [{ userId: row.userId, username: row.username, trackId: current.trackId, updatedAt: Number(row.updatedAt), deviceName: row.deviceName }];
      });
    },
  };
}

export type DiscoveryRepository = ReturnType<typeof createDiscoveryRepository>;
