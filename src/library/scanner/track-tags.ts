/**
 * From music-metadata's tags to the library's `TrackTags`: artist credits, fallbacks, numbers, dates, ReplayGain.
 * Rules are the library issue's (see `readTrackFile`); this module applies them to one parsed file.
 */
import type { IAudioMetadata } from 'music-metadata';
import { creditedArtists, joinArtistNames, splitArtistCredit } from './artist-credits.js';
import { normaliseGenres } from './genres.js';
import type { RestoredArtistFrame, RestoredArtistFrames } from './legacy-id3-text.js';
import { pickLyrics } from './lyrics.js';
import { cleanText, cleanTextList, finiteNumber, positiveNumber, uniqueIgnoringCase } from './tag-text.js';
import type { TrackTags } from './track-file.js';

export const UNKNOWN_ARTIST = 'Unknown Artist';
export const UNKNOWN_ALBUM = 'Unknown Album';
export const VARIOUS_ARTISTS = 'Various Artists';

interface ArtistCredit {
  display: string | null;
  names: string[];
}

function includesIgnoringCase(haystack: string, needle: string): boolean {
  return haystack.toLocaleLowerCase().includes(needle.toLocaleLowerCase());
}

function equalsIgnoringCase(a: string, b: string): boolean {
  return a.toLocaleLowerCase() === b.toLocaleLowerCase();
}

/**
 * Drops a value that merely joins two or more of the others: Discogs-tagged files list "Beth Hart, Joe Bonamassa"
 * next to "Beth Hart" and "Joe Bonamassa", and the parser merges both tags into one list.
 */
function withoutJoinedValues(values: readonly string[]): string[] {
  return values.filter((value) => values.filter((other) => other !== value && includesIgnoringCase(value, other)).length < 2);
}

/** Puts the stored values in place of the parser's "/"-split pieces when they lead the list. */
function restorePieces(values: readonly string[], restored: RestoredArtistFrame): string[] {
  const { pieces } = restored;
  const leadsWithPieces = pieces.every((piece, index) => values[index] !== undefined && equalsIgnoringCase(values[index], piece));
  return leadsWithPieces ? [...restored.values, ...values.slice(pieces.length)] : [...values];
}

/**
 * The display string: the singular tag as written, unless it is only one of several values (the parser keeps the
 * first value of a multi-valued ARTIST or a NUL-separated TPE1 as the singular tag); then all values joined ("A & B").
 */
function displayOf(single: string | null, values: readonly string[]): string | null {
  if (single === null) {
    return values.length > 0 ? joinArtistNames(values) : null;
  }
  const oneOfSeveral =
    values.length > 1 && values.some((value) => equalsIgnoringCase(value, single)) && values.some((value) => !includesIgnoringCase(single, value));
  return oneOfSeveral ? joinArtistNames(values) : single;
}

/**
 * The display string and credited names of the artist or album artist fields. The names are the multi-valued tag
 * (or the singular one) split on featuring credits, plus any guests named in the display string.
 */
function resolveCredit(single: unknown, plural: unknown, restored: RestoredArtistFrame | null): ArtistCredit {
  let singleValue = cleanText(single);
  let values = cleanTextList(Array.isArray(plural) ? plural : []);
  if (restored !== null && singleValue !== null && equalsIgnoringCase(singleValue, restored.pieces[0])) {
    singleValue = joinArtistNames(restored.values);
    values = restorePieces(values, restored);
  }
  values = withoutJoinedValues(values.length > 0 ? values : singleValue !== null ? [singleValue] : []);
  const display = displayOf(singleValue, values);
  const guests = display === null ? [] : splitArtistCredit(display).slice(1);
  return { display, names: uniqueIgnoringCase([...creditedArtists(values), ...guests]) };
}

function positiveInteger(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : cleanText(value);
  const number = text === null ? null : positiveNumber(Number.parseInt(text, 10));
  return number === null ? null : Math.trunc(number);
}

/**
 * A number from a native tag the parser does not map, matched by name ignoring case and a "TXXX:" prefix. ID3
 * files from some taggers (the corpus' XLD-tagged MP3) keep totals and disc numbers only in TXXX frames like
 * TXXX:TRACKTOTAL or TXXX:DISCNUMBER. "1/2" counts as 1.
 */
function nativeInteger(native: IAudioMetadata['native'], names: readonly string[]): number | null {
  for (const tags of Object.values(native)) {
    for (const tag of tags) {
      if (names.includes(tag.id.replace(/^TXXX:/i, '').toUpperCase())) {
        const number = positiveInteger(tag.value);
        if (number !== null) {
          return number;
        }
      }
    }
  }
  return null;
}

/**
 * Whether a native flag the parser does not map is set. ffmpeg writes the compilation flag of MP3s as
 * TXXX:compilation or TXXX:TCMP (ID3 has no standard frame; a real TCMP frame is mapped by the parser), so files
 * converted with ffmpeg would otherwise lose it.
 */
function nativeFlag(native: IAudioMetadata['native'], names: readonly string[]): boolean {
  return Object.values(native).some((tags) =>
    tags.some((tag) => names.includes(tag.id.replace(/^TXXX:/i, '').toUpperCase()) && /^(1|true|yes)$/i.test(cleanText(tag.value) ?? '')),
  );
}

/**
 * A tagged date as ISO-8601 when it starts like one ("2004", "2004-05", "2004-05-17"; "/" and "." separators and a
 * trailing time are accepted), else as tagged. Zero dates ("0", "0000") mean unknown.
 */
