import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { evaluateRange, parseRangeHeader, type RangeDecision } from './byte-ranges.js';
import { formatHttpDate, ifRangeAllowsRange, isNotModified, strongEtag, type Validators } from './conditional.js';
import { audioContentType } from './content-types.js';
import type { Role } from '../db/schema.js';
import type { StreamableTrack, StreamRepository, TrackLocation } from './stream-repository.js';
import type { FileInfo, TrackFiles } from './track-files.js';

/** Who is asking; decides which libraries' files they may receive. */
export interface Viewer {
  id: string;
  role: Role;
}

/** The parts of a `GET`/`HEAD` request that streaming evaluates; header values as received, absent ones undefined. */
export interface StreamRequest {
  method: 'GET' | 'HEAD';
  range?: string;
  ifRange?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  /** `attachment`: a download (`Content-Disposition: attachment` with the file's own name) rather than a stream. */
  disposition?: 'attachment';
}

/** What to answer: status, headers (lower-case names) and, for a GET with content, the bytes as a stream. */
export interface StreamResponse {
  status: 200 | 206 | 304;
  headers: Record<string, string>;
  /** Null for HEAD, for 304, and for an empty file. */
  body: Readable | null;
}

export interface StreamService {
  /**
   * Answers `viewer`'s request for the original bytes of a track. Throws `AppError`: `track_not_found` (no such id,
   * or in a library the viewer may not see), `track_unavailable` (status `missing`/`broken`, or no recorded file is
   * on disk as the scanner saw it), `range_not_satisfiable` (carrying the unsatisfied-range `Content-Range` with
   * the current size, and `Accept-Ranges`).
   */
  stream(trackId: string, viewer: Viewer, request: StreamRequest): Promise<StreamResponse>;
  /** Throws `track_not_found` unless the track exists in a library the viewer may see. */
  assertVisible(trackId: string, viewer: Viewer): Promise<void>;
  /**
   * Where the track's bytes are on disk for a reader other than `stream` (a transcoder, a sidecar lookup): the real
   * path of the file and of its library root, after the same visibility, status and path-safety checks as
   * `stream`. Throws `track_not_found` / `track_unavailable` as `stream` does.
   */
  localFile(trackId: string, viewer: Viewer): Promise<{ realPath: string; realRoot: string; size: number }>;
}

/**
 * Responses are per-user (authenticated) and the file can change under the same URL, so caches may keep them but
 * must revalidate with the validators every time; a 304 costs one stat.
 */
const CACHE_CONTROL = 'private, no-cache';

interface LocatedFile {
  location: TrackLocation;
  realPath: string;
  info: FileInfo;
}

/**
 * The lexical half of path safety: the stored relative path must be '/'-separated plain names (no empty, `.` or
 * `..` segment, no NUL, no platform separator inside a name) under an absolute root. The real-path check in
 * `locate` then catches symlinks leading out of the root.
 */
function joinInsideRoot(rootPath: string, relativePath: string): string | null {
  if (!path.isAbsolute(rootPath)) return null;
  const segments = relativePath.split('/');
  const unsafe = (segment: string) =>
    segment === '' || segment === '.' || segment === '..' || segment.includes('\0') || (path.sep !== '/' && segment.includes(path.sep));
  return segments.some(unsafe) ? null : path.join(rootPath, ...segments);
}

function isStrictlyInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/**
 * `Content-Disposition: attachment` naming the file (RFC 6266): an ASCII `filename` fallback (non-ASCII, quotes,
 * backslashes and control characters replaced) and the exact name as UTF-8 in `filename*` (RFC 8187).
 */
export function attachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** The scanner stores whole milliseconds; the filesystem may report fractions. Within 1 ms counts as unchanged. */
function sameMtime(a: number, b: number): boolean {
  return Math.abs(a - b) < 1;
}

/**
 * The entity tag (RFC 9110 §8.8.3), always strong: we send the file's bytes verbatim, with no content coding.
 * - `"<content_hash>"` (SHA-256 hex of the whole file) when hashing has run and the file still has the size and
 *   mtime the hash was computed for. It survives touches, copies and moves of identical bytes.
 * - Otherwise `"<size hex>-<mtime ms hex>"` from the file on disk (as nginx does). Strong is justified because any
 *   rewrite changes the mtime; what it cannot see is a rewrite of the same size within the same millisecond, an
 *   accepted risk. A track's tag switches from this form to the hash form once hashing runs: clients refetch once.
 * The two forms cannot collide: a hash has no '-'.
 */
function etagFor(track: StreamableTrack, located: LocatedFile): string {
  if (track.contentHash !== null && sameMtime(located.info.mtimeMs, located.location.mtimeMs)) return strongEtag(track.contentHash);
  return strongEtag(`${located.info.size.toString(16)}-${Math.floor(located.info.mtimeMs).toString(16)}`);
}

/**
 * Range handling (RFC 9110 §14.2): only GET has it, so HEAD ignores Range and describes the 200. If-Range
 * (§13.1.5) that does not match turns the request into a plain 200 as well.
 */
function decideRange(request: StreamRequest, validators: Validators, size: number, nowMs: number): RangeDecision {
  if (request.method !== 'GET') return { kind: 'full' };
  const specs = parseRangeHeader(request.range);
  if (!specs) return { kind: 'full' };
  if (request.ifRange !== undefined && !ifRangeAllowsRange(request.ifRange, validators, nowMs)) return { kind: 'full' };
  return evaluateRange(specs, size);
}

