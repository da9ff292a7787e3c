import {
  File,
  Id3v2FrameClassType,
  Id3v2FrameIdentifiers,
  Id3v2Settings,
  Id3v2UserTextInformationFrame,
  TagTypes,
  type Id3v2Tag,
  type XiphComment,
} from 'node-taglib-sharp';
import { joinArtistNames } from '../library/scanner/artist-credits.js';
import { AppError } from '../shared/errors.js';
import type { TagFormat } from './audio-region.js';
import type { TrackOverrides } from './fields.js';

/** Writes tag values into one audio file, in place; the caller hands it a copy (see `createTagWriteBack`). */
export interface TagFileWriter {
  write(absPath: string, format: TagFormat, values: TrackOverrides): Promise<void>;
}

// Genres are written as names (ID3v2.3: "Jazz;Funk"), never as ID3v1 numbers ("(8)"), so they read back as written.
Id3v2Settings.useNumericGenres = false;

/** The display credit a tag holds for these artists: one as written, several joined ("A & B"). */
function displayCredit(artists: string[]): string {
  return artists.length === 1 ? artists[0] : joinArtistNames(artists);
}

function userTextFrames(tag: Id3v2Tag, description: RegExp): Id3v2UserTextInformationFrame[] {
  return (tag.getFramesByClassType(Id3v2FrameClassType.UserTextInformationFrame) as Id3v2UserTextInformationFrame[]).filter((frame) =>
    description.test(frame.description ?? ''),
  );
}

/**
 * ID3v2 in the version the file has (converting would rewrite untouched frames: TagLib# re-splits v2.3 text on "/",
 * so "AC/DC" would become two artists). Artists go Picard's way, which every ID3 version reads the same: TPE1 holds
 * the display credit, TXXX:ARTISTS the names when there are several.
 */
function writeId3v2(tag: Id3v2Tag, values: TrackOverrides): void {
  const v = values;
  if (v.title !== undefined) tag.title = v.title;
  if (v.artists !== undefined) {
    tag.setTextFrame(Id3v2FrameIdentifiers.TPE1, displayCredit(v.artists));
    for (const frame of userTextFrames(tag, /^artists$/i)) tag.removeFrame(frame);
    if (v.artists.length > 1) {
      const frame = Id3v2UserTextInformationFrame.fromDescription('ARTISTS');
      frame.text = v.artists;
      tag.addFrame(frame);
    }
  }
  if (v.album !== undefined) tag.album = v.album;
  if (v.albumArtist !== undefined) tag.setTextFrame(Id3v2FrameIdentifiers.TPE2, v.albumArtist);
  if (v.trackNumber !== undefined) tag.track = v.trackNumber ?? 0;
  if (v.discNumber !== undefined) tag.disc = v.discNumber ?? 0;
  if (v.year !== undefined) tag.year = v.year ?? 0;
  if (v.genres !== undefined) tag.genres = v.genres;
  if (v.bpm !== undefined) tag.beatsPerMinute = v.bpm ?? 0;
  if (v.musicalKey !== undefined) tag.setTextFrame(Id3v2FrameIdentifiers.TKEY, v.musicalKey ?? '');
  if (v.compilation !== undefined) {
    // ffmpeg writes the flag as TXXX:compilation or TXXX:TCMP, which the tag reader honours too.
    for (const frame of userTextFrames(tag, /^(compilation|tcmp)$/i)) tag.removeFrame(frame);
    tag.isCompilation = v.compilation;
  }
}

/** Sets a Vorbis number field, keeping a total written into it ("3/12"). */
function setNumberField(comment: XiphComment, key: string, value: number | null): void {
  if (value === null) {
    comment.removeField(key);
    return;
  }
  const total = /\/\s*(\d+)/.exec(comment.getFieldFirstValue(key) ?? '')?.[1];
  comment.setFieldAsStrings(key, total ? `${value}/${total}` : String(value));
}

function setTextField(comment: XiphComment, key: string, values: string[], aliases: string[] = []): void {
  for (const alias of aliases) comment.removeField(alias);
  if (values.length === 0) comment.removeField(key);
  else comment.setFieldAsStrings(key, ...values);
}

/**
 * Vorbis comments under the names music-metadata (and so the tag reader) reads; aliases that would contradict the
 * new value (ARTISTS, "ALBUM ARTIST", TEMPO, INITIALKEY) are removed.
 */
function writeXiph(comment: XiphComment, values: TrackOverrides): void {
  const v = values;
  if (v.title !== undefined) setTextField(comment, 'TITLE', [v.title]);
  if (v.artists !== undefined) setTextField(comment, 'ARTIST', v.artists, ['ARTISTS']);
  if (v.album !== undefined) setTextField(comment, 'ALBUM', [v.album]);
  if (v.albumArtist !== undefined) setTextField(comment, 'ALBUMARTIST', [v.albumArtist], ['ALBUM ARTIST']);
  if (v.trackNumber !== undefined) setNumberField(comment, 'TRACKNUMBER', v.trackNumber);
  if (v.discNumber !== undefined) setNumberField(comment, 'DISCNUMBER', v.discNumber);
  if (v.year !== undefined) setTextField(comment, 'DATE', v.year === null ? [] : [String(v.year)]);
  if (v.genres !== undefined) setTextField(comment, 'GENRE', v.genres);
  if (v.bpm !== undefined) setTextField(comment, 'BPM', v.bpm === null ? [] : [String(v.bpm)], ['TEMPO']);
  if (v.musicalKey !== undefined) setTextField(comment, 'KEY', v.musicalKey === null ? [] : [v.musicalKey], ['INITIALKEY']);
  if (v.compilation !== undefined) setTextField(comment, 'COMPILATION', v.compilation ? ['1'] : []);
}

/**
 * The tag writer on node-taglib-sharp (a maintained port of TagLib#): it rewrites only the tag blocks (ID3v2 at the
 * start of an MP3, the VORBIS_COMMENT block of a FLAC, using padding when it fits) and never touches audio frames.
 * Only tags already on the file are written, plus the format's main tag when missing (TagLib# would otherwise add an
 * ID3v1 tag to every MP3). MP3s with an APE tag are refused: readers take the APE tag first, so an ID3v2 edit would
 * not show.
 */
export const taglibTagWriter: TagFileWriter = {
  async write(absPath, format, values) {
    const file = File.createFromPath(absPath);
    try {
      if (format === 'mp3' && file.tagTypesOnDisk & TagTypes.Ape) {
        throw new AppError('tag_write_unsupported', 'MP3 files with an APE tag are not supported.');
      }
      const added = file.tagTypes & ~file.tagTypesOnDisk;
      if (added) file.removeTags(added);
      if (format === 'mp3') writeId3v2(file.getTag(TagTypes.Id3v2, true) as Id3v2Tag, values);
      else writeXiph(file.getTag(TagTypes.Xiph, true) as XiphComment, values);
      file.save();
    } finally {
      file.dispose();
    }
  },
};
