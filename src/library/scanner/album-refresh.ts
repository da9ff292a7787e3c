import type { AlbumsTable } from '../../db/schema.js';
import type { AlbumTrackFacts, LibraryRepository } from '../library-repository.js';

/** Albums sort their tracks by disc, then track number (unnumbered last), then path. */
function trackOrder(a: AlbumTrackFacts, b: AlbumTrackFacts): number {
  const disc = (a.discNumber ?? 1) - (b.discNumber ?? 1);
  if (disc !== 0) return disc;
  const track = (a.trackNumber ?? Number.MAX_SAFE_INTEGER) - (b.trackNumber ?? Number.MAX_SAFE_INTEGER);
  if (track !== 0) return track;
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** An album's values the refresh recomputes, as stored. */
export interface AlbumRefreshState {
  id: string;
  artworkId: string | null;
  year: number | null;
  compilation: number;
}

/**
 * What an album takes from its available (`ok`) tracks: the cover of its first track in disc/track order that has
 * one (a track's cover is its embedded picture, else its folder image), its earliest year, and whether any track is
 * flagged as part of a compilation. Albums left with no available track keep their values. Returns the updates of
 * the albums that change; the scanner and catalog edits both apply them.
 */
export function albumRefreshUpdates(albums: AlbumRefreshState[], facts: AlbumTrackFacts[], now: number): { id: string; fields: Partial<AlbumsTable> }[] {
  const byAlbum = new Map<string, AlbumTrackFacts[]>();
  for (const fact of facts) {
    const list = byAlbum.get(fact.albumId) ?? [];
    list.push(fact);
    byAlbum.set(fact.albumId, list);
  }
  const updates: { id: string; fields: Partial<AlbumsTable> }[] = [];
  for (const album of albums) {
    const tracks = byAlbum.get(album.id);
    if (!tracks) continue;
    tracks.sort(trackOrder);
    const artworkId = tracks.find((t) => t.artworkId !== null)?.artworkId ?? null;
    const years = tracks.map((t) => t.year).filter((y): y is number => y !== null);
    const year = years.length ? Math.min(...years) : null;
    const compilation = tracks.some((t) => t.compilation === 1) ? 1 : 0;
    if (artworkId !== album.artworkId || year !== album.year || compilation !== album.compilation) {
      updates.push({ id: album.id, fields: { artworkId, year, compilation, updatedAt: now } });
    }
  }
  return updates;
}

/**
 * Recomputes albums from their tracks (see `albumRefreshUpdates`). `albumIds` null means every album. Returns the
 * ids of albums that changed and the libraries whose viewers see them.
 */
export async function refreshAlbums(
  repository: LibraryRepository,
  albumIds: string[] | null,
  now: number,
): Promise<{ ids: string[]; libraryIds: string[] }> {
  if (albumIds !== null && albumIds.length === 0) return { ids: [], libraryIds: [] };
  const [facts, albums] = await Promise.all([repository.albumTrackFacts(albumIds), repository.albumsById(albumIds)]);
  const updates = albumRefreshUpdates(albums, facts, now);
  const libraryIds = await repository.updateAlbums(updates, now);
  return { ids: updates.map((u) => u.id), libraryIds };
}
