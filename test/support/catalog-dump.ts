import type { Db } from '../../src/db/database.js';

/**
 * The catalog as a user sees it, without ids and times: one line per track with its path, status, title, album
 * (title and album artist) and credited artists, then one line per album and artist, sorted. Two catalogs of the same files compare equal
 * whatever order or process built them.
 */
export async function dumpCatalog(db: Db): Promise<string[]> {
  const tracks = await db
    .selectFrom('tracks')
    .leftJoin('albums', 'albums.id', 'tracks.albumId')
    .select([
      'tracks.id',
      'tracks.path',
      'tracks.status',
      'tracks.title',
      'tracks.brokenReason',
      'albums.title as albumTitle',
      'albums.albumArtistName',
      'albums.artworkId as albumArtwork',
      'tracks.artworkId',
    ])
    .execute();
  const credits = await db
    .selectFrom('trackArtists')
    .innerJoin('artists', 'artists.id', 'trackArtists.artistId')
    .select(['trackArtists.trackId', 'trackArtists.role', 'trackArtists.position', 'artists.name'])
    .execute();
  const byTrack = new Map<string, string[]>();
  for (const c of credits.sort((a, b) => (a.role + a.position < b.role + b.position ? -1 : 1))) {
    byTrack.set(c.trackId, [...(byTrack.get(c.trackId) ?? []), `${c.role}:${c.name}`]);
  }
  const albums = await db.selectFrom('albums').select(['title', 'albumArtistName', 'year', 'compilation', 'artworkId']).execute();
  const artists = await db.selectFrom('artists').select(['name', 'sortName']).execute();
  const lines = tracks
    .map((t) =>
      [
        t.path,
        t.status,
        t.title,
        t.brokenReason ?? '',
        t.albumTitle ?? '',
        t.albumArtistName ?? '',
        t.artworkId ?? '',
        t.albumArtwork ?? '',
        (byTrack.get(t.id) ?? []).join(','),
      ].join(' | '),
    );
  lines.push(...albums.map((a) => `album: ${a.title} | ${a.albumArtistName} | ${a.year} | ${a.compilation} | ${a.artworkId}`));
  lines.push(...artists.map((a) => `artist: ${a.name} | ${a.sortName}`));
  return lines.sort();
}
