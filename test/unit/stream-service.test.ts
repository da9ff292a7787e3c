import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors.js';
import type { StreamableTrack, StreamRepository, TrackLocation } from '../../src/stream/stream-repository.js';
import { createStreamService, type StreamRequest } from '../../src/stream/stream-service.js';
import type { FileInfo, TrackFiles } from '../../src/stream/track-files.js';
import { audioContentType } from '../../src/stream/content-types.js';

const NOW = Date.UTC(2026, 0, 1);
const MTIME = Date.UTC(2025, 0, 1, 10, 0, 0);
const HASH = 'a'.repeat(64);
const viewer = { id: 'u1', role: 'admin' as const };

interface FakeFile {
  content: string;
  mtimeMs?: number;
  /** Where the path really leads (a symlink); defaults to itself. */
  realPath?: string;
  ino?: number;
}

/** An in-memory filesystem: `files` by the path the service asks for; the root `/music` exists. */
function fakeFiles(files: Record<string, FakeFile>, options: { swapOnOpen?: boolean } = {}) {
  const opened: string[] = [];
  const infoOf = (file: FakeFile): FileInfo => ({
    isFile: true,
    size: Buffer.byteLength(file.content),
    mtimeMs: file.mtimeMs ?? MTIME,
    dev: 1,
    ino: file.ino ?? 1,
  });
  const byReal = (real: string) => Object.values(files).find((f) => (f.realPath ?? '') === real) ?? files[real];
  const adapter: TrackFiles = {
    realpath: async (p) => (p === '/music' ? p : files[p] ? (files[p].realPath ?? p) : null),
    stat: async (p) => (byReal(p) ? infoOf(byReal(p)) : null),
    open: async (p) => {
      opened.push(p);
      const file = byReal(p);
      if (!file) return null;
      const info = options.swapOnOpen ? { ...infoOf(file), ino: 999 } : infoOf(file);
      return {
        info,
        read: (start, end) => Readable.from([file.content.slice(start, end + 1)]),
        close: async () => {},
      };
    },
  };
  return { adapter, opened };
}

type TrackReads = Pick<StreamRepository, 'findTrack' | 'findDuplicates'>;

function repository(track: StreamableTrack | null, duplicates: TrackLocation[] = []): TrackReads {
  return { findTrack: async () => track, findDuplicates: async () => duplicates };
}

/** The service with the viewer seeing library `lib1` only. */
function streamService(deps: { tracks: TrackReads; files: TrackFiles }) {
  return createStreamService({ ...deps, clock: { now: () => NOW }, visibleLibraryIds: async () => ['lib1'] });
}

function track(overrides: Partial<StreamableTrack> = {}): StreamableTrack {
  return {
    id: 't1',
    libraryId: 'lib1',
    status: 'ok',
    rootPath: '/music',
    path: 'Artist/song.mp3',
    size: 10,
    mtimeMs: MTIME,
    contentHash: HASH,
    container: 'MPEG',
    ...overrides,
  };
}

