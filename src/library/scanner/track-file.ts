/**
 * What the tag reader (`readTrackFile` in `tag-reader.ts`) makes of one audio file: normalised tags, audio
 * properties and the front cover. Fallbacks are already applied (title from the file name, "Unknown Artist",
 * "Unknown Album"); text values are trimmed and free of NUL characters, and lists hold no empty or repeated values.
 */
export interface TrackTags {
  /** The title tag, else the file name without its extension. */
  title: string;
  /**
   * Artist credit as displayed, e.g. "Daft Punk feat. Pharrell Williams". Several values of a multi-valued artist tag
   * are joined as "A & B" / "A, B & C". "Unknown Artist" when the file names none.
   */
  artist: string;
  /**
   * Credited artists, in order: multi-valued tags, plus names split off "feat."/"ft."/"featuring" credits. A single
   * value is never split on "&", "and", ",", "/" ("Simon & Garfunkel", "AC/DC" stay whole). Never empty.
   */
  artists: string[];
  /** The album tag, else "Unknown Album". */
  album: string;
  /** Album artist as displayed; the track's artist credit when the file has none ("Various Artists" for compilations). */
  albumArtist: string;
  /** Credited album artists, in order, by the same rules as `artists`. Never empty. */
  albumArtists: string[];
  /** Positive, or null when untagged; 0 in a tag counts as untagged. */
  trackNumber: number | null;
  trackTotal: number | null;
  discNumber: number | null;
  discTotal: number | null;
  /** Release year, from the year tag or the start of `date`. */
  year: number | null;
  /** As tagged, ISO-8601 when possible ("2004", "2004-05", "2004-05-17"); the year alone when only a year is tagged. */
  date: string | null;
  /** Original release date, same form as `date`. */
  originalDate: string | null;
  /** Multi-valued; values also split on ";" and NUL, ID3 numeric references ("(52)") resolved to names. */
  genres: string[];
  compilation: boolean;
  /** MusicBrainz release track id (Picard's "MusicBrainz Release Track Id"). */
  mbTrackId: string | null;
  /** MusicBrainz recording id (Picard's MUSICBRAINZ_TRACKID / "MusicBrainz Track Id"). */
  mbRecordingId: string | null;
  /** MusicBrainz release (album) id. */
  mbReleaseId: string | null;
  /** The first MusicBrainz artist id when several are tagged. */
  mbArtistId: string | null;
  /** The first MusicBrainz album artist id when several are tagged. */
  mbAlbumArtistId: string | null;
  /** The first ISRC when several are tagged. */
  isrc: string | null;
  /** Beats per minute, positive. */
  bpm: number | null;
  /** Musical key as tagged, e.g. "Am" or "F#m". */
  musicalKey: string | null;
  /** The first comment meant for people; machine comments with a descriptor (iTunNORM, …) are skipped. */
  comment: string | null;
  /** Unsynchronised lyrics, lines separated by "\n"; LRC time stamps removed. */
  lyrics: string | null;
  /** Time-synced lyrics (ID3 SYLT, or LRC text in a lyrics tag), sorted by time in ms from the track start. */
  syncedLyrics: { timeMs: number; text: string }[] | null;
  /**
   * ReplayGain: gains in dB, peaks linear (1.0 = full scale). From REPLAYGAIN_* tags (Vorbis comments, TXXX frames,
   * APE, iTunes freeform), else the track values of an MP3's LAME header.
   */
  replayGain: { trackGain: number | null; trackPeak: number | null; albumGain: number | null; albumPeak: number | null };
}

export interface AudioProperties {
  /** Milliseconds, integer; 0 when neither the header nor a cheap look-up gives the length. */
  durationMs: number;
  /** Bits per second, integer (average over the file where the parser computes it). */
  bitrate: number | null;
  /** Hz. */
  sampleRate: number | null;
  /** Bits per sample as the file states it (PCM and lossless streams; mostly null for lossy codecs). */
  bitDepth: number | null;
  channels: number | null;
  /** Codec as reported by the parser, e.g. "MPEG 1 Layer 3", "FLAC", "Opus", "Musepack SV7". */
  codec: string;
  /** Container, e.g. "MPEG", "FLAC", "Ogg", "M4A/mp42". */
  container: string | null;
  lossless: boolean;
}

export interface EmbeddedPicture {
  data: Uint8Array;
  /** Lower-case MIME type, from the image's own first bytes when recognised ("image/jpeg", "image/png", …). */
  mime: string;
}

/** `{ok: false}` when the file cannot be read, has no audio, or took longer than the timeout; `reason` says which. */
export type TrackFileReadResult =
  | { ok: true; tags: TrackTags; audio: AudioProperties; picture: EmbeddedPicture | null }
  | { ok: false; reason: string };
