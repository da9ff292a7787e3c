/**
 * The tag reader of the library scanner: one audio file in, its tags, audio properties and front cover out.
 */
import path from 'node:path';
import { parseFromTokenizer, type IAudioMetadata } from 'music-metadata';
import { NotRegularFileError, type ITokenizer } from 'strtok3';
import { readAdtsDurationSeconds } from './adts-duration.js';
import { findMissingAudio, mpegFrameMs, toAudioProperties } from './audio-properties.js';
import { pickFrontCover } from './cover-picture.js';
import { restoreSlashSplitArtists } from './legacy-id3-text.js';
import { readOggDurationSeconds } from './ogg-duration.js';
import { bytesReaderOf, OpenFiles, type ReadBytesAt } from './open-files.js';
import { positiveNumber } from './tag-text.js';
import type { TrackFileReadResult } from './track-file.js';
import { toTrackTags } from './track-tags.js';

/** Default for `timeoutMs`: far above the few ms a healthy file takes, short enough that a bad file cannot stall a scan. */
export const DEFAULT_TAG_READ_TIMEOUT_MS = 10_000;

const MAX_REASON_LENGTH = 200;

export interface ReadTrackFileOptions {
  /** Give up after this many ms and report the file as broken ("timed out after … ms"). Default 10 000. */
  timeoutMs?: number;
  /**
   * The file's size in bytes when the caller has just stat'ed it and found a regular file (the scanner's walk has):
   * spares the reader a stat of its own.
   */
  size?: number;
}

function broken(reason: string): TrackFileReadResult {
  return { ok: false, reason };
}

function messageOf(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0].trim();
  return message.length > MAX_REASON_LENGTH ? `${message.slice(0, MAX_REASON_LENGTH - 1)}…` : message;
}

function describeOpenError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (error instanceof NotRegularFileError || code === 'EISDIR') return 'not a regular file';
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'file not found';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `unreadable file: ${messageOf(error)}`;
}

/** One call of `readTrackFile`: what it reads, the files it has open and its time limit. */
interface OpenRead {
  absolutePath: string;
  files: OpenFiles;
  timeoutMs: number;
  size: number | undefined;
}

/** Share of the timeout that an optional whole-file duration count may take before it is given up (duration 0). */
const DURATION_COUNT_SHARE = 0.25;

