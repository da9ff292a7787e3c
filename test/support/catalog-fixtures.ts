import type { Insertable } from 'kysely';
import type { Db } from '../../src/db/database.js';
import type {
  AlbumsTable,
  ArtistsTable,
  ArtworksTable,
  GenresTable,
  LibrariesTable,
  TrackArtistsTable,
  TrackGenresTable,
  TracksTable,
} from '../../src/db/schema.js';
import { newId } from '../../src/shared/ids.js';
import { artistSortKey, foldKey } from '../../src/shared/text.js';

/** An album to insert; `artist` is the album artist's name (created when new). Other columns may be overridden. */
export interface AlbumFixture extends Partial<Omit<AlbumsTable, 'compilation'>> {
  title: string;
  artist?: string;
  compilation?: boolean;
}

/**
 * A track to insert. `artists` are credited in order (role `artist`; default: "Unknown Artist"), `albumArtists`
 * with role `album_artist` (default: the album's artist when there is an album), `genres` in tag order. Artists and
 * genres are created by name when new. Every other column may be overridden.
 */
export interface TrackFixture extends Partial<Omit<TracksTable, 'albumId' | 'compilation' | 'lossless' | 'syncedLyrics'>> {
  title: string;
  album?: AlbumsTable | null;
  artists?: string[];
  albumArtists?: string[];
  genres?: string[];
  compilation?: boolean;
  lossless?: boolean;
  syncedLyrics?: { timeMs: number; text: string }[] | null;
}

/** Starting point of fixture timestamps; each row made after it gets a later time, so "recent" order is known. */
export const FIXTURE_EPOCH_MS = Date.UTC(2024, 0, 1);

/**
 * Builds catalog rows directly in the database, as the scanner would leave them: sort keys folded with the same
 * functions (`foldKey`, `artistSortKey`), ids from `newId`. Timestamps increase by one second per row made.
 */
