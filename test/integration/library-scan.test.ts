import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import type { LibraryService } from '../../src/library/library-service.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { createAudioFixtures, writeImage } from '../support/audio-fixtures.js';
import { describeEachDatabase, type DatabaseKind } from '../support/databases.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-scan-fixtures-'));
const fixtures = createAudioFixtures(path.join(work, 'bases'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Setup {
  t: TestApp;
  music: string;
  library: LibraryService;
  db: Db;
}

async function setup(kind: DatabaseKind, musicDirs?: string[]): Promise<Setup> {
  const music = mkdtempSync(path.join(work, 'music-'));
  const t = await createTestApp(kind, { musicDirs: musicDirs ?? [music] });
  return { t, music, library: t.app.omnisonic.library, db: t.app.omnisonic.database.db };
}

async function trackAt(db: Db, relPath: string) {
  return db.selectFrom('tracks').selectAll().where('path', '=', relPath).executeTakeFirst();
}

async function creditsOf(db: Db, trackId: string, role: 'artist' | 'album_artist') {
  const rows = await db
    .selectFrom('trackArtists')
    .innerJoin('artists', 'artists.id', 'trackArtists.artistId')
    .select(['artists.name'])
    .where('trackId', '=', trackId)
    .where('role', '=', role)
    .orderBy('position')
    .execute();
  return rows.map((r) => r.name);
}

/** Sets an mtime in the past so a rewrite at the same size is still seen as a change. */
function age(absPath: string, secondsAgo: number) {
  const when = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(absPath, when, when);
}

describeEachDatabase('scanning a music folder', (kind) => {
  describe('grouping', () => {
    let s: Setup;
    beforeAll(async () => {
      s = await setup(kind);
      const m = (p: string) => path.join(s.music, p);
      await fixtures.track(m('A/Lemonade/01 Formation.mp3'), { title: 'Formation', artist: 'Beyoncé', album: 'Lemonade', track: 1, genre: 'R&B' });
      await fixtures.track(m('B/lemonade/02 Sorry.flac'), { title: 'Sorry', artist: 'BEYONCE', album: 'LEMONADE', track: 2 }, { frequency: 550 });
      await fixtures.track(m('Hits/01.mp3'), { title: 'One', artist: 'Artist One', album: 'Hits', compilation: true }, { frequency: 660 });
      await fixtures.track(m('Hits/02.mp3'), { title: 'Two', artist: 'Artist Two', album: 'Hits', compilation: true }, { frequency: 770 });
      await fixtures.track(m('Foo/Greatest/01.mp3'), { title: 'F', artist: 'Foo', albumArtist: 'Foo', album: 'Greatest' }, { frequency: 880 });
      await fixtures.track(m('Bar/Greatest/01.mp3'), { title: 'B', artist: 'Bar', albumArtist: 'Bar', album: 'Greatest' }, { frequency: 990 });
      await fixtures.track(m('Daft/01.mp3'), { title: 'Lucky', artist: 'Daft Punk feat. Pharrell Williams', album: 'RAM' }, { frequency: 1100 });
      writeFileSync(m('A/Lemonade/notes.txt'), 'liner notes');
      writeFileSync(m('A/Lemonade/scan.jpg.mp3.txt'), 'not audio either');
    });
    afterAll(() => s.t.close());

    it('catalogs every audio file, ignores other files and reports nothing broken', async () => {
      const summary = await s.library.scan();
      expect(summary).toMatchObject({ added: 7, updated: 0, moved: 0, missing: 0, reactivated: 0, unchanged: 0, broken: [] });
      const track = await trackAt(s.db, 'A/Lemonade/01 Formation.mp3');
      expect(track).toMatchObject({ status: 'ok', title: 'Formation', titleKey: 'formation', artist: 'Beyoncé', trackNumber: 1, codec: expect.any(String) });
      expect(track!.durationMs).toBeGreaterThan(900);
      expect(track!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    });

    it('matches artists without regard to case and accents, keeping the first spelling met', async () => {
      const artists = await s.db.selectFrom('artists').select(['name', 'sortName']).where('nameKey', '=', 'beyonce').execute();
      expect(artists).toEqual([{ name: 'Beyoncé', sortName: 'beyonce' }]);
      const albums = await s.db.selectFrom('albums').select(['title', 'albumArtistName']).where('titleKey', '=', 'lemonade').execute();
      expect(albums).toEqual([{ title: 'Lemonade', albumArtistName: 'Beyoncé' }]);
    });

    it('puts a compilation under Various Artists as one album', async () => {
      const hits = await s.db.selectFrom('albums').selectAll().where('titleKey', '=', 'hits').execute();
      expect(hits).toHaveLength(1);
      expect(hits[0]).toMatchObject({ albumArtistName: 'Various Artists', compilation: 1 });
      const one = await trackAt(s.db, 'Hits/01.mp3');
      expect(await creditsOf(s.db, one!.id, 'artist')).toEqual(['Artist One']);
      expect(await creditsOf(s.db, one!.id, 'album_artist')).toEqual(['Various Artists']);
    });

    it('keeps same-titled albums of different album artists apart', async () => {
      const greatest = await s.db.selectFrom('albums').select('albumArtistName').where('titleKey', '=', 'greatest').orderBy('albumArtistName').execute();
      expect(greatest.map((a) => a.albumArtistName)).toEqual(['Bar', 'Foo']);
    });

    it('credits each artist of a "feat." credit', async () => {
      const lucky = await trackAt(s.db, 'Daft/01.mp3');
      expect(lucky!.artist).toBe('Daft Punk feat. Pharrell Williams');
      expect(await creditsOf(s.db, lucky!.id, 'artist')).toEqual(['Daft Punk', 'Pharrell Williams']);
    });

    it('leaves everything alone on a rescan without changes', async () => {
      const summary = await s.library.scan();
      expect(summary).toMatchObject({ added: 0, updated: 0, moved: 0, missing: 0, reactivated: 0, unchanged: 7 });
    });
  });

  describe('reconciliation', () => {
    let s: Setup;
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      s = await setup(kind);
      for (const [i, name] of ['a', 'b', 'c', 'd'].entries()) {
        await fixtures.track(path.join(s.music, 'One', `${name}.mp3`), { title: name.toUpperCase(), artist: 'Reco', album: 'One', track: i + 1 }, { frequency: 300 + i * 50 });
      }
      mkdirSync(path.join(s.music, 'Two'));
      await s.library.scan();
      for (const name of ['a', 'b', 'c', 'd']) ids[name] = (await trackAt(s.db, `One/${name}.mp3`))!.id;
    });
    afterAll(() => s.t.close());

    it('adds a new file', async () => {
      await fixtures.track(path.join(s.music, 'One', 'e.mp3'), { title: 'E', artist: 'Reco', album: 'One', track: 5 }, { frequency: 520 });
      expect(await s.library.scan()).toMatchObject({ added: 1, unchanged: 4 });
    });

    it('re-reads a changed file in place: same id, new tags', async () => {
      const file = path.join(s.music, 'One', 'a.mp3');
      await fixtures.track(file, { title: 'A (remaster)', artist: 'Reco', album: 'One', track: 1 }, { frequency: 300 });
      age(file, 5);
      expect(await s.library.scan()).toMatchObject({ updated: 1, added: 0 });
      expect(await trackAt(s.db, 'One/a.mp3')).toMatchObject({ id: ids.a, title: 'A (remaster)', status: 'ok' });
    });

    it('marks a deleted file missing but keeps the track and its id', async () => {
      const file = path.join(s.music, 'One', 'b.mp3');
      renameSync(file, path.join(work, 'b-aside.mp3'));
      expect(await s.library.scan()).toMatchObject({ missing: 1 });
      const track = await trackAt(s.db, 'One/b.mp3');
      expect(track).toMatchObject({ id: ids.b, status: 'missing', missingSince: expect.any(Number) });
      expect(await creditsOf(s.db, ids.b, 'artist')).toEqual(['Reco']);
    });

    it('reactivates a restored file under the same id', async () => {
      renameSync(path.join(work, 'b-aside.mp3'), path.join(s.music, 'One', 'b.mp3'));
      expect(await s.library.scan()).toMatchObject({ reactivated: 1, missing: 0 });
      expect(await trackAt(s.db, 'One/b.mp3')).toMatchObject({ id: ids.b, status: 'ok', missingSince: null });
    });

    it('keeps the id of a renamed file and of a file moved to another folder in the same scan', async () => {
      renameSync(path.join(s.music, 'One', 'c.mp3'), path.join(s.music, 'One', 'c renamed.mp3'));
      renameSync(path.join(s.music, 'One', 'd.mp3'), path.join(s.music, 'Two', 'd.mp3'));
      expect(await s.library.scan()).toMatchObject({ moved: 2, added: 0, missing: 0 });
      expect(await trackAt(s.db, 'One/c renamed.mp3')).toMatchObject({ id: ids.c, status: 'ok' });
      expect(await trackAt(s.db, 'Two/d.mp3')).toMatchObject({ id: ids.d, status: 'ok' });
      expect(await trackAt(s.db, 'One/c.mp3')).toBeUndefined();
    });

    it('records identical content at two paths as one track with a duplicate location, promoted when the first goes', async () => {
      await fixtures.copy(path.join(s.music, 'One', 'b.mp3'), path.join(s.music, 'Two', 'b copy.mp3'));
      expect(await s.library.scan()).toMatchObject({ added: 0, duplicates: 1 });
      const duplicates = await s.db.selectFrom('trackDuplicates').selectAll().execute();
      expect(duplicates).toEqual([expect.objectContaining({ trackId: ids.b, path: 'Two/b copy.mp3' })]);

      rmSync(path.join(s.music, 'One', 'b.mp3'));
      expect(await s.library.scan()).toMatchObject({ moved: 1, missing: 0 });
      expect(await trackAt(s.db, 'Two/b copy.mp3')).toMatchObject({ id: ids.b, status: 'ok' });
      expect(await s.db.selectFrom('trackDuplicates').selectAll().execute()).toEqual([]);
    });

    it('fills content hashes in the background with the SHA-256 of each file', async () => {
      await s.library.whenHashed();
      expect(await s.library.hashPending()).toBe(0);
      const track = await trackAt(s.db, 'Two/d.mp3');
      const expected = createHash('sha256').update(readFileSync(path.join(s.music, 'Two', 'd.mp3'))).digest('hex');
      expect(track!.contentHash).toBe(expected);
    });
  });

  describe('artwork', () => {
    let s: Setup;
    beforeAll(async () => {
      s = await setup(kind);
      const red = await writeImage(path.join(work, 'red.jpg'), { r: 200, g: 0, b: 0 });
      await writeImage(path.join(s.music, 'Embedded', 'cover.jpg'), { r: 0, g: 0, b: 200 });
      await fixtures.track(path.join(s.music, 'Embedded', '01.mp3'), { title: 'E1', artist: 'Art', album: 'Embedded', track: 1 }, { cover: red, frequency: 410 });
      await fixtures.track(path.join(s.music, 'Embedded', '02.mp3'), { title: 'E2', artist: 'Art', album: 'Embedded', track: 2 }, { frequency: 420 });
      await writeImage(path.join(s.music, 'Folder', 'Folder.PNG'), { r: 0, g: 200, b: 0 });
      await fixtures.track(path.join(s.music, 'Folder', '01.flac'), { title: 'F1', artist: 'Art', album: 'Folder', track: 1 }, { frequency: 430 });
      await s.library.scan();
    });
    afterAll(() => s.t.close());

    const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

    it('prefers the embedded cover and stores it once in the data directory', async () => {
      const embedded = await trackAt(s.db, 'Embedded/01.mp3');
      const red = sha(path.join(work, 'red.jpg'));
      expect(embedded!.artworkId).toBe(red);
      const stored = path.join(s.t.database.dataDir, 'artwork', red.slice(0, 2), red);
      expect(sha(stored)).toBe(red);
      expect(await s.db.selectFrom('artworks').selectAll().where('id', '=', red).executeTakeFirst()).toMatchObject({
        mime: 'image/jpeg',
        width: 64,
        height: 64,
      });
      const album = await s.db.selectFrom('albums').select('artworkId').where('titleKey', '=', 'embedded').executeTakeFirst();
      expect(album!.artworkId).toBe(red);
    });

    it('uses the folder image for tracks without an embedded cover', async () => {
      expect((await trackAt(s.db, 'Embedded/02.mp3'))!.artworkId).toBe(sha(path.join(s.music, 'Embedded', 'cover.jpg')));
      const green = sha(path.join(s.music, 'Folder', 'Folder.PNG'));
      expect((await trackAt(s.db, 'Folder/01.flac'))!.artworkId).toBe(green);
      const album = await s.db.selectFrom('albums').select('artworkId').where('titleKey', '=', 'folder').executeTakeFirst();
      expect(album!.artworkId).toBe(green);
    });
  });

  describe('broken input', () => {
    let s: Setup;
    const runsAsRoot = process.getuid?.() === 0;
    beforeAll(async () => {
      s = await setup(kind);
      const m = (p: string) => path.join(s.music, p);
      await fixtures.track(m('Good/01.mp3'), { title: 'Good', artist: 'Fine', album: 'Fine' });
      writeFileSync(m('Good/empty.mp3'), '');
      writeFileSync(m('Good/garbage.flac'), Buffer.alloc(4096, 7));
      mkdirSync(m('Locked'));
      await fixtures.track(m('Locked/01.mp3'), { title: 'Locked', artist: 'Fine', album: 'Fine' }, { frequency: 450 });
      symlinkSync('..', m('Good/loop'));
      // "f\xff.mp3": not valid UTF-8.
      writeFileSync(Buffer.concat([Buffer.from(m('Good/')), Buffer.from([0x66, 0xff, 0x2e, 0x6d, 0x70, 0x33])]), 'x');
    });
    afterAll(async () => {
      chmodSync(path.join(s.music, 'Locked'), 0o755);
      await s.t.close();
    });

    it('records broken files with a reason and reports awkward folders and names without stopping', async () => {
      chmodSync(path.join(s.music, 'Locked'), 0o000);
      const summary = await s.library.scan();
      chmodSync(path.join(s.music, 'Locked'), 0o755);
      const reasons = Object.fromEntries(summary.broken.map((b) => [b.path, b.reason]));
      expect(reasons['Good/empty.mp3']).toMatch(/empty/);
      expect(reasons['Good/garbage.flac']).toBeTruthy();
      expect(reasons['Good/loop']).toMatch(/loop/);
      expect(Object.entries(reasons).find(([p]) => p.startsWith('Good/f'))?.[1]).toMatch(/UTF-8/);
      if (runsAsRoot) {
        console.warn('NOTICE: running as root, chmod 000 does not block reads: the unreadable-folder assertion is skipped.');
      } else {
        expect(reasons.Locked).toMatch(/cannot be read/);
      }
      expect(await trackAt(s.db, 'Good/01.mp3')).toMatchObject({ status: 'ok' });
      expect(await trackAt(s.db, 'Good/empty.mp3')).toMatchObject({ status: 'broken', brokenReason: expect.stringMatching(/empty/) });
      expect(await trackAt(s.db, 'Good/garbage.flac')).toMatchObject({ status: 'broken', brokenReason: expect.any(String) });
    });
  });

  describe('HTTP', () => {
    let s: Setup;
    beforeAll(async () => {
      s = await setup(kind);
      await fixtures.track(path.join(s.music, 'x.mp3'), { title: 'X', artist: 'Y', album: 'Z' });
    });
    afterAll(() => s.t.close());

    it('lets only admins start a scan, and reports it in the status', async () => {
      const user = await signIn(s.t.app, 'listener', 'user');
      const refused = await s.t.app.inject({ method: 'POST', url: '/api/v1/library/scans', headers: user });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('forbidden');

      const idle = await s.t.app.inject({ url: '/api/v1/library/status', headers: user });
      expect(idle.json()).toEqual({ state: 'idle', progress: null, hashing: { pending: 0 }, lastScan: null });

      const admin = await signIn(s.t.app);
      const started = await s.t.app.inject({ method: 'POST', url: '/api/v1/library/scans', headers: admin });
      expect(started.statusCode).toBe(202);
      expect(started.json()).toEqual({ state: 'scanning' });
      await s.library.scan();
      const status = (await s.t.app.inject({ url: '/api/v1/library/status', headers: user })).json();
      expect(status).toMatchObject({ state: 'idle', progress: null, lastScan: { added: 1, broken: [], scope: null } });
    });
  });
});
