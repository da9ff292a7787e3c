import type { TrackArtistsTable, TrackGenresTable } from '../../db/schema.js';
import { newId } from '../../shared/ids.js';
import { artistSortKey, foldKey } from '../../shared/text.js';
import { overlayScannedTags, type TrackOverrides } from '../../overrides/fields.js';
import type { ScanBatch, TrackLinks } from '../library-repository.js';
import { trackCredits } from './grouping.js';
import type { TrackTags } from './track-file.js';

/** Name keys already in the catalog, loaded once per scan and grown as the scan creates rows. */
export interface CatalogKeys {
  artists: Map<string, string>;
  albums: Map<string, string>;
  genres: Map<string, string>;
  artworks: Set<string>;
  /** Catalog edits (`src/overrides`) by track id; they win over what the track's file says. */
  overrides: Map<string, TrackOverrides>;
}

/** New entity ids a batch created, for `library` events. */
export interface CreatedIds {
  artists: string[];
  albums: string[];
}

/**
 * Resolves artists, the album and genres of a track to ids, adding rows for names the catalog does not know to
 * `batch`. Artists match on `foldKey(name)` and keep the display name of their first occurrence; albums match on
 * their group key (see `albumIdentity`). A track with overrides is grouped and written with them applied (the batch
 * carries them, see `ScanBatch.overridden`). Returns the album id and the track's links.
 */
export function resolveTrackEntities(
  keys: CatalogKeys,
  batch: ScanBatch,
  created: CreatedIds,
  trackId: string,
  tags: TrackTags,
  now: number,
): { albumId: string; links: TrackLinks } {
  const artistId = (name: string, mbid: string | null): string => {
    const key = foldKey(name);
    const known = keys.artists.get(key);
    if (known) return known;
    const id = newId();
    keys.artists.set(key, id);
    batch.artists.push({ id, name: name.trim(), nameKey: key, sortName: artistSortKey(name), mbid, createdAt: now });
    created.artists.push(id);
    return id;
  };

  const overrides = keys.overrides.get(trackId);
  if (overrides) {
    const overlaid = overlayScannedTags(trackId, tags, overrides);
    batch.overridden.push(overlaid.overridden);
    tags = overlaid.tags;
  }
  const { artists: trackArtists, album, albumArtists, genres: genreNames } = trackCredits(tags);

  const artists: TrackArtistsTable[] = trackArtists.map((name, position) => ({
    trackId,
    artistId: artistId(name, trackArtists.length === 1 ? tags.mbArtistId : null),
    role: 'artist',
    position,
  }));
  const albumArtistIds = albumArtists.map((name) => artistId(name, albumArtists.length === 1 ? tags.mbAlbumArtistId : null));
  artists.push(...albumArtistIds.map((artistId, position) => ({ trackId, artistId, role: 'album_artist' as const, position })));

  let albumId = keys.albums.get(album.groupKey);
  if (!albumId) {
    albumId = newId();
    keys.albums.set(album.groupKey, albumId);
    batch.albums.push({
      id: albumId,
      title: album.title,
      titleKey: album.titleKey,
      albumArtistId: albumArtistIds[0],
      albumArtistName: album.albumArtist,
      groupKey: album.groupKey,
      mbid: album.mbid,
      year: tags.year,
      compilation: album.compilation ? 1 : 0,
      artworkId: null,
      createdAt: now,
      updatedAt: now,
    });
    created.albums.push(albumId);
  }

  const genres: TrackGenresTable[] = genreNames.map((name, position) => {
    const key = foldKey(name);
    let genreId = keys.genres.get(key);
    if (!genreId) {
      genreId = newId();
      keys.genres.set(key, genreId);
      batch.genres.push({ id: genreId, name, nameKey: key });
    }
    return { trackId, genreId, position };
  });

  return { albumId, links: { artists, genres } };
}
