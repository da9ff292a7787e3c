import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import type { TrackStatus } from '../../src/db/schema.js';
import { newId } from '../../src/shared/ids.js';
import { createStreamToken } from '../../src/stream/stream-token.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, '../shared/corpus/music-metadata-samples');

/** A library row as the scanner would write it. */
async function insertLibrary(db: Db, rootPath: string): Promise<string> {
  const id = newId();
  await db.insertInto('libraries').values({ id, name: path.basename(rootPath), rootPath, createdAt: Date.now() }).execute();
  return id;
}

/** A track row with what streaming reads; the other required columns get placeholder values. */
async function insertTrack(
  db: Db,
  track: { libraryId: string; path: string; size: number; mtimeMs: number; contentHash: string | null; status?: TrackStatus; container?: string | null },
): Promise<string> {
  const id = newId();
  const now = Date.now();
  await db
    .insertInto('tracks')
    .values({
      id,
      libraryId: track.libraryId,
      path: track.path,
      status: track.status ?? 'ok',
      size: track.size,
      // The scanner stores whole milliseconds (the column is a bigint).
      mtimeMs: Math.floor(track.mtimeMs),
      fingerprint: `fp-${id}`,
      contentHash: track.contentHash,
      title: path.basename(track.path),
      titleKey: path.basename(track.path).toLowerCase(),
      artist: 'Someone',
      albumArtist: 'Someone',
      container: track.container ?? null,
      compilation: 0,
      lossless: 0,
      addedAt: now,
      updatedAt: now,
    })
    .execute();
  return id;
}

