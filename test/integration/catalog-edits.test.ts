import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import type { BusEvent } from '../../src/shared/events.js';
import { newId } from '../../src/shared/ids.js';
import { readTrackFile } from '../../src/library/scanner/tag-reader.js';
import { taglibTagWriter, type TagFileWriter } from '../../src/overrides/taglib-writer.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { createAudioFixtures } from '../support/audio-fixtures.js';
import { dumpCatalog } from '../support/catalog-dump.js';
import { describeEachDatabase, type DatabaseKind } from '../support/databases.js';

const run = promisify(execFile);
const work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-edits-'));
const fixtures = createAudioFixtures(path.join(work, 'bases'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Headers = { authorization: string };

/** Sets an mtime in the past so a rewrite at the same size is still seen as a change. */
function age(absPath: string, secondsAgo: number) {
  const when = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(absPath, when, when);
}

function sha256(absPath: string): string {
  return createHash('sha256').update(readFileSync(absPath)).digest('hex');
}

function synchsafe(b: Buffer, at: number): number {
  return ((b[at] & 0x7f) << 21) | ((b[at + 1] & 0x7f) << 14) | ((b[at + 2] & 0x7f) << 7) | (b[at + 3] & 0x7f);
}

/** The audio bytes, found independently of the code under test: MPEG frames after the ID3v2 tag; FLAC STREAMINFO and frames. */
function audioBytes(absPath: string): Buffer {
  const bytes = readFileSync(absPath);
  let start = 0;
  while (bytes.toString('latin1', start, start + 3) === 'ID3') start += 10 + synchsafe(bytes, start + 6) + (bytes[start + 5] & 0x10 ? 10 : 0);
  if (absPath.endsWith('.mp3')) {
    const end = bytes.toString('latin1', bytes.length - 128, bytes.length - 125) === 'TAG' ? bytes.length - 128 : bytes.length;
    return bytes.subarray(start, end);
  }
  expect(bytes.toString('latin1', start, start + 4)).toBe('fLaC');
  let offset = start + 4;
  const streamInfo = bytes.subarray(offset + 4, offset + 4 + 34);
  for (;;) {
    const last = bytes[offset] & 0x80;
    offset += 4 + bytes.readUIntBE(offset + 1, 3);
    if (last) break;
  }
  return Buffer.concat([streamInfo, bytes.subarray(offset)]);
}

async function tagsOf(absPath: string) {
  const result = await readTrackFile(absPath);
  if (!result.ok) throw new Error(result.reason);
  return result.tags;
}

interface Setup {
  t: TestApp;
  music: string;
  db: Db;
  admin: Headers;
  /** A user granted the music library: sees everything, may edit nothing. */
  member: Headers;
  /** A user without any grant: sees nothing. */
  stranger: Headers;
  events: BusEvent[];
}

async function setup(kind: DatabaseKind, options: { env?: Record<string, string>; tagWriter?: TagFileWriter } = {}): Promise<Setup> {
  const music = mkdtempSync(path.join(work, 'music-'));
  const t = await createTestApp(kind, { musicDirs: [music], env: options.env, overrides: { tagWriter: options.tagWriter } });
  const admin = await signIn(t.app, 'admin', 'admin');
  const member = await signIn(t.app, 'member', 'user');
  const stranger = await signIn(t.app, 'stranger', 'user');
  const db = t.app.omnisonic.database.db;
  const events: BusEvent[] = [];
  t.app.omnisonic.bus.subscribe((event) => events.push(event));
  const library = (await t.app.omnisonic.library.ensureLibraries())[0]!;
  const memberId = (await db.selectFrom('users').select('id').where('username', '=', 'member').executeTakeFirstOrThrow()).id;
  await db.insertInto('libraryUsers').values({ libraryId: library.id, userId: memberId }).execute();
  return { t, music, db, admin, member, stranger, events };
}

async function call(s: Setup, method: 'GET' | 'PATCH' | 'POST', url: string, payload?: object, headers: Headers = s.admin) {
  return s.t.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });
}

