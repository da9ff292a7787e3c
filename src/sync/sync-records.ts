import path from 'node:path';
import type { SyncEntityType } from '../db/schema.js';
import type { AlbumRow, ArtistRow, ArtworkRow, FavoriteRow, PlaylistRow, TrackRow } from './sync-repository.js';

/** One record of the sync protocol: an entity as it is now (`upsert`, with `data`) or gone for this user (`delete`). */
export interface SyncRecord {
  type: SyncEntityType;
  id: string;
  op: 'upsert' | 'delete';
  data?: Record<string, unknown>;
}

/** Longest path segment in UTF-16 units; with the id suffix and extension it stays under 255 bytes for most text. */
const MAX_SEGMENT = 80;
/** Names Windows refuses whatever the extension. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/**
 * One path segment safe on Linux, macOS and Windows: control characters and `/ \ : * ? " < > |` become `_`, leading
 * dots (hidden files, `..`) and trailing dots and spaces go, long names are cut, reserved device names get a `_`,
 * and nothing left becomes `fallback`.
 */
export function safeSegment(text: string, fallback: string): string {
  let out = text
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim();
  out = [...out].slice(0, MAX_SEGMENT).join('').replace(/[.\s]+$/, '');
  if (out === '') out = fallback;
  return RESERVED.test(out.split('.')[0]) ? `_${out}` : out;
}

/**
 * The client-relative path a sync client stores a track at: `<Album Artist>/<Album>/<disc>-<track> <Title>
 * [<id8>].<ext>`, each segment made safe (`safeSegment`), the extension the file's own. The first 8 hex digits of
 * the track id keep two tracks with the same names apart (same album artist, album, numbers and title: a duplicate
 * rip, two pressings), so the name is unique per track without a look at the user's other tracks; it changes when
 * the track is renamed, and clients move the file then.
 */
export function syncFileName(track: Pick<TrackRow, 'id' | 'title' | 'albumTitle' | 'albumArtist' | 'discNumber' | 'trackNumber' | 'path'>): string {
  const ext = path.posix.extname(track.path).toLowerCase().replace(/[^.a-z0-9]/g, '');
  const number = `${track.discNumber ?? 1}-${String(track.trackNumber ?? 0).padStart(2, '0')}`;
  const base = `${number} ${safeSegment(track.title, 'Untitled')} [${track.id.slice(0, 8)}]`;
  return [safeSegment(track.albumArtist, 'Unknown Artist'), safeSegment(track.albumTitle ?? '', 'Unknown Album'), `${base}${ext}`].join('/');
}

export function trackRecord(row: TrackRow): SyncRecord {
  return {
    type: 'track',
    id: row.id,
    op: 'upsert',
    data: {
      id: row.id,
      title: row.title,
      albumId: row.albumId,
      albumTitle: row.albumTitle,
      albumArtist: row.albumArtist,
      artistName: row.artistName,
      discNumber: row.discNumber,
      trackNumber: row.trackNumber,
      durationMs: row.durationMs,
      size: row.size,
      sha256: row.sha256,
      codec: row.codec,
      fileName: syncFileName(row),
      artworkId: row.artworkId,
    },
  };
}

export function albumRecord(row: AlbumRow): SyncRecord {
  return {
    type: 'album',
    id: row.id,
    op: 'upsert',
    data: { id: row.id, title: row.title, albumArtistId: row.albumArtistId, albumArtist: row.albumArtist, year: row.year, compilation: row.compilation === 1, artworkId: row.artworkId },
  };
}

export function artistRecord(row: ArtistRow): SyncRecord {
  return { type: 'artist', id: row.id, op: 'upsert', data: { id: row.id, name: row.name, sortName: row.sortName, mbid: row.mbid } };
}

export function artworkRecord(row: ArtworkRow): SyncRecord {
  return { type: 'artwork', id: row.id, op: 'upsert', data: { id: row.id, mime: row.mime, width: row.width, height: row.height, size: row.size } };
}

export function playlistRecord(row: PlaylistRow): SyncRecord {
  return {
    type: 'playlist',
    id: row.id,
    op: 'upsert',
    data: {
      id: row.id,
      name: row.name,
      description: row.description,
      shared: row.shared === 1,
      revision: row.revision,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      trackIds: row.trackIds,
    },
  };
}

export function favoriteKey(row: Pick<FavoriteRow, 'itemType' | 'itemId'>): string {
  return `${row.itemType}:${row.itemId}`;
}

export function favoriteRecord(row: FavoriteRow): SyncRecord {
  const id = favoriteKey(row);
  return { type: 'favorite', id, op: 'upsert', data: { id, itemType: row.itemType, itemId: row.itemId, favoritedAt: row.favoritedAt } };
}