export function catalogFixtures(db: Db) {
  let clock = FIXTURE_EPOCH_MS;
  const tick = () => (clock += 1000);
  let defaultLibrary: Promise<Insertable<LibrariesTable>> | undefined;

  async function library(input: Partial<Insertable<LibrariesTable>> = {}): Promise<Insertable<LibrariesTable>> {
    const id = input.id ?? newId();
    const row: Insertable<LibrariesTable> = { id, name: 'Music', rootPath: `/music/${id}`, createdAt: tick(), ...input };
    await db.insertInto('libraries').values(row).execute();
    return row;
  }

  /** The artist named `name` (matched on its folded name), created when new. */
  async function artist(name: string, input: Partial<ArtistsTable> = {}): Promise<ArtistsTable> {
    const nameKey = input.nameKey ?? foldKey(name);
    const existing = await db.selectFrom('artists').selectAll().where('nameKey', '=', nameKey).executeTakeFirst();
    if (existing) return existing;
    const row: ArtistsTable = { id: newId(), name, nameKey, sortName: artistSortKey(name), mbid: null, createdAt: tick(), ...input };
    await db.insertInto('artists').values(row).execute();
    return row;
  }

  async function genre(name: string): Promise<GenresTable> {
    const nameKey = foldKey(name);
    const existing = await db.selectFrom('genres').selectAll().where('nameKey', '=', nameKey).executeTakeFirst();
    if (existing) return existing;
    const row: GenresTable = { id: newId(), name, nameKey };
    await db.insertInto('genres').values(row).execute();
    return row;
  }

  /** An artwork row (no image file is written). */
  async function artwork(input: Partial<ArtworksTable> = {}): Promise<ArtworksTable> {
    const row: ArtworksTable = { id: newId() + newId(), mime: 'image/jpeg', width: 500, height: 500, size: 12_345, createdAt: tick(), ...input };
    await db.insertInto('artworks').values(row).execute();
    return row;
  }

  async function album({ title, artist: artistName = 'Unknown Artist', compilation = false, ...input }: AlbumFixture): Promise<AlbumsTable> {
    const albumArtist = await artist(artistName);
    const id = input.id ?? newId();
    const createdAt = input.createdAt ?? tick();
    const row: AlbumsTable = {
      id,
      title,
      titleKey: foldKey(title),
      albumArtistId: albumArtist.id,
      albumArtistName: albumArtist.name,
      // Unique per row so tests can make albums that tie on artist and title.
      groupKey: `${albumArtist.nameKey}|${foldKey(title)}|${id}`,
      mbid: null,
      year: null,
      compilation: compilation ? 1 : 0,
      artworkId: null,
      createdAt,
      updatedAt: createdAt,
      ...input,
    };
    await db.insertInto('albums').values(row).execute();
    return row;
  }

  async function track(fixture: TrackFixture): Promise<TracksTable> {
    const {
      title,
      album: onAlbum = null,
      artists = ['Unknown Artist'],
      albumArtists = onAlbum ? [onAlbum.albumArtistName] : [],
      genres = [],
      compilation = false,
      lossless = true,
      syncedLyrics = null,
      ...input
    } = fixture;
    defaultLibrary ??= library();
    const id = input.id ?? newId();
    const addedAt = input.addedAt ?? tick();
    const row: TracksTable = {
      id,
      libraryId: (await defaultLibrary).id,
      path: `${onAlbum?.title ?? 'Singles'}/${title} ${id}.flac`,
      status: 'ok',
      brokenReason: null,
      size: 4_000_000,
      mtimeMs: addedAt,
      fingerprint: newId(),
      contentHash: null,
      title,
      titleKey: foldKey(title),
      artist: artists.join(', '),
      albumId: onAlbum?.id ?? null,
      albumArtist: onAlbum?.albumArtistName ?? artists.join(', '),
      trackNumber: null,
      trackTotal: null,
      discNumber: null,
      discTotal: null,
      year: onAlbum?.year ?? null,
      date: null,
      originalDate: null,
      compilation: compilation ? 1 : 0,
      mbTrackId: null,
      mbRecordingId: null,
      mbReleaseId: null,
      isrc: null,
      bpm: null,
      musicalKey: null,
      comment: null,
      lyrics: null,
      syncedLyrics: syncedLyrics && JSON.stringify(syncedLyrics),
      rgTrackGain: null,
      rgTrackPeak: null,
      rgAlbumGain: null,
      rgAlbumPeak: null,
      durationMs: 180_000,
      bitrate: 900_000,
      sampleRate: 44_100,
      bitDepth: 16,
      channels: 2,
      codec: 'FLAC',
      container: 'FLAC',
      lossless: lossless ? 1 : 0,
      artworkId: null,
      addedAt,
      updatedAt: addedAt,
      missingSince: null,
      ...input,
    };
    await db.insertInto('tracks').values(row).execute();
    // One at a time: the same new name twice in a list must create one artist (or genre), not race to insert two.
    const credits: Insertable<TrackArtistsTable>[] = [];
    for (const [role, names] of [['artist', artists], ['album_artist', albumArtists]] as const) {
      for (const [position, name] of names.entries()) credits.push({ trackId: id, artistId: (await artist(name)).id, role, position });
    }
    if (credits.length > 0) await db.insertInto('trackArtists').values(credits).execute();
    const tags: Insertable<TrackGenresTable>[] = [];
    for (const [position, name] of genres.entries()) tags.push({ trackId: id, genreId: (await genre(name)).id, position });
    if (tags.length > 0) await db.insertInto('trackGenres').values(tags).execute();
    return row;
  }

  /** Lets the user see the library (as an admin's grant does). */
  async function grant(libraryId: string, userId: string): Promise<void> {
    await db.insertInto('libraryUsers').values({ libraryId, userId }).execute();
  }

  /** Deletes every catalog row (tracks, albums, artists, genres, artwork, libraries and their grants), so a test starts empty. */
  async function clear(): Promise<void> {
    for (const table of ['trackGenres', 'trackArtists', 'trackDuplicates', 'tracks', 'albums', 'artists', 'genres', 'artworks', 'libraries'] as const) {
      await db.deleteFrom(table).execute();
    }
    defaultLibrary = undefined;
  }

  return { library, artist, genre, artwork, album, track, grant, clear };
}

export type CatalogFixtures = ReturnType<typeof catalogFixtures>;