async function trackAt(s: Setup, relPath: string) {
  const row = await s.db.selectFrom('tracks').select('id').where('path', '=', relPath).executeTakeFirstOrThrow();
  return (await call(s, 'GET', `/tracks/${row.id}`)).json();
}

async function albumTitles(s: Setup): Promise<string[]> {
  return (await call(s, 'GET', '/albums?limit=500')).json().items.map((a: { title: string }) => a.title).sort();
}

async function artistNames(s: Setup): Promise<string[]> {
  return (await call(s, 'GET', '/artists?limit=500')).json().items.map((a: { name: string }) => a.name).sort();
}

async function overrideRows(s: Setup, trackId: string) {
  return s.db.selectFrom('trackOverrides').select(['field', 'value']).where('trackId', '=', trackId).orderBy('field').execute();
}

describeEachDatabase('catalog edits', (kind) => {
  let s: Setup;
  const m = (relPath: string) => path.join(s.music, relPath);
  beforeAll(async () => {
    s = await setup(kind);
    await fixtures.track(m('Band/Road/01.mp3'), { title: 'One', artist: 'Band', album: 'Road', track: 1, year: 2001, genre: 'Rock' });
    await fixtures.track(m('Band/Road/02.flac'), { title: 'Two', artist: 'Band', album: 'Road', track: 2, year: 2003 }, { frequency: 550 });
    await fixtures.track(m('Band/Other/01.mp3'), { title: 'Stray', artist: 'Band', album: 'Other', year: 2005 }, { frequency: 660 });
    await fixtures.track(m('Singer/Solo/01.mp3'), { title: 'Alone', artist: 'Singer', album: 'Solo' }, { frequency: 770 });
    await s.t.app.omnisonic.library.scan();
  });
  afterAll(() => s.t.close());

  it('shows a track edit at once and keeps it through a rescan of the unchanged file', async () => {
    const one = await trackAt(s, 'Band/Road/01.mp3');
    const response = await call(s, 'PATCH', `/tracks/${one.id}`, { title: '  New One ', bpm: 120, musicalKey: 'Am', trackNumber: 5 });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: one.id, title: 'New One', bpm: 120, musicalKey: 'Am', trackNumber: 5, album: 'Road' });
    expect(s.events).toContainEqual({ type: 'library', change: 'upsert', entity: 'track', ids: [one.id], libraryIds: [expect.any(String)] });

    const summary = await s.t.app.omnisonic.library.scan();
    expect(summary).toMatchObject({ updated: 0, unchanged: 4 });
    expect(await trackAt(s, 'Band/Road/01.mp3')).toMatchObject({ title: 'New One', bpm: 120, musicalKey: 'Am', trackNumber: 5 });
  });

  it('keeps edits when the file changed on disk, and takes the new file values for the other fields', async () => {
    await fixtures.track(m('Band/Road/01.mp3'), { title: 'Retagged', artist: 'Band', album: 'Road', track: 1, year: 2011, genre: 'Pop' });
    age(m('Band/Road/01.mp3'), 5);
    const summary = await s.t.app.omnisonic.library.scan();
    expect(summary).toMatchObject({ updated: 1 });
    const one = await trackAt(s, 'Band/Road/01.mp3');
    expect(one).toMatchObject({ title: 'New One', bpm: 120, trackNumber: 5, year: 2011, genres: ['Pop'], album: 'Road' });
  });

  it("lists the edit history and reverts an edit back to the file's current value", async () => {
    const one = await trackAt(s, 'Band/Road/01.mp3');
    const history = (await call(s, 'GET', `/tracks/${one.id}/edits`)).json();
    const titleEdit = history.items.find((e: { field: string }) => e.field === 'title');
    expect(titleEdit).toMatchObject({ scope: 'track', subjectId: one.id, oldValue: 'One', newValue: 'New One', trackCount: 1, user: { username: 'admin' }, revertsEditId: null });
    expect(history.items.map((e: { field: string }) => e.field).sort()).toEqual(['bpm', 'musicalKey', 'title', 'trackNumber']);

    const reverted = await call(s, 'POST', `/tracks/${one.id}/edits/${titleEdit.id}/revert`);
    expect(reverted.statusCode).toBe(200);
    // The file was re-tagged since: reverting shows what the file says now, and the override is gone.
    expect(reverted.json()).toMatchObject({ title: 'Retagged', bpm: 120 });
    expect((await overrideRows(s, one.id)).map((o) => o.field)).toEqual(['bpm', 'musicalKey', 'trackNumber']);
    const latest = (await call(s, 'GET', `/tracks/${one.id}/edits?limit=1`)).json();
    expect(latest.items[0]).toMatchObject({ field: 'title', oldValue: 'New One', newValue: 'Retagged', revertsEditId: titleEdit.id });
    expect(latest.nextCursor).toEqual(expect.any(String));
    const rest = (await call(s, 'GET', `/tracks/${one.id}/edits?limit=50&cursor=${latest.nextCursor}`)).json();
    expect(rest.items.map((e: { id: string }) => e.id)).not.toContain(latest.items[0].id);
    expect(rest.items).toHaveLength(4);
  });

  it('drops an override when a field is set back to the file value', async () => {
    const one = await trackAt(s, 'Band/Road/01.mp3');
    await call(s, 'PATCH', `/tracks/${one.id}`, { bpm: null, musicalKey: null, trackNumber: 1 });
    expect(await overrideRows(s, one.id)).toEqual([]);
    expect(await trackAt(s, 'Band/Road/01.mp3')).toMatchObject({ bpm: null, musicalKey: null, trackNumber: 1 });
  });

  it('renames an album in place: same id, its tracks follow, the old title is gone, a rescan keeps it', async () => {
    const one = await trackAt(s, 'Band/Road/01.mp3');
    const road = one.albumId;
    const response = await call(s, 'PATCH', `/albums/${road}`, { title: 'Highway', year: 1999 });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: road, title: 'Highway', year: 1999, albumArtist: 'Band', trackCount: 2 });
    expect(response.json().tracks.map((t: { album: string; year: number }) => [t.album, t.year])).toEqual([['Highway', 1999], ['Highway', 1999]]);
    expect(await albumTitles(s)).toEqual(['Highway', 'Other', 'Solo']);
    expect(s.events).toContainEqual({ type: 'library', change: 'upsert', entity: 'album', ids: [road], libraryIds: [expect.any(String)] });

    const history = (await call(s, 'GET', `/albums/${road}/edits`)).json();
    expect(history.items.map((e: { field: string; oldValue: unknown; newValue: unknown; trackCount: number }) => [e.field, e.oldValue, e.newValue, e.trackCount]).sort()).toEqual([
      ['title', 'Road', 'Highway', 2],
      ['year', 2003, 1999, 2],
    ]);
    await s.t.app.omnisonic.library.scan();
    expect((await call(s, 'GET', `/albums/${road}`)).json()).toMatchObject({ title: 'Highway', year: 1999, trackCount: 2 });
  });

  it("reverts an album edit, giving each track its own earlier value back", async () => {
    const one = await trackAt(s, 'Band/Road/01.mp3');
    const history = (await call(s, 'GET', `/albums/${one.albumId}/edits`)).json();
    const yearEdit = history.items.find((e: { field: string }) => e.field === 'year');
    const response = await call(s, 'POST', `/albums/${one.albumId}/edits/${yearEdit.id}/revert`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ title: 'Highway', year: 2003 });
    expect(response.json().tracks.map((t: { title: string; year: number }) => [t.title, t.year])).toEqual([['Retagged', 2011], ['Two', 2003]]);
  });

  it('merges a track into the album it is moved to; the album left empty disappears', async () => {
    const stray = await trackAt(s, 'Band/Other/01.mp3');
    const highway = (await trackAt(s, 'Band/Road/01.mp3')).albumId;
    s.events.length = 0;
    const response = await call(s, 'PATCH', `/tracks/${stray.id}`, { album: 'HIGHWAY' });
    expect(response.json()).toMatchObject({ albumId: highway, album: 'Highway' });
    expect((await call(s, 'GET', `/albums/${stray.albumId}`)).statusCode).toBe(404);
    expect(await albumTitles(s)).toEqual(['Highway', 'Solo']);
    expect((await call(s, 'GET', `/albums/${highway}`)).json().trackCount).toBe(3);
    expect(s.events).toContainEqual({ type: 'library', change: 'delete', entity: 'album', ids: [stray.albumId], libraryIds: [expect.any(String)] });
  });

  it('changes album artists and artists; artists nobody credits any more disappear', async () => {
    const alone = await trackAt(s, 'Singer/Solo/01.mp3');
    const album = (await call(s, 'PATCH', `/albums/${alone.albumId}`, { albumArtist: 'Someone' })).json();
    expect(album).toMatchObject({ id: alone.albumId, albumArtist: 'Someone' });
    expect(await artistNames(s)).toEqual(['Band', 'Singer', 'Someone']);

    const edited = (await call(s, 'PATCH', `/tracks/${alone.id}`, { artists: ['Nobody', 'Somebody feat. Guest'] })).json();
    expect(edited).toMatchObject({ artist: 'Nobody & Somebody feat. Guest', albumArtist: 'Someone' });
    expect(edited.artists.map((a: { name: string }) => a.name)).toEqual(['Nobody', 'Somebody', 'Guest']);
    expect(await artistNames(s)).toEqual(['Band', 'Guest', 'Nobody', 'Somebody', 'Someone']);
    expect(await s.db.selectFrom('artists').select('id').where('nameKey', '=', 'singer').execute()).toEqual([]);
  });

  it('keeps every edit through a full rescan after a crash', async () => {
    const before = await dumpCatalog(s.db);
    await s.db.insertInto('scans').values({ id: newId(), startedAt: Date.now() - 1000, finishedAt: null, state: 'running', summary: null }).execute();
    const summary = await s.t.app.omnisonic.library.scan();
    expect(summary.scope).toBeNull();
    expect(await dumpCatalog(s.db)).toEqual(before);
  });

  it('rejects blank values and unknown fields', async () => {
    const alone = await trackAt(s, 'Singer/Solo/01.mp3');
    for (const payload of [{ title: '   ' }, { artists: [' '] }, { rating: 5 }, { year: 10000 }]) {
      const response = await call(s, 'PATCH', `/tracks/${alone.id}`, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
    }
  });

  it('lets only admins edit: 403 for a user who sees the track, 404 for one who does not', async () => {
    const alone = await trackAt(s, 'Singer/Solo/01.mp3');
    const edit = (await call(s, 'GET', `/tracks/${alone.id}/edits`)).json().items[0];
    const attempts: [string, 'GET' | 'PATCH' | 'POST', object?][] = [
      [`/tracks/${alone.id}`, 'PATCH', { title: 'X' }],
      [`/albums/${alone.albumId}`, 'PATCH', { title: 'X' }],
      [`/tracks/${alone.id}/edits`, 'GET'],
      [`/albums/${alone.albumId}/edits`, 'GET'],
      [`/tracks/${alone.id}/edits/${edit.id}/revert`, 'POST'],
      [`/tracks/${alone.id}/write-tags`, 'POST'],
    ];
    for (const [url, method, payload] of attempts) {
      const forbidden = await call(s, method, url, payload, s.member);
      expect(forbidden.statusCode, `${method} ${url}`).toBe(403);
      expect(forbidden.json().error.code).toBe('forbidden');
      const hidden = await call(s, method, url, payload, s.stranger);
      expect(hidden.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await trackAt(s, 'Singer/Solo/01.mp3')).title).toBe('Alone');
  });

  it('answers 404 for an edit of another track', async () => {
    const alone = await trackAt(s, 'Singer/Solo/01.mp3');
    const two = await trackAt(s, 'Band/Road/02.flac');
    const edit = (await call(s, 'GET', `/tracks/${alone.id}/edits`)).json().items[0];
    expect((await call(s, 'POST', `/tracks/${two.id}/edits/${edit.id}/revert`)).json().error.code).toBe('edit_not_found');
    expect((await call(s, 'POST', `/tracks/${two.id}/edits/${'f'.repeat(32)}/revert`)).json().error.code).toBe('edit_not_found');
  });

  it('refuses to write tags into files unless the server allows it', async () => {
    const alone = await trackAt(s, 'Singer/Solo/01.mp3');
    const response = await call(s, 'POST', `/tracks/${alone.id}/write-tags`);
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('tag_writes_disabled');
  });
});

