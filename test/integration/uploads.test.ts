import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { BusEvent } from '../../src/shared/events.js';
import { createAudioFixtures, writeImage } from '../support/audio-fixtures.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-uploads-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const fixtures = createAudioFixtures(path.join(work, 'bases'));
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let song: Buffer;
let other: Buffer;
beforeAll(async () => {
  const cover = await writeImage(path.join(work, 'cover.jpg'), { r: 10, g: 200, b: 30 });
  await fixtures.track(path.join(work, 'song.mp3'), { title: 'Upload Song', artist: 'Uploader', album: 'Sent', track: 3 }, { cover });
  await fixtures.track(path.join(work, 'other.flac'), { title: 'Other', artist: 'Uploader', album: 'Sent', track: 4 });
  song = readFileSync(path.join(work, 'song.mp3'));
  other = readFileSync(path.join(work, 'other.flac'));
});

describeEachDatabase('uploads', (kind) => {
  let t: TestApp;
  let alice: { authorization: string };
  let bob: { authorization: string };
  let now: number;
  const events: BusEvent[] = [];

  beforeEach(async () => {
    now = Date.now();
    t = await createTestApp(kind, { overrides: { clock: { now: () => now } } });
    alice = await signIn(t.app, 'alice', 'user');
    bob = await signIn(t.app, 'bob', 'user');
    events.length = 0;
    t.app.omnisonic.bus.subscribe((e) => events.push(e));
  });
  afterEach(() => t.close());

  const staging = () => path.join(t.database.dataDir, 'upload-staging');
  const stagedEntries = () => (existsSync(staging()) ? readdirSync(staging()) : []);
  const libraryFiles = (dir = path.join(t.database.dataDir, 'uploads')): string[] =>
    existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)) : [];
  const trackCount = async () => Number((await t.database.db.selectFrom('tracks').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  async function prepare(bytes: Buffer, fileName = 'song.mp3', headers = alice, overrides: Record<string, unknown> = {}) {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/uploads', headers, payload: { fileName, size: bytes.length, sha256: sha(bytes), ...overrides } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }
  function put(id: string, body: Buffer, range?: string, headers = alice) {
    return t.app.inject({
      method: 'PUT',
      url: `/api/v1/uploads/${id}`,
      headers: { ...headers, 'content-type': 'application/octet-stream', ...(range ? { 'content-range': range } : {}) },
      payload: body,
    });
  }
  const finalize = (id: string, headers = alice) => t.app.inject({ method: 'POST', url: `/api/v1/uploads/${id}/finalize`, headers });
  async function upload(bytes: Buffer, fileName = 'song.mp3') {
    const { uploadId } = await prepare(bytes, fileName);
    expect((await put(uploadId, bytes)).statusCode).toBe(200);
    return finalize(uploadId);
  }

  it('takes a file in three chunks, then finalize makes a tagged track in the caller’s library and announces it', async () => {
    const { uploadId, status } = await prepare(song);
    expect(status).toBe('pending');
    const cuts = [0, 1000, 5000, song.length];
    for (let i = 0; i < 3; i += 1) {
      const response = await put(uploadId, song.subarray(cuts[i], cuts[i + 1]), `bytes ${cuts[i]}-${cuts[i + 1] - 1}/${song.length}`);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['upload-offset']).toBe(String(cuts[i + 1]));
    }
    const done = await finalize(uploadId);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ status: 'complete', trackId: expect.any(String) });
    const tracks = (await t.app.inject({ url: '/api/v1/tracks', headers: alice })).json().items;
    expect(tracks).toHaveLength(1);
    expect(tracks[0]).toMatchObject({ id: done.json().trackId, title: 'Upload Song', artist: 'Uploader', trackNumber: 3 });
    expect(tracks[0].artworkId).toEqual(expect.any(String));
    expect(libraryFiles().map((f) => path.relative(path.join(t.database.dataDir, 'uploads'), f).split(path.sep).slice(1).join('/'))).toEqual(['Uploader/Sent/03 - Upload Song.mp3']);
    expect(stagedEntries()).toEqual([]);
    expect(events.filter((e) => e.type === 'library').map((e) => e.type === 'library' && e.entity).sort()).toEqual(['album', 'artist', 'artwork', 'track']);
    // Bob cannot see Alice's upload library.
    expect((await t.app.inject({ url: '/api/v1/tracks', headers: bob })).json().items).toHaveLength(0);
    // Finalize is idempotent.
    expect((await finalize(uploadId)).json()).toMatchObject({ status: 'complete', trackId: done.json().trackId });
  });

  it('resumes after an interrupted chunk: HEAD tells the offset and a chunk at another offset gets 409', async () => {
    const { uploadId } = await prepare(song);
    const cut = await put(uploadId, song.subarray(0, 700), `bytes 0-1999/${song.length}`);
    expect(cut.statusCode).toBe(409);
    expect(cut.json().error.code).toBe('upload_incomplete');
    const head = await t.app.inject({ method: 'HEAD', url: `/api/v1/uploads/${uploadId}`, headers: alice });
    expect(head.statusCode).toBe(200);
    expect(head.headers['upload-offset']).toBe('700');
    const wrong = await put(uploadId, song.subarray(0, 100), `bytes 0-99/${song.length}`);
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json().error.code).toBe('upload_offset_mismatch');
    expect(wrong.headers['upload-offset']).toBe('700');
    const early = await finalize(uploadId);
    expect(early.json().error.code).toBe('upload_incomplete');
    expect((await put(uploadId, song.subarray(700), `bytes 700-${song.length - 1}/${song.length}`)).statusCode).toBe(200);
    expect((await finalize(uploadId)).json().status).toBe('complete');
  });

  it('refuses a wrong SHA-256 with a clear error and keeps no file and no track', async () => {
    const { uploadId } = await prepare(song, 'song.mp3', alice, { sha256: 'ab'.repeat(32) });
    await put(uploadId, song);
    const response = await finalize(uploadId);
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('upload_checksum_mismatch');
    expect(stagedEntries()).toEqual([]);
    expect(libraryFiles()).toEqual([]);
    expect(await trackCount()).toBe(0);
    expect((await t.app.inject({ url: `/api/v1/uploads/${uploadId}`, headers: alice })).json()).toMatchObject({ status: 'failed' });
  });

  it('refuses bytes that do not match the declared size', async () => {
    const { uploadId } = await prepare(song);
    const total = await put(uploadId, song.subarray(0, 10), `bytes 0-9/${song.length + 5}`);
    expect(total.statusCode).toBe(400);
    expect(total.json().error.code).toBe('upload_size_mismatch');
    const tooLong = await put(uploadId, Buffer.concat([song, Buffer.from('extra')]));
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.code).toBe('upload_size_mismatch');
    expect((await t.app.inject({ method: 'HEAD', url: `/api/v1/uploads/${uploadId}`, headers: alice })).headers['upload-offset']).toBe('0');
    const big = await t.app.inject({ method: 'POST', url: '/api/v1/uploads', headers: alice, payload: { fileName: 'x.mp3', size: 2 * 1024 ** 3, sha256: sha(song) } });
    expect(big.statusCode).toBe(413);
  });

  it('sniffs the type from the bytes: a text file named .mp3 is rejected and nothing is kept', async () => {
    const text = Buffer.from('this is not audio at all\n'.repeat(20));
    const response = await upload(text, 'fake.mp3');
    expect(response.statusCode).toBe(415);
    expect(response.json().error.code).toBe('upload_unsupported_type');
    expect(stagedEntries()).toEqual([]);
    expect(await trackCount()).toBe(0);
  });

  it('answers duplicate with the existing track for content the caller already owns, and stores nothing', async () => {
    const first = (await upload(song)).json();
    const again = await prepare(song, 'copy.mp3');
    expect(again).toMatchObject({ status: 'duplicate', trackId: first.trackId });
    expect(libraryFiles()).toHaveLength(1);
    expect(await trackCount()).toBe(1);
    // Another user does not own it: Bob uploads his own copy.
    expect((await prepare(song, 'song.mp3', bob)).status).toBe('pending');
  });

  it('gives colliding names " (2)" suffixes and keeps hostile file names inside the library', async () => {
    expect((await upload(other, '../../x.flac')).statusCode).toBe(200);
    // Same tags, different bytes: the same target name.
    const edited = Buffer.concat([other, Buffer.alloc(16)]);
    expect((await upload(edited, `..\u0001/\u202eb${'y'.repeat(300)}.flac`)).statusCode).toBe(200);
    const withNul = await t.app.inject({ method: 'POST', url: '/api/v1/uploads', headers: alice, payload: { fileName: 'a\u0000b.mp3', size: 10, sha256: sha(song) } });
    expect(withNul.statusCode).toBe(400);
    const names = libraryFiles().map((f) => path.basename(f)).sort();
    expect(names).toEqual(['04 - Other (2).flac', '04 - Other.flac']);
    for (const file of libraryFiles()) expect(file.startsWith(path.join(t.database.dataDir, 'uploads') + path.sep)).toBe(true);
    expect(existsSync(path.join(t.database.dataDir, '..', 'x.flac'))).toBe(false);
  });

  it('expires abandoned uploads and deletes their staged bytes', async () => {
    const { uploadId } = await prepare(song);
    await put(uploadId, song.subarray(0, 100), `bytes 0-99/${song.length}`);
    expect(stagedEntries()).toEqual([uploadId]);
    now += 25 * 3_600_000;
    expect(await t.app.omnisonic.uploads.sweep()).toBe(1);
    expect(stagedEntries()).toEqual([]);
    expect((await t.app.inject({ url: `/api/v1/uploads/${uploadId}`, headers: alice })).json().status).toBe('expired');
    expect((await put(uploadId, song.subarray(100), `bytes 100-${song.length - 1}/${song.length}`)).json().error.code).toBe('upload_not_receiving');
  });

  it('imports several files in one multipart request and reports added, duplicate and rejected per file', async () => {
    const boundary = 'omnisonic-test-boundary';
    const part = (name: string, bytes: Buffer) =>
      Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
        bytes,
        Buffer.from('\r\n'),
      ]);
    const payload = Buffer.concat([
      part('song.mp3', song),
      part('other.flac', other),
      part('again.mp3', song),
      part('notes.mp3', Buffer.from('not audio\n'.repeat(50))),
      Buffer.from(`--${boundary}--\r\n`),
    ]);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/library/import',
      headers: { ...alice, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    expect(response.statusCode, response.body).toBe(200);
    const items = response.json().items;
    expect(items.map((i: { fileName: string; result: string }) => [i.fileName, i.result])).toEqual([
      ['song.mp3', 'added'],
      ['other.flac', 'added'],
      ['again.mp3', 'duplicate'],
      ['notes.mp3', 'rejected'],
    ]);
    expect(items[2].trackId).toBe(items[0].trackId);
    expect(items[3].reason).toEqual(expect.any(String));
    expect(await trackCount()).toBe(2);
    expect(stagedEntries()).toEqual([]);
    const titles = (await t.app.inject({ url: '/api/v1/tracks', headers: alice })).json().items.map((track: { title: string }) => track.title);
    expect(titles.sort()).toEqual(['Other', 'Upload Song']);
  });

  it('refuses an import that is not multipart', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/library/import', headers: { ...alice, 'content-type': 'application/json' }, payload: {} });
    expect(response.statusCode).toBe(415);
  });

  it("answers 404 for another user's upload", async () => {
    const { uploadId } = await prepare(song);
    expect((await t.app.inject({ url: `/api/v1/uploads/${uploadId}`, headers: bob })).statusCode).toBe(404);
    expect((await put(uploadId, song, undefined, bob)).statusCode).toBe(404);
    expect((await finalize(uploadId, bob)).statusCode).toBe(404);
  });

  it('undoes the move when the catalog write fails: no file in the library, no track, finalize can run again', async () => {
    await t.close();
    let failOnce = true;
    t = await createTestApp(kind, {
      overrides: {
        uploadCheckpoint: async (point) => {
          if (point === 'after-move' && failOnce) {
            failOnce = false;
            throw new Error('injected failure');
          }
        },
      },
    });
    alice = await signIn(t.app, 'alice', 'user');
    const { uploadId } = await prepare(song);
    await put(uploadId, song);
    expect((await finalize(uploadId)).statusCode).toBe(500);
    expect(libraryFiles()).toEqual([]);
    expect(await trackCount()).toBe(0);
    expect((await finalize(uploadId)).json().status).toBe('complete');
  });

  for (const point of ['renamed-for-read', 'before-move', 'after-move', 'after-commit'] as const) {
    it(`recovers a finalize that died at ${point}: a whole track or none, no orphan file`, async () => {
      await t.close();
      let reached: () => void = () => undefined;
      const paused = new Promise<void>((resolve) => (reached = resolve));
      t = await createTestApp(kind, {
        overrides: {
          // The process "dies" here: the finalize never continues; recovery runs as it would at the next start.
          uploadCheckpoint: async (at) => {
            if (at === point) {
              reached();
              await new Promise(() => undefined);
            }
          },
        },
      });
      alice = await signIn(t.app, 'alice', 'user');
      const { uploadId } = await prepare(song);
      await put(uploadId, song);
      void finalize(uploadId);
      await paused;
      await t.app.omnisonic.uploads.recover();
      const state = (await t.app.inject({ url: `/api/v1/uploads/${uploadId}`, headers: alice })).json();
      const tracks = (await t.app.inject({ url: '/api/v1/tracks', headers: alice })).json().items;
      if (point === 'renamed-for-read' || point === 'before-move') {
        expect(state.status).toBe('receiving');
        expect(tracks).toHaveLength(0);
        expect(libraryFiles()).toEqual([]);
        expect(state.received).toBe(song.length);
      } else {
        expect(state).toMatchObject({ status: 'complete', trackId: tracks[0].id });
        expect(tracks).toHaveLength(1);
        expect(libraryFiles()).toHaveLength(1);
        expect(stagedEntries()).toEqual([]);
      }
    });
  }
});
