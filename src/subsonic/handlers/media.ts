import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../auth/auth-service.js';
import type { Track } from '../../catalog/schemas.js';
import { parseLrc, type SyncedLyricLine } from '../../library/scanner/lyrics.js';
import { AppError } from '../../shared/errors.js';
import { foldKey } from '../../shared/text.js';
import { clampBitRate, isTranscodeFormat, TRANSCODE_FORMATS, type TranscodeFormat } from '../../stream/transcoder.js';
import { SubsonicError } from '../errors.js';
import type { Handler, HandlerContext, Reader } from '../handler-kit.js';
import type { Model } from '../serializer.js';

/** Largest sidecar `.lrc` read (bytes); lyrics files are a few kB, anything bigger is not one. */
const MAX_LRC_BYTES = 512 * 1024;

/** What `stream` sends: the original file, or an ffmpeg transcode to `format` at `bitRateKbps`. */
export type StreamPlan =
  | { kind: 'original' }
  | { kind: 'transcode'; format: TranscodeFormat; bitRateKbps: number; offsetSeconds: number; durationSeconds: number | null };

export interface StreamOptions {
  /** kbit/s; 0 = no limit. */
  maxBitRate: number;
  /** As sent (`raw`, `mp3`, …), lower-cased; undefined when absent. */
  format: string | undefined;
  /** Seconds into the track (`timeOffset`); 0 = from the start. */
  timeOffset: number;
  transcoderAvailable: boolean;
}

/** The suffix a transcode format is written with, to tell "same format as the file" (`format=mp3` on an mp3). */
const suffixOf = (track: Pick<Track, 'path'>) => path.extname(track.path).slice(1).toLowerCase();

/**
 * The stream rules (Endpoints/stream, Extensions/transcodeOffset):
 * - `format=raw`, or no ffmpeg on this machine: the original, always (Range works).
 * - Otherwise the original unless something asks for a change: a `maxBitRate` below the file's bit rate (unknown
 *   bit rate counts as above), a `format` this server can produce that differs from the file's, or a `timeOffset`.
 *   A `format` it cannot produce (e.g. `flv`) is only a preference and is ignored.
 * - The target is the requested format, else the file's own when it is one of ours (an opus file limited to 96k
 *   stays opus), else mp3. Its bit rate is `maxBitRate` when given, capped at the file's (upsampling wastes bytes),
 *   else the format's default, capped at a lossy file's own rate.
 */
export function planStream(track: Pick<Track, 'path' | 'bitrate' | 'lossless' | 'durationMs'>, options: StreamOptions): StreamPlan {
  const { maxBitRate, format, timeOffset } = options;
  if (format === 'raw' || !options.transcoderAvailable) return { kind: 'original' };
  const sourceKbps = track.bitrate === null ? null : Math.round(track.bitrate / 1000);
  const sourceSuffix = suffixOf(track);
  const requested = format !== undefined && isTranscodeFormat(format) ? format : undefined;
  const overLimit = maxBitRate > 0 && (sourceKbps === null || sourceKbps > maxBitRate);
  const formatChange = requested !== undefined && TRANSCODE_FORMATS[requested].suffix !== sourceSuffix;
  if (!overLimit && !formatChange && timeOffset <= 0) return { kind: 'original' };

  const target: TranscodeFormat = requested ?? (isTranscodeFormat(sourceSuffix) ? sourceSuffix : 'mp3');
  const lossyCap = track.lossless || sourceKbps === null ? Number.POSITIVE_INFINITY : sourceKbps;
  const wanted = maxBitRate > 0 ? Math.min(maxBitRate, sourceKbps ?? maxBitRate) : Math.min(TRANSCODE_FORMATS[target].defaultKbps, lossyCap);
  const durationSeconds = track.durationMs === null ? null : Math.max(0, track.durationMs / 1000 - timeOffset);
  return { kind: 'transcode', format: target, bitRateKbps: clampBitRate(target, wanted), offsetSeconds: timeOffset, durationSeconds };
}

/** `timeOffset`: whole or decimal seconds, not negative (error 0 otherwise). */
function secondsParameter(p: Reader, name: string): number {
  const raw = p.str(name);
  if (raw === undefined || raw === '') return 0;
  if (!/^\d{1,9}(\.\d{1,6})?$/.test(raw)) throw new SubsonicError(0, `Parameter ${name} must be a number of seconds.`);
  return Number(raw);
}