describeEachDatabase('writing edits into files', (kind) => {
  let s: Setup;
  /** What the injected writer does: the real thing, or a failure after damaging the copy it was given. */
  let mode: 'real' | 'corrupt-audio' | 'wrong-value' | 'throw' = 'real';
  const writer: TagFileWriter = {
    async write(absPath, format, values) {
      if (mode === 'throw') {
        writeFileSync(absPath, 'half-written');
        throw new Error('disk full');
      }
      if (mode === 'wrong-value') return taglibTagWriter.write(absPath, format, { ...values, title: 'Something else' });
      await taglibTagWriter.write(absPath, format, values);
      if (mode === 'corrupt-audio') {
        const bytes = readFileSync(absPath);
        bytes[bytes.length - 200] ^= 0xff;
        writeFileSync(absPath, bytes);
      }
    },
  };
  const m = (relPath: string) => path.join(s.music, relPath);
  const tempFiles = (dir: string) => readdirSync(m(dir)).filter((name) => name.includes('omnisonic-tmp'));

  beforeAll(async () => {
    s = await setup(kind, { env: { OMNISONIC_ALLOW_TAG_WRITES: 'true' }, tagWriter: writer });
    await fixtures.track(m('A/Album/01.mp3'), { title: 'First', artist: 'Artist', album: 'Album', track: 1, year: 2001, genre: 'Rock' });
    await fixtures.track(m('A/Album/02.flac'), { title: 'Second', artist: 'Artist', album: 'Album', track: 2, year: 2001 }, { frequency: 550 });
    await fixtures.track(m('A/Album/03.mp3'), { title: 'Third', artist: 'Artist', album: 'Album', track: 3 }, { frequency: 660 });
    await run('/usr/bin/ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=880:duration=1', '-metadata', 'title=Wave', m('A/Album/04.wav')]);
    await s.t.app.omnisonic.library.scan();
  });
  afterAll(() => s.t.close());

  it('writes MP3 edits into ID3v2: tags read back as edited, audio bytes unchanged, overrides dropped, the next scan sees no change', async () => {
    const first = await trackAt(s, 'A/Album/01.mp3');
    const audio = audioBytes(m('A/Album/01.mp3'));
    await call(s, 'PATCH', `/tracks/${first.id}`, {
      title: 'Première',
      artists: ['Artist', 'Guest'],
      trackNumber: 7,
      discNumber: 2,
      year: 1999,
      genres: ['Jazz', 'Hard Rock'],
      bpm: 128,
      musicalKey: 'F#m',
    });
    const response = await call(s, 'POST', `/tracks/${first.id}/write-tags`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().written.sort()).toEqual(['albumArtist', 'artists', 'bpm', 'discNumber', 'genres', 'musicalKey', 'title', 'trackNumber', 'year']);

    expect(await tagsOf(m('A/Album/01.mp3'))).toMatchObject({
      title: 'Première',
      artist: 'Artist & Guest',
      artists: ['Artist', 'Guest'],
      albumArtist: 'Artist',
      album: 'Album',
      trackNumber: 7,
      discNumber: 2,
      year: 1999,
      genres: ['Jazz', 'Hard Rock'],
      bpm: 128,
      musicalKey: 'F#m',
    });
    expect(audioBytes(m('A/Album/01.mp3')).equals(audio)).toBe(true);
    expect(tempFiles('A/Album')).toEqual([]);
    expect(await overrideRows(s, first.id)).toEqual([]);
    expect(response.json().track).toMatchObject({ title: 'Première', artist: 'Artist & Guest', year: 1999, albumId: first.albumId });
    const row = await s.db.selectFrom('tracks').select(['size', 'contentHash']).where('id', '=', first.id).executeTakeFirstOrThrow();
    expect(Number(row.size)).toBe(readFileSync(m('A/Album/01.mp3')).length);
    expect(row.contentHash).toBe(sha256(m('A/Album/01.mp3')));

    const summary = await s.t.app.omnisonic.library.scan();
    expect(summary).toMatchObject({ updated: 0, added: 0, moved: 0 });
    expect(await trackAt(s, 'A/Album/01.mp3')).toMatchObject({ title: 'Première', year: 1999 });
  });

  it('writes FLAC edits into Vorbis comments, album edits included, with the audio bytes unchanged', async () => {
    const second = await trackAt(s, 'A/Album/02.flac');
    const audio = audioBytes(m('A/Album/02.flac'));
    await call(s, 'PATCH', `/albums/${second.albumId}`, { title: 'Renamed', compilation: true });
    await call(s, 'PATCH', `/tracks/${second.id}`, { artists: ['Other', 'Artist'], bpm: 90, musicalKey: 'C' });
    const response = await call(s, 'POST', `/tracks/${second.id}/write-tags`);
    expect(response.statusCode, response.body).toBe(200);
    expect(await tagsOf(m('A/Album/02.flac'))).toMatchObject({
      title: 'Second',
      artist: 'Other & Artist',
      artists: ['Other', 'Artist'],
      album: 'Renamed',
      albumArtist: 'Artist',
      compilation: true,
      year: 2001,
      bpm: 90,
      musicalKey: 'C',
    });
    expect(audioBytes(m('A/Album/02.flac')).equals(audio)).toBe(true);
    expect(tempFiles('A/Album')).toEqual([]);
    expect(await overrideRows(s, second.id)).toEqual([]);
    expect(response.json().track).toMatchObject({ album: 'Renamed', compilation: true, artist: 'Other & Artist' });
    expect((await s.t.app.omnisonic.library.scan()).updated).toBe(0);
  });

  it('leaves a file without overrides alone', async () => {
    const third = await trackAt(s, 'A/Album/03.mp3');
    await call(s, 'PATCH', `/albums/${third.albumId}`, { title: 'Album' });
    await call(s, 'PATCH', `/albums/${third.albumId}`, { compilation: false });
    expect(await overrideRows(s, third.id)).toEqual([]);
    const before = sha256(m('A/Album/03.mp3'));
    const response = await call(s, 'POST', `/tracks/${third.id}/write-tags`);
    expect(response.json().written).toEqual([]);
    expect(sha256(m('A/Album/03.mp3'))).toBe(before);
  });

  for (const failure of ['corrupt-audio', 'wrong-value', 'throw'] as const) {
    it(`leaves the original byte-identical and no temporary file when the write fails (${failure})`, async () => {
      const third = await trackAt(s, 'A/Album/03.mp3');
      await call(s, 'PATCH', `/tracks/${third.id}`, { title: 'Never written', year: 1980 });
      const before = sha256(m('A/Album/03.mp3'));
      mode = failure;
      try {
        const response = await call(s, 'POST', `/tracks/${third.id}/write-tags`);
        expect(response.statusCode).toBe(500);
        expect(response.json().error.code).toBe('tag_write_failed');
      } finally {
        mode = 'real';
      }
      expect(sha256(m('A/Album/03.mp3'))).toBe(before);
      expect(tempFiles('A/Album')).toEqual([]);
      expect((await overrideRows(s, third.id)).map((o) => o.field)).toEqual(['title', 'year']);
      expect((await trackAt(s, 'A/Album/03.mp3')).title).toBe('Never written');
    });
  }

  it('refuses formats it cannot write', async () => {
    const wave = await trackAt(s, 'A/Album/04.wav');
    await call(s, 'PATCH', `/tracks/${wave.id}`, { title: 'Edited' });
    const response = await call(s, 'POST', `/tracks/${wave.id}/write-tags`);
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('tag_write_unsupported');
  });

  it('answers 404 track_unavailable for a track whose file is gone', async () => {
    const third = await trackAt(s, 'A/Album/03.mp3');
    rmSync(m('A/Album/03.mp3'));
    await s.t.app.omnisonic.library.scan();
    const response = await call(s, 'POST', `/tracks/${third.id}/write-tags`);
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('track_unavailable');
  });
});
