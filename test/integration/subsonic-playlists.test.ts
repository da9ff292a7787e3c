import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';
import { accountShapeErrors, subsonicClient, writeSubsonicLibrary, type SubsonicClient } from '../support/subsonic-client.js';

const PASSWORD = 'correct horse battery staple';

describeEachDatabase('Subsonic playlists', (kind) => {
  let t: TestApp;
  let workDir: string;
  let admin: SubsonicClient;
  let alice: SubsonicClient;
  let bob: SubsonicClient;
  let adminHeaders: { authorization: string };
  /** Song ids by title ("Song 00" …). */
  const songs = new Map<string, string>();
  const song = (n: number) => songs.get(`Song ${String(n).padStart(2, '0')}`)!;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-subsonic-playlists-'));
    const music = await writeSubsonicLibrary(workDir, 10);
    t = await createTestApp(kind, { musicDirs: [music] });
    await t.app.omnisonic.library.scan();
    adminHeaders = await signIn(t.app);
    await t.app.omnisonic.auth.createUser({ username: 'alice', password: PASSWORD, role: 'user' });
    await t.app.omnisonic.auth.createUser({ username: 'bob', password: PASSWORD, role: 'user' });
    admin = subsonicClient(t.app, { u: 'admin', p: PASSWORD });
    alice = subsonicClient(t.app, { u: 'alice', p: PASSWORD });
    bob = subsonicClient(t.app, { u: 'bob', p: PASSWORD });
    const folder = (await t.app.inject({ url: '/api/v1/admin/libraries', headers: adminHeaders })).json().items.find((l: { name: string }) => l.name === 'music');
    const aliceId = (await t.app.omnisonic.users.findByUsername('alice')).id;
    const granted = await t.app.inject({ method: 'PUT', url: `/api/v1/admin/libraries/${folder.id}/users`, headers: adminHeaders, payload: { userIds: [aliceId] } });
    expect(granted.statusCode).toBe(200);
    for (const s of (await admin.json('search3', { query: '', songCount: '500' })).searchResult3.song) songs.set(s.title, s.id);
    expect(songs.size).toBe(10);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  const entryIds = (playlist: { entry?: { id: string }[] }) => (playlist.entry ?? []).map((e) => e.id);

  it('createPlaylist returns the playlist with its songs in order, duplicates kept; getPlaylist and the REST API agree', async () => {
    const created = await alice.json('createPlaylist', { name: 'Road trip', songId: [song(3), song(1), song(3)] });
    expect(created.status).toBe('ok');
    const playlist = created.playlist;
    expect(playlist).toMatchObject({ name: 'Road trip', owner: 'alice', public: false, songCount: 3, duration: 3 });
    expect(entryIds(playlist)).toEqual([song(3), song(1), song(3)]);
    expect(playlist.entry[0]).toMatchObject({ title: 'Song 03', isDir: false, type: 'music' });
    expect(Date.parse(playlist.created)).toBeGreaterThan(0);
    expect(Date.parse(playlist.changed)).toBeGreaterThan(0);

    const got = await alice.json('getPlaylist', { id: playlist.id });
    expect(accountShapeErrors(got, 'playlist', 'PlaylistWithSongs')).toEqual([]);
    expect(accountShapeErrors(created, 'playlist', 'PlaylistWithSongs')).toEqual([]);
    expect(entryIds(got.playlist)).toEqual([song(3), song(1), song(3)]);
    expect(got.playlist.readonly).toBe(false);
    const rest = await t.app.inject({ url: `/api/v1/playlists/${playlist.id}/items`, headers: await signInAs('alice') });
    expect(rest.json().items.map((i: { trackId: string }) => i.trackId)).toEqual([song(3), song(1), song(3)]);

    const xml = await alice.xml('getPlaylist', { id: playlist.id });
    expect(xml).toMatch(new RegExp(`<playlist id="${playlist.id}" name="Road trip" owner="alice" public="false" songCount="3" duration="3" created="[^"]+" changed="[^"]+"[^>]*><entry id="${song(3)}"`));
  });

  it('createPlaylist with playlistId replaces the songs (and renames); updatePlaylist edits fields and songs by index', async () => {
    const { playlist } = await alice.json('createPlaylist', { name: 'Draft', songId: [song(0), song(1)] });
    const replaced = (await alice.json('createPlaylist', { playlistId: playlist.id, name: 'Final', songId: [song(5), song(6), song(7), song(8)] })).playlist;
    expect(replaced).toMatchObject({ id: playlist.id, name: 'Final', songCount: 4 });
    expect(entryIds(replaced)).toEqual([song(5), song(6), song(7), song(8)]);

    // Removals count positions before this call; additions go at the end.
    const updated = await alice.json('updatePlaylist', {
      playlistId: playlist.id,
      name: 'Final cut',
      comment: 'for the drive',
      public: 'true',
      songIndexToRemove: ['0', '2'],
      songIdToAdd: [song(9), song(5)],
    });
    expect(updated.status).toBe('ok');
    const after = (await alice.json('getPlaylist', { id: playlist.id })).playlist;
    expect(after).toMatchObject({ name: 'Final cut', comment: 'for the drive', public: true, songCount: 4 });
    expect(entryIds(after)).toEqual([song(6), song(8), song(9), song(5)]);

    expect((await alice.json('updatePlaylist', { playlistId: playlist.id, songIndexToRemove: '4' })).error.code).toBe(0);
    expect((await alice.json('updatePlaylist', { playlistId: playlist.id, songIndexToRemove: 'first' })).error.code).toBe(0);
    expect(entryIds((await alice.json('getPlaylist', { id: playlist.id })).playlist)).toEqual([song(6), song(8), song(9), song(5)]);
  });

  it('getPlaylists lists your own and public ones you can play; username is for admins', async () => {
    const mine = (await alice.json('createPlaylist', { name: 'Alice private', songId: [song(2)] })).playlist;
    const shared = (await alice.json('createPlaylist', { name: 'Alice public', songId: [song(2)] })).playlist;
    await alice.json('updatePlaylist', { playlistId: shared.id, public: 'true' });

    const adminList = await admin.json('getPlaylists');
    expect(accountShapeErrors(adminList, 'playlists', 'Playlists')).toEqual([]);
    expect(adminList.playlists.playlist.find((p: { id: string }) => p.id === shared.id)).toMatchObject({ owner: 'alice', public: true, readonly: true });
    const adminNames = adminList.playlists.playlist.map((p: { name: string }) => p.name);
    expect(adminNames).toContain('Alice public');
    expect(adminNames).not.toContain('Alice private');
    // Bob sees no library, so a playlist of songs he cannot play is not his to see.
    expect((await bob.json('getPlaylists')).playlists).toEqual({ playlist: [] });

    const asAlice = (await admin.json('getPlaylists', { username: 'alice' })).playlists.playlist.map((p: { id: string }) => p.id);
    expect(asAlice).toEqual(expect.arrayContaining([mine.id, shared.id]));
    expect((await alice.json('getPlaylists', { username: 'admin' })).error.code).toBe(50);
    expect((await admin.json('getPlaylists', { username: 'nobody' })).error.code).toBe(70);
    const xml = await alice.xml('getPlaylists');
    expect(xml).toContain(`<playlist id="${mine.id}" name="Alice private" owner="alice" public="false" songCount="1" duration="1"`);
  });

  it("others' private playlists answer 70, their public ones are read-only (50), and bad input answers the spec's codes", async () => {
    const secret = (await alice.json('createPlaylist', { name: 'Secret', songId: [song(4)] })).playlist;
    const open = (await alice.json('createPlaylist', { name: 'Open', songId: [song(4)] })).playlist;
    await alice.json('updatePlaylist', { playlistId: open.id, public: 'true' });

    expect((await admin.json('getPlaylist', { id: secret.id })).error.code).toBe(70);
    expect((await admin.json('updatePlaylist', { playlistId: secret.id, name: 'Mine now' })).error.code).toBe(70);
    expect((await admin.json('deletePlaylist', { id: secret.id })).error.code).toBe(70);
    expect((await admin.json('createPlaylist', { playlistId: secret.id, songId: song(1) })).error.code).toBe(70);

    expect(entryIds((await admin.json('getPlaylist', { id: open.id })).playlist)).toEqual([song(4)]);
    expect((await admin.json('updatePlaylist', { playlistId: open.id, songIdToAdd: song(1) })).error.code).toBe(50);
    expect((await admin.json('deletePlaylist', { id: open.id })).error.code).toBe(50);
    expect((await admin.json('createPlaylist', { playlistId: open.id, songId: song(1) })).error.code).toBe(50);

    expect((await alice.json('createPlaylist', { songId: song(1) })).error.code).toBe(10);
    expect((await alice.json('createPlaylist', { name: 'Ghost', songId: 'ffffffff' })).error.code).toBe(70);
    expect((await bob.json('createPlaylist', { name: 'Not mine to play', songId: song(1) })).error.code).toBe(70);
    expect((await alice.json('updatePlaylist', {})).error.code).toBe(10);
    expect((await alice.json('getPlaylist', {})).error.code).toBe(10);
    expect(await alice.xml('getPlaylist', { id: 'nope' })).toContain('<error code="70"');
    expect(entryIds((await alice.json('getPlaylist', { id: secret.id })).playlist)).toEqual([song(4)]);
  });

  it('deletePlaylist deletes for good', async () => {
    const { playlist } = await alice.json('createPlaylist', { name: 'Short-lived' });
    expect(playlist.songCount).toBe(0);
    expect((await alice.json('deletePlaylist', { id: playlist.id })).status).toBe('ok');
    expect((await alice.json('getPlaylist', { id: playlist.id })).error.code).toBe(70);
    expect((await alice.json('deletePlaylist', { id: playlist.id })).error.code).toBe(70);
  });

  it('smart playlists are listed with the songs their rules pick now; their songs cannot be edited', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/playlists',
      headers: await signInAs('alice'),
      payload: { name: 'First three', rules: { sort: 'title', limit: 3 } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    const listed = (await alice.json('getPlaylists')).playlists.playlist.find((p: { id: string }) => p.id === id);
    expect(listed).toMatchObject({ name: 'First three', songCount: 3, duration: 3, readonly: true });
    expect(entryIds((await alice.json('getPlaylist', { id })).playlist)).toEqual([song(0), song(1), song(2)]);

    const refused = await alice.json('updatePlaylist', { playlistId: id, songIdToAdd: song(9) });
    expect(refused.error).toMatchObject({ code: 0, message: expect.stringMatching(/rules/) });
    expect((await alice.json('updatePlaylist', { playlistId: id, songIndexToRemove: '0' })).error.code).toBe(0);
    expect((await alice.json('createPlaylist', { playlistId: id, songId: song(9) })).error.code).toBe(0);
    expect((await alice.json('updatePlaylist', { playlistId: id, name: 'Top three' })).status).toBe('ok');
    expect(entryIds((await alice.json('getPlaylist', { id })).playlist)).toEqual([song(0), song(1), song(2)]);
  });

  it('form POST works for playlist edits with many songs', async () => {
    const response = await alice.call('createPlaylist', { name: 'Posted', songId: [...songs.values()] }, { post: true });
    const playlist = response.json()['subsonic-response'].playlist;
    expect(playlist.songCount).toBe(10);
  });

  async function signInAs(username: string) {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
    return { authorization: `Bearer ${response.json().token}` };
  }
});
