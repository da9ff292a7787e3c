import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createAudioFixtures } from '../support/audio-fixtures.js';
import { catalogFixtures, type CatalogFixtures } from '../support/catalog-fixtures.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

type Headers = { authorization: string };

const work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-playlists-m3u-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function itemsOf(t: TestApp, headers: Headers, id: string): Promise<any[]> {
  const response = await t.app.inject({ url: `/api/v1/playlists/${id}/items?limit=500`, headers });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().items;
}

function upload(t: TestApp, headers: Headers, body: string | Buffer, contentType = 'audio/x-mpegurl', query = '') {
  return t.app.inject({ method: 'POST', url: `/api/v1/playlists/import${query}`, headers: { ...headers, 'content-type': contentType }, payload: body });
}

describeEachDatabase('M3U import and export', (kind) => {
  let t: TestApp;
  let admin: Headers;
  let f: CatalogFixtures;
  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await signIn(t.app);
    f = catalogFixtures(t.app.omnisonic.database.db);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.app.omnisonic.database.db.deleteFrom('playlists').execute();
    await f.clear();
  });

  it('exports a playlist that imports back as the same playlist: duplicates, missing files, two libraries, odd names', async () => {
    const music = await f.library({ name: 'Music' });
    const more = await f.library({ name: 'More' });
    const album = await f.album({ title: 'Discovery', artist: 'Daft Punk' });
    const one = await f.track({ title: 'One More Time', album, artists: ['Daft Punk'], libraryId: music.id, path: 'Daft Punk/Discovery/01 One More Time.flac', durationMs: 320_400 });
    const accented = await f.track({ title: 'Été', artists: ['Émilie'], libraryId: music.id, path: 'Émilie/Été 100%25.mp3' });
    const hashed = await f.track({ title: 'Hit', artists: ['X'], libraryId: more.id, path: '#1 Hit.mp3', durationMs: null });
    const gone = await f.track({ title: 'Gone', artists: ['Y'], libraryId: more.id, path: 'Y/Gone.mp3', status: 'missing' });
    const order = [one.id, accented.id, hashed.id, one.id, gone.id];
    const playlist = (await t.app.inject({ method: 'POST', url: '/api/v1/playlists', headers: admin, payload: { name: 'Round trip', trackIds: order } })).json();

    const exported = await t.app.inject({ url: `/api/v1/playlists/${playlist.id}/export?format=m3u8`, headers: admin });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toBe('audio/x-mpegurl; charset=utf-8');
    expect(exported.headers['content-disposition']).toContain('filename="Round trip.m3u8"');
    expect(exported.body).toBe(
      [
        '#EXTM3U',
        '#PLAYLIST:Round trip',
        '#EXTINF:320,Daft Punk - One More Time',
        'Daft Punk/Discovery/01 One More Time.flac',
        '#EXTINF:180,Émilie - Été',
        'Émilie/Été 100%25.mp3',
        '#EXTINF:-1,X - Hit',
        './#1 Hit.mp3',
        '#EXTINF:320,Daft Punk - One More Time',
        'Daft Punk/Discovery/01 One More Time.flac',
        '#EXTINF:180,Y - Gone',
        'Y/Gone.mp3',
        '',
      ].join('\n'),
    );

    const imported = await upload(t, admin, exported.rawPayload, 'audio/x-mpegurl; charset=utf-8');
    expect(imported.statusCode, imported.body).toBe(201);
    const report = imported.json();
    expect(report).toMatchObject({ matched: 5, unmatched: [], playlist: { name: 'Round trip', itemCount: 5, availableCount: 4 } });
    expect((await itemsOf(t, admin, report.playlist.id)).map((item) => item.trackId)).toEqual(order);
  });

  it('matches a hand-made M3U by path, by #EXTINF artist, title and duration, and reports the lines it could not match', async () => {
    const music = await f.library({ name: 'Music', rootPath: '/srv/music' });
    const one = await f.track({ title: 'One More Time', artists: ['Daft Punk'], libraryId: music.id, path: 'Daft Punk/Discovery/01 One More Time.mp3' });
    const aero = await f.track({ title: 'Aerodynamic', artists: ['Daft Punk'], libraryId: music.id, path: 'Daft Punk/Discovery/02 Aerodynamic.mp3' });
    const eres = await f.track({ title: 'Eres', artists: ['Café Tacvba'], libraryId: music.id, path: 'Café Tacvba/Cuatro Caminos/03 Eres.mp3' });
    const xtal = await f.track({ title: 'Xtal', artists: ['Aphex Twin'], libraryId: music.id, path: 'Aphex Twin/SAW/01 Xtal.flac' });
    const avril = await f.track({ title: 'Avril 14th', artists: ['Aphex Twin'], libraryId: music.id, path: 'Aphex Twin/Drukqs/avril.flac', durationMs: 121_400 });
    // Another user's library: never matched for the admin's upload.
    const secret = await f.library({ name: 'Private', kind: 'upload' });
    await f.track({ title: 'Secret', artists: ['Nobody'], libraryId: secret.id, path: 'Nobody/Secret.mp3' });

    const lines = [
      '#EXTM3U', // 1
      '#EXTINF:180,Daft Punk - One More Time', // 2
      'Daft Punk\\Discovery\\01 One More Time.mp3', // 3: Windows separators
      '#EXTINF:200,Café Tacvba - Eres', // 4
      'C:\\Users\\bob\\Music\\Café Tacvba\\Cuatro Caminos\\03 Eres.mp3', // 5: another machine's path
      '/srv/music/Aphex Twin/SAW/01 Xtal.flac', // 6: absolute, inside the library
      '#EXTINF:122,aphex twin - AVRIL 14TH', // 7
      'Somewhere/Else/04 avril.mp3', // 8: no such path; artist, title and duration fit
      '#EXTINF:300,Aphex Twin - Avril 14th', // 9
      'Somewhere/Else/wrong-length.mp3', // 10: duration off by three minutes
      'Daft%20Punk/Discovery/02%20Aerodynamic.mp3', // 11: URL-encoded
      'http://radio.example/stream', // 12
      '', // 13
      'Nobody/Secret.mp3', // 14
      'Daft Punk\\Discovery\\01 One More Time.mp3', // 15: again
    ];
    // Latin-1, CRLF line ends, no charset given: the server detects it.
    const response = await upload(t, admin, Buffer.from(lines.join('\r\n'), 'latin1'), 'audio/x-mpegurl', '?name=Hand%20made');
    expect(response.statusCode, response.body).toBe(201);
    const report = response.json();
    expect(report.playlist).toMatchObject({ name: 'Hand made', itemCount: 6, owner: { username: 'admin' } });
    expect(report.matched).toBe(6);
    expect(report.unmatched.map((u: any) => [u.line, u.entry])).toEqual([
      [10, 'Somewhere/Else/wrong-length.mp3'],
      [12, 'http://radio.example/stream'],
      [14, 'Nobody/Secret.mp3'],
    ]);
    expect(report.unmatched[1].reason).toMatch(/stream/i);
    expect((await itemsOf(t, admin, report.playlist.id)).map((item) => item.trackId)).toEqual([one.id, eres.id, xtal.id, avril.id, aero.id, one.id]);
  });

  it('refuses an upload that is not a playlist file', async () => {
    const json = await t.app.inject({ method: 'POST', url: '/api/v1/playlists/import', headers: admin, payload: { entries: [] } });
    expect(json.statusCode).toBe(415);
    expect(json.json().error.code).toBe('unsupported_media_type');
    const empty = await upload(t, admin, '#EXTM3U\n# nothing\n');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.code).toBe('validation_failed');
    const charset = await upload(t, admin, 'a.mp3', 'audio/x-mpegurl; charset=koi8-r');
    expect(charset.statusCode).toBe(400);
  });
});