function normaliseDate(value: unknown): string | null {
  const text = cleanText(value);
  if (text === null || /^0+([-/.]0+)*$/.test(text)) {
    return null;
  }
  const match = /^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:$|[T\s])/.exec(text);
  if (!match || match[1] === '0000') {
    return text;
  }
  const month = match[2] === undefined ? null : Number.parseInt(match[2], 10);
  const day = match[3] === undefined ? null : Number.parseInt(match[3], 10);
  if (month === null || month < 1 || month > 12) {
    return match[1];
  }
  const yearMonth = `${match[1]}-${String(month).padStart(2, '0')}`;
  return day === null || day < 1 || day > 31 ? yearMonth : `${yearMonth}-${String(day).padStart(2, '0')}`;
}

function yearOf(value: unknown, date: string | null): number | null {
  const year = positiveInteger(value);
  if (year !== null && year <= 9999) {
    return year;
  }
  return date !== null && /^\d{4}/.test(date) ? positiveInteger(date.slice(0, 4)) : null;
}

/** The first comment that is meant for people: descriptor-less (iTunNORM, MusicMatch_* etc. are machine data). */
function commentOf(comments: IAudioMetadata['common']['comment']): string | null {
  for (const comment of comments ?? []) {
    const text = cleanText(comment.text);
    if (text !== null && cleanText(comment.descriptor) === null) {
      return text;
    }
  }
  return null;
}

function firstText(values: unknown): string | null {
  return Array.isArray(values) ? cleanTextList(values)[0] ?? null : cleanText(values);
}

export interface TrackTagsInput {
  metadata: IAudioMetadata;
  /** The file name without its extension, the title of last resort. */
  fileStem: string;
  restoredArtists: RestoredArtistFrames;
  /** See `mpegFrameMs`. */
  mpegFrameMs: number | null;
}

/** The `TrackTags` of one parsed file, fallbacks applied. */
export function toTrackTags({ metadata, fileStem, restoredArtists, mpegFrameMs }: TrackTagsInput): TrackTags {
  const { common, native, format } = metadata;
  const artist = resolveCredit(common.artist, common.artists, restoredArtists.artist);
  const artistDisplay = artist.display ?? UNKNOWN_ARTIST;
  const artistNames = artist.names.length > 0 ? artist.names : [artistDisplay];
  const compilation = common.compilation === true || nativeFlag(native, ['COMPILATION', 'TCMP']);
  let albumArtist = resolveCredit(common.albumartist, common.albumartists, restoredArtists.albumArtist);
  if (albumArtist.display === null) {
    // The main artist without guests: "A" and "A feat. B" on one album must not split it into two albums.
    const mainArtist = artistNames[0] ?? artistDisplay;
    albumArtist = compilation ? { display: VARIOUS_ARTISTS, names: [VARIOUS_ARTISTS] } : { display: mainArtist, names: [mainArtist] };
  }
  const date = normaliseDate(common.date) ?? normaliseDate(common.releasedate);
  const year = yearOf(common.year, date);
  const originalDate = normaliseDate(common.originaldate);
  const originalYear = positiveInteger(common.originalyear);
  const lyrics = pickLyrics(common.lyrics, mpegFrameMs);
  return {
    title: cleanText(common.title) ?? fileStem,
    artist: artistDisplay,
    artists: artistNames,
    album: cleanText(common.album) ?? UNKNOWN_ALBUM,
    albumArtist: albumArtist.display ?? artistDisplay,
    albumArtists: albumArtist.names.length > 0 ? albumArtist.names : [albumArtist.display ?? artistDisplay],
    trackNumber: positiveInteger(common.track.no),
    trackTotal: positiveInteger(common.track.of) ?? nativeInteger(native, ['TRACKTOTAL', 'TOTALTRACKS']),
    discNumber: positiveInteger(common.disk.no) ?? nativeInteger(native, ['DISCNUMBER']),
    discTotal: positiveInteger(common.disk.of) ?? nativeInteger(native, ['DISCTOTAL', 'TOTALDISCS']),
    year,
    date: date ?? (year === null ? null : String(year)),
    originalDate: originalDate ?? (originalYear === null ? null : String(originalYear)),
    genres: normaliseGenres(common.genre),
    compilation,
    mbTrackId: cleanText(common.musicbrainz_trackid),
    mbRecordingId: cleanText(common.musicbrainz_recordingid),
    mbReleaseId: cleanText(common.musicbrainz_albumid),
    mbArtistId: firstText(common.musicbrainz_artistid),
    mbAlbumArtistId: firstText(common.musicbrainz_albumartistid),
    isrc: firstText(common.isrc),
    bpm: positiveNumber(common.bpm),
    musicalKey: cleanText(common.key),
    comment: commentOf(common.comment),
    lyrics: lyrics.lyrics,
    syncedLyrics: lyrics.syncedLyrics,
    replayGain: {
      trackGain: finiteNumber(common.replaygain_track_gain?.dB) ?? finiteNumber(format.trackGain),
      trackPeak: finiteNumber(common.replaygain_track_peak?.ratio) ?? positiveNumber(format.trackPeakLevel),
      albumGain: finiteNumber(common.replaygain_album_gain?.dB) ?? finiteNumber(format.albumGain),
      albumPeak: finiteNumber(common.replaygain_album_peak?.ratio),
    },
  };
}
