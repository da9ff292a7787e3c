import { foldKey } from '../../shared/text.js';
import type { TrackTags } from './track-file.js';

export const VARIOUS_ARTISTS = 'Various Artists';
const UNKNOWN_ARTIST = 'Unknown Artist';

/** The tags albums and credits are derived from (the scanner passes a file's tags, catalog edits overlaid ones). */
export type GroupingTags = Pick<TrackTags, 'artist' | 'artists' | 'album' | 'albumArtist' | 'albumArtists' | 'compilation' | 'mbReleaseId' | 'genres'>;

/** The album a track belongs to, before ids are known. */
export interface AlbumIdentity {
  /** See `AlbumsTable.groupKey`. */
  groupKey: string;
  title: string;
  titleKey: string;
  /** Album artist as displayed ("Various Artists" for compilations). */
  albumArtist: string;
  /** Credited album artists, in order; the first is the album's `albumArtistId`. */
  albumArtists: string[];
  mbid: string | null;
  compilation: boolean;
}

const SEPARATOR = '\u001f';

/**
 * Groups a track into an album: album artist key + album title key (+ MusicBrainz release id when tagged), all
 * folded (case- and diacritics-insensitive). Compilations go under "Various Artists" unless the file names a real
 * album artist; the tag reader falls back to the track artist when there is none, which is recognised here so a
 * compilation is not split into one album per track artist.
 */
export function albumIdentity(tags: GroupingTags): AlbumIdentity {
  let albumArtist = tags.albumArtist;
  let albumArtists = tags.albumArtists.length > 0 ? tags.albumArtists : [tags.albumArtist];
  if (tags.compilation && (foldKey(albumArtist) === foldKey(tags.artist) || albumArtist.trim() === '')) {
    albumArtist = VARIOUS_ARTISTS;
    albumArtists = [VARIOUS_ARTISTS];
  }
  const titleKey = foldKey(tags.album);
  const parts = [foldKey(albumArtist), titleKey];
  if (tags.mbReleaseId) parts.push(tags.mbReleaseId.toLowerCase());
  return {
    groupKey: parts.join(SEPARATOR),
    title: tags.album,
    titleKey,
    albumArtist,
    albumArtists,
    mbid: tags.mbReleaseId,
    compilation: tags.compilation,
  };
}

/** Names with an empty fold (only spaces or marks) credit nobody; duplicates by key are credited once. */
export function distinctNames(names: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of names) {
    const key = foldKey(name);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(name.trim());
  }
  return out;
}

/** Who and what a track credits: artists, its album (and that album's artists) and genres, each list non-repeating. */
export interface TrackCredits {
  /** Never empty ("Unknown Artist"). */
  artists: string[];
  album: AlbumIdentity;
  /** Never empty ("Unknown Artist"). */
  albumArtists: string[];
  genres: string[];
}

/** The credits of a track with these tags; the scanner and catalog edits both link tracks from them. */
export function trackCredits(tags: GroupingTags): TrackCredits {
  const artists = distinctNames(tags.artists.length > 0 ? tags.artists : [tags.artist]);
  if (artists.length === 0) artists.push(UNKNOWN_ARTIST);
  const album = albumIdentity(tags);
  const albumArtists = distinctNames(album.albumArtists);
  if (albumArtists.length === 0) albumArtists.push(UNKNOWN_ARTIST);
  return { artists, album, albumArtists, genres: distinctNames(tags.genres) };
}
