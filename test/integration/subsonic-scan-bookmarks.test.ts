import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';
import { accountShapeErrors, subsonicClient, writeSubsonicLibrary, type SubsonicClient } from '../support/subsonic-client.js';

const PASSWORD = 'correct horse battery staple';

describeEachDatabase('Subsonic scans and bookmarks', (kind) => {
  let t: TestApp;
  let workDir: string;
  let admin: SubsonicClient;
  let outsider: SubsonicClient;
  const songs: { id: string; title: string }[] = [];

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-subsonic-scan-'));
    const music = await writeSubsonicLibrary(workDir, 4);
    t = await createTestApp(kind, { musicDirs: [music] });
    await t.app.omnisonic.library.scan();
    await signIn(t.app);
    await t.app.omnisonic.auth.createUser({ username: 'outsider', password: PASSWORD, role: 'user' });
    admin = subsonicClient(t.app, { u: 'admin', p: PASSWORD });
    outsider = subsonicClient(t.app, { u: 'outsider', p: PASSWORD });
    songs.push(...(await admin.json('search3', { query: '' })).searchResult3.song);
    expect(songs).toHaveLength(4);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  describe('scanning', () => {
    it('getScanStatus counts the songs you can play between scans', async () => {
      const status = await admin.json('getScanStatus');
      expect(accountShapeErrors(status, 'scanStatus', 'ScanStatus')).toEqual([]);
      expect(status.scanStatus).toEqual({ scanning: false, count: 4 });
      expect((await outsider.json('getScanStatus')).scanStatus).toEqual({ scanning: false, count: 0 });
      expect(await admin.xml('getScanStatus')).toContain('<scanStatus scanning="false" count="4"/>');
    });

    it('startScan is for admins and runs a scan through the library service', async () => {
      expect((await outsider.json('startScan')).error.code).toBe(50);
      const started = await admin.json('startScan');
      expect(started.scanStatus.scanning).toBe(true);
      const deadline = Date.now() + 60_000;
      while ((await t.app.omnisonic.library.status()).state === 'scanning' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const after = await t.app.omnisonic.library.status();
      expect(after.state).toBe('idle');
      expect(after.lastScan?.unchanged).toBe(4);
      expect((await admin.json('getScanStatus')).scanStatus).toEqual({ scanning: false, count: 4 });
    });
  });

  describe('bookmarks', () => {
    it('createBookmark saves a position (ms) per song, overwrites it, and getBookmarks lists it with the song', async () => {
      const [first, second] = songs;
      expect((await admin.json('createBookmark', { id: first!.id, position: '123456', comment: 'chapter 3' })).status).toBe('ok');
      await admin.json('createBookmark', { id: second!.id, position: '10' });
      const created = (await admin.json('getBookmarks')).bookmarks.bookmark.find((b: { entry: { id: string } }) => b.entry.id === first!.id);
      expect(created).toMatchObject({ position: 123456, username: 'admin', comment: 'chapter 3', entry: { id: first!.id, title: first!.title, bookmarkPosition: 123456 } });

      await new Promise((resolve) => setTimeout(resolve, 5));
      await admin.json('createBookmark', { id: first!.id, position: '200000' });
      const listed = await admin.json('getBookmarks');
      expect(accountShapeErrors(listed, 'bookmarks', 'Bookmarks')).toEqual([]);
      const list = listed.bookmarks.bookmark;
      expect(list.map((b: { entry: { id: string } }) => b.entry.id)).toEqual([first!.id, second!.id]);
      expect(list[0]).toMatchObject({ position: 200000, comment: '', created: created.created });
      expect(Date.parse(list[0].changed)).toBeGreaterThan(Date.parse(created.changed));

      const xml = await admin.xml('getBookmarks');
      expect(xml).toMatch(new RegExp(`<bookmark position="200000" username="admin" comment="" created="[^"]+" changed="[^"]+"><entry id="${first!.id}"[^>]* bookmarkPosition="200000"/?>`));

      expect((await admin.json('deleteBookmark', { id: second!.id })).status).toBe('ok');
      expect((await admin.json('getBookmarks')).bookmarks.bookmark).toHaveLength(1);
      expect((await admin.json('deleteBookmark', { id: second!.id })).error.code).toBe(70);
    });

    it('bookmarks are personal and only for songs you can see', async () => {
      expect((await outsider.json('getBookmarks')).bookmarks).toEqual({ bookmark: [] });
      expect((await outsider.json('createBookmark', { id: songs[2]!.id, position: '5' })).error.code).toBe(70);
      expect((await outsider.json('deleteBookmark', { id: songs[0]!.id })).error.code).toBe(70);
      expect((await admin.json('getBookmarks')).bookmarks.bookmark.length).toBeGreaterThan(0);
    });

    it('the REST API shows and edits the same bookmarks', async () => {
      const headers = { authorization: `Bearer ${(await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: PASSWORD } })).json().token}` };
      const put = await t.app.inject({ method: 'PUT', url: `/api/v1/me/bookmarks/${songs[3]!.id}`, headers, payload: { positionMs: 4321, comment: 'from the web' } });
      expect(put.statusCode).toBe(200);
      expect(put.json()).toMatchObject({ trackId: songs[3]!.id, positionMs: 4321, comment: 'from the web', track: { id: songs[3]!.id } });
      const fromSubsonic = (await admin.json('getBookmarks')).bookmarks.bookmark.find((b: { entry: { id: string } }) => b.entry.id === songs[3]!.id);
      expect(fromSubsonic).toMatchObject({ position: 4321, comment: 'from the web' });

      await admin.json('createBookmark', { id: songs[3]!.id, position: '5000' });
      const listed = (await t.app.inject({ url: '/api/v1/me/bookmarks', headers })).json().items;
      expect(listed[0]).toMatchObject({ trackId: songs[3]!.id, positionMs: 5000, comment: '' });

      expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/me/bookmarks/${songs[3]!.id}`, headers })).statusCode).toBe(204);
      expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/me/bookmarks/${songs[3]!.id}`, headers })).json().error.code).toBe('bookmark_not_found');
      expect((await t.app.inject({ method: 'PUT', url: '/api/v1/me/bookmarks/ffff', headers, payload: { positionMs: 1 } })).json().error.code).toBe('track_not_found');
      expect((await t.app.inject({ method: 'PUT', url: `/api/v1/me/bookmarks/${songs[3]!.id}`, headers, payload: { positionMs: -1 } })).statusCode).toBe(400);
    });

    it('bad parameters answer 10 or 0', async () => {
      expect((await admin.json('createBookmark', { id: songs[0]!.id })).error.code).toBe(10);
      expect((await admin.json('createBookmark', { position: '5' })).error.code).toBe(10);
      expect((await admin.json('createBookmark', { id: songs[0]!.id, position: 'middle' })).error.code).toBe(0);
      expect((await admin.json('createBookmark', { id: songs[0]!.id, position: '-5' })).error.code).toBe(0);
      expect((await admin.json('deleteBookmark')).error.code).toBe(10);
      expect(await admin.xml('createBookmark', { id: 'nope', position: '5' })).toContain('<error code="70"');
    });
  });
});
