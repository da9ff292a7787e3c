import type { AuthUser } from '../auth/auth-service.js';
import { AppError, type ErrorCode } from '../shared/errors.js';
import { DEFAULT_LIMIT, decodeCursor, toPage, type Page } from '../shared/pagination.js';
import type { AlbumListing, CatalogRepository, TrackRow } from './catalog-repository.js';
import type {
  Album,
  AlbumDetail,
  AlbumSort,
  Artist,
  ArtistDetail,
  ArtistRef,
  CatalogItemType,
  Lyrics,
  Track,
  TrackStatusFilter,
  UserItemStats,
} from './schemas.js';

/** Who is browsing; decides which libraries' tracks (and through them albums and artists) they see. */
export type Viewer = Pick<AuthUser, 'id' | 'role'>;

export interface CatalogServiceDeps {
  catalog: CatalogRepository;
  /** The libraries a viewer may see (the one library-access rule: grants, own uploads, admins every music library). */
  visibleLibraryIds(viewer: Viewer): Promise<string[]>;
  /** The viewer's plays, favorite and rating of each of `ids` (absent: none); the collection feature keeps them. */
  itemStats(userId: string, type: CatalogItemType, ids: string[]): Promise<Map<string, UserItemStats>>;
}

/** An item the viewer never played, favorited or rated. */
const NO_STATS: UserItemStats = { playCount: 0, lastPlayedAt: null, favorite: false, rating: 0 };

/** Page request of a listing: `limit` rows (default 50; routes cap it at 500) after the opaque `cursor`. */
export interface PageRequest {
  limit?: number;
  cursor?: string;
}

type AlbumRow = NonNullable<Awaited<ReturnType<CatalogRepository['findVisibleAlbum']>>>;
type ArtistRow = NonNullable<Awaited<ReturnType<CatalogRepository['findVisibleArtist']>>>;

// Ids are hex (see `newId`). Anything else cannot exist, and PostgreSQL would reject some strings (NUL bytes) with an
// error instead of "no row", so such ids are answered as not found without asking the database.
const HEX_ID = /^[0-9a-f]{1,128}$/i;

function requireHexId(id: string, notFound: ErrorCode): void {
  if (!HEX_ID.test(id)) throw new AppError(notFound);
}

/** What one keyset value of a cursor must be: a sort key (text), an integer, or an integer or null. */
type KeyKind = 'key' | 'integer' | 'integer?';

function valueFits(value: string | number | null, kind: KeyKind): boolean {
  if (kind === 'key') return typeof value === 'string' && !value.includes('\u0000');
  if (value === null) return kind === 'integer?';
  return Number.isSafeInteger(value);
}

/**
 * Decodes a cursor of `listing` whose values must be of `kinds`. A cursor is client input: a wrong shape would
 * otherwise reach SQL as a type error (a 500 on PostgreSQL), so anything unexpected is `invalid_cursor` (400).
 */
function readCursor(cursor: string | undefined, listing: string, kinds: KeyKind[]) {
  if (cursor === undefined) return null;
  const position = decodeCursor(cursor, listing);
  if (
    !HEX_ID.test(position.id) ||
    position.values.length !== kinds.length ||
    !position.values.every((value, i) => valueFits(value, kinds[i]!))
  ) {
    throw new AppError('invalid_cursor');
  }
  return position;
}

/** The keys of each album sort, as stored in its cursors. */
const albumSortKeys: Record<AlbumSort, KeyKind[]> = {
  name: ['key'],
  artist: ['key', 'key'],
  year: ['integer?', 'key'],
  recent: ['integer'],
};

function albumListing(sort: AlbumSort, cursor: string | undefined): AlbumListing {
  const position = readCursor(cursor, `albums:${sort}`, albumSortKeys[sort]);
  // readCursor checked each value's type against albumSortKeys, so the casts below hold.
  const values = position?.values ?? [];
  const id = position?.id ?? '';
  switch (sort) {
    case 'name':
      return { sort, after: position && { titleKey: values[0] as string, id } };
    case 'artist':
      return { sort, after: position && { sortName: values[0] as string, titleKey: values[1] as string, id } };
    case 'year':
      return { sort, after: position && { year: values[0] as number | null, titleKey: values[1] as string, id } };
    case 'recent':
      return { sort, after: position && { createdAt: values[0] as number, id } };
  }
}

