import path from 'node:path';
import type { TracksTable } from '../../db/schema.js';
import { foldKey } from '../../shared/text.js';
import type { TrackFileReadResult } from './track-file.js';

/** The columns of a track that come from its file; ids, path, status, links and times are the scanner's. */
export type TrackFileFields = Omit<
  TracksTable,
  'id' | 'libraryId' | 'path' | 'status' | 'brokenReason' | 'size' | 'mtimeMs' | 'fingerprint' | 'contentHash' | 'albumId' | 'artworkId' | 'addedAt' | 'updatedAt' | 'missingSince'
>;

function int(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : Math.round(value);
}

function real(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
}

/** Maps what the tag reader found onto track columns; integer columns get rounded numbers (PostgreSQL insists). */
export function trackFieldsFromTags(result: Extract<TrackFileReadResult, { ok: true }>): TrackFileFields {
  const { tags, audio } = result;
  return {
    title: tags.title,
    titleKey: foldKey(tags.title),
    artist: tags.artist,
    albumArtist: tags.albumArtist,
    trackNumber: int(tags.trackNumber),
    trackTotal: int(tags.trackTotal),
    discNumber: int(tags.discNumber),
    discTotal: int(tags.discTotal),
    year: int(tags.year),
    date: tags.date,
    originalDate: tags.originalDate,
    compilation: tags.compilation ? 1 : 0,
    mbTrackId: tags.mbTrackId,
    mbRecordingId: tags.mbRecordingId,
    mbReleaseId: tags.mbReleaseId,
    isrc: tags.isrc,
    bpm: real(tags.bpm),
    musicalKey: tags.musicalKey,
    comment: tags.comment,
    lyrics: tags.lyrics,
    syncedLyrics: tags.syncedLyrics ? JSON.stringify(tags.syncedLyrics) : null,
    rgTrackGain: real(tags.replayGain.trackGain),
    rgTrackPeak: real(tags.replayGain.trackPeak),
    rgAlbumGain: real(tags.replayGain.albumGain),
    rgAlbumPeak: real(tags.replayGain.albumPeak),
    durationMs: int(audio.durationMs),
    bitrate: int(audio.bitrate),
    sampleRate: int(audio.sampleRate),
    bitDepth: int(audio.bitDepth),
    channels: int(audio.channels),
    codec: audio.codec,
    container: audio.container,
    lossless: audio.lossless ? 1 : 0,
  };
}

/** A broken file is listed under its file name so it can be found and fixed; it credits nobody. */
export function brokenTrackFields(relPath: string): TrackFileFields {
  const title = path.posix.basename(relPath, path.posix.extname(relPath)) || relPath;
  return {
    title,
    titleKey: foldKey(title),
    artist: '',
    albumArtist: '',
    trackNumber: null,
    trackTotal: null,
    discNumber: null,
    discTotal: null,
    year: null,
    date: null,
    originalDate: null,
    compilation: 0,
    mbTrackId: null,
    mbRecordingId: null,
    mbReleaseId: null,
    isrc: null,
    bpm: null,
    musicalKey: null,
    comment: null,
    lyrics: null,
    syncedLyrics: null,
    rgTrackGain: null,
    rgTrackPeak: null,
    rgAlbumGain: null,
    rgAlbumPeak: null,
    durationMs: null,
    bitrate: null,
    sampleRate: null,
    bitDepth: null,
    channels: null,
    codec: null,
    container: null,
    lossless: 0,
  };
}
