/**
 * What the tag reader makes of one audio file: normalised tags, audio properties and the front cover.
 * Fallbacks are already applied (title from the file name, "Unknown Artist", "Unknown Album").
 */
export interface TrackTags {
  title: string;
  /** Artist credit as displayed, e.g. "Daft Punk feat. Pharrell Williams". */
  artist: string;
  /** Credited artists, in order: multi-valued tags, plus names split off "feat."/"ft." credits. Never empty. */
  artists: string[];
  album: string;
  /** Album artist as displayed; the track's artist credit when the file has none ("Various Artists" for compilations). */
  albumArtist: string;
  albumArtists: string[];
  trackNumber: number | null;
  trackTotal: number | null;
  discNumber: number | null;
  discTotal: number | null;
  year: number | null;
  /** As tagged, ISO-8601 when possible ("2004", "2004-05-17"). */
  date: string | null;
  originalDate: string | null;
  genres: string[];
  compilation: boolean;
  mbTrackId: string | null;
  mbRecordingId: string | null;
  mbReleaseId: string | null;
  mbArtistId: string | null;
  mbAlbumArtistId: string | null;
  isrc: string | null;
  bpm: number | null;
  musicalKey: string | null;
  comment: string | null;
  lyrics: string | null;
  syncedLyrics: { timeMs: number; text: string }[] | null;
  /** ReplayGain: gains in dB, peaks linear (1.0 = full scale). */
  replayGain: { trackGain: number | null; trackPeak: number | null; albumGain: number | null; albumPeak: number | null };
}

export interface AudioProperties {
  durationMs: number;
  /** Bits per second. */
  bitrate: number | null;
  /** Hz. */
  sampleRate: number | null;
  bitDepth: number | null;
  channels: number | null;
  /** Codec as reported by the parser, e.g. "MPEG 1 Layer 3", "FLAC", "Opus". */
  codec: string;
  /** Container, e.g. "MPEG", "FLAC", "Ogg/Opus", "M4A/mp42". */
  container: string | null;
  lossless: boolean;
}

export interface EmbeddedPicture {
  data: Uint8Array;
  mime: string;
}

export type TrackFileReadResult =
  | { ok: true; tags: TrackTags; audio: AudioProperties; picture: EmbeddedPicture | null }
  | { ok: false; reason: string };
