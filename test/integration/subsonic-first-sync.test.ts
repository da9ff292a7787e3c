import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { catalogFixtures } from '../support/catalog-fixtures.js';
import { describeEachDatabase } from '../support/databases.js';
import { subsonicClient, tokenAuth, writeSubsonicLibrary, type SubsonicClient } from '../support/subsonic-client.js';

const PASSWORD = 'correct horse battery staple';
const SUBSONIC_PASSWORD = 'phone-app-secret';
/** Real files (streamed, with a cover) plus catalog rows, so the sync takes more than two pages of 500. */
const REAL_SONGS = 10;
const SYNTHETIC_SONGS = 1040;
const PAGE = 500;

describeEachDatabase('Subsonic: a client\'s first sync', (kind) => {
  let t: TestApp;
  let workDir: string;
  let music: string;
  let apiKey: string;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-subsonic-sync-'));
    music = await writeSubsonicLibrary(workDir, REAL_SONGS);
    t = await createTestApp(kind, { musicDirs: [music] });
    await t.app.omnisonic.library.scan();
    const headers = await signIn(t.app);
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/me/subsonic-password', headers, payload: { password: SUBSONIC_PASSWORD } })).statusCode).toBe(204);
    apiKey = (await t.app.inject({ method: 'POST', url: '/api/v1/me/api-keys', headers, payload: { name: 'desktop' } })).json().key;
    // A second library of catalog rows (no files): admins see every music library.
    const fx = catalogFixtures(t.database.db);
    for (let a = 0; a < SYNTHETIC_SONGS / 10; a++) {
      const album = await fx.album({ title: `Synthetic ${a}`, artist: `Band ${a % 20}` });
      for (let i = 0; i < 10; i++) await fx.track({ title: `Take ${a}-${i}`, album, artists: [`Band ${a % 20}`] });
    }
  }, 300_000);
  afterAll(async () => {
    await t?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('ping → extensions → folders → search3 paged by 500 → album → stream (Range) → cover → star → scrobble → play queue across clients', async () => {
    // The phone authenticates with a token, the desktop with an API key.
    const phone = subsonicClient(t.app, tokenAuth('admin', SUBSONIC_PASSWORD), 'Symfonium');
    const desktop = subsonicClient(t.app, { apiKey }, 'Feishin');

    expect(await phone.json('ping')).toMatchObject({ status: 'ok', version: '1.16.1', type: 'omnisonic', openSubsonic: true });
    const extensions = (await phone.json('getOpenSubsonicExtensions')).openSubsonicExtensions.map((e: { name: string }) => e.name);
    expect(extensions).toEqual(expect.arrayContaining(['apiKeyAuthentication', 'formPost', 'indexBasedQueue']));
    const folders = (await phone.json('getMusicFolders')).musicFolders.musicFolder;
    expect(folders.length).toBeGreaterThanOrEqual(2);

    const songs = new Map<string, { id: string; title: string; path: string; albumId: string; coverArt?: string }>();
    const albums = new Set<string>();
    let pages = 0;
    for (let offset = 0; ; offset += PAGE) {
      const page = (await phone.json('search3', {
        query: '""',
        songCount: String(PAGE),
        songOffset: String(offset),
        albumCount: String(PAGE),
        albumOffset: String(offset),
        artistCount: '0',
      })).searchResult3;
      pages++;
      for (const song of page.song ?? []) songs.set(song.id, song);
      for (const album of page.album ?? []) albums.add(album.id);
      if ((page.song ?? []).length < PAGE) break;
    }
    const catalogSongs = await t.database.db.selectFrom('tracks').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'ok').executeTakeFirstOrThrow();
    const catalogAlbums = await t.database.db.selectFrom('albums').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(songs.size).toBe(Number(catalogSongs.n));
    expect(songs.size).toBe(REAL_SONGS + SYNTHETIC_SONGS);
    expect(albums.size).toBe(Number(catalogAlbums.n));
    expect(pages).toBe(3);

    const song = [...songs.values()].find((s) => s.title === 'Song 01')!;
    const album = (await phone.json('getAlbum', { id: song.albumId })).album;
    expect(album).toMatchObject({ name: 'Album 0', songCount: 5 });
    expect(album.song.map((s: { title: string }) => s.title)).toEqual(['Song 00', 'Song 01', 'Song 02', 'Song 03', 'Song 04']);

    const bytes = readFileSync(path.join(music, song.path));
    const ranged = await phone.call('stream', { id: song.id }, { headers: { range: 'bytes=100-1099' } });
    expect(ranged.statusCode).toBe(206);
    expect(ranged.headers['content-range']).toBe(`bytes 100-1099/${bytes.length}`);
    expect(Buffer.compare(ranged.rawPayload, bytes.subarray(100, 1100))).toBe(0);

    const cover = await phone.call('getCoverArt', { id: album.coverArt, size: '64' });
    expect(cover.statusCode).toBe(200);
    expect(cover.headers['content-type']).toBe('image/jpeg');

    expect((await phone.json('star', { id: song.id })).status).toBe('ok');
    expect(typeof (await desktop.json('getSong', { id: song.id })).song.starred).toBe('string');

    // One-second fixtures never count as plays (longer than 30 s is the rule); make this one a real song's length.
    await t.database.db.updateTable('tracks').set({ durationMs: 240_000 }).where('id', '=', song.id).execute();
    expect((await phone.json('scrobble', { id: song.id, submission: 'true' })).status).toBe('ok');
    expect((await desktop.json('getSong', { id: song.id })).song.playCount).toBe(1);

    const queue = album.song.map((s: { id: string }) => s.id);
    expect((await phone.json('savePlayQueue', { id: queue, current: queue[2], position: '420' })).status).toBe('ok');
    const resumed = (await desktop.json('getPlayQueue')).playQueue;
    expect(resumed).toMatchObject({ current: queue[2], position: 420, username: 'admin', changedBy: 'Symfonium' });
    expect(resumed.entry.map((s: { id: string }) => s.id)).toEqual(queue);
  });

  describe('authentication and errors, as the spec words them', () => {
    it('every authentication mode: u+p in clear and enc:, u+t+s, apiKey; GET and form POST', async () => {
      const client = subsonicClient(t.app, {});
      const ok = async (auth: Record<string, string>, post = false) => (await client.call('ping', {}, { auth, post })).json()['subsonic-response'].status;
      expect(await ok({ u: 'admin', p: SUBSONIC_PASSWORD })).toBe('ok');
      expect(await ok({ u: 'admin', p: `enc:${Buffer.from(SUBSONIC_PASSWORD).toString('hex')}` })).toBe('ok');
      expect(await ok({ u: 'admin', p: PASSWORD })).toBe('ok');
      expect(await ok(tokenAuth('admin', SUBSONIC_PASSWORD))).toBe('ok');
      expect(await ok({ apiKey })).toBe('ok');
      expect(await ok(tokenAuth('admin', SUBSONIC_PASSWORD), true)).toBe('ok');
      expect(await ok({ apiKey }, true)).toBe('ok');
    });

    // 41 and 42 are for servers that dropped token or password authentication; this one supports every mechanism,
    // so it never answers them.
    it('10, 40, 43, 44, 50 and 70 with the spec messages, in JSON and XML', async () => {
      await t.app.omnisonic.auth.createUser({ username: 'plain', password: PASSWORD, role: 'user' });
      const client = subsonicClient(t.app, {});
      const cases: [number, string, Record<string, string>, string?][] = [
        [10, 'ping', { u: 'admin' }],
        [40, 'ping', { u: 'admin', p: 'not the password' }],
        [40, 'ping', tokenAuth('admin', 'not the password')],
        [43, 'ping', { apiKey, u: 'admin' }],
        [43, 'ping', { apiKey, ...tokenAuth('admin', SUBSONIC_PASSWORD) }],
        [43, 'ping', { u: 'admin', p: SUBSONIC_PASSWORD, t: 'abc', s: 'def' }],
        [44, 'ping', { apiKey: 'oss_revoked-or-never-issued' }],
        [50, 'getUsers', { u: 'plain', p: PASSWORD }],
        [70, 'getPlaylist', { u: 'admin', p: PASSWORD }, 'ffffffffffffffff'],
      ];
      for (const [code, method, auth, id] of cases) {
        const params: Record<string, string> = id === undefined ? {} : { id };
        const json = (await client.call(method, params, { auth })).json()['subsonic-response'];
        expect(json, `${method} ${JSON.stringify(auth)}`).toMatchObject({ status: 'failed', error: { code } });
        expect(typeof json.error.message).toBe('string');
        const xml = (await client.call(method, { ...params, f: 'xml' }, { auth })).body;
        expect(xml).toMatch(new RegExp(`<subsonic-response xmlns="http://subsonic.org/restapi" status="failed" [^>]*><error code="${code}" message="[^"]+"/></subsonic-response>`));
      }
      const message = async (auth: Record<string, string>, method = 'ping') => (await client.call(method, {}, { auth })).json()['subsonic-response'].error.message;
      expect(await message({ u: 'admin', p: 'not the password' })).toBe('Wrong username or password.');
      expect(await message({ apiKey, u: 'admin' })).toBe('Multiple conflicting authentication mechanisms provided.');
      expect(await message({ u: 'plain', p: PASSWORD }, 'getUsers')).toMatch(/admin/i);
    });
  });
});
