/**
 * Plain and time-synced lyrics from the parser's lyrics tags. Synced lyrics come from ID3 SYLT frames, or from
 * LRC text ("[01:02.50] words") that taggers put into USLT frames or LYRICS comments.
 */
import { LyricsContentType, TimestampFormat, type ILyricsTag } from 'music-metadata';
import { cleanText } from './tag-text.js';

export interface SyncedLyricLine {
  /** Milliseconds from the start of the track. */
  timeMs: number;
  text: string;
}

export interface Lyrics {
  lyrics: string | null;
  syncedLyrics: SyncedLyricLine[] | null;
}

/** One or more leading LRC time stamps: [mm:ss], [mm:ss.x], [mm:ss.xx], [mm:ss.xxx] (":" also seen before the fraction). */
const LRC_LEADING_STAMPS = /^(?:\s*\[\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?\])+/;
const LRC_STAMP = /\[(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?\]/g;

function lrcStampMs(minutes: string, seconds: string, fraction: string | undefined): number {
  const fractionMs = fraction === undefined ? 0 : Math.round(Number.parseInt(fraction, 10) * 10 ** (3 - fraction.length));
  return (Number.parseInt(minutes, 10) * 60 + Number.parseInt(seconds, 10)) * 1000 + fractionMs;
}

/**
 * Parses LRC text; null when no line starts with a time stamp. `synced` is sorted by time, and a line with several
 * stamps ("[00:10.00][01:10.00]chorus") appears at each; `plain` keeps the words once, in file order. Tag lines
 * ("[ar:…]") and lines without words are left out.
 */
export function parseLrc(text: string): { synced: SyncedLyricLine[]; plain: string } | null {
  const synced: SyncedLyricLine[] = [];
  const plain: string[] = [];
  let timed = false;
  for (const line of text.split(/\r?\n|\r/)) {
    const stamps = LRC_LEADING_STAMPS.exec(line);
    if (!stamps) {
      continue;
    }
    timed = true;
    const words = cleanText(line.slice(stamps[0].length));
    if (words === null) {
      continue;
    }
    plain.push(words);
    for (const stamp of stamps[0].matchAll(LRC_STAMP)) {
      synced.push({ timeMs: lrcStampMs(stamp[1], stamp[2], stamp[3]), text: words });
    }
  }
  return timed ? { synced: synced.sort((a, b) => a.timeMs - b.timeMs), plain: plain.join('\n') } : null;
}

/** SYLT content types that hold words; "other", chords, events etc. do not (one corpus file has lip-sync letters). */
function holdsWords(tag: ILyricsTag): boolean {
  return tag.contentType === LyricsContentType.lyrics || tag.contentType === LyricsContentType.text;
}

function syncedLinesOf(tag: ILyricsTag, mpegFrameMs: number | null): SyncedLyricLine[] | null {
  let toMs: (stamp: number) => number;
  if (tag.timeStampFormat === TimestampFormat.milliseconds) {
    toMs = (stamp) => stamp;
  } else if (tag.timeStampFormat === TimestampFormat.mpegFrameNumber && mpegFrameMs !== null) {
    toMs = (stamp) => stamp * mpegFrameMs;
  } else {
    return null;
  }
  const lines: SyncedLyricLine[] = [];
  for (const line of tag.syncText ?? []) {
    const text = cleanText(line.text);
    if (text !== null && typeof line.timestamp === 'number' && Number.isFinite(line.timestamp) && line.timestamp >= 0) {
      lines.push({ timeMs: Math.round(toMs(line.timestamp)), text });
    }
  }
  return lines.length > 0 ? lines.sort((a, b) => a.timeMs - b.timeMs) : null;
}

/**
 * The first usable plain and synced lyrics. Plain lyrics have LRC time stamps removed and line ends as "\n"; when a
 * file has only synced lyrics, their lines joined make the plain text.
 * @param mpegFrameMs length of one MPEG audio frame in ms, to convert SYLT frames given in frame numbers; null if unknown.
 */
export function pickLyrics(tags: readonly ILyricsTag[] | null | undefined, mpegFrameMs: number | null): Lyrics {
  let lyrics: string | null = null;
  let syncedLyrics: SyncedLyricLine[] | null = null;
  for (const tag of tags ?? []) {
    if (syncedLyrics === null && holdsWords(tag) && (tag.syncText?.length ?? 0) > 0) {
      syncedLyrics = syncedLinesOf(tag, mpegFrameMs);
    }
    const text = cleanText(tag.text);
    if (text === null || lyrics !== null) {
      continue;
    }
    const lrc = parseLrc(text);
    if (lrc === null) {
      lyrics = text.replace(/\r\n?/g, '\n');
    } else if (lrc.synced.length > 0) {
      syncedLyrics ??= lrc.synced;
      lyrics = lrc.plain;
    }
  }
  if (lyrics === null && syncedLyrics !== null) {
    lyrics = syncedLyrics.map((line) => line.text).join('\n');
  }
  return { lyrics, syncedLyrics };
}