const GET: StreamRequest = { method: 'GET' };

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('stream service', () => {
  it('serves the file with a content-hash ETag while the file is as hashed', async () => {
    const { adapter } = fakeFiles({ '/music/Artist/song.mp3': { content: '0123456789' } });
    const service = streamService({ tracks: repository(track()), files: adapter });
    const response = await service.stream('t1', viewer, GET);
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({
      etag: `"${HASH}"`,
      'content-length': '10',
      'content-type': 'audio/mpeg',
      'last-modified': 'Wed, 01 Jan 2025 10:00:00 GMT',
    });
    expect(await text(response.body!)).toBe('0123456789');
  });

  it('falls back to a size+mtime ETag when the file was touched since hashing, or before hashing', async () => {
    const touched = MTIME + 5000;
    const { adapter } = fakeFiles({ '/music/Artist/song.mp3': { content: '0123456789', mtimeMs: touched } });
    const response = await streamService({ tracks: repository(track()), files: adapter }).stream('t1', viewer, GET);
    expect(response.headers.etag).toBe(`"a-${touched.toString(16)}"`);

    const { adapter: same } = fakeFiles({ '/music/Artist/song.mp3': { content: '0123456789' } });
    const unhashed = await streamService({ tracks: repository(track({ contentHash: null })), files: same }).stream('t1', viewer, GET);
    expect(unhashed.headers.etag).toBe(`"a-${MTIME.toString(16)}"`);
  });

  it('never sends a Last-Modified later than now (RFC 9110 §8.8.2.1)', async () => {
    const future = NOW + 86_400_000;
    const { adapter } = fakeFiles({ '/music/Artist/song.mp3': { content: '0123456789', mtimeMs: future } });
    const service = streamService({ tracks: repository(track({ mtimeMs: future })), files: adapter });
    const response = await service.stream('t1', viewer, GET);
    expect(response.headers['last-modified']).toBe(new Date(NOW).toUTCString());
  });

  it('refuses a stored path that climbs out of the root without touching the disk', async () => {
    const { adapter, opened } = fakeFiles({ '/etc/passwd': { content: 'root:x:0:0' } });
    for (const path of ['../etc/passwd', 'Artist/../../etc/passwd', '/etc/passwd', 'Artist//song.mp3', 'a/./b.mp3']) {
      const service = streamService({ tracks: repository(track({ path, size: 10 })), files: adapter });
      expect(await errorCode(service.stream('t1', viewer, GET))).toBe('track_unavailable');
    }
    expect(opened).toEqual([]);
  });

  it('refuses a symlink inside the library that resolves outside it', async () => {
    const { adapter, opened } = fakeFiles({ '/music/Artist/song.mp3': { content: 'root:x:0:0', realPath: '/etc/passwd' } });
    const service = streamService({ tracks: repository(track()), files: adapter });
    expect(await errorCode(service.stream('t1', viewer, GET))).toBe('track_unavailable');
    expect(opened).toEqual([]);
  });

  it('follows a symlink that stays inside the library', async () => {
    const { adapter } = fakeFiles({ '/music/Artist/song.mp3': { content: '0123456789', realPath: '/music/Real/song.mp3' } });
    const service = streamService({ tracks: repository(track()), files: adapter });
    expect((await service.stream('t1', viewer, GET)).status).toBe(200);
  });

  it('uses a byte-identical duplicate when the primary file is gone', async () => {
    const { adapter } = fakeFiles({ '/music/Copy/song.mp3': { content: '0123456789' } });
    const duplicate = { libraryId: 'lib1', rootPath: '/music', path: 'Copy/song.mp3', size: 10, mtimeMs: MTIME };
    const service = streamService({ tracks: repository(track(), [duplicate]), files: adapter });
    const response = await service.stream('t1', viewer, GET);
    expect(response.headers.etag).toBe(`"${HASH}"`);
    expect(await text(response.body!)).toBe('0123456789');
  });

  it('hides tracks and duplicates in libraries the viewer may not see', async () => {
    const { adapter } = fakeFiles({ '/music/Artist/song.mp3': { content: '0123456789' }, '/other/song.mp3': { content: '0123456789' } });
    expect(await errorCode(streamService({ tracks: repository(track({ libraryId: 'lib2' })), files: adapter }).stream('t1', viewer, GET))).toBe(
      'track_not_found',
    );
    const hiddenCopy = { libraryId: 'lib2', rootPath: '/music', path: 'Artist/song.mp3', size: 10, mtimeMs: MTIME };
    const primaryGone = track({ path: 'Gone/song.mp3' });
    expect(await errorCode(streamService({ tracks: repository(primaryGone, [hiddenCopy]), files: adapter }).stream('t1', viewer, GET))).toBe(
      'track_unavailable',
    );
  });

  it('reports a file whose size changed as unavailable', async () => {
    const { adapter } = fakeFiles({ '/music/Artist/song.mp3': { content: '0123456789-and-more' } });
    const service = streamService({ tracks: repository(track()), files: adapter });
    expect(await errorCode(service.stream('t1', viewer, GET))).toBe('track_unavailable');
  });

  it('reports a file swapped between the checks and the open as unavailable', async () => {
    const { adapter } = fakeFiles({ '/music/Artist/song.mp3': { content: '0123456789' } }, { swapOnOpen: true });
    const service = streamService({ tracks: repository(track()), files: adapter });
    expect(await errorCode(service.stream('t1', viewer, GET))).toBe('track_unavailable');
  });

  it('tells unknown tracks from unavailable ones', async () => {
    const { adapter } = fakeFiles({ '/music/Artist/song.mp3': { content: '0123456789' } });
    expect(await errorCode(streamService({ tracks: repository(null), files: adapter }).stream('x', viewer, GET))).toBe(
      'track_not_found',
    );
    for (const status of ['missing', 'broken'] as const) {
      const service = streamService({ tracks: repository(track({ status })), files: adapter });
      expect(await errorCode(service.stream('t1', viewer, GET))).toBe('track_unavailable');
    }
  });

  it('opens nothing for HEAD, which ignores Range', async () => {
    const { adapter, opened } = fakeFiles({ '/music/Artist/song.mp3': { content: '0123456789' } });
    const service = streamService({ tracks: repository(track()), files: adapter });
    const response = await service.stream('t1', viewer, { method: 'HEAD', range: 'bytes=0-1' });
    expect(response).toMatchObject({ status: 200, body: null });
    expect(response.headers['content-length']).toBe('10');
    expect(opened).toEqual([]);
  });

  it('puts the current length in a 416', async () => {
    const { adapter } = fakeFiles({ '/music/Artist/song.mp3': { content: '0123456789' } });
    const service = streamService({ tracks: repository(track()), files: adapter });
    const error = await service.stream('t1', viewer, { method: 'GET', range: 'bytes=10-' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).headers['content-range']).toBe('bytes */10');
  });
});

describe('audioContentType', () => {
  it.each([
    ['a.mp3', null, 'audio/mpeg'],
    ['a.MP3', null, 'audio/mpeg'],
    ['a.opus', 'Ogg', 'audio/ogg; codecs=opus'],
    ['a.m4b', null, 'audio/mp4'],
    ['dir.flac/a.aifc', null, 'audio/aiff'],
    ['a.wv', null, 'audio/x-wavpack'],
    ['mp3/1a643e9e0743dee8732554d0e870055a', 'MPEG', 'audio/mpeg'],
    ['a.bwf', 'WAVE', 'audio/wav'],
    ['a.mov', 'qt', 'audio/mp4'],
    ['a', 'M4A/mp42/isom', 'audio/mp4'],
    ['a.mkv', 'EBML/matroska', 'audio/x-matroska'],
    ['a', 'EBML/webm', 'audio/webm'],
    ['a', "Monkey's Audio", 'audio/x-ape'],
    ['a.constructor', null, 'application/octet-stream'],
    ['.mp3', null, 'application/octet-stream'],
  ])('%s (%s) → %s', (path, container, expected) => {
    expect(audioContentType(path, container)).toBe(expected);
  });
});
