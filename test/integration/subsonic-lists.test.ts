import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAudioFixtures, writeImage } from '../support/audio-fixtures.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';
import { parseXml, shapeErrors } from '../support/subsonic-shapes.js';

const PASSWORD = 'correct horse battery staple';

/** Artist, album, genre, year and song titles of the test library. */
const CATALOG = [
  { artist: 'Alpha', album: 'Alpha Album', genre: 'Rock', year: 2001, songs: ['Alpha One', 'Alpha Two', 'Alpha Three'] },
  { artist: 'Beta', album: 'Beta Album', genre: 'Rock', year: 2005, songs: ['Beta One', 'Beta Two'] },
  { artist: 'Gamma', album: 'Gamma Album', genre: 'Jazz', year: 2010, songs: ['Gamma One', 'Gamma Two'] },
  { artist: 'The Delta', album: 'Delta Album', genre: 'Jazz', year: 1999, songs: ['Delta One'] },
];
const SONG_COUNT = CATALOG.reduce((n, a) => n + a.songs.length, 0);

describeEachDatabase('Subsonic lists and discovery', (kind) => {
  let t: TestApp;
  let workDir: string;
  const songs = new Map<string, { id: string; albumId: string; artistId: string; coverArt?: string }>();

  async function rest(method: string, params: Record<string, string | string[]> = {}, auth: Record<string, string> = { u: 'admin', p: PASSWORD }, f = 'json') {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries({ v: '1.16.1', c: 'test', f, ...auth, ...params })) {
      for (const item of Array.isArray(value) ? value : [value]) query.append(key, item);
    }
    return t.app.inject({ method: 'GET', url: `/rest/${method}?${query}`, headers: { host: 'music.example:4533' } });
  }
  const call = async (method: string, params: Record<string, string | string[]> = {}, auth?: Record<string, string>) =>
    (await rest(method, params, auth)).json()['subsonic-response'];
  const titles = (list: { title: string }[] | undefined) => (list ?? []).map((s) => s.title);
  const listener = { u: 'listener', p: PASSWORD };

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-subsonic-lists-'));
    const music = path.join(workDir, 'music');
    const fixtures = createAudioFixtures(path.join(workDir, 'bases'));
    const cover = await writeImage(path.join(workDir, 'cover.jpg'), { r: 10, g: 120, b: 200 }, 200);
    for (const album of CATALOG) {
      for (const [i, title] of album.songs.entries()) {
        await fixtures.track(
          path.join(music, album.artist, album.album, `${i + 1}.mp3`),
          { title, artist: album.artist, album: album.album, albumArtist: album.artist, genre: album.genre, year: album.year, track: i + 1 },
          { cover: album.artist === 'Alpha' ? cover : undefined },
        );
      }
    }
    t = await createTestApp(kind, { musicDirs: [music] });
    await t.app.omnisonic.library.scan();
    const admin = await signIn(t.app);
    await t.app.omnisonic.auth.createUser({ username: 'listener', password: PASSWORD, role: 'user' });
    const listenerId = (await t.app.omnisonic.users.findByUsername('listener')).id;
    const library = (await t.app.inject({ url: '/api/v1/admin/libraries', headers: admin })).json().items.find((l: { name: string }) => l.name === 'music');
    await t.app.inject({ method: 'PUT', url: `/api/v1/admin/libraries/${library.id}/users`, headers: admin, payload: { userIds: [listenerId] } });
    for (const song of (await call('search3', { query: '', songCount: '100' })).searchResult3.song) songs.set(song.title, song);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  describe('album lists', () => {
    it('getAlbumList answers every type with albums as directories (v1 shape)', async () => {
      for (const type of ['random', 'newest', 'highest', 'frequent', 'recent', 'alphabeticalByName', 'alphabeticalByArtist', 'starred']) {
        const response = await call('getAlbumList', { type });
        expect(shapeErrors(response, 'albumList', 'AlbumList'), type).toEqual([]);
      }
      const byName = (await call('getAlbumList', { type: 'alphabeticalByName' })).albumList.album;
      expect(titles(byName)).toEqual(['Alpha Album', 'Beta Album', 'Delta Album', 'Gamma Album']);
      expect(byName[0]).toMatchObject({ isDir: true, artist: 'Alpha', songCount: 3, year: 2001 });
      expect(titles((await call('getAlbumList', { type: 'byYear', fromYear: '2010', toYear: '2000' })).albumList.album)).toEqual(['Gamma Album', 'Beta Album', 'Alpha Album']);
      expect(titles((await call('getAlbumList', { type: 'byGenre', genre: 'jazz' })).albumList.album)).toEqual(['Delta Album', 'Gamma Album']);
      expect(titles((await call('getAlbumList', { type: 'alphabeticalByName', size: '2', offset: '1' })).albumList.album)).toEqual(['Beta Album', 'Delta Album']);
      const v2 = await call('getAlbumList2', { type: 'alphabeticalByArtist' });
      expect(shapeErrors(v2, 'albumList2', 'AlbumList2')).toEqual([]);
      expect(v2.albumList2.album.map((a: { name: string }) => a.name)).toEqual(['Alpha Album', 'Beta Album', 'Delta Album', 'Gamma Album']);
    });

    it('answers parameter errors as Subsonic errors, in XML too', async () => {
      expect((await call('getAlbumList')).error.code).toBe(10);
      expect((await call('getAlbumList', { type: 'bestOf' })).error.code).toBe(0);
      expect((await call('getAlbumList', { type: 'byYear', fromYear: '2000' })).error.code).toBe(10);
      expect((await call('getAlbumList', { type: 'byGenre' })).error.code).toBe(10);
      expect((await call('getAlbumList', { type: 'newest', size: 'ten' })).error.code).toBe(0);
      expect((await call('getAlbumList', { type: 'newest', offset: '-1' })).error.code).toBe(0);
      const xml = await rest('getSongsByGenre', {}, undefined, 'xml');
      expect(parseXml(xml.body).children[0]).toMatchObject({ name: 'error', attributes: { code: '10' } });
      const jsonp = await rest('getTopSongs', { callback: 'cb' }, undefined, 'jsonp');
      expect(jsonp.body).toMatch(/^cb\(\{"subsonic-response":\{"status":"failed".*"code":10/);
    });
  });

  describe('starred, genres, search', () => {
    it('getStarred and getStarred2 list what the user starred, in v1 and ID3 shapes', async () => {
      const alpha = songs.get('Alpha One')!;
      expect((await call('star', { id: alpha.id, albumId: songs.get('Gamma One')!.albumId, artistId: songs.get('Beta One')!.artistId })).status).toBe('ok');
      const v1 = await call('getStarred');
      expect(shapeErrors(v1, 'starred', 'Starred')).toEqual([]);
      expect(titles(v1.starred.song)).toEqual(['Alpha One']);
      expect(titles(v1.starred.album)).toEqual(['Gamma Album']);
      expect(v1.starred.artist.map((a: { name: string }) => a.name)).toEqual(['Beta']);
      const v2 = await call('getStarred2');
      expect(shapeErrors(v2, 'starred2', 'Starred2')).toEqual([]);
      expect(v2.starred2.album.map((a: { name: string }) => a.name)).toEqual(['Gamma Album']);
      expect(v2.starred2.song[0].starred).toMatch(/^\d{4}-\d\d-\d\dT/);
      // Stars are personal.
      expect(await call('getStarred2', {}, listener)).toMatchObject({ starred2: { artist: [], album: [], song: [] } });
    });

    it('getSongsByGenre pages through a genre', async () => {
      const response = await call('getSongsByGenre', { genre: 'ROCK', count: '3' });
      expect(shapeErrors(response, 'songsByGenre', 'Songs')).toEqual([]);
      expect(titles(response.songsByGenre.song)).toHaveLength(3);
      const all = titles((await call('getSongsByGenre', { genre: 'Rock', count: '500' })).songsByGenre.song);
      // Album by album, each in track order.
      expect(all.filter((title) => title.startsWith('Alpha'))).toEqual(['Alpha One', 'Alpha Two', 'Alpha Three']);
      expect([...all].sort()).toEqual(['Alpha One', 'Alpha Three', 'Alpha Two', 'Beta One', 'Beta Two']);
      const rest2 = titles((await call('getSongsByGenre', { genre: 'Rock', count: '3', offset: '3' })).songsByGenre.song);
      expect(rest2).toHaveLength(2);
      expect([...titles(response.songsByGenre.song), ...rest2]).toEqual(all);
      expect((await call('getSongsByGenre', { genre: 'Polka' })).songsByGenre).toEqual({ song: [] });
    });

    it('search3 pages read one after another list exactly what one big page lists', async () => {
      const whole = (await call('search3', { query: '', songCount: '500', albumCount: '500', artistCount: '500' })).searchResult3;
      const paged = { song: [] as string[], album: [] as string[], artist: [] as string[] };
      for (let offset = 0; offset < 12; offset += 2) {
        const page = (await call('search3', { query: '', songCount: '2', albumCount: '2', artistCount: '2', songOffset: String(offset), albumOffset: String(offset), artistOffset: String(offset) })).searchResult3;
        for (const kind of ['song', 'album', 'artist'] as const) paged[kind].push(...(page[kind] ?? []).map((item: { id: string }) => item.id));
      }
      for (const kind of ['song', 'album', 'artist'] as const) expect(paged[kind]).toEqual(whole[kind].map((item: { id: string }) => item.id));
      // A jump to an offset no page ended at still lands on the right row.
      const jump = (await call('search3', { query: '', songCount: '2', songOffset: '3', albumCount: '0', artistCount: '0' })).searchResult3.song;
      expect(jump.map((song: { id: string }) => song.id)).toEqual(paged.song.slice(3, 5));
    });

    it('search (v1) matches title, album or artist with paging and a total; search2 returns v1 shapes', async () => {
      const any = await call('search', { any: 'alpha', count: '2' });
      expect(shapeErrors(any, 'searchResult', 'SearchResult')).toEqual([]);
      expect(any.searchResult).toMatchObject({ offset: 0, totalHits: 3 });
      expect(any.searchResult.match).toHaveLength(2);
      expect(titles((await call('search', { any: 'alpha', offset: '2' })).searchResult.match)).toHaveLength(1);
      expect((await call('search', { artist: 'gamma' })).searchResult.totalHits).toBe(2);
      expect(titles((await call('search', { album: 'beta', title: 'two' })).searchResult.match)).toEqual(['Beta Two']);
      expect((await call('search', { any: 'alpha', newerThan: String(Date.now() + 60_000) })).searchResult.totalHits).toBe(0);
      expect((await call('search', { any: '100%_' })).searchResult.totalHits).toBe(0);

      const v2 = await call('search2', { query: '', songCount: '500', albumCount: '500', artistCount: '500' });
      expect(shapeErrors(v2, 'searchResult2', 'SearchResult2')).toEqual([]);
      expect(v2.searchResult2.song).toHaveLength(SONG_COUNT);
      expect(v2.searchResult2.album.every((a: { isDir: boolean }) => a.isDir)).toBe(true);
      expect(v2.searchResult2.artist.map((a: { name: string }) => a.name).sort()).toEqual(['Alpha', 'Beta', 'Gamma', 'The Delta']);
      expect(titles((await call('search2', { query: 'two', artistCount: '0', albumCount: '0' })).searchResult2.song).sort()).toEqual(['Alpha Two', 'Beta Two', 'Gamma Two']);
    });
  });

  describe('discovery from local data', () => {
    it('getTopSongs ranks an artist\'s songs by plays', async () => {
      // The fixture tracks are 1 s long, too short to scrobble: plays are written as the scrobbler would store them.
      const adminId = (await t.app.omnisonic.users.findByUsername('admin')).id;
      const play = async (title: string, times: number) => {
        for (let i = 0; i < times; i++) {
          const playedAt = Date.now() - (i + 1) * 60_000;
          await t.database.db
            .insertInto('plays')
            .values({ id: randomBytes(16).toString('hex'), userId: adminId, trackId: songs.get(title)!.id, playedAt, durationPlayedMs: 1000, deviceId: null, recordedAt: playedAt })
            .execute();
        }
      };
      await play('Alpha Three', 3);
      await play('Alpha Two', 1);
      const response = await call('getTopSongs', { artist: 'alpha' });
      expect(shapeErrors(response, 'topSongs', 'Songs')).toEqual([]);
      expect(titles(response.topSongs.song)).toEqual(['Alpha Three', 'Alpha Two', 'Alpha One']);
      expect(titles((await call('getTopSongs', { artist: 'Alpha', count: '1' })).topSongs.song)).toEqual(['Alpha Three']);
      expect((await call('getTopSongs', { artist: 'Nobody' })).topSongs).toEqual({ song: [] });
      expect((await call('getTopSongs')).error.code).toBe(10);
    });

    it('getSimilarSongs puts shared-artist songs first, then shared-genre songs, fills up, and never repeats the seed', async () => {
      const seed = songs.get('Alpha One')!;
      for (let round = 0; round < 5; round++) {
        const response = await call('getSimilarSongs', { id: seed.id, count: '3' });
        expect(shapeErrors(response, 'similarSongs', 'Songs')).toEqual([]);
        const picked = titles(response.similarSongs.song);
        expect(picked.slice(0, 2).sort()).toEqual(['Alpha Three', 'Alpha Two']);
        expect(['Beta One', 'Beta Two']).toContain(picked[2]);
      }
      const all = titles((await call('getSimilarSongs', { id: seed.id, count: '50' })).similarSongs.song);
      expect(all).toHaveLength(SONG_COUNT - 1);
      expect(new Set(all).size).toBe(all.length);
      expect(all).not.toContain('Alpha One');
      const byArtist = titles((await call('getSimilarSongs2', { id: songs.get('Gamma One')!.artistId, count: '2' })).similarSongs2.song);
      expect(byArtist.sort()).toEqual(['Gamma One', 'Gamma Two']);
      expect((await call('getSimilarSongs2', { id: 'f'.repeat(32) })).error.code).toBe(70);
      expect((await call('getSimilarSongs', { id: seed.id, count: 'many' })).error.code).toBe(0);
    });

    it('getArtistInfo2 and getAlbumInfo2 give similar artists by shared genre and loadable picture URLs', async () => {
      const alpha = songs.get('Alpha One')!;
      const info = await call('getArtistInfo2', { id: alpha.artistId });
      expect(shapeErrors(info, 'artistInfo2', 'ArtistInfo2')).toEqual([]);
      expect(info.artistInfo2.biography).toBe('');
      expect(info.artistInfo2.similarArtist.map((a: { name: string }) => a.name)).toEqual(['Beta']);
      const picture = new URL(info.artistInfo2.largeImageUrl);
      expect(picture.host).toBe('music.example:4533');
      expect(picture.pathname).toBe('/rest/getCoverArt');
      const image = await t.app.inject({ url: `${picture.pathname}${picture.search}` });
      expect(image.statusCode).toBe(200);
      expect(image.headers['content-type']).toMatch(/^image\//);

      const v1 = await call('getArtistInfo', { id: alpha.id });
      expect(shapeErrors(v1, 'artistInfo', 'ArtistInfo')).toEqual([]);
      expect(v1.artistInfo.similarArtist).toEqual([{ id: songs.get('Beta One')!.artistId, name: 'Beta', starred: expect.any(String) }]);

      const album = await call('getAlbumInfo2', { id: alpha.albumId });
      expect(shapeErrors(album, 'albumInfo', 'AlbumInfo')).toEqual([]);
      expect(album.albumInfo.smallImageUrl).toContain('size=150');
      // Gamma's album has no picture: no URLs rather than broken ones.
      expect((await call('getAlbumInfo', { id: songs.get('Gamma One')!.id })).albumInfo).toEqual({ notes: '' });
      expect((await call('getAlbumInfo2', { id: alpha.artistId })).error.code).toBe(70);
      expect((await call('getArtistInfo2', { id: 'nope' })).error.code).toBe(70);
    });
  });

  describe('now playing', () => {
    it('shows what clients announced (scrobble submission=false) to every user who can see the track, until played', async () => {
      const song = songs.get('Beta Two')!;
      expect((await call('scrobble', { id: song.id, submission: 'false', c: 'phone' }, listener)).status).toBe('ok');
      const response = await call('getNowPlaying');
      expect(shapeErrors(response, 'nowPlaying', 'NowPlaying')).toEqual([]);
      expect(response.nowPlaying.entry).toHaveLength(1);
      expect(response.nowPlaying.entry[0]).toMatchObject({ id: song.id, title: 'Beta Two', username: 'listener', playerName: 'phone', minutesAgo: 0, playerId: 0 });
      const xml = parseXml((await rest('getNowPlaying', {}, undefined, 'xml')).body).children[0]!;
      expect(xml.name).toBe('nowPlaying');
      expect(xml.children.map((c) => [c.name, c.attributes.username])).toEqual([['entry', 'listener']]);

      await t.app.omnisonic.auth.createUser({ username: 'stranger', password: PASSWORD, role: 'user' });
      expect((await call('getNowPlaying', {}, { u: 'stranger', p: PASSWORD })).nowPlaying).toEqual({ entry: [] });

      await call('scrobble', { id: song.id, submission: 'true' }, listener);
      expect((await call('getNowPlaying')).nowPlaying).toEqual({ entry: [] });
      expect((await call('scrobble', { id: 'f'.repeat(32), submission: 'false' })).error.code).toBe(70);
    });
  });
});
