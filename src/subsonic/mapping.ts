import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Album, AlbumDetail, Artist, Track } from '../catalog/schemas.js';
import type { Role } from '../db/schema.js';
import type { Playlist } from '../playlists/schemas.js';
import { audioContentType } from '../stream/content-types.js';
import type { Model } from './serializer.js';

/**
 * The music folder id of a library, as Subsonic clients get it. The spec types `MusicFolder.id` as an integer and
 * clients written in typed languages decode it as one, so a library's 32-hex-digit id cannot be sent as is: its
 * first 7 hex digits are, as a number (0..2^28-1, fits every client's int). Stable across restarts, no table;
 * two libraries of one server sharing the prefix is a one-in-268-million chance. `musicFolderId` parameters also
 * accept the library id itself.
 */
export function musicFolderId(libraryId: string): number {
  const prefix = libraryId.slice(0, 7);
  const hex = /^[0-9a-f]{7}$/i.test(prefix) ? prefix : createHash('sha256').update(libraryId).digest('hex').slice(0, 7);
  return Number.parseInt(hex, 16);
}

/** ISO 8601 (UTC) for epoch ms, as the spec's dates are written. */
const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * A song as `Child` (Responses/Child). OpenSubsonic fields this server knows are always present, empty when the file
 * has no value ("if a server supports a field it must return it with an empty / default value"). `bitRate` is
 * kbps, `duration` whole seconds. `coverArt` is the artwork id `getCoverArt` takes.
 */
export function toChild(track: Track, starredAt?: number): Model {
  const suffix = path.extname(track.path).slice(1).toLowerCase();
  return {
    id: track.id,
    parent: track.albumId ?? undefined,
    isDir: false,
    title: track.title,
    album: track.album ?? undefined,
    artist: track.artist,
    track: track.trackNumber ?? undefined,
    year: track.year ?? undefined,
    genre: track.genres[0],
    coverArt: track.artworkId ?? undefined,
    size: track.size,
    contentType: audioContentType(track.path, track.container),
    suffix,
    duration: track.durationMs === null ? undefined : Math.round(track.durationMs / 1000),
    bitRate: track.bitrate === null ? undefined : Math.round(track.bitrate / 1000),
    bitDepth: track.bitDepth ?? undefined,
    samplingRate: track.sampleRate ?? undefined,
    channelCount: track.channels ?? undefined,
    path: track.path,
    isVideo: false,
    userRating: track.rating > 0 ? track.rating : undefined,
    playCount: track.playCount,
    discNumber: track.discNumber ?? undefined,
    created: iso(track.addedAt),
    starred: iso(starredAt),
    albumId: track.albumId ?? undefined,
    artistId: track.artists[0]?.id,
    type: 'music',
    mediaType: 'song',
    played: iso(track.lastPlayedAt),
    bpm: track.bpm ?? 0,
    comment: track.comment ?? '',
    musicBrainzId: track.mbRecordingId ?? '',
    isrc: track.isrc ? [track.isrc] : [],
    genres: track.genres.map((name) => ({ name })),
    artists: track.artists.map((a) => ({ id: a.id, name: a.name })),
    displayArtist: track.artist,
    displayAlbumArtist: track.albumArtist,
    replayGain: {
      trackGain: track.replayGain.trackGain ?? undefined,
      trackPeak: track.replayGain.trackPeak ?? undefined,
      albumGain: track.replayGain.albumGain ?? undefined,
      albumPeak: track.replayGain.albumPeak ?? undefined,
    },
  };
}

/** An album as `AlbumID3` (Responses/AlbumID3); with `tracks`, `AlbumID3WithSongs` (songs as `song`). */
export function toAlbumId3(album: Album | AlbumDetail, starredAt?: number, songs?: Model[]): Model {
  return {
    id: album.id,
    name: album.title,
    artist: album.albumArtist,
    artistId: album.albumArtistId,
    coverArt: album.artworkId ?? undefined,
    songCount: album.trackCount,
    duration: Math.round(album.durationMs / 1000),
    playCount: album.playCount,
    created: iso(album.createdAt),
    starred: iso(starredAt),
    year: album.year ?? undefined,
    genre: album.genres[0],
    played: iso(album.lastPlayedAt),
    userRating: album.rating > 0 ? album.rating : undefined,
    genres: album.genres.map((name) => ({ name })),
    isCompilation: album.compilation,
    song: songs,
  };
}