export interface StreamServiceDeps {
  tracks: Pick<StreamRepository, 'findTrack' | 'findDuplicates'>;
  files: TrackFiles;
  clock: Clock;
  /** The libraries a viewer may see (the one library-access rule: grants, own uploads, admins every music library). */
  visibleLibraryIds(viewer: Viewer): Promise<string[]>;
}

/** Streams tracks from the library folders: finds the file safely, then applies conditional and range rules. */
export function createStreamService(deps: StreamServiceDeps): StreamService {
  const { tracks, files, clock } = deps;

  /**
   * The file for a location if it is still the one the scanner recorded: a regular file whose real path (symlinks
   * resolved) lies inside the real library root, with the recorded size. A symlink inside the library that leads
   * out of it is refused, so a stored path can never expose files outside the music folders.
   */
  async function locate(location: TrackLocation): Promise<LocatedFile | null> {
    const lexical = joinInsideRoot(location.rootPath, location.path);
    if (!lexical) return null;
    const [realRoot, realPath] = await Promise.all([files.realpath(location.rootPath), files.realpath(lexical)]);
    if (!realRoot || !realPath || !isStrictlyInside(realRoot, realPath)) return null;
    const info = await files.stat(realPath);
    if (!info?.isFile || info.size !== location.size) return null;
    return { location, realPath, info };
  }

  /** The primary file, else the first byte-identical duplicate, in a library the viewer sees, that is still in place. */
  async function locateTrack(track: StreamableTrack, visible: ReadonlySet<string>): Promise<LocatedFile | null> {
    const primary = await locate(track);
    if (primary) return primary;
    for (const duplicate of await tracks.findDuplicates(track.id)) {
      if (!visible.has(duplicate.libraryId)) continue;
      const located = await locate(duplicate);
      if (located) return located;
    }
    return null;
  }

  /**
   * Opens the located file and checks it is still the same file (device, inode, size, mtime): between the checks
   * and the open, a path component could have been swapped for a symlink or the file rewritten.
   */
  async function openLocated(located: LocatedFile, start: number, end: number): Promise<Readable> {
    const opened = await files.open(located.realPath);
    if (!opened) throw new AppError('track_unavailable');
    const { info } = opened;
    const expected = located.info;
    if (!info.isFile || info.dev !== expected.dev || info.ino !== expected.ino || info.size !== expected.size || info.mtimeMs !== expected.mtimeMs) {
      await opened.close();
      throw new AppError('track_unavailable');
    }
    return opened.read(start, end);
  }

  /** The track when the viewer may see it; unknown ids and other libraries' ids look alike, revealing nothing. */
  async function visibleTrack(trackId: string, viewer: Viewer) {
    const [track, visibleIds] = await Promise.all([tracks.findTrack(trackId), deps.visibleLibraryIds(viewer)]);
    const visible = new Set(visibleIds);
    if (!track || !visible.has(track.libraryId)) throw new AppError('track_not_found');
    return { track, visible };
  }

  return {
    async assertVisible(trackId, viewer) {
      await visibleTrack(trackId, viewer);
    },

    async localFile(trackId, viewer) {
      const { track, visible } = await visibleTrack(trackId, viewer);
      if (track.status !== 'ok') throw new AppError('track_unavailable');
      const located = await locateTrack(track, visible);
      const realRoot = located && (await files.realpath(located.location.rootPath));
      if (!located || !realRoot) throw new AppError('track_unavailable');
      return { realPath: located.realPath, realRoot, size: located.info.size };
    },

    async stream(trackId, viewer, request) {
      const { track, visible } = await visibleTrack(trackId, viewer);
      if (track.status !== 'ok') throw new AppError('track_unavailable');
      const located = await locateTrack(track, visible);
      if (!located) throw new AppError('track_unavailable');

      const nowMs = clock.now();
      const size = located.info.size;
      const validators: Validators = {
        etag: etagFor(track, located),
        // RFC 9110 §8.8.2.1: never a Last-Modified later than the response itself (files can carry future mtimes).
        lastModifiedMs: Math.min(Math.floor(located.info.mtimeMs), nowMs),
      };
      const validatorHeaders: Record<string, string> = {
        etag: validators.etag,
        'last-modified': formatHttpDate(validators.lastModifiedMs),
        'cache-control': CACHE_CONTROL,
      };
      if (request.disposition === 'attachment') validatorHeaders['content-disposition'] = attachmentDisposition(path.posix.basename(located.location.path));

      // RFC 9110 §13.2.2: If-None-Match / If-Modified-Since are evaluated before Range and If-Range.
      if (isNotModified(request, validators, nowMs)) return { status: 304, headers: validatorHeaders, body: null };

      const decision = decideRange(request, validators, size, nowMs);
      if (decision.kind === 'unsatisfiable') {
        // RFC 9110 §15.5.17: a 416 says the current length in Content-Range.
        throw new AppError('range_not_satisfiable', undefined, { 'content-range': `bytes */${size}`, 'accept-ranges': 'bytes' });
      }
      const [start, end] = decision.kind === 'partial' ? [decision.start, decision.end] : [0, size - 1];
      const headers: Record<string, string> = {
        ...validatorHeaders,
        'accept-ranges': 'bytes',
        'content-type': audioContentType(located.location.path, track.container),
        'content-length': String(end - start + 1),
      };
      if (decision.kind === 'partial') headers['content-range'] = `bytes ${start}-${end}/${size}`;
      const status = decision.kind === 'partial' ? 206 : 200;

      if (request.method === 'HEAD' || size === 0) return { status, headers, body: null };
      return { status, headers, body: await openLocated(located, start, end) };
    },
  };
}