describeEachDatabase('playlist files in the music folders', (kind) => {
  const music = path.join(work, kind, 'music');
  let t: TestApp;
  let admin: Headers;

  const write = (relPath: string, bytes: Buffer | string) => {
    mkdirSync(path.dirname(path.join(music, relPath)), { recursive: true });
    writeFileSync(path.join(music, relPath), bytes);
  };
  const playlistsOf = async (headers: Headers) => (await t.app.inject({ url: '/api/v1/playlists', headers })).json().items as any[];
  const titlesOf = async (id: string) => (await itemsOf(t, admin, id)).map((item) => `${item.track.title}${item.available ? '' : ' (unavailable)'}`);

  beforeAll(async () => {
    const audio = createAudioFixtures(path.join(work, kind, 'bases'));
    await audio.track(path.join(music, 'Daft Punk', 'Discovery', '01 One More Time.mp3'), { title: 'One More Time', artist: 'Daft Punk', album: 'Discovery' });
    await audio.track(path.join(music, 'Daft Punk', 'Discovery', '02 Aerodynamic.mp3'), { title: 'Aerodynamic', artist: 'Daft Punk', album: 'Discovery' });
    await audio.track(path.join(music, 'Café', 'Chanson.mp3'), { title: 'La Vie en rose', artist: 'Édith Piaf', album: 'Chansons' });
    // A .m3u in Latin-1 with CRLF and Windows separators, relative to its own folder, plus an absolute path, a
    // URL-encoded one and a file that is not there.
    write(
      'Playlists/Road Trip.m3u',
      Buffer.from(
        [
          '..\\Daft Punk\\Discovery\\01 One More Time.mp3',
          '..\\Café\\Chanson.mp3',
          path.join(music, 'Daft Punk', 'Discovery', '02 Aerodynamic.mp3'),
          '../Daft%20Punk/Discovery/01%20One%20More%20Time.mp3',
          'not here.mp3',
          '',
        ].join('\r\n'),
        'latin1',
      ),
    );
    // A .m3u8 with a byte-order mark and a name, one entry found only by #EXTINF.
    write('Best.m3u8', `\uFEFF#EXTM3U\n#PLAYLIST:Best of\n#EXTINF:1,Édith Piaf - La Vie en rose\nold/place/rose.mp3\nDaft Punk/Discovery/02 Aerodynamic.mp3\n`);
    write('.hidden/Ignored.m3u', 'Café/Chanson.mp3\n');

    t = await createTestApp(kind, { musicDirs: [music] });
    admin = await signIn(t.app, 'admin', 'admin');
    await signIn(t.app, 'second', 'admin');
    await t.app.omnisonic.library.scan();
  });
  afterAll(() => t?.close());

  it('imports them as playlists of the first admin, matching relative, absolute, encoded and #EXTINF entries', async () => {
    const playlists = await playlistsOf(admin);
    expect(playlists.map((p) => [p.name, p.owner.username, p.itemCount])).toEqual([
      ['Best of', 'admin', 2],
      ['Road Trip', 'admin', 4],
    ]);
    expect(await titlesOf(playlists[1].id)).toEqual(['One More Time', 'La Vie en rose', 'Aerodynamic', 'One More Time']);
    expect(await titlesOf(playlists[0].id)).toEqual(['La Vie en rose', 'Aerodynamic']);
    expect(await playlistsOf(await signIn(t.app, 'viewer', 'user'))).toEqual([]);
  });

  it('updates the same playlist on later scans instead of adding another, and keeps items whose file went missing', async () => {
    const before = await playlistsOf(admin);
    const roadTrip = before.find((p) => p.name === 'Road Trip');
    // Unchanged files: nothing changes (Road Trip is read again for its unmatched line, to the same items).
    await t.app.omnisonic.library.scan();
    expect((await playlistsOf(admin)).map((p) => [p.id, p.revision])).toEqual(before.map((p) => [p.id, p.revision]));

    write('Playlists/Road Trip.m3u', Buffer.from('..\\Café\\Chanson.mp3\r\n..\\Daft Punk\\Discovery\\02 Aerodynamic.mp3\r\n', 'latin1'));
    unlinkSync(path.join(music, 'Café', 'Chanson.mp3'));
    await t.app.omnisonic.library.scan();
    const updated = (await playlistsOf(admin)).find((p) => p.name === 'Road Trip');
    expect(updated).toMatchObject({ id: roadTrip.id, revision: roadTrip.revision + 1, itemCount: 2, availableCount: 1 });
    expect(await titlesOf(roadTrip.id)).toEqual(['La Vie en rose (unavailable)', 'Aerodynamic']);
  });

  it('does not bring back an imported playlist its owner deleted until the file changes', async () => {
    const best = (await playlistsOf(admin)).find((p) => p.name === 'Best of');
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/playlists/${best.id}`, headers: admin })).statusCode).toBe(204);
    await t.app.omnisonic.library.scan();
    expect((await playlistsOf(admin)).map((p) => p.name)).toEqual(['Road Trip']);
    write('Best.m3u8', '#EXTM3U\n#PLAYLIST:Best of\nDaft Punk/Discovery/02 Aerodynamic.mp3\n');
    await t.app.omnisonic.library.scan();
    expect((await playlistsOf(admin)).map((p) => [p.name, p.itemCount])).toEqual([['Best of', 1], ['Road Trip', 2]]);
  });

  it('imports nothing with OMNISONIC_IMPORT_M3U=false', async () => {
    const off = await createTestApp(kind, { musicDirs: [music], env: { OMNISONIC_IMPORT_M3U: 'false' } });
    try {
      const headers = await signIn(off.app);
      await off.app.omnisonic.library.scan();
      expect((await off.app.inject({ url: '/api/v1/playlists', headers })).json().items).toEqual([]);
    } finally {
      await off.close();
    }
  });
});
