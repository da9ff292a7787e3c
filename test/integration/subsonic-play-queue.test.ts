import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';
import { accountShapeErrors, subsonicClient, writeSubsonicLibrary } from '../support/subsonic-client.js';

const PASSWORD = 'correct horse battery staple';

describeEachDatabase('Subsonic play queue and jukebox', (kind) => {
  let t: TestApp;
  let workDir: string;
  let users = 0;
  const songs: string[] = [];

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-subsonic-queue-'));
    const music = await writeSubsonicLibrary(workDir, 6);
    t = await createTestApp(kind, { musicDirs: [music] });
    await t.app.omnisonic.library.scan();
    await signIn(t.app);
    const found = (await subsonicClient(t.app, { u: 'admin', p: PASSWORD }).json('search3', { query: '' })).searchResult3.song;
    songs.push(...found.map((s: { id: string }) => s.id));
    expect(songs).toHaveLength(6);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  /** A new admin (sees the music library): REST headers and a Subsonic client named `client`. */
  async function listener(client = 'A') {
    const username = `listener${++users}`;
    const headers = await signIn(t.app, username, 'admin');
    return { username, headers, subsonic: subsonicClient(t.app, { u: username, p: PASSWORD }, client) };
  }

  /** Registers a device of the user and brings it online (heartbeat); its token authenticates as the device. */
  async function device(owner: { authorization: string }, name: string) {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/devices', headers: owner, payload: { name, platform: 'test', appVersion: '1', clientId: randomUUID() } });
    const { device: created, accessToken } = response.json();
    const headers = { authorization: `Bearer ${accessToken}` };
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/devices/${created.id}/heartbeat`, headers })).statusCode).toBeLessThan(300);
    return { id: created.id as string, headers };
  }

  const playback = async (headers: { authorization: string }) => (await t.app.inject({ url: '/api/v1/playback', headers })).json();
  const ids = (queue: { entry?: { id: string }[] }) => (queue.entry ?? []).map((e) => e.id);

  describe('play queue', () => {
    it('savePlayQueue on client A is what client B and the REST API see, changedBy A, without playing anywhere', async () => {
      const { username, headers, subsonic } = await listener();
      const saved = await subsonic.json('savePlayQueue', { id: [songs[0], songs[1], songs[2], songs[1]], current: songs[1], position: '600' }, { client: 'A' });
      expect(saved.status).toBe('ok');

      const response = await subsonic.json('getPlayQueue', {}, { client: 'B' });
      expect(accountShapeErrors(response, 'playQueue', 'PlayQueue')).toEqual([]);
      const queue = response.playQueue;
      expect(queue).toMatchObject({ current: songs[1], position: 600, username, changedBy: 'A' });
      expect(ids(queue)).toEqual([songs[0], songs[1], songs[2], songs[1]]);
      expect(Math.abs(Date.parse(queue.changed) - Date.now())).toBeLessThan(60_000);
      expect(queue.entry[1]).toMatchObject({ id: songs[1], isDir: false, type: 'music' });

      const state = await playback(headers);
      expect(state.queue.items.map((i: { trackId: string }) => i.trackId)).toEqual([songs[0], songs[1], songs[2], songs[1]]);
      expect(state.current.trackId).toBe(songs[1]);
      expect(state.current.queueItemId).toBe(state.queue.items[1].itemId);
      expect(state).toMatchObject({ positionMs: 600, playState: 'paused', activeDeviceId: null });

      const xml = await subsonic.xml('getPlayQueue', {}, { client: 'B' });
      expect(xml).toMatch(new RegExp(`<playQueue current="${songs[1]}" position="600" username="${username}" changed="[^"]+" changedBy="A"><entry id="${songs[0]}"`));
    });

    it('the index-based variants keep duplicates apart and agree with the id-based ones', async () => {
      const { subsonic } = await listener();
      expect((await subsonic.json('getOpenSubsonicExtensions')).openSubsonicExtensions).toContainEqual({ name: 'indexBasedQueue', versions: [1] });
      expect((await subsonic.json('savePlayQueueByIndex', { id: [songs[3], songs[4], songs[3]], currentIndex: '2', position: '250' }, { client: 'Tablet' })).status).toBe('ok');
      const byIndexResponse = await subsonic.json('getPlayQueueByIndex');
      expect(accountShapeErrors(byIndexResponse, 'playQueueByIndex', 'PlayQueueByIndex')).toEqual([]);
      const byIndex = byIndexResponse.playQueueByIndex;
      expect(byIndex).toMatchObject({ currentIndex: 2, position: 250, changedBy: 'Tablet' });
      expect(ids(byIndex)).toEqual([songs[3], songs[4], songs[3]]);
      expect((await subsonic.json('getPlayQueue')).playQueue).toMatchObject({ current: songs[3], position: 250 });
      expect(await subsonic.xml('getPlayQueueByIndex')).toMatch(/<playQueueByIndex currentIndex="2" position="250" username="[^"]+" changed="[^"]+" changedBy="Tablet">/);

      // Saving with no ids clears the queue (OpenSubsonic).
      expect((await subsonic.json('savePlayQueueByIndex')).status).toBe('ok');
      const cleared = (await subsonic.json('getPlayQueueByIndex')).playQueueByIndex;
      expect(cleared.currentIndex).toBeUndefined();
      expect(ids(cleared)).toEqual([]);
    });

    it('bad saves answer the spec codes and change nothing', async () => {
      const { subsonic, headers } = await listener();
      await subsonic.json('savePlayQueue', { id: [songs[0], songs[1]], current: songs[0] });
      const before = await playback(headers);
      expect((await subsonic.json('savePlayQueue', { id: songs[0] })).error.code).toBe(10);
      expect((await subsonic.json('savePlayQueue', { id: songs[0], current: songs[5] })).error.code).toBe(0);
      expect((await subsonic.json('savePlayQueue', { id: ['ffffffff'], current: 'ffffffff' })).error.code).toBe(70);
      expect((await subsonic.json('savePlayQueue', { id: songs[0], current: songs[0], position: 'soon' })).error.code).toBe(0);
      expect((await subsonic.json('savePlayQueue', { id: songs[0], current: songs[0], position: '999999999' })).error.code).toBe(0);
      expect((await subsonic.json('savePlayQueueByIndex', { id: songs[0] })).error.code).toBe(10);
      expect((await subsonic.json('savePlayQueueByIndex', { id: songs[0], currentIndex: '1' })).error.code).toBe(10);
      expect((await subsonic.json('savePlayQueueByIndex', { id: songs[0], currentIndex: '-1' })).error.code).toBe(10);
      expect((await subsonic.json('savePlayQueueByIndex', { currentIndex: '0' })).error.code).toBe(0);
      expect(await playback(headers)).toEqual(before);
    });

    it('a save while an app plays pauses it there with the new queue; later app changes show as changedBy that device', async () => {
      const { headers, subsonic } = await listener();
      const phone = await device(headers, 'Pixel');
      const played = await t.app.inject({
        method: 'POST',
        url: '/api/v1/playback/commands',
        headers: phone.headers,
        payload: { commandId: randomUUID(), type: 'play', args: { trackIds: [songs[5]] } },
      });
      expect(played.json()).toMatchObject({ playState: 'playing', activeDeviceId: phone.id });

      await subsonic.json('savePlayQueue', { id: [songs[2], songs[3]], current: songs[3], position: '100' }, { client: 'Desktop' });
      const state = await playback(headers);
      expect(state).toMatchObject({ playState: 'paused', activeDeviceId: phone.id, positionMs: 100, current: { trackId: songs[3] } });
      expect((await subsonic.json('getPlayQueue')).playQueue.changedBy).toBe('Desktop');

      const resumed = await t.app.inject({ method: 'POST', url: '/api/v1/playback/commands', headers: phone.headers, payload: { commandId: randomUUID(), type: 'resume' } });
      expect(resumed.json().playState).toBe('playing');
      const queue = (await subsonic.json('getPlayQueue')).playQueue;
      expect(queue).toMatchObject({ changedBy: 'Pixel', current: songs[3] });
      expect(queue.position).toBeGreaterThanOrEqual(100);
    });
  });

  describe('jukebox', () => {
    it('needs a device of the user online (jukeboxRole); 50 otherwise', async () => {
      const { username, headers, subsonic } = await listener();
      expect((await subsonic.json('getUser', { username })).user.jukeboxRole).toBe(false);
      expect((await subsonic.json('jukeboxControl', { action: 'status' })).error.code).toBe(50);
      await device(headers, 'Speaker');
      expect((await subsonic.json('getUser', { username })).user.jukeboxRole).toBe(true);
      expect((await subsonic.json('jukeboxControl', { action: 'status' })).jukeboxStatus).toEqual({ currentIndex: -1, playing: false, gain: 1, position: 0 });
    });

    it('controls the playback session on the active device: set, start, skip, add, remove, setGain, stop, shuffle, clear', async () => {
      const { headers, subsonic } = await listener();
      const speaker = await device(headers, 'Speaker');
      const jukebox = (action: string, params: Record<string, string | string[]> = {}) => subsonic.json('jukeboxControl', { action, ...params });

      expect((await jukebox('set', { id: [songs[0], songs[1], songs[2]] })).jukeboxStatus).toMatchObject({ currentIndex: 0, playing: false });
      expect((await jukebox('start')).jukeboxStatus).toMatchObject({ currentIndex: 0, playing: true });
      expect(await playback(headers)).toMatchObject({ playState: 'playing', activeDeviceId: speaker.id });

      expect((await jukebox('skip', { index: '2', offset: '0' })).jukeboxStatus).toMatchObject({ currentIndex: 2, playing: true });
      expect((await jukebox('add', { id: [songs[3], songs[4]] })).jukeboxStatus.currentIndex).toBe(2);
      expect((await jukebox('remove', { index: '0' })).jukeboxStatus.currentIndex).toBe(1);
      const got = await jukebox('get');
      expect(accountShapeErrors(got, 'jukeboxPlaylist', 'JukeboxPlaylist')).toEqual([]);
      expect(accountShapeErrors(await jukebox('status'), 'jukeboxStatus', 'JukeboxStatus')).toEqual([]);
      const list = got.jukeboxPlaylist;
      expect(list).toMatchObject({ currentIndex: 1, playing: true, gain: 1 });
      expect(ids(list)).toEqual([songs[1], songs[2], songs[3], songs[4]]);

      expect((await jukebox('setGain', { gain: '0.25' })).jukeboxStatus.gain).toBe(0.25);
      expect((await playback(headers)).volume).toBe(25);
      expect((await jukebox('stop')).jukeboxStatus.playing).toBe(false);
      expect((await playback(headers)).playState).toBe('paused');

      // `set` keeps the current song current when it is in the new list.
      expect((await jukebox('set', { id: [songs[5], songs[2]] })).jukeboxStatus).toMatchObject({ currentIndex: 1, playing: false });
      const shuffled = (await jukebox('shuffle')).jukeboxStatus;
      expect(shuffled.currentIndex).toBe(0);
      expect(ids((await jukebox('get')).jukeboxPlaylist).sort()).toEqual([songs[5], songs[2]].sort());
      expect((await jukebox('clear')).jukeboxStatus).toMatchObject({ currentIndex: -1, playing: false });
      expect(await subsonic.xml('jukeboxControl', { action: 'status' })).toContain('<jukeboxStatus currentIndex="-1" playing="false" gain="0.25" position="0"/>');
    });

    it('bad actions and parameters answer 0 or 10', async () => {
      const { headers, subsonic } = await listener();
      await device(headers, 'Speaker');
      const code = async (params: Record<string, string>) => (await subsonic.json('jukeboxControl', params)).error?.code;
      expect(await code({})).toBe(10);
      expect(await code({ action: 'dance' })).toBe(0);
      expect(await code({ action: 'skip' })).toBe(10);
      expect(await code({ action: 'skip', index: '3' })).toBe(0);
      expect(await code({ action: 'remove', index: '0' })).toBe(0);
      expect(await code({ action: 'add' })).toBe(10);
      expect(await code({ action: 'add', id: 'ffffffff' })).toBe(70);
      expect(await code({ action: 'setGain' })).toBe(10);
      expect(await code({ action: 'setGain', gain: '1.5' })).toBe(0);
      expect(await code({ action: 'setGain', gain: 'loud' })).toBe(0);
    });
  });
});