/**
 * Passes exactly `length` bytes: the end is cut when the input is longer, zero bytes are added when it is shorter.
 * An estimated `Content-Length` (`estimateContentLength=true`) has to be kept, or the HTTP connection breaks; a
 * decoder skips a few zero bytes after the last frame.
 */
function exactLength(length: number, onCut: () => void): Transform {
  let sent = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      const room = length - sent;
      if (room <= 0) return done();
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      sent += part.length;
      if (sent >= length) onCut();
      done(null, part);
    },
    flush(done) {
      done(null, sent < length ? Buffer.alloc(length - sent) : undefined);
    },
  });
}

/** The words of a structured-lyrics entry (Responses/structuredLyrics); `lang` is unknown (`xxx`) for every source here. */
function structured(track: Track, lines: { start?: number; value: string }[], synced: boolean, artistId?: string): Model {
  return { displayArtist: track.artist, displayTitle: track.title, artistId, lang: 'xxx', synced, line: lines };
}

const sameLines = (a: SyncedLyricLine[], b: SyncedLyricLine[]) =>
  a.length === b.length && a.every((line, i) => line.timeMs === b[i]!.timeMs && line.text === b[i]!.text);

/**
 * Media retrieval methods: `stream` (original or transcoded), `download` (always the original), `getLyrics`,
 * `getLyricsBySongId` (`songLyrics` extension).
 */