/** The work's result, or null when it fails or runs past `budgetMs` (then `abandon` stops it). */
async function withinBudget<T>(work: Promise<T>, budgetMs: number, abandon: () => Promise<void>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<null>((resolve) => {
    timer = setTimeout(() => {
      abandon().catch(() => undefined);
      resolve(null);
    }, budgetMs);
  });
  try {
    return await Promise.race([work.catch(() => null), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Duration for files whose headers do not state it, by the cheapest means that works for the container: the last
 * Ogg page's granule position (one read at the end), ADTS frame headers read in large blocks, or for MPEG audio
 * without a usable Xing/VBRI/CBR header a second parse that counts frames one read at a time. That count may use a
 * quarter of the timeout; a file is not reported broken only because its length could not be counted in time.
 * Null when nothing helps (e.g. FLAC with total samples 0).
 */
async function durationWithoutHeader(read: OpenRead, metadata: IAudioMetadata, readAt: ReadBytesAt, size: number): Promise<number | null> {
  const container = metadata.format.container ?? '';
  if (container.startsWith('Ogg')) {
    return readOggDurationSeconds(readAt, size);
  }
  if (container.startsWith('ADTS')) {
    return readAdtsDurationSeconds(readAt, size);
  }
  if (container.startsWith('MPEG')) {
    const tokenizer = await read.files.open(read.absolutePath, read.size);
    const counting = parseFromTokenizer(tokenizer, { duration: true, skipCovers: true }).then((counted) => positiveNumber(counted.format.duration));
    return withinBudget(counting, read.timeoutMs * DURATION_COUNT_SHARE, () => tokenizer.close());
  }
  return null;
}

async function readOpenFile(read: OpenRead): Promise<TrackFileReadResult> {
  const { absolutePath } = read;
  let tokenizer: ITokenizer;
  try {
    tokenizer = await read.files.open(absolutePath, read.size);
  } catch (error) {
    return broken(describeOpenError(error));
  }
  const size = tokenizer.fileInfo.size ?? 0;
  if (size === 0) {
    return broken('empty file');
  }
  let metadata: IAudioMetadata;
  try {
    metadata = await parseFromTokenizer(tokenizer, { duration: false });
  } catch (error) {
    return broken(`unsupported or corrupt file: ${messageOf(error)}`);
  }
  const missingAudio = findMissingAudio(metadata.format);
  if (missingAudio !== null) {
    return broken(missingAudio);
  }
  const readAt = bytesReaderOf(tokenizer);
  const durationSeconds =
    positiveNumber(metadata.format.duration) ??
    (await durationWithoutHeader(read, metadata, readAt, size).catch(() => null));
  const restoredArtists = await restoreSlashSplitArtists(metadata, readAt);
  return {
    ok: true,
    tags: toTrackTags({ metadata, fileStem: path.parse(absolutePath).name, restoredArtists, mpegFrameMs: mpegFrameMs(metadata.format) }),
    audio: toAudioProperties(metadata.format, durationSeconds),
    picture: pickFrontCover(metadata.common.picture),
  };
}

/**
 * Reads one audio file for the library scanner. Never throws, and returns within `timeoutMs` (default 10 s).
 *
 * Ok: `{ok: true, tags, audio, picture}`; shapes and units are in `track-file.ts` (durations in ms, bitrate in
 * bits/s, sample rate in Hz, ReplayGain gains in dB and peaks linear, `picture` the front cover or null).
 * Broken: `{ok: false, reason}`, a short reason for the scan report: "file not found", "not a regular file",
 * "permission denied", "empty file", "unsupported or corrupt file: <parser message>", "no audio stream found"
 * (tag-only files, video without sound, text named .mp3), "no audio samples", "timed out after 10000 ms".
 *
 * The rules are the library issue's:
 * - Only headers are read (music-metadata with `duration: false`); a file whose header does not state its length
 *   gets it from the cheapest look-up that works (see `durationWithoutHeader`), else `durationMs` 0.
 * - Fallbacks: title = file name without extension, artist = "Unknown Artist", album = "Unknown Album"; album
 *   artist = album artist tag(s), else "Various Artists" for compilations, else the track's artist credit.
 * - Text is trimmed and NUL-free and empty values are dropped; single values are never split on "&", "and", ",", "/",
 *   while "feat."/"ft."/"featuring" guests are credited (see `artist-credits.ts` and `legacy-id3-text.ts`).
 *
 * A timeout abandons the read and closes its files, which ends the parser at its next read. A parser loop that never
 * reads could not be interrupted inside this process; music-metadata guards the known ones (the corpus' CWE-835
 * files fail at once), and a scanner wanting hard isolation runs readers in worker threads.
 */
export async function readTrackFile(absolutePath: string, options: ReadTrackFileOptions = {}): Promise<TrackFileReadResult> {
  const timeoutMs = options.timeoutMs !== undefined && options.timeoutMs > 0 ? options.timeoutMs : DEFAULT_TAG_READ_TIMEOUT_MS;
  const files = new OpenFiles();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<TrackFileReadResult>((resolve) => {
    timer = setTimeout(() => {
      timedOut = true;
      resolve(broken(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  const reading = readOpenFile({ absolutePath, files, timeoutMs, size: options.size }).catch((error: unknown) => broken(`unreadable file: ${messageOf(error)}`));
  const result = await Promise.race([reading, deadline]);
  clearTimeout(timer);
  const closing = files.closeAll();
  // After a timeout the file may sit behind a hung read; do not wait for its close.
  if (!timedOut) {
    await closing;
  }
  return result;
}
