import path from 'node:path';
import type { Album, AlbumDetail, Artist, Track } from '../catalog/schemas.js';
import { audioContentType } from '../stream/content-types.js';
import type { Model } from './serializer.js';

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