function albumPosition(sort: AlbumSort, row: AlbumRow & { albumArtistSortName: string }): (string | number | null)[] {
  switch (sort) {
    case 'name':
      return [row.titleKey];
    case 'artist':
      return [row.albumArtistSortName, row.titleKey];
    case 'year':
      return [row.year, row.titleKey];
    case 'recent':
      return [row.createdAt];
  }
}

function groupBy<R, V>(rows: R[], keyOf: (row: R) => string | null, valueOf: (row: R) => V): Map<string, V[]> {
  const groups = new Map<string, V[]>();
  for (const row of rows) {
    const key = keyOf(row);
    if (key === null) continue;
    const group = groups.get(key);
    if (group) group.push(valueOf(row));
    else groups.set(key, [valueOf(row)]);
  }
  return groups;
}

/** 0/1 integer columns to booleans (PostgreSQL and SQLite both store them as integers). */
function flag(value: number): boolean {
  return Number(value) !== 0;
}

function toTrack(row: TrackRow, artists: ArtistRef[], genres: string[], stats: UserItemStats): Track {
  return {
    id: row.id,
    title: row.title,
    artist: row.artist,
    artists,
    album: row.album,
    albumId: row.albumId,
    albumArtist: row.albumArtist,
    trackNumber: row.trackNumber,
    trackTotal: row.trackTotal,
    discNumber: row.discNumber,
    discTotal: row.discTotal,
    year: row.year,
    date: row.date,
    originalDate: row.originalDate,
    genres,
    durationMs: row.durationMs,
    codec: row.codec,
    container: row.container,
    bitrate: row.bitrate,
    sampleRate: row.sampleRate,
    bitDepth: row.bitDepth,
    channels: row.channels,
    lossless: flag(row.lossless),
    size: Number(row.size),
    contentHash: row.contentHash,
    artworkId: row.artworkId,
    status: row.status,
    brokenReason: row.brokenReason,
    path: row.path,
    libraryId: row.libraryId,
    addedAt: Number(row.addedAt),
    updatedAt: Number(row.updatedAt),
    replayGain: { trackGain: row.rgTrackGain, trackPeak: row.rgTrackPeak, albumGain: row.rgAlbumGain, albumPeak: row.rgAlbumPeak },
    bpm: row.bpm,
    musicalKey: row.musicalKey,
    isrc: row.isrc,
    comment: row.comment,
    mbTrackId: row.mbTrackId,
    mbRecordingId: row.mbRecordingId,
    mbReleaseId: row.mbReleaseId,
    compilation: flag(row.compilation),
    hasLyrics: flag(row.hasLyrics),
    ...stats,
  };
}

