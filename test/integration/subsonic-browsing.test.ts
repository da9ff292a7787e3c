import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAudioFixtures } from '../support/audio-fixtures.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';
import { allElements, parseXml, shapeErrors } from '../support/subsonic-shapes.js';

const PASSWORD = 'correct horse battery staple';
const corpus = path.resolve(import.meta.dirname, '../../../shared/corpus/music-metadata-samples');

describeEachDatabase('Subsonic folder browsing and lyrics', (kind) => {
  let t: TestApp;
  let workDir: string;
  let musicId: string;
  let otherId: string;

  async function rest(method: string, params: Record<string, string | string[]> = {}, auth: Record<string, string> = { u: 'admin', p: PASSWORD }, f = 'json') {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries({ v: '1.16.1', c: 'test', f, ...auth, ...params })) {
      for (const item of Array.isArray(value) ? value : [value]) query.append(key, item);
    }
    return t.app.inject({ method: 'GET', url: `/rest/${method}?${query}` });
  }
  const call = async (method: string, params: Record<string, string | string[]> = {}, auth?: Record<string, string>) =>
    (await rest(method, params, auth)).json()['subsonic-response'];

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-subsonic-browse-'));
    const music = path.join(workDir, 'music');
    const other = path.join(workDir, 'other');
    const fixtures = createAudioFixtures(path.join(workDir, 'bases'));
    const song = (file: string, title: string, artist: string, album: string, genre: string, track: number) =>
      fixtures.track(file, { title, artist, album, albumArtist: artist, genre, track, year: 2001 });
    await song(path.join(music, 'Rock', 'The Band', 'Album A', '01 First.mp3'), 'First Light', 'The Band', 'Album A', 'Rock', 1);
    await song(path.join(music, 'Rock', 'The Band', 'Album A', '02 Second.mp3'), 'Second Wind', 'The Band', 'Album A', 'Rock', 2);
    await song(path.join(music, 'Rock', 'Zed', 'Album Z', '01.flac'), 'Zulu', 'Zed', 'Album Z', 'Rock', 1);
    await song(path.join(music, 'jazz', 'Miles', 'Blue', '01.mp3'), 'Blue One', 'Miles', 'Blue', 'Jazz', 1);
    await song(path.join(music, '7 Inches', 'single.mp3'), 'Seven', 'Miles', 'Seven', 'Jazz', 1);
    await song(path.join(music, 'loose.mp3'), 'Loose End', 'Loose', 'Loose', 'Pop', 1);
    // A real file with LRC lyrics in a Vorbis comment, and a sidecar .lrc next to a file without lyrics.
    mkdirSync(path.join(music, 'Lyrics'), { recursive: true });
    copyFileSync(path.join(corpus, 'flac', 'Dance In The Game - ZAQ - LRC.flac'), path.join(music, 'Lyrics', 'zaq.flac'));
    copyFileSync(path.join(corpus, 'flac', '01. Make It Out Alive.flac'), path.join(music, 'Lyrics', 'alive.flac'));
    writeFileSync(path.join(music, 'Rock', 'The Band', 'Album A', '01 First.lrc'), '[ar:The Band]\n[00:01.50]Hello there\n[00:03.25]Second line\n');
    await song(path.join(other, 'Elsewhere', 'x.mp3'), 'Far Away', 'Elsewhere', 'Far', 'Folk', 1);

    t = await createTestApp(kind, { musicDirs: [music, other] });
    await t.app.omnisonic.library.scan();
    const admin = await signIn(t.app);
    const libraries = (await t.app.inject({ url: '/api/v1/admin/libraries', headers: admin })).json().items as { id: string; name: string }[];
    musicId = libraries.find((l) => l.name === 'music')!.id;
    otherId = libraries.find((l) => l.name === 'other')!.id;
    await t.app.omnisonic.auth.createUser({ username: 'listener', password: PASSWORD, role: 'user' });
    const listener = (await t.app.omnisonic.users.findByUsername('listener'))!;
    await t.app.inject({ method: 'PUT', url: `/api/v1/admin/libraries/${otherId}/users`, headers: admin, payload: { userIds: [listener.id] } });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  const folderOf = async (musicFolderId: number) => {
    const folders = (await call('getMusicFolders')).musicFolders.musicFolder as { id: number; name: string }[];
    return folders.find((f) => f.id === musicFolderId);
  };

  it('music folder ids are integers, and musicFolderId narrows to that library', async () => {
    const folders = (await call('getMusicFolders')).musicFolders.musicFolder as { id: unknown; name: string }[];
    expect(folders.every((f) => Number.isInteger(f.id))).toBe(true);
    const music = folders.find((f) => f.name === 'music')!;
    expect(await folderOf(music.id as number)).toEqual(music);
    const only = (await call('getIndexes', { musicFolderId: String(music.id) })).indexes;
    expect(only.index.flatMap((i: { artist: { name: string }[] }) => i.artist.map((a) => a.name))).not.toContain('Elsewhere');
    // The library id itself is accepted too; unknown ids are 70.
    expect((await call('getIndexes', { musicFolderId: musicId })).status).toBe('ok');
    expect((await call('getIndexes', { musicFolderId: '12345' })).error.code).toBe(70);
    expect((await call('getIndexes', { musicFolderId: String(music.id) }, { u: 'listener', p: PASSWORD })).error.code).toBe(70);
  });

  it('getIndexes lists the top folders of each library by letter, articles ignored, and root files as children', async () => {
    const response = await call('getIndexes');
    expect(shapeErrors(response, 'indexes', 'Indexes')).toEqual([]);
    const { indexes } = response;
    expect(indexes.ignoredArticles).toBe('The A An');
    expect(indexes.lastModified).toBeGreaterThan(0);
    const byLetter = Object.fromEntries(indexes.index.map((i: { name: string; artist: { name: string }[] }) => [i.name, i.artist.map((a) => a.name)]));
    expect(byLetter).toEqual({ E: ['Elsewhere'], J: ['jazz'], L: ['Lyrics'], R: ['Rock'], '#': ['7 Inches'] });
    expect(indexes.child.map((c: { title: string }) => c.title)).toEqual(['Loose End']);
    expect(indexes.child[0]).toMatchObject({ isDir: false, parent: `fd-${musicId}` });

    // Nothing changed since lastModified: no index, only the timestamps.
    const unchanged = (await call('getIndexes', { ifModifiedSince: String(indexes.lastModified) })).indexes;
    expect(unchanged).toEqual({ lastModified: indexes.lastModified, ignoredArticles: 'The A An' });
    expect((await call('getIndexes', { ifModifiedSince: 'yesterday' })).error.code).toBe(0);
  });

  it('getMusicDirectory walks the real folder tree down to the songs and back up by parent', async () => {
    const rock = (await call('getIndexes')).indexes.index.find((i: { name: string }) => i.name === 'R').artist[0];
    const rockDir = await call('getMusicDirectory', { id: rock.id });
    expect(shapeErrors(rockDir, 'directory', 'Directory')).toEqual([]);
    expect(rockDir.directory).toMatchObject({ id: rock.id, name: 'Rock', parent: `fd-${musicId}` });
    expect(rockDir.directory.child.map((c: { title: string; isDir: boolean }) => [c.title, c.isDir])).toEqual([
      ['The Band', true],
      ['Zed', true],
    ]);
    const band = rockDir.directory.child[0];
    const album = (await call('getMusicDirectory', { id: band.id })).directory.child[0];
    expect(album).toMatchObject({ title: 'Album A', isDir: true, parent: band.id });
    const songs = (await call('getMusicDirectory', { id: album.id })).directory;
    expect(songs).toMatchObject({ name: 'Album A', parent: band.id });
    expect(songs.child.map((c: { title: string; isDir: boolean; parent: string }) => [c.title, c.isDir, c.parent])).toEqual([
      ['First Light', false, album.id],
      ['Second Wind', false, album.id],
    ]);
    // The ids are stable: the same folder has the same id on every call.
    expect((await call('getMusicDirectory', { id: rock.id })).directory.child[0].id).toBe(band.id);
    // The library root is a directory too; it has no parent.
    const root = (await call('getMusicDirectory', { id: `fd-${musicId}` })).directory;
    expect(root.parent).toBeUndefined();
    expect(root.name).toBe('music');
    expect(root.child.filter((c: { isDir: boolean }) => !c.isDir).map((c: { title: string }) => c.title)).toEqual(['Loose End']);
  });

  it('getMusicDirectory takes album and artist ids, as v1 album lists hand them out', async () => {
    const album = (await call('getAlbumList', { type: 'alphabeticalByName', size: '50' })).albumList.album.find((a: { title: string }) => a.title === 'Album A');
    const listing = (await call('getMusicDirectory', { id: album.id })).directory;
    expect(listing).toMatchObject({ id: album.id, name: 'Album A' });
    expect(listing.child.map((c: { title: string }) => c.title)).toEqual(['First Light', 'Second Wind']);
    const artist = (await call('getMusicDirectory', { id: listing.parent })).directory;
    expect(artist).toMatchObject({ name: 'The Band' });
    expect(artist.child.map((c: { title: string; isDir: boolean }) => [c.title, c.isDir])).toEqual([['Album A', true]]);
  });

  it('hostile or foreign directory ids answer error 70, in the requested format', async () => {
    const enc = (text: string) => Buffer.from(text).toString('base64url');
    const hostile = [
      `fd-${musicId}-${enc('..')}`,
      `fd-${musicId}-${enc('Rock/../..')}`,
      `fd-${musicId}-${enc('/etc')}`,
      `fd-${musicId}-${enc('Rock\\The Band')}`,
      `fd-${musicId}-${enc('Rock\0')}`,
      `fd-${musicId}-${enc('No Such Folder')}`,
      `fd-${musicId}-${enc('Rock')}=`,
      `fd-${musicId}-!!`,
      `fd-${'0'.repeat(32)}`,
      `fd-${musicId.toUpperCase()}`,
      "' OR 1=1 --",
      '../../etc/passwd',
      'x'.repeat(20_000),
      '0'.repeat(32),
    ];
    for (const id of hostile) expect((await call('getMusicDirectory', { id })).error?.code, id).toBe(70);
    // The listener sees only the other library: the music library's folders do not exist for them.
    expect((await call('getMusicDirectory', { id: `fd-${musicId}-${enc('Rock')}` }, { u: 'listener', p: PASSWORD })).error.code).toBe(70);
    expect((await call('getMusicDirectory', { id: `fd-${otherId}-${enc('Elsewhere')}` }, { u: 'listener', p: PASSWORD })).status).toBe('ok');
    expect((await call('getMusicDirectory')).error.code).toBe(10);
    const xml = await rest('getMusicDirectory', { id: '../x' }, undefined, 'xml');
    expect(xml.headers['content-type']).toContain('application/xml');
    const root = parseXml(xml.body);
    expect(root.attributes.status).toBe('failed');
    expect(root.children[0]).toMatchObject({ name: 'error', attributes: { code: '70' } });
  });

  it('XML browsing responses are well-formed with the spec element and attribute names', async () => {
    const indexes = parseXml((await rest('getIndexes', {}, undefined, 'xml')).body);
    expect(indexes.name).toBe('subsonic-response');
    const body = indexes.children[0]!;
    expect(body.name).toBe('indexes');
    expect(Object.keys(body.attributes).sort()).toEqual(['ignoredArticles', 'lastModified']);
    expect(new Set(body.children.map((c) => c.name))).toEqual(new Set(['index', 'child']));
    for (const index of body.children.filter((c) => c.name === 'index')) {
      expect(index.children.every((c) => c.name === 'artist' && 'id' in c.attributes && 'name' in c.attributes)).toBe(true);
    }
    const rock = body.children.find((c) => c.attributes.name === 'R')!.children[0]!;
    const directory = parseXml((await rest('getMusicDirectory', { id: rock.attributes.id! }, undefined, 'xml')).body).children[0]!;
    expect(directory.name).toBe('directory');
    expect(directory.children.every((c) => c.name === 'child' && c.attributes.isDir === 'true')).toBe(true);
    const lyrics = parseXml((await rest('getLyrics', { artist: 'The Band', title: 'First Light' }, undefined, 'xml')).body);
    expect(allElements(lyrics).map((e) => e.name)).toEqual(['subsonic-response', 'lyrics']);
  });

  describe('lyrics', () => {
    const songNamed = async (title: string) => (await call('search3', { query: title, artistCount: '0', albumCount: '0' })).searchResult3.song[0];

    it('getLyricsBySongId returns a sidecar .lrc as synced lines with start in ms', async () => {
      const song = await songNamed('First Light');
      const response = await call('getLyricsBySongId', { id: song.id });
      expect(shapeErrors(response, 'lyricsList', 'LyricsList')).toEqual([]);
      expect(response.lyricsList.structuredLyrics).toEqual([
        {
          displayArtist: 'The Band',
          displayTitle: 'First Light',
          lang: 'xxx',
          synced: true,
          line: [
            { start: 1500, value: 'Hello there' },
            { start: 3250, value: 'Second line' },
          ],
        },
      ]);
      expect((await call('getLyricsBySongId', { id: song.id, lang: 'eng' })).lyricsList).toEqual({ structuredLyrics: [] });
      expect((await call('getLyricsBySongId', { id: song.id, includeIds: 'true' })).lyricsList.structuredLyrics[0].artistId).toBe(song.artistId);
    });

    it('getLyricsBySongId returns lyrics embedded in the file: synced LRC, or plain lines', async () => {
      const synced = (await call('search3', { query: '', songCount: '100' })).searchResult3.song.find((s: { path: string }) => s.path === 'Lyrics/zaq.flac');
      const [set] = (await call('getLyricsBySongId', { id: synced.id })).lyricsList.structuredLyrics;
      expect(set.synced).toBe(true);
      expect(set.line.length).toBeGreaterThan(3);
      expect(set.line.every((l: { start: number }) => Number.isInteger(l.start))).toBe(true);
      expect(set.line.map((l: { start: number }) => l.start)).toEqual([...set.line.map((l: { start: number }) => l.start)].sort((a, b) => a - b));

      const plain = (await call('search3', { query: '', songCount: '100' })).searchResult3.song.find((s: { path: string }) => s.path === 'Lyrics/alive.flac');
      const [unsynced] = (await call('getLyricsBySongId', { id: plain.id })).lyricsList.structuredLyrics;
      expect(unsynced.synced).toBe(false);
      expect(unsynced.line.length).toBeGreaterThan(3);
      expect(unsynced.line.every((l: { start?: number }) => l.start === undefined)).toBe(true);
    });

    it('a song without lyrics has an empty list; unknown songs are 70; getLyrics finds by artist and title', async () => {
      const song = await songNamed('Second Wind');
      expect((await call('getLyricsBySongId', { id: song.id })).lyricsList).toEqual({ structuredLyrics: [] });
      expect((await call('getLyricsBySongId', { id: 'nope' })).error.code).toBe(70);
      expect((await call('getLyricsBySongId')).error.code).toBe(10);
      const found = await call('getLyrics', { artist: 'the band', title: 'first light' });
      expect(shapeErrors(found, 'lyrics', 'Lyrics')).toEqual([]);
      expect(found.lyrics).toEqual({ artist: 'The Band', title: 'First Light', value: 'Hello there\nSecond line' });
      expect((await call('getLyrics', { artist: 'Nobody', title: 'First Light' })).lyrics).toEqual({ value: '' });
      // The listener cannot see the music library: its lyrics are not found for them.
      expect((await call('getLyrics', { artist: 'The Band', title: 'First Light' }, { u: 'listener', p: PASSWORD })).lyrics).toEqual({ value: '' });
    });

    it('advertises the songLyrics extension', async () => {
      const extensions = (await call('getOpenSubsonicExtensions')).openSubsonicExtensions.map((e: { name: string }) => e.name);
      expect(extensions).toContain('songLyrics');
    });
  });
});