/**
 * An album as a v1 directory `child` (Responses/child with `isDir=true`), as `getAlbumList`, `getStarred` and
 * `search2` return albums; `getMusicDirectory` with its id lists the songs. `parent` is the album artist.
 */
export function toAlbumChild(album: Album, starredAt?: number, parent?: string): Model {
  return {
    id: album.id,
    parent: parent ?? album.albumArtistId,
    isDir: true,
    title: album.title,
    album: album.title,
    artist: album.albumArtist,
    year: album.year ?? undefined,
    genre: album.genres[0],
    coverArt: album.artworkId ?? undefined,
    songCount: album.trackCount,
    duration: Math.round(album.durationMs / 1000),
    created: iso(album.createdAt),
    starred: iso(starredAt),
    playCount: album.playCount,
    userRating: album.rating > 0 ? album.rating : undefined,
    albumId: album.id,
    artistId: album.albumArtistId,
    isVideo: false,
    mediaType: 'album',
    type: 'music',
  };
}

/** An artist as `ArtistID3` (Responses/ArtistID3); `album` for `ArtistWithAlbumsID3`. */
export function toArtistId3(artist: Artist, starredAt?: number, albums?: Model[]): Model {
  return {
    id: artist.id,
    name: artist.name,
    coverArt: artist.artworkId ?? undefined,
    albumCount: artist.albumCount,
    starred: iso(starredAt),
    userRating: artist.rating > 0 ? artist.rating : undefined,
    album: albums,
  };
}

/**
 * A playlist as `playlist` (Responses/playlist); with `entries`, `playlistWithSongs` (songs as `entry`). `songCount`
 * and `duration` (s) count the playable items only, as those are the entries a client gets.
 */
export function toPlaylist(playlist: Playlist, entries?: Model[]): Model {
  return {
    id: playlist.id,
    name: playlist.name,
    comment: playlist.description === '' ? undefined : playlist.description,
    owner: playlist.owner.username,
    public: playlist.shared,
    // Null for a smart playlist while the search index is still being built at start-up.
    songCount: playlist.availableCount ?? 0,
    duration: Math.round((playlist.durationMs ?? 0) / 1000),
    created: iso(playlist.createdAt),
    changed: iso(playlist.updatedAt),
    coverArt: playlist.artworkId ?? undefined,
    // OpenSubsonic: the caller cannot edit it (another user's shared playlist, or a smart one whose rules choose).
    readonly: !playlist.editable || playlist.smart,
    entry: entries,
  };
}

/**
 * A user as `user` (Responses/user). Subsonic's roles against Omnisonic's two (admin, user): what every user may do
 * here is true (streaming, downloading, their upload library, playlists, ratings, their own Subsonic password),
 * catalog edits (`coverArtRole`) are the admins', podcasts, shares and video conversion do not exist.
 * `jukeboxRole`: the caller decides (a device of the user is online, see handlers/jukebox.ts). `folder` holds the
 * music folder ids (`musicFolderId`) of the libraries the user sees.
 */
export function toUser(user: { username: string; role: Role }, libraryIds: string[], jukebox: boolean): Model {
  const admin = user.role === 'admin';
  return {
    username: user.username,
    scrobblingEnabled: true,
    adminRole: admin,
    settingsRole: true,
    downloadRole: true,
    uploadRole: true,
    playlistRole: true,
    coverArtRole: admin,
    commentRole: true,
    podcastRole: false,
    streamRole: true,
    jukeboxRole: jukebox,
    shareRole: false,
    videoConversionRole: false,
    folder: libraryIds.map(musicFolderId),
  };
}