/** `items` (found by id) rearranged into the order of `ids`, which may name items that were not found. */
function inOrderOf<T extends { id: string }>(ids: string[], items: T[]): T[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Synced lyrics as stored (JSON `[{timeMs, text}]`); anything else is treated as absent rather than failing. */
function parseSyncedLyrics(json: string | null): Lyrics['synced'] {
  if (json === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return null;
  const lines = parsed.filter(
    (line): line is { timeMs: number; text: string } =>
      typeof line === 'object' && line !== null && Number.isSafeInteger(line.timeMs) && typeof line.text === 'string',
  );
  if (lines.length === 0) return null;
  return lines.map(({ timeMs, text }) => ({ timeMs, text })).sort((a, b) => a.timeMs - b.timeMs);
}

/**
 * Browsing the catalog: artists, albums and tracks, their listings and lyrics. A viewer sees only tracks in their
 * visible libraries, and albums and artists only through those: only such playable (`ok`) tracks make an artist or
 * album visible and count towards it; `/tracks` can list and show tracks of any status. Anything outside the
 * viewer's libraries answers exactly as an unknown id does (404), revealing nothing. Listings return
 * `{items, nextCursor}` pages in a stable order (ties broken by id), so paging sees every row exactly once.
 */
export function createCatalogService(deps: CatalogServiceDeps) {
  const { catalog: repository, visibleLibraryIds, itemStats } = deps;

  async function toTracks(viewer: Viewer, rows: TrackRow[]): Promise<Track[]> {
    const ids = rows.map((row) => row.id);
    const [artistRows, genreRows, userStats] = await Promise.all([
      repository.trackArtists(ids),
      repository.trackGenres(ids),
      itemStats(viewer.id, 'track', ids),
    ]);
    const artists = groupBy(artistRows, (r) => r.trackId, (r) => ({ id: r.id, name: r.name }));
    const genres = groupBy(genreRows, (r) => r.trackId, (r) => r.name);
    return rows.map((row) => toTrack(row, artists.get(row.id) ?? [], genres.get(row.id) ?? [], userStats.get(row.id) ?? NO_STATS));
  }

  async function toAlbums(viewer: Viewer, libraryIds: string[], rows: AlbumRow[]): Promise<Album[]> {
    const ids = rows.map((row) => row.id);
    const [statRows, genreRows, userStats] = await Promise.all([
      repository.albumStats(libraryIds, ids),
      repository.albumGenres(libraryIds, ids),
      itemStats(viewer.id, 'album', ids),
    ]);
    const stats = new Map(statRows.map((s) => [s.albumId, s]));
    const genres = groupBy(genreRows, (r) => r.albumId, (r) => r.name);
    return rows.map((row) => ({
      id: row.id,
      title: row.title,
      albumArtist: row.albumArtistName,
      albumArtistId: row.albumArtistId,
      year: row.year,
      compilation: flag(row.compilation),
      trackCount: Number(stats.get(row.id)?.trackCount ?? 0),
      durationMs: Number(stats.get(row.id)?.durationMs ?? 0),
      artworkId: row.artworkId,
      genres: genres.get(row.id) ?? [],
      createdAt: Number(row.createdAt),
      ...(userStats.get(row.id) ?? NO_STATS),
    }));
  }

  async function toArtists(viewer: Viewer, libraryIds: string[], rows: ArtistRow[]): Promise<Artist[]> {
    const ids = rows.map((row) => row.id);
    const [statRows, userStats] = await Promise.all([repository.artistStats(libraryIds, ids), itemStats(viewer.id, 'artist', ids)]);
    const stats = new Map(statRows.map((s) => [s.artistId, s]));
    return rows.map((row) => {
      const s = stats.get(row.id);
      return {
        id: row.id,
        name: row.name,
        albumCount: Number(s?.albumCount ?? 0),
        trackCount: Number(s?.trackCount ?? 0),
        artworkId: s?.artworkId ?? null,
        ...(userStats.get(row.id) ?? NO_STATS),
      };
    });
  }

  return {
    /** Visible artists by sort name ("The Beatles" under B). Errors: `invalid_cursor`. */
    async listArtists(viewer: Viewer, request: PageRequest): Promise<Page<Artist>> {
      const limit = request.limit ?? DEFAULT_LIMIT;
      const position = readCursor(request.cursor, 'artists', ['key']);
      const libraryIds = await visibleLibraryIds(viewer);
      const rows = await repository.listArtists(libraryIds, position && { sortName: position.values[0] as string, id: position.id }, limit + 1);
      const page = toPage(rows, limit, 'artists', (row) => [row.sortName], (row) => row);
      return { items: await toArtists(viewer, libraryIds, page.items), nextCursor: page.nextCursor };
    },

    /** The artist with their own albums and those they appear on. Errors: `artist_not_found`. */
    async getArtist(viewer: Viewer, id: string): Promise<ArtistDetail> {
      requireHexId(id, 'artist_not_found');
      const libraryIds = await visibleLibraryIds(viewer);
      const row = await repository.findVisibleArtist(libraryIds, id);
      if (!row) throw new AppError('artist_not_found');
      const [[artist], albumRows] = await Promise.all([toArtists(viewer, libraryIds, [row]), repository.albumsOfArtist(libraryIds, id)]);
      const albums = await toAlbums(viewer, libraryIds, albumRows);
      return {
        ...artist!,
        albums: albums.filter((_, i) => albumRows[i]!.own === 1),
        appearsOn: albums.filter((_, i) => albumRows[i]!.own !== 1),
      };
    },

    /** Visible albums in `sort` order. Errors: `invalid_cursor` (also for a cursor of another sort). */
    async listAlbums(viewer: Viewer, sort: AlbumSort, request: PageRequest): Promise<Page<Album>> {
      const limit = request.limit ?? DEFAULT_LIMIT;
      const listing = albumListing(sort, request.cursor);
      const libraryIds = await visibleLibraryIds(viewer);
      const rows = await repository.listAlbums(libraryIds, listing, limit + 1);
      const page = toPage(rows, limit, `albums:${sort}`, (row) => albumPosition(sort, row), (row) => row);
      return { items: await toAlbums(viewer, libraryIds, page.items), nextCursor: page.nextCursor };
    },

    /** The album with its playable tracks in disc/track order. Errors: `album_not_found`. */
    async getAlbum(viewer: Viewer, id: string): Promise<AlbumDetail> {
      requireHexId(id, 'album_not_found');
      const libraryIds = await visibleLibraryIds(viewer);
      const row = await repository.findVisibleAlbum(libraryIds, id);
      if (!row) throw new AppError('album_not_found');
      const [[album], tracks] = await Promise.all([
        toAlbums(viewer, libraryIds, [row]),
        repository.albumTracks(libraryIds, id).then((rows) => toTracks(viewer, rows)),
      ]);
      return { ...album!, tracks };
    },

    /** Tracks with the status (`all`: any) by title. Errors: `invalid_cursor` (also for another status's cursor). */
    async listTracks(viewer: Viewer, status: TrackStatusFilter, request: PageRequest): Promise<Page<Track>> {
      const limit = request.limit ?? DEFAULT_LIMIT;
      const listing = `tracks:${status}`;
      const position = readCursor(request.cursor, listing, ['key']);
      const libraryIds = await visibleLibraryIds(viewer);
      const after = position && { titleKey: position.values[0] as string, id: position.id };
      const rows = await repository.listTracks(libraryIds, status, after, limit + 1);
      const page = toPage(rows, limit, listing, (row) => [row.titleKey], (row) => row);
      return { items: await toTracks(viewer, page.items), nextCursor: page.nextCursor };
    },

    /** The track, whatever its status. Errors: `track_not_found` (also for a track in a library the viewer may not see). */
    async getTrack(viewer: Viewer, id: string): Promise<Track> {
      requireHexId(id, 'track_not_found');
      const row = await repository.findTrack(await visibleLibraryIds(viewer), id);
      if (!row) throw new AppError('track_not_found');
      const [track] = await toTracks(viewer, [row]);
      return track!;
    },

    /**
     * The tracks among `ids` in libraries the viewer may see (any status), in the order of `ids`; others are left out.
     * For features that list tracks of their own (history, favorites, statistics).
     */
    async tracksByIds(viewer: Viewer, ids: string[]): Promise<Track[]> {
      const rows = await repository.findTracks(await visibleLibraryIds(viewer), ids.filter((id) => HEX_ID.test(id)));
      return inOrderOf(ids, await toTracks(viewer, rows));
    },

    /** The albums among `ids` the viewer may see, in the order of `ids`; others are left out. */
    async albumsByIds(viewer: Viewer, ids: string[]): Promise<Album[]> {
      const libraryIds = await visibleLibraryIds(viewer);
      const rows = await repository.findVisibleAlbums(libraryIds, ids.filter((id) => HEX_ID.test(id)));
      return inOrderOf(ids, await toAlbums(viewer, libraryIds, rows));
    },

    /** The artists among `ids` the viewer may see, in the order of `ids`; others are left out. */
    async artistsByIds(viewer: Viewer, ids: string[]): Promise<Artist[]> {
      const libraryIds = await visibleLibraryIds(viewer);
      const rows = await repository.findVisibleArtists(libraryIds, ids.filter((id) => HEX_ID.test(id)));
      return inOrderOf(ids, await toArtists(viewer, libraryIds, rows));
    },

    /**
     * The track's lyrics: plain text (derived from the synced lines when only those exist) and time-stamped lines.
     * Errors: `track_not_found` (also for a track in a library the viewer may not see), `lyrics_not_found` (the track
     * has none).
     */
    async getLyrics(viewer: Viewer, id: string): Promise<Lyrics> {
      requireHexId(id, 'track_not_found');
      const row = await repository.findLyrics(await visibleLibraryIds(viewer), id);
      if (!row) throw new AppError('track_not_found');
      const synced = parseSyncedLyrics(row.syncedLyrics);
      const plain = row.lyrics || (synced ? synced.map((line) => line.text).join('\n') : null);
      if (plain === null) throw new AppError('lyrics_not_found');
      return { plain, synced };
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