export function mediaHandlers(context: HandlerContext): Record<string, Handler> {
  const { deps } = context;
  const { stream, catalog, transcoder } = deps;

  /** Original bytes with Range and conditional requests (stream service). */
  async function sendOriginal(request: FastifyRequest, reply: FastifyReply, user: AuthUser, id: string, attachment: boolean) {
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    const result = await stream.stream(id, user, {
      method: request.method === 'HEAD' ? 'HEAD' : 'GET',
      range: header('range'),
      ifRange: header('if-range'),
      ifNoneMatch: header('if-none-match'),
      ifModifiedSince: header('if-modified-since'),
    });
    reply.code(result.status).headers(result.headers);
    if (attachment) reply.header('content-disposition', `attachment; filename="${id}"`);
    return reply.send(result.body ?? undefined);
  }

  /**
   * A transcode as HTTP: 200 without Range (the output has no fixed bytes to seek in; clients seek with
   * `timeOffset`), `Content-Length` only when `estimateContentLength=true` (duration × bit rate, kept exact), and
   * ffmpeg killed as soon as the response closes, whether it finished or the client went away.
   */
  async function sendTranscode(request: FastifyRequest, reply: FastifyReply, user: AuthUser, id: string, plan: Extract<StreamPlan, { kind: 'transcode' }>, estimate: boolean) {
    const { realPath } = await stream.localFile(id, user);
    const spec = TRANSCODE_FORMATS[plan.format];
    const headers: Record<string, string> = {
      'content-type': spec.contentType,
      'cache-control': 'no-store',
      'accept-ranges': 'none',
    };
    if (plan.durationSeconds !== null) headers['x-content-duration'] = plan.durationSeconds.toFixed(2);
    const length = estimate && plan.durationSeconds !== null ? Math.ceil((plan.durationSeconds * plan.bitRateKbps * 1000) / 8) : null;
    if (length !== null) headers['content-length'] = String(length);
    reply.code(200).headers(headers);
    if (request.method === 'HEAD') return reply.send();

    const job = transcoder.start({ inputPath: realPath, format: plan.format, bitRateKbps: plan.bitRateKbps, offsetSeconds: plan.offsetSeconds });
    reply.raw.once('close', () => job.stop());
    return reply.send(length === null ? job.output : job.output.pipe(exactLength(length, () => job.stop())));
  }

  /** A sidecar `foo.lrc` next to `foo.flac`, when it is a file inside the same library; null otherwise. */
  async function sidecarLyrics(user: AuthUser, trackId: string): Promise<string | null> {
    let located: { realPath: string; realRoot: string };
    try {
      located = await stream.localFile(trackId, user);
    } catch (error) {
      if (error instanceof AppError) return null;
      throw error;
    }
    const parsed = path.parse(located.realPath);
    const candidate = path.join(parsed.dir, `${parsed.name}.lrc`);
    try {
      const real = await realpath(candidate);
      if (!real.startsWith(located.realRoot + path.sep)) return null;
      const handle = await open(real, 'r');
      try {
        const info = await handle.stat();
        if (!info.isFile() || info.size > MAX_LRC_BYTES) return null;
        return (await handle.readFile()).toString('utf8').replace(/^\uFEFF/, '');
      } finally {
        await handle.close();
      }
    } catch {
      // No sidecar (ENOENT), unreadable, or a dangling link: the track simply has no sidecar lyrics.
      return null;
    }
  }

  /**
   * Every set of lyrics the track has: a sidecar `.lrc` (read now), then what the scanner stored from the file's
   * tags (USLT/SYLT, Vorbis LYRICS, iTunes ©lyr…), duplicates dropped. Synced sets when there are any, else one
   * unsynced set.
   */
  async function lyricsOf(user: AuthUser, track: Track, includeIds: boolean): Promise<Model[]> {
    const artistId = includeIds ? track.artists[0]?.id : undefined;
    const sidecarText = await sidecarLyrics(user, track.id);
    const sidecar = sidecarText === null ? null : parseLrc(sidecarText);
    let embedded: { plain: string | null; synced: SyncedLyricLine[] | null } | null = null;
    try {
      embedded = await catalog.getLyrics(user, track.id);
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'lyrics_not_found')) throw error;
    }
    const syncedSets: SyncedLyricLine[][] = [];
    if (sidecar && sidecar.synced.length > 0) syncedSets.push(sidecar.synced);
    if (embedded?.synced && !syncedSets.some((set) => sameLines(set, embedded.synced!))) syncedSets.push(embedded.synced);
    if (syncedSets.length > 0) {
      return syncedSets.map((set) => structured(track, set.map((line) => ({ start: line.timeMs, value: line.text })), true, artistId));
    }
    const plain = (sidecarText !== null && sidecar === null ? sidecarText.trim() : '') || embedded?.plain || '';
    if (plain === '') return [];
    return [structured(track, plain.split(/\r\n?|\n/).map((value) => ({ value })), false, artistId)];
  }

  return {
    stream: async (user, p, request, reply) => {
      const id = p.required('id');
      const options = {
        maxBitRate: p.bounded('maxBitRate', 0, 0, 100_000),
        format: p.str('format')?.toLowerCase() || undefined,
        timeOffset: secondsParameter(p, 'timeOffset'),
        transcoderAvailable: false,
      };
      const wantsChange = options.format !== 'raw' && (options.maxBitRate > 0 || options.format !== undefined || options.timeOffset > 0);
      if (!wantsChange) return sendOriginal(request, reply, user, id, false);
      options.transcoderAvailable = await transcoder.available();
      const track = await catalog.getTrack(user, id);
      const plan = planStream(track, options);
      if (plan.kind === 'original') return sendOriginal(request, reply, user, id, false);
      return sendTranscode(request, reply, user, id, plan, p.bool('estimateContentLength', false));
    },

    download: async (user, p, request, reply) => sendOriginal(request, reply, user, p.required('id'), true),

    getLyricsBySongId: async (user, p) => {
      const track = await catalog.getTrack(user, p.required('id'));
      const langs = p.all('lang').filter((lang) => lang !== '');
      const sets = (await lyricsOf(user, track, p.bool('includeIds', false))).filter((set) => langs.length === 0 || langs.includes(set.lang as string));
      return { lyricsList: { structuredLyrics: sets } };
    },

    getLyrics: async (user, p) => {
      const title = p.str('title')?.trim() ?? '';
      const artist = foldKey(p.str('artist')?.trim() ?? '');
      if (title === '') return { lyrics: { value: '' } };
      const ids = await deps.discovery.songIdsByTitle(await context.libraryScope(user, p), foldKey(title), 50);
      const tracks = (await catalog.tracksByIds(user, ids)).filter((track) => artist === '' || foldKey(track.artist).includes(artist));
      for (const track of tracks) {
        const [set] = await lyricsOf(user, track, false);
        if (!set) continue;
        const text = (set.line as { value: string }[]).map((line) => line.value).join('\n');
        return { lyrics: { artist: track.artist, title: track.title, value: text } };
      }
      return { lyrics: { value: '' } };
    },
  };
}
