import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAudioFixtures, writeImage } from '../support/audio-fixtures.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

const PASSWORD = 'correct horse battery staple';
const SUBSONIC_PASSWORD = 'subsonic-secret';
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

const TRACKS = 30;

describeEachDatabase('Subsonic API', (kind) => {
  let t: TestApp;
  let workDir: string;
  let admin: { authorization: string };
  let apiKey: string;
  const files = new Map<string, Buffer>();

  /** GET /rest/{method} with the admin's token credentials (or `auth` instead) plus `params`. */
  async function rest(method: string, params: Record<string, string | string[]> = {}, auth?: Record<string, string>, headers: Record<string, string> = {}) {
    const salt = 'c19b2d';
    const credentials = auth ?? { u: 'admin', t: md5(SUBSONIC_PASSWORD + salt), s: salt };
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries({ v: '1.16.1', c: 'test', f: 'json', ...credentials, ...params })) {
      for (const item of Array.isArray(value) ? value : [value]) query.append(key, item);
    }
    return t.app.inject({ method: 'GET', url: `/rest/${method}?${query}`, headers });
  }

  const body = (response: { json(): any }) => response.json()['subsonic-response'];

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-subsonic-'));
    const music = path.join(workDir, 'music');
    const fixtures = createAudioFixtures(path.join(workDir, 'bases'));
    const cover = await writeImage(path.join(workDir, 'cover.jpg'), { r: 200, g: 10, b: 10 }, 300);
    for (let i = 0; i < TRACKS; i++) {
      const album = `Album ${Math.floor(i / 10)}`;
      const file = path.join(music, album, `${String(i).padStart(2, '0')}.mp3`);
      await fixtures.track(
        file,
        { title: `Song ${String(i).padStart(2, '0')}`, artist: `Artist ${i % 3}`, album, albumArtist: `Artist ${Math.floor(i / 10)}`, track: (i % 10) + 1, year: 2000 + Math.floor(i / 10), genre: i < 10 ? 'Rock' : 'Jazz' },
        { cover: i < 10 ? cover : undefined, frequency: 440 + i },
      );
      files.set(path.relative(music, file).split(path.sep).join('/'), readFileSync(file));
    }
    t = await createTestApp(kind, { musicDirs: [music] });
    await t.app.omnisonic.library.scan();
    admin = await signIn(t.app);
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/me/subsonic-password', headers: admin, payload: { password: SUBSONIC_PASSWORD } })).statusCode).toBe(204);
    apiKey = (await t.app.inject({ method: 'POST', url: '/api/v1/me/api-keys', headers: admin, payload: { name: 'phone' } })).json().key;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  describe('authentication', () => {
    it('accepts u+t+s, u+p (clear and enc:), the main password, and apiKey', async () => {
      expect(body(await rest('ping')).status).toBe('ok');
      expect(body(await rest('ping', {}, { u: 'admin', p: SUBSONIC_PASSWORD })).status).toBe('ok');
      expect(body(await rest('ping', {}, { u: 'admin', p: `enc:${Buffer.from(SUBSONIC_PASSWORD).toString('hex')}` })).status).toBe('ok');
      expect(body(await rest('ping', {}, { u: 'ADMIN', p: PASSWORD })).status).toBe('ok');
      expect(body(await rest('ping', {}, { apiKey })).status).toBe('ok');
      expect(body(await rest('tokenInfo', {}, { apiKey })).tokenInfo).toEqual({ username: 'admin' });
    });

    it('answers the spec error codes', async () => {
      const code = async (auth: Record<string, string>) => body(await rest('ping', {}, auth)).error?.code;
      expect(await code({})).toBe(10);
      expect(await code({ u: 'admin' })).toBe(10);
      expect(await code({ u: 'admin', t: 'abc' })).toBe(10);
      expect(await code({ u: 'admin', p: 'wrong password' })).toBe(40);
      expect(await code({ u: 'nobody', p: 'wrong password' })).toBe(40);
      expect(await code({ u: 'admin', t: md5('wrong' + 'salt'), s: 'salt' })).toBe(40);
      // The main password is only an argon2 hash: it cannot answer a token.
      expect(await code({ u: 'admin', t: md5(PASSWORD + 'salt'), s: 'salt' })).toBe(40);
      expect(await code({ u: 'admin', p: SUBSONIC_PASSWORD, t: 'x', s: 'y' })).toBe(43);
      expect(await code({ apiKey, u: 'admin' })).toBe(43);
      expect(await code({ apiKey, p: 'x' })).toBe(43);
      expect(await code({ apiKey: 'oss_nonsense' })).toBe(44);
      const failed = body(await rest('ping', {}, { apiKey: 'oss_nonsense' }));
      expect(failed).toMatchObject({ status: 'failed', version: '1.16.1', type: 'omnisonic', openSubsonic: true, error: { code: 44 } });
      expect(body(await rest('getUsers', {}, { u: 'listener', p: 'listener-password' })).error.code).toBe(40);
    });

    it('revokes API keys at once, lists them without the key', async () => {
      const created = (await t.app.inject({ method: 'POST', url: '/api/v1/me/api-keys', headers: admin, payload: { name: 'temp' } })).json();
      expect(created.key).toMatch(/^oss_/);
      const listed = (await t.app.inject({ url: '/api/v1/me/api-keys', headers: admin })).json().items;
      expect(listed.map((k: { name: string }) => k.name)).toContain('temp');
      expect(JSON.stringify(listed)).not.toContain(created.key);
      expect(body(await rest('ping', {}, { apiKey: created.key })).status).toBe('ok');
      expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/me/api-keys/${created.id}`, headers: admin })).statusCode).toBe(204);
      expect(body(await rest('ping', {}, { apiKey: created.key })).error.code).toBe(44);
      expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/me/api-keys/${created.id}`, headers: admin })).json().error.code).toBe('api_key_not_found');
    });

    it('stores the Subsonic password encrypted, not in clear', async () => {
      const row = await t.database.db.selectFrom('subsonicPasswords').selectAll().executeTakeFirstOrThrow();
      expect(row.sealed).not.toContain(SUBSONIC_PASSWORD);
      expect(row.sealed.startsWith('v1.')).toBe(true);
    });
  });

  describe('envelopes', () => {
    it('XML by default, with attributes, repeated elements and escaping', async () => {
      const response = await t.app.inject({ url: `/rest/getOpenSubsonicExtensions.view` });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain('application/xml');
      expect(response.body).toContain('<subsonic-response xmlns="http://subsonic.org/restapi" status="ok" version="1.16.1" type="omnisonic"');
      expect(response.body).toContain('openSubsonic="true"');
      expect(response.body).toContain('<openSubsonicExtensions name="apiKeyAuthentication"><versions>1</versions></openSubsonicExtensions>');
      const failed = await t.app.inject({ url: `/rest/ping?u=a%22%3C%26&p=x` });
      expect(failed.body).toContain('<error code="40" message="Wrong username or password."/>');
    });

    it('JSON and JSONP; getOpenSubsonicExtensions needs no credentials', async () => {
      const json = await t.app.inject({ url: '/rest/getOpenSubsonicExtensions?f=json' });
      expect(json.headers['content-type']).toContain('application/json');
      expect(json.json()['subsonic-response'].openSubsonicExtensions).toEqual([
        { name: 'apiKeyAuthentication', versions: [1] },
        { name: 'formPost', versions: [1] },
        { name: 'songLyrics', versions: [1] },
        { name: 'transcodeOffset', versions: [1] },
        { name: 'indexBasedQueue', versions: [1] },
      ]);
      const jsonp = await t.app.inject({ url: '/rest/getOpenSubsonicExtensions?f=jsonp&callback=app.cb' });
      expect(jsonp.headers['content-type']).toContain('application/javascript');
      expect(jsonp.body).toMatch(/^app\.cb\(\{"subsonic-response":\{"status":"ok"/);
      const evil = await t.app.inject({ url: '/rest/getOpenSubsonicExtensions?f=jsonp&callback=alert(1)' });
      expect(evil.headers['content-type']).toContain('application/json');
      expect(evil.json()['subsonic-response'].error.code).toBe(0);
    });

    it('form POST (formPost) works like GET', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/rest/ping.view',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `u=admin&p=${encodeURIComponent(SUBSONIC_PASSWORD)}&v=1.16.1&c=test&f=json`,
      });
      expect(body(response).status).toBe('ok');
    });

    it('unknown and unimplemented methods, bad parameters: Subsonic errors in the requested format, never 500/HTML', async () => {
      expect(body(await rest('noSuchMethod')).error.code).toBe(70);
      expect(body(await rest('getPodcasts')).error.code).toBe(0);
      expect(body(await rest('getAlbum')).error.code).toBe(10);
      expect(body(await rest('getAlbum', { id: 'ffff' })).error.code).toBe(70);
      expect(body(await rest('getAlbumList2', { type: 'newest', size: 'ten' })).error.code).toBe(0);
      expect(body(await rest('getAlbumList2', { type: 'byYear' })).error.code).toBe(10);
      expect(body(await rest('getAlbumList2', { type: 'sideways' })).error.code).toBe(0);
      const xml = await rest('getSong', { f: 'xml', id: 'nope' });
      expect(xml.headers['content-type']).toContain('application/xml');
      expect(xml.body).toContain('<error code="70"');
      const wrongType = await t.app.inject({ method: 'POST', url: '/rest/ping?f=json', headers: { 'content-type': 'text/plain' }, payload: 'x' });
      expect(wrongType.statusCode).toBe(200);
      expect(body(wrongType).status).toBe('failed');
    });

    it('50 for a non-admin calling an admin-only method', async () => {
      await t.app.omnisonic.auth.createUser({ username: 'plain', password: PASSWORD, role: 'user' });
      expect(body(await rest('createUser', {}, { u: 'plain', p: PASSWORD })).error.code).toBe(50);
    });
  });

  describe('first sync, as Symfonium does it', () => {
    it('ping → extensions → folders → search3 paged → album → stream → cover → star → scrobble', async () => {
      expect(body(await rest('ping')).status).toBe('ok');
      expect(body(await rest('getOpenSubsonicExtensions')).openSubsonicExtensions.length).toBeGreaterThan(0);
      const folders = body(await rest('getMusicFolders')).musicFolders.musicFolder;
      // The music library and the admin's own upload library.
      expect(folders.map((f: { name: string }) => f.name).sort()).toEqual(['Uploads', 'music']);

      const seen = new Map<string, any>();
      const albums = new Set<string>();
      const artists = new Set<string>();
      for (let offset = 0; ; offset += 7) {
        const result = body(await rest('search3', { query: '""', songCount: '7', songOffset: String(offset), albumCount: '7', albumOffset: String(offset), artistCount: '7', artistOffset: String(offset) })).searchResult3;
        for (const song of result.song ?? []) seen.set(song.id, song);
        for (const album of result.album ?? []) albums.add(album.id);
        for (const artist of result.artist ?? []) artists.add(artist.id);
        if ((result.song ?? []).length < 7) break;
      }
      expect(seen.size).toBe(TRACKS);
      expect(albums.size).toBe(3);
      // Artist 0..2 as track artists (album artists Artist 0..2 too).
      expect(artists.size).toBe(3);

      const song = [...seen.values()].find((s) => s.title === 'Song 03')!;
      expect(song).toMatchObject({ isDir: false, suffix: 'mp3', contentType: 'audio/mpeg', mediaType: 'song', type: 'music', track: 4, year: 2000, genre: 'Rock' });
      const album = body(await rest('getAlbum', { id: song.albumId })).album;
      expect(album).toMatchObject({ id: song.albumId, name: 'Album 0', songCount: 10 });
      expect(album.song.map((s: { track: number }) => s.track)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

      const bytes = files.get(song.path)!;
      const ranged = await rest('stream', { id: song.id, maxBitRate: '128', format: 'mp3' }, undefined, { range: 'bytes=10-99' });
      expect(ranged.statusCode).toBe(206);
      expect(ranged.headers['content-range']).toBe(`bytes 10-99/${bytes.length}`);
      expect(Buffer.compare(ranged.rawPayload, bytes.subarray(10, 100))).toBe(0);
      const whole = await rest('download', { id: song.id });
      expect(whole.statusCode).toBe(200);
      expect(Buffer.compare(whole.rawPayload, bytes)).toBe(0);

      const cover = await rest('getCoverArt', { id: album.coverArt, size: '100' });
      expect(cover.statusCode).toBe(200);
      expect(cover.headers['content-type']).toBe('image/jpeg');

      expect(body(await rest('star', { id: song.id, albumId: album.id })).status).toBe('ok');
      const starred = body(await rest('getSong', { id: song.id })).song;
      expect(typeof starred.starred).toBe('string');
      expect(body(await rest('getAlbumList2', { type: 'starred' })).albumList2.album.map((a: { id: string }) => a.id)).toEqual([album.id]);
      expect(body(await rest('setRating', { id: song.id, rating: '4' })).status).toBe('ok');

      // The fixtures last 1 s, which the scrobbling rule (longer than 30 s) never counts; make this one a real song.
      await t.database.db.updateTable('tracks').set({ durationMs: 200_000 }).where('id', '=', song.id).execute();
      expect(body(await rest('scrobble', { id: song.id, submission: 'false' })).status).toBe('ok');
      expect(body(await rest('getSong', { id: song.id })).song.playCount).toBe(0);
      expect(body(await rest('scrobble', { id: song.id, time: String(Date.now() - 60_000) })).status).toBe('ok');
      const after = body(await rest('getSong', { id: song.id })).song;
      expect(after).toMatchObject({ playCount: 1, userRating: 4 });
      expect(body(await rest('getAlbumList2', { type: 'recent' })).albumList2.album[0].id).toBe(album.id);
      expect(body(await rest('getAlbumList2', { type: 'frequent' })).albumList2.album[0].id).toBe(album.id);
      expect(body(await rest('unstar', { id: song.id })).status).toBe('ok');
      expect(body(await rest('getSong', { id: song.id })).song.starred).toBeUndefined();
    });
  });

  describe('lists', () => {
    it('getArtists, getArtist, getAlbumList2 types, getRandomSongs, getGenres', async () => {
      const index = body(await rest('getArtists')).artists.index;
      expect(index.map((i: { name: string }) => i.name)).toEqual(['A']);
      const artistId = index[0].artist[0].id;
      expect(body(await rest('getArtist', { id: artistId })).artist.album.length).toBeGreaterThan(0);
      const names = (type: string, extra: Record<string, string> = {}) =>
        rest('getAlbumList2', { type, ...extra }).then((r) => body(r).albumList2.album.map((a: { name: string }) => a.name));
      expect(await names('alphabeticalByName')).toEqual(['Album 0', 'Album 1', 'Album 2']);
      expect(await names('alphabeticalByArtist')).toEqual(['Album 0', 'Album 1', 'Album 2']);
      expect(await names('byYear', { fromYear: '2002', toYear: '2001' })).toEqual(['Album 2', 'Album 1']);
      expect(await names('byGenre', { genre: 'rock' })).toEqual(['Album 0']);
      expect((await names('newest')).sort()).toEqual(['Album 0', 'Album 1', 'Album 2']);
      expect(await names('random', { size: '2' })).toHaveLength(2);
      expect(await names('alphabeticalByName', { size: '1', offset: '1' })).toEqual(['Album 1']);
      expect(body(await rest('getRandomSongs', { size: '5', genre: 'Jazz' })).randomSongs.song).toHaveLength(5);
      expect(body(await rest('getGenres')).genres.genre).toEqual([
        { value: 'Jazz', songCount: 20, albumCount: 2 },
        { value: 'Rock', songCount: 10, albumCount: 1 },
      ]);
      const xml = await rest('getGenres', { f: 'xml' });
      expect(xml.body).toContain('<genre songCount="20" albumCount="2">Jazz</genre>');
    });
  });

  describe('library access', () => {
    it('a user without grants sees nothing, and cannot stream or fetch by id', async () => {
      await t.app.omnisonic.auth.createUser({ username: 'outsider', password: PASSWORD, role: 'user' });
      const as = { u: 'outsider', p: PASSWORD };
      const all = body(await rest('search3', { query: '' }, as)).searchResult3;
      expect(all).toEqual({ artist: [], album: [], song: [] });
      const anySong = body(await rest('search3', { query: 'Song 01' })).searchResult3.song[0];
      expect(body(await rest('getSong', { id: anySong.id }, as)).error.code).toBe(70);
      expect(body(await rest('stream', { id: anySong.id }, as)).error.code).toBe(70);
      expect(body(await rest('getCoverArt', { id: anySong.coverArt }, as)).error.code).toBe(70);
      expect(body(await rest('star', { id: anySong.id }, as)).error.code).toBe(70);
      expect(body(await rest('getAlbumList2', { type: 'newest' }, as)).albumList2).toEqual({ album: [] });
      // Their own (empty) upload library is their one folder.
      expect(body(await rest('getMusicFolders', {}, as)).musicFolders.musicFolder).toHaveLength(1);
    });
  });
});