interface Fixture {
  id: string;
  bytes: Buffer;
  hash: string;
  mtimeMs: number;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const httpDate = (ms: number) => new Date(Math.floor(ms)).toUTCString();

describeEachDatabase('streaming a track', (kind) => {
  let t: TestApp;
  let auth: { authorization: string };
  let workDir: string;
  let root: string;
  let libraryId: string;
  const fixtures: Record<string, Fixture> = {};
  const url = (id: string) => `/api/v1/tracks/${id}/stream`;

  /** Copies a corpus file into the library under an awkward name and records it as a track. */
  async function addCorpusTrack(name: string, source: string, relativePath: string, container: string | null = null) {
    const target = path.join(root, ...relativePath.split('/'));
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(path.join(corpus, source), target);
    const bytes = readFileSync(target);
    const { mtimeMs, size } = statSync(target);
    const hash = sha256(bytes);
    const id = await insertTrack(t.database.db, { libraryId, path: relativePath, size, mtimeMs, contentHash: hash, container });
    fixtures[name] = { id, bytes, hash, mtimeMs };
  }

  beforeAll(async () => {
    t = await createTestApp(kind);
    auth = await signIn(t.app);
    workDir = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-stream-'));
    root = path.join(workDir, 'My Music (lossless) [2024]');
    mkdirSync(root);
    libraryId = await insertLibrary(t.database.db, root);
    await addCorpusTrack('flac', 'Discogs - Yasmin Levy - Mi Korasón.flac', "Yasmin Levy [Live] #1/Mi Korasón (¡olé!) 100%.flac");
    await addCorpusTrack('mp3', "02-Yeahs-It's Blitz! 2.mp3", "Yeah Yeah Yeahs/It's Blitz!/02 - Zero?.mp3");
    await addCorpusTrack('m4a', 'mp4/Apple  voice memo.m4a', 'Voice  Memos/Apple  voice memo.m4a');
    await addCorpusTrack('opus', 'rating/testcase.opus', 'misc/testcase.opus');
    await addCorpusTrack('extensionless', 'mp3/1a643e9e0743dee8732554d0e870055a', 'misc/1a643e9e0743dee8732554d0e870055a', 'MPEG');
  });

  afterAll(async () => {
    await t.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('answers 401 without credentials', async () => {
    const { id } = fixtures.flac;
    for (const method of ['GET', 'HEAD'] as const) {
      const response = await t.app.inject({ method, url: url(id) });
      expect(response.statusCode).toBe(401);
    }
    expect((await t.app.inject(url(id))).json().error.code).toBe('unauthorized');
  });

  it.each([
    ['flac', 'audio/flac'],
    ['mp3', 'audio/mpeg'],
    ['m4a', 'audio/mp4'],
    ['opus', 'audio/ogg; codecs=opus'],
    ['extensionless', 'audio/mpeg'],
  ])('serves the whole %s file with its type and validators', async (name, contentType) => {
    const fixture = fixtures[name];
    const response = await t.app.inject({ url: url(fixture.id), headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.equals(fixture.bytes)).toBe(true);
    expect(response.headers).toMatchObject({
      'content-type': contentType,
      'content-length': String(fixture.bytes.length),
      'accept-ranges': 'bytes',
      etag: `"${fixture.hash}"`,
      'last-modified': httpDate(fixture.mtimeMs),
      'cache-control': 'private, no-cache',
    });
    expect(response.headers['content-range']).toBeUndefined();
  });

  describe('Range', () => {
    it.each<[string, (size: number) => string, (size: number) => [number, number]]>([
      ['the first byte', () => 'bytes=0-0', () => [0, 0]],
      ['a middle slice', () => 'bytes=100-1099', () => [100, 1099]],
      ['an open end', () => 'bytes=1000-', (s) => [1000, s - 1]],
      ['the last byte', (s) => `bytes=${s - 1}-`, (s) => [s - 1, s - 1]],
      ['a suffix', () => 'bytes=-500', (s) => [s - 500, s - 1]],
      ['a suffix longer than the file', (s) => `bytes=-${s + 100}`, (s) => [0, s - 1]],
      ['an end beyond the file (clamped)', (s) => `bytes=10-${s + 1000}`, (s) => [10, s - 1]],
      ['overlapping ranges (coalesced)', () => 'bytes=0-10, 5-20', () => [0, 20]],
      ['adjacent ranges with white space (coalesced)', () => 'bytes=5-9 ,\t10-19', () => [5, 19]],
      ['an unsatisfiable spec next to a good one', (s) => `bytes=${s}-,7-8`, () => [7, 8]],
    ])('answers %s with 206 and exactly those bytes', async (_name, header, expected) => {
      const { id, bytes } = fixtures.flac;
      const size = bytes.length;
      const [start, end] = expected(size);
      const response = await t.app.inject({ url: url(id), headers: { ...auth, range: header(size) } });
      expect(response.statusCode).toBe(206);
      expect(response.headers['content-range']).toBe(`bytes ${start}-${end}/${size}`);
      expect(response.headers['content-length']).toBe(String(end - start + 1));
      expect(response.headers['content-type']).toBe('audio/flac');
      expect(response.headers.etag).toBe(`"${fixtures.flac.hash}"`);
      expect(response.rawPayload.equals(bytes.subarray(start, end + 1))).toBe(true);
    });

    it.each([
      ['last before first', 'bytes=5-2'],
      ['another unit', 'items=0-5'],
      ['white space around "="', 'bytes = 0-1'],
      ['garbage', 'bytes=abc'],
      ['disjoint ranges (no multipart)', 'bytes=0-0,-1'],
    ])('ignores %s and sends the whole file with 200', async (_name, range) => {
      const { id, bytes } = fixtures.mp3;
      const response = await t.app.inject({ url: url(id), headers: { ...auth, range } });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-range']).toBeUndefined();
      expect(response.rawPayload.equals(bytes)).toBe(true);
    });

    it.each([
      ['a zero-length suffix', () => 'bytes=-0'],
      ['a start at the end', (size: number) => `bytes=${size}-`],
      ['a start past the end', (size: number) => `bytes=${size + 10}-${size + 20}`],
    ])('answers %s with 416 and the current length', async (_name, header) => {
      const { id, bytes } = fixtures.flac;
      const response = await t.app.inject({ url: url(id), headers: { ...auth, range: header(bytes.length) } });
      expect(response.statusCode).toBe(416);
      expect(response.headers['content-range']).toBe(`bytes */${bytes.length}`);
      expect(response.json()).toEqual({ error: { code: 'range_not_satisfiable', message: expect.any(String) } });
    });
  });

  describe('conditional requests', () => {
    const lastModified = () => httpDate(fixtures.flac.mtimeMs);
    const etag = () => `"${fixtures.flac.hash}"`;

    it.each<[string, () => Record<string, string>]>([
      ['If-None-Match with our ETag', () => ({ 'if-none-match': etag() })],
      ['If-None-Match with our ETag as weak', () => ({ 'if-none-match': `W/${etag()}` })],
      ['If-None-Match in a list', () => ({ 'if-none-match': `"nope", ${etag()}` })],
      ['If-None-Match *', () => ({ 'if-none-match': '*' })],
      ['If-Modified-Since equal to Last-Modified', () => ({ 'if-modified-since': lastModified() })],
      ['If-Modified-Since later', () => ({ 'if-modified-since': httpDate(fixtures.flac.mtimeMs + 86_400_000) })],
      ['If-None-Match matching, If-Modified-Since earlier', () => ({ 'if-none-match': etag(), 'if-modified-since': httpDate(0) })],
      ['If-None-Match matching with a Range', () => ({ 'if-none-match': etag(), range: 'bytes=0-9' })],
    ])('answers %s with 304 and no body', async (_name, conditions) => {
      const response = await t.app.inject({ url: url(fixtures.flac.id), headers: { ...auth, ...conditions() } });
      expect(response.statusCode).toBe(304);
      expect(response.rawPayload.length).toBe(0);
      expect(response.headers.etag).toBe(etag());
      expect(response.headers['content-length']).toBeUndefined();
    });

    it.each<[string, () => Record<string, string>]>([
      ['If-None-Match with another tag', () => ({ 'if-none-match': '"something-else"' })],
      ['If-Modified-Since earlier', () => ({ 'if-modified-since': httpDate(fixtures.flac.mtimeMs - 86_400_000) })],
      ['If-Modified-Since that is not a date', () => ({ 'if-modified-since': 'yesterday' })],
      // RFC 9110 §13.1.3: If-Modified-Since is ignored when If-None-Match is present.
      ['If-None-Match not matching, If-Modified-Since later', () => ({ 'if-none-match': '"x"', 'if-modified-since': httpDate(Date.now() + 86_400_000) })],
    ])('answers %s with the whole file', async (_name, conditions) => {
      const response = await t.app.inject({ url: url(fixtures.flac.id), headers: { ...auth, ...conditions() } });
      expect(response.statusCode).toBe(200);
      expect(response.rawPayload.equals(fixtures.flac.bytes)).toBe(true);
    });

    it.each<[string, () => string, number]>([
      ['our ETag', etag, 206],
      ['our Last-Modified date', lastModified, 206],
      ['another ETag', () => '"stale"', 200],
      ['our ETag marked weak', () => `W/${etag()}`, 200],
      ['an older date', () => httpDate(fixtures.flac.mtimeMs - 1000), 200],
      ['garbage', () => 'whenever', 200],
    ])('honours the Range for If-Range %s only when it matches', async (_name, ifRange, status) => {
      const { id, bytes } = fixtures.flac;
      const response = await t.app.inject({ url: url(id), headers: { ...auth, range: 'bytes=50-149', 'if-range': ifRange() } });
      expect(response.statusCode).toBe(status);
      expect(response.rawPayload.equals(status === 206 ? bytes.subarray(50, 150) : bytes)).toBe(true);
    });
  });

  describe('HEAD', () => {
    it('answers the GET headers without a body', async () => {
      const { id, bytes, hash } = fixtures.m4a;
      const head = await t.app.inject({ method: 'HEAD', url: url(id), headers: auth });
      const get = await t.app.inject({ url: url(id), headers: auth });
      expect(head.statusCode).toBe(200);
      expect(head.rawPayload.length).toBe(0);
      for (const name of ['content-type', 'content-length', 'accept-ranges', 'etag', 'last-modified', 'cache-control']) {
        expect(head.headers[name]).toBe(get.headers[name]);
      }
      expect(head.headers['content-length']).toBe(String(bytes.length));
      expect(head.headers.etag).toBe(`"${hash}"`);
    });

    it('ignores Range (only GET has range semantics) and still answers 304', async () => {
      const { id, bytes, hash } = fixtures.m4a;
      const ranged = await t.app.inject({ method: 'HEAD', url: url(id), headers: { ...auth, range: 'bytes=0-9' } });
      expect(ranged.statusCode).toBe(200);
      expect(ranged.headers['content-length']).toBe(String(bytes.length));
      const notModified = await t.app.inject({ method: 'HEAD', url: url(id), headers: { ...auth, 'if-none-match': `"${hash}"` } });
      expect(notModified.statusCode).toBe(304);
    });
  });

  describe('unavailable tracks', () => {
    async function expectError(id: string, code: string) {
      for (const method of ['GET', 'HEAD'] as const) {
        const response = await t.app.inject({ method, url: url(id), headers: auth });
        expect(response.statusCode).toBe(404);
        if (method === 'GET') expect(response.json().error.code).toBe(code);
      }
    }

    it('answers track_not_found for an unknown id', async () => {
      await expectError('0123456789abcdef0123456789abcdef', 'track_not_found');
      await expectError('not-even-an-id', 'track_not_found');
    });

    it.each(['missing', 'broken'] as const)('answers track_unavailable for a %s track even when the file is there', async (status) => {
      const bytes = readFileSync(path.join(corpus, 'flac.flac.jpg'));
      const file = path.join(root, `status-${status}.mp3`);
      writeFileSync(file, bytes);
      const { mtimeMs } = statSync(file);
      const id = await insertTrack(t.database.db, { libraryId, path: `status-${status}.mp3`, size: bytes.length, mtimeMs, contentHash: null, status });
      await expectError(id, 'track_unavailable');
    });

    it('answers track_unavailable when the file vanished', async () => {
      const id = await insertTrack(t.database.db, { libraryId, path: 'gone/away.flac', size: 1234, mtimeMs: Date.now(), contentHash: null });
      await expectError(id, 'track_unavailable');
    });

    it('answers track_unavailable when the file changed size since the scan', async () => {
      const file = path.join(root, 'grown.mp3');
      writeFileSync(file, Buffer.alloc(2000, 1));
      const { mtimeMs } = statSync(file);
      const id = await insertTrack(t.database.db, { libraryId, path: 'grown.mp3', size: 1000, mtimeMs, contentHash: null });
      await expectError(id, 'track_unavailable');
    });

    it('refuses a symlink that leads out of the library, and a path that climbs out', async () => {
      const outside = path.join(workDir, 'outside');
      mkdirSync(outside, { recursive: true });
      writeFileSync(path.join(outside, 'secret.mp3'), 'not for you');
      symlinkSync(path.join(outside, 'secret.mp3'), path.join(root, 'escape.mp3'));
      symlinkSync(outside, path.join(root, 'escape-dir'));
      const size = 'not for you'.length;
      const { mtimeMs } = statSync(path.join(outside, 'secret.mp3'));
      for (const relative of ['escape.mp3', 'escape-dir/secret.mp3', '../outside/secret.mp3']) {
        const id = await insertTrack(t.database.db, { libraryId, path: relative, size, mtimeMs, contentHash: null });
        await expectError(id, 'track_unavailable');
      }
    });
  });

  it('follows a symlink that stays inside the library', async () => {
    const { bytes } = fixtures.flac;
    symlinkSync(path.join(root, 'Yasmin Levy [Live] #1'), path.join(root, 'linked'));
    const relative = "linked/Mi Korasón (¡olé!) 100%.flac";
    const { mtimeMs } = statSync(path.join(root, ...relative.split('/')));
    const id = await insertTrack(t.database.db, { libraryId, path: relative, size: bytes.length, mtimeMs, contentHash: fixtures.flac.hash });
    const response = await t.app.inject({ url: url(id), headers: { ...auth, range: 'bytes=-10' } });
    expect(response.statusCode).toBe(206);
    expect(response.rawPayload.equals(bytes.subarray(bytes.length - 10))).toBe(true);
  });

  it('streams a byte-identical duplicate when the primary file is gone', async () => {
    const { bytes, hash } = fixtures.mp3;
    const copy = path.join(root, 'Duplicates', "copy of it's.mp3");
    mkdirSync(path.dirname(copy), { recursive: true });
    writeFileSync(copy, bytes);
    const { mtimeMs } = statSync(copy);
    const id = await insertTrack(t.database.db, { libraryId, path: 'Gone/original.mp3', size: bytes.length, mtimeMs, contentHash: hash });
    await t.database.db
      .insertInto('trackDuplicates')
      .values({ trackId: id, libraryId, path: "Duplicates/copy of it's.mp3", size: bytes.length, mtimeMs: Math.floor(mtimeMs) })
      .execute();
    const response = await t.app.inject({ url: url(id), headers: { ...auth, range: 'bytes=0-99' } });
    expect(response.statusCode).toBe(206);
    expect(response.headers.etag).toBe(`"${hash}"`);
    expect(response.rawPayload.equals(bytes.subarray(0, 100))).toBe(true);
  });

  it('stops using the content hash as ETag once the file was touched after the scan', async () => {
    const bytes = fixtures.opus.bytes;
    const file = path.join(root, 'touched.opus');
    writeFileSync(file, bytes);
    const { mtimeMs } = statSync(file);
    // The row remembers an older mtime: the file was rewritten (same size) since it was scanned and hashed.
    const id = await insertTrack(t.database.db, { libraryId, path: 'touched.opus', size: bytes.length, mtimeMs: mtimeMs - 60_000, contentHash: fixtures.opus.hash });
    const response = await t.app.inject({ url: url(id), headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe(`"${bytes.length.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`);
    expect(response.headers['last-modified']).toBe(httpDate(mtimeMs));
    const revalidated = await t.app.inject({ url: url(id), headers: { ...auth, 'if-none-match': response.headers.etag as string } });
    expect(revalidated.statusCode).toBe(304);
  });

  it('streams only from libraries the user may see', async () => {
    const user = await signIn(t.app, 'listener', 'user');
    const { id, bytes } = fixtures.flac;
    const hidden = await t.app.inject({ url: url(id), headers: user });
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().error.code).toBe('track_not_found');

    const row = await t.database.db.selectFrom('users').select('id').where('usernameKey', '=', 'listener').executeTakeFirstOrThrow();
    await t.database.db.insertInto('libraryUsers').values({ libraryId, userId: row.id }).execute();
    const granted = await t.app.inject({ url: url(id), headers: user });
    expect(granted.statusCode).toBe(200);
    expect(granted.rawPayload.equals(bytes)).toBe(true);
  });

  describe('header-less stream URLs', () => {
    const streamUrl = async (id: string, headers: Record<string, string>) =>
      (await t.app.inject({ url: `/api/v1/tracks/${id}/stream-url`, headers })).json() as { url: string; expiresAt: number };

    it('stream the track without an Authorization header until they expire', async () => {
      const { id, bytes } = fixtures.flac;
      const { url: link, expiresAt } = await streamUrl(id, auth);
      expect(expiresAt).toBeGreaterThan(Date.now() + 5 * 3_600_000);
      const response = await t.app.inject({ url: link, headers: { range: 'bytes=0-9' } });
      expect(response.statusCode).toBe(206);
      expect(response.rawPayload.equals(bytes.subarray(0, 10))).toBe(true);

      const secret = readFileSync(path.join(t.database.dataDir, 'server-secret.key'));
      const expired = createStreamToken(secret, { userId: (await t.app.inject({ url: '/api/v1/me', headers: auth })).json().id, deviceId: null, trackId: id, expiresAt: Date.now() - 1 });
      expect((await t.app.inject({ url: `${url(id)}?token=${expired}` })).statusCode).toBe(401);
    });

    it('refuse a tampered token, and a token for another track', async () => {
      const { url: link } = await streamUrl(fixtures.flac.id, auth);
      const tampered = link.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
      const response = await t.app.inject({ url: tampered });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('unauthorized');
      const token = new URL(link, 'http://x').searchParams.get('token');
      expect((await t.app.inject({ url: `${url(fixtures.opus.id)}?token=${token}` })).statusCode).toBe(404);
    });

    it('stop working when the device that asked for them is revoked', async () => {
      const registered = await t.app.inject({
        method: 'POST',
        url: '/api/v1/devices',
        headers: auth,
        payload: { name: 'Phone', platform: 'ios', appVersion: '1', clientId: randomUUID() },
      });
      const { device, accessToken } = registered.json();
      const { url: link } = await streamUrl(fixtures.flac.id, { authorization: `Bearer ${accessToken}` });
      expect((await t.app.inject({ url: link })).statusCode).toBe(200);
      await t.app.inject({ method: 'DELETE', url: `/api/v1/devices/${device.id}`, headers: auth });
      expect((await t.app.inject({ url: link })).statusCode).toBe(401);
    });

    it('are not issued for tracks the user cannot see', async () => {
      const stranger = await signIn(t.app, 'stranger', 'user');
      const response = await t.app.inject({ url: `/api/v1/tracks/${fixtures.flac.id}/stream-url`, headers: stranger });
      expect(response.statusCode).toBe(404);
    });
  });
});
