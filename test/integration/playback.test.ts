import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp, type AppOverrides } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { TracksTable } from '../../src/db/schema.js';
import type { CommandRequest } from '../../src/playback/schemas.js';
import { applyCommand, type PlaybackCommand } from '../../src/playback/state-machine.js';
import { initialSession, toPlaybackState, type PlaybackSession, type PlaybackState } from '../../src/playback/state.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { catalogFixtures } from '../support/catalog-fixtures.js';
import { createTestDatabase, describeEachDatabase, type TestDatabase } from '../support/databases.js';
import { fakePlaybackLinks, manualClock } from '../support/playback-fakes.js';

type Headers = { authorization: string };
interface Device {
  id: string;
  headers: Headers;
}

/** Another app (another "server process") on the same database, as `createTestApp` builds one. */
async function buildAppOn(database: TestDatabase, overrides: AppOverrides): Promise<FastifyInstance> {
  const config = loadConfig(
    { data: database.dataDir },
    { OMNISONIC_WATCH: 'false', OMNISONIC_SCAN_ON_START: 'false', OMNISONIC_LOG_LEVEL: 'silent' },
  );
  return buildApp({ ...config, databaseUrl: database.databaseUrl, databaseSchema: database.databaseSchema }, overrides);
}

/** A seeded generator, so a failing random run can be repeated. */
function prng(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % below;
  };
}

describeEachDatabase('playback', (kind) => {
  const clock = manualClock();
  const links = fakePlaybackLinks();
  let t: TestApp;
  let songs: TracksTable[];
  let albumId: string;
  /** Album tracks in disc/track order. */
  let albumOrder: string[];
  let missing: TracksTable;
  let userCount = 0;

  beforeAll(async () => {
    t = await createTestApp(kind, { overrides: { clock, playback: links.overrides } });
    const fx = catalogFixtures(t.database.db);
    songs = [];
    for (const [i, durationMs] of [180_000, 200_000, 240_000, 300_000, 150_000, 600_000].entries()) {
      songs.push(await fx.track({ title: `Song ${i}`, durationMs }));
    }
    missing = await fx.track({ title: 'Gone', status: 'missing' });
    const album = await fx.album({ title: 'Two Discs', artist: 'Band' });
    albumId = album.id;
    // Inserted out of order: the queue must follow disc, then track number.
    const d2t1 = await fx.track({ title: 'D2T1', album, discNumber: 2, trackNumber: 1 });
    const d1t2 = await fx.track({ title: 'D1T2', album, discNumber: 1, trackNumber: 2 });
    const d2t2 = await fx.track({ title: 'D2T2', album, discNumber: 2, trackNumber: 2 });
    const d1t1 = await fx.track({ title: 'D1T1', album, discNumber: 1, trackNumber: 1 });
    albumOrder = [d1t1.id, d1t2.id, d2t1.id, d2t2.id];
  });
  afterAll(() => t.close());

  async function register(app: FastifyInstance, owner: Headers, name: string, online = true): Promise<Device> {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      headers: owner,
      payload: { name, platform: 'test', appVersion: '1', clientId: randomUUID() },
    });
    const { device, accessToken } = response.json();
    if (online) links.online.add(device.id);
    return { id: device.id, headers: { authorization: `Bearer ${accessToken}` } };
  }

  /** A new admin (sees every library) with two online devices. */
  async function listener() {
    const user = await signIn(t.app, `listener${++userCount}`, 'admin');
    return { user, phone: await register(t.app, user, 'phone'), laptop: await register(t.app, user, 'laptop') };
  }

  const post = (headers: Headers, payload: object, app = t.app) =>
    app.inject({ method: 'POST', url: '/api/v1/playback/commands', headers, payload });
  const send = (headers: Headers, type: string, args?: object, extra: object = {}, app = t.app) =>
    post(headers, { commandId: randomUUID(), type, ...(args ? { args } : {}), ...extra }, app);

  async function accepted(response: LightMyRequestResponse): Promise<PlaybackState> {
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  const report = (device: Device, payload: object) =>
    t.app.inject({ method: 'POST', url: '/api/v1/playback/report', headers: device.headers, payload });
  const stateOf = async (headers: Headers, app = t.app): Promise<PlaybackState> => (await app.inject({ url: '/api/v1/playback', headers })).json();
  const errorOf = (response: LightMyRequestResponse) => [response.statusCode, response.json().error.code];
  const eventsOf = (userId: string) => links.events.filter((event) => event.userId === userId);
  const userIdOf = async (headers: Headers): Promise<string> => (await t.app.inject({ url: '/api/v1/me', headers })).json().id;

  it('a user who never played gets the initial state', async () => {
    const { user } = await listener();
    const state = await stateOf(user);
    expect(state).toMatchObject({ revision: 0, activeDeviceId: null, playState: 'stopped', current: null, queue: { revision: 0, items: [] } });
  });

  it('play from a device makes it active, answers with the new state and publishes it', async () => {
    const { user, phone } = await listener();
    const userId = await userIdOf(user);
    const trackIds = [songs[0].id, songs[1].id, songs[0].id];
    const state = await accepted(await send(phone.headers, 'play', { trackIds, startIndex: 1, positionMs: 5000 }));
    expect(state).toMatchObject({ revision: 1, activeDeviceId: phone.id, playState: 'playing', positionMs: 5000, positionAsOf: clock.now() });
    expect(state.updatedBy).toBe(phone.id);
    expect(state.current).toEqual({ queueItemId: state.queue.items[1].itemId, trackId: songs[1].id });
    expect(state.queue.items.map((item) => item.trackId)).toEqual(trackIds);
    expect(new Set(state.queue.items.map((item) => item.itemId)).size).toBe(3);
    expect(eventsOf(userId).map((event) => [event.type, event.data])).toEqual([['playback', state]]);
    expect(await stateOf(user)).toEqual(state);
  });

  it('album enqueue keeps disc/track order', async () => {
    const { phone } = await listener();
    const played = await accepted(await send(phone.headers, 'play', { albumId }));
    expect(played.queue.items.map((item) => item.trackId)).toEqual(albumOrder);
    const added = await accepted(await send(phone.headers, 'queue.add', { albumId, at: 'end' }));
    expect(added.queue.items.map((item) => item.trackId)).toEqual([...albumOrder, ...albumOrder]);
  });

  it('only playable tracks the caller may see can be queued; playlists skip the others', async () => {
    const { phone } = await listener();
    expect(errorOf(await send(phone.headers, 'play', { trackIds: [songs[0].id, missing.id] }))).toEqual([404, 'track_not_found']);
    expect(errorOf(await send(phone.headers, 'play', { trackIds: ['not-an-id'] }))).toEqual([404, 'track_not_found']);
    expect(errorOf(await send(phone.headers, 'play', { albumId: 'f'.repeat(32) }))).toEqual([404, 'album_not_found']);
    expect(errorOf(await send(phone.headers, 'play', { playlistId: 'nope' }))).toEqual([404, 'playlist_not_found']);
    expect(errorOf(await send(phone.headers, 'play', { trackIds: [songs[0].id], albumId }))).toEqual([400, 'validation_failed']);
    expect(errorOf(await send(phone.headers, 'play', {}))).toEqual([400, 'validation_failed']);

    const bob = await signIn(t.app, `outsider${++userCount}`, 'user');
    const bobPhone = await register(t.app, bob, 'phone');
    expect(errorOf(await send(bobPhone.headers, 'play', { trackIds: [songs[0].id] }))).toEqual([404, 'track_not_found']);
    expect(errorOf(await send(bobPhone.headers, 'queue.add', { albumId, at: 'end' }))).toEqual([404, 'album_not_found']);

    const owner = await listener();
    links.playlists.set(`${await userIdOf(owner.user)}/mix`, [songs[2].id, missing.id, songs[3].id]);
    const state = await accepted(await send(owner.phone.headers, 'play', { playlistId: 'mix' }));
    // Another user's playlist is resolved for that user: not found.
    expect(errorOf(await send(phone.headers, 'play', { playlistId: 'mix' }))).toEqual([404, 'playlist_not_found']);
    expect(state.queue.items.map((item) => item.trackId)).toEqual([songs[2].id, songs[3].id]);
  });

  it('refuses commands that make no sense: seek past the end, next on an empty queue, pause with nothing playing', async () => {
    const { user, phone } = await listener();
    expect(errorOf(await send(phone.headers, 'next'))).toEqual([409, 'queue_empty']);
    expect(errorOf(await send(phone.headers, 'pause'))).toEqual([422, 'invalid_command']);
    expect(errorOf(await send(user, 'play', { trackIds: [songs[0].id] }))).toEqual([409, 'no_active_device']);
    await accepted(await send(phone.headers, 'play', { trackIds: [songs[0].id] }));
    expect(errorOf(await send(phone.headers, 'seek', { positionMs: songs[0].durationMs! + 1 }))).toEqual([422, 'seek_out_of_range']);
    expect(errorOf(await send(phone.headers, 'queue.remove', { itemIds: ['nope'] }))).toEqual([404, 'queue_item_not_found']);
    expect(errorOf(await send(phone.headers, 'volume', { percent: 101 }))).toEqual([400, 'validation_failed']);
    expect(errorOf(await send(phone.headers, 'seek', { position: 1 }))).toEqual([400, 'validation_failed']);
    expect((await stateOf(user)).revision).toBe(1);
  });

  it("validation errors name what is wrong with the command's own type", async () => {
    const { phone } = await listener();
    const messageOf = async (payload: object) => {
      const response = await post(phone.headers, payload);
      expect(response.statusCode).toBe(400);
      return response.json().error.message;
    };
    const commandId = randomUUID();
    expect(await messageOf({ commandId, type: 'volume', args: { percent: 101 } })).toBe('body/args/percent must be <= 100');
    expect(await messageOf({ commandId, type: 'seek' })).toBe("body must have required property 'args'");
    expect(await messageOf({ commandId, type: 'pause', args: { now: true } })).toBe("body/args must NOT have additional properties ('now')");
    expect(await messageOf({ commandId: 'x', type: 'pause' })).toBe('body/commandId must match format "uuid"');
    expect(await messageOf({ commandId, type: 'rewind' })).toMatch(/^body\/type must be one of: play, pause, /);
  });

  it('Idempotency: duplicate commandId applied once. 409 on stale expectedRevision', async () => {
    const { user, phone, laptop } = await listener();
    const userId = await userIdOf(user);
    const play = { commandId: randomUUID(), type: 'play', args: { trackIds: [songs[0].id] } };
    const first = await accepted(await post(phone.headers, play));

    // Retries, also racing each other and from another device, all get the first state and add nothing.
    const add = { commandId: randomUUID(), type: 'queue.add', args: { trackIds: [songs[1].id], at: 'end' } };
    const retries = await Promise.all(
      [phone, phone, laptop, phone, laptop].map((device) => post(device.headers, add)),
    );
    const states = retries.map((response) => response.json() as PlaybackState);
    expect(new Set(retries.map((response) => response.statusCode))).toEqual(new Set([200]));
    expect(states.every((state) => JSON.stringify(state) === JSON.stringify(states[0]))).toBe(true);
    expect(states[0].revision).toBe(first.revision + 1);
    expect(states[0].queue.items.map((item) => item.trackId)).toEqual([songs[0].id, songs[1].id]);
    const again = await accepted(await post(phone.headers, play));
    expect(again).toEqual(first);
    expect(eventsOf(userId)).toHaveLength(2);

    // A refusal is the outcome too: the retry is refused the same way even though the command would now pass.
    const seek = { commandId: randomUUID(), type: 'seek', args: { positionMs: 0 } };
    const idle = (await listener()).phone;
    const seekNow = () => post(idle.headers, seek);
    expect(errorOf(await seekNow())).toEqual([422, 'invalid_command']);
    await accepted(await send(idle.headers, 'play', { trackIds: [songs[0].id] }));
    expect(errorOf(await seekNow())).toEqual([422, 'invalid_command']);

    // The same id for another command is refused.
    const reused = await post(phone.headers, { ...add, args: { ...add.args, at: 'next' } });
    expect(errorOf(reused)).toEqual([422, 'command_id_reused']);
    // Key order does not matter.
    const reordered = await post(phone.headers, { args: { at: 'end', trackIds: [songs[1].id] }, type: 'queue.add', commandId: add.commandId });
    expect(await accepted(reordered)).toEqual(states[0]);

    // Optimistic concurrency.
    const current = await stateOf(user);
    const stale = await send(laptop.headers, 'volume', { percent: 10 }, { expectedRevision: current.revision - 1 });
    expect(errorOf(stale)).toEqual([409, 'revision_conflict']);
    expect(stale.json().state).toEqual(current);
    const fresh = await accepted(await send(laptop.headers, 'volume', { percent: 10 }, { expectedRevision: current.revision }));
    expect([fresh.revision, fresh.volume]).toEqual([current.revision + 1, 10]);
  });

  it("transfer: to another user's device → 404, to an offline device → 409, to an online one moves playback", async () => {
    const { user, phone, laptop } = await listener();
    const other = await listener();
    await accepted(await send(phone.headers, 'play', { trackIds: [songs[0].id] }));
    clock.advance(10_000);
    expect(errorOf(await send(phone.headers, 'transfer', { deviceId: other.phone.id }))).toEqual([404, 'device_not_found']);
    expect(errorOf(await send(phone.headers, 'transfer', { deviceId: 'x'.repeat(32) }))).toEqual([404, 'device_not_found']);
    const offline = await register(t.app, user, 'radio', false);
    expect(errorOf(await send(phone.headers, 'transfer', { deviceId: offline.id }))).toEqual([409, 'device_offline']);

    const moved = await accepted(await send(phone.headers, 'transfer', { deviceId: laptop.id, play: false }));
    expect(moved).toMatchObject({ activeDeviceId: laptop.id, playState: 'paused', positionMs: 10_000, updatedBy: phone.id });
    // Reports now come from the laptop only.
    expect(errorOf(await report(phone, { revision: moved.revision, positionMs: 11_000 }))).toEqual([409, 'not_active_device']);
    const reported = await report(laptop, { revision: moved.revision, positionMs: 11_000 });
    expect(reported.statusCode).toBe(200);
  });

  it('Auto-advance with repeat off/all/one and shuffle; finished listens go to the history', async () => {
    const { user, phone } = await listener();
    const userId = await userIdOf(user);
    const [a, b, c] = songs;
    let state = await accepted(await send(phone.headers, 'play', { trackIds: [a.id, b.id, c.id] }));
    const end = async (positionMs?: number) => {
      const response = await report(phone, { revision: state.revision, positionMs: positionMs ?? 0, ended: true });
      expect(response.statusCode, response.body).toBe(200);
      state = response.json();
      return state;
    };
    // A progress report first: the position as of now.
    clock.advance(60_000);
    const progress = await report(phone, { revision: state.revision, positionMs: 59_000 });
    state = progress.json();
    expect([state.positionMs, state.positionAsOf]).toEqual([59_000, clock.now()]);
    // Stale revision: 409 with the current state.
    const stale = await report(phone, { revision: state.revision - 1, positionMs: 1 });
    expect(errorOf(stale)).toEqual([409, 'revision_conflict']);
    expect(stale.json().state).toEqual(state);

    expect((await end()).current?.trackId).toBe(b.id);
    expect(links.plays.filter((play) => play.userId === userId)).toEqual([
      { userId, trackId: a.id, playedAt: clock.now() - a.durationMs!, durationPlayedMs: a.durationMs, deviceId: phone.id },
    ]);
    await end();
    // Repeat off: after the last track, stopped on the first.
    expect(await end()).toMatchObject({ playState: 'stopped', current: { trackId: a.id }, positionMs: 0 });

    state = await accepted(await send(phone.headers, 'repeat', { mode: 'one' }));
    state = await accepted(await send(phone.headers, 'resume'));
    expect((await end()).current?.trackId).toBe(a.id);
    state = await accepted(await send(phone.headers, 'repeat', { mode: 'all' }));
    state = await accepted(await send(phone.headers, 'play', { queueItemId: state.queue.items[2].itemId }));
    expect(await end()).toMatchObject({ playState: 'playing', current: { trackId: a.id } });

    // Shuffle: the current item first, then every track once in the shuffled order, then around again (repeat all).
    state = await accepted(await send(phone.headers, 'queue.add', { trackIds: [songs[3].id, songs[4].id, songs[5].id], at: 'end' }));
    state = await accepted(await send(phone.headers, 'shuffle', { enabled: true }));
    const order = state.queue.items.map((item) => item.trackId);
    expect(order[0]).toBe(a.id);
    expect([...order].sort()).toEqual([a.id, b.id, c.id, songs[3].id, songs[4].id, songs[5].id].sort());
    const heard = [state.current!.trackId];
    for (let i = 0; i < 6; i++) heard.push((await end()).current!.trackId);
    expect(heard).toEqual([...order, order[0]]);
    expect(eventsOf(userId).at(-1)?.data).toEqual(state);
  });

  it('active device vanishing: the session pauses at the last reported position and every device is told', async () => {
    const { user, phone, laptop } = await listener();
    const userId = await userIdOf(user);
    let state = await accepted(await send(phone.headers, 'play', { trackIds: [songs[3].id] }));
    clock.advance(42_000);
    state = (await report(phone, { revision: state.revision, positionMs: 42_000 })).json();

    links.online.delete(phone.id);
    clock.advance(5_000);
    await links.sweep();
    // Back within the timeout: nothing happens, and the 30 s start again when it goes away again.
    links.online.add(phone.id);
    clock.advance(20_000);
    await links.sweep();
    links.online.delete(phone.id);
    await links.sweep();
    clock.advance(29_999);
    await links.sweep();
    expect((await stateOf(user)).revision).toBe(state.revision);

    clock.advance(1);
    await links.sweep();
    const paused = await stateOf(user);
    expect(paused).toMatchObject({ revision: state.revision + 1, playState: 'paused', positionMs: 42_000, positionAsOf: clock.now() });
    expect([paused.activeDeviceId, paused.updatedBy]).toEqual([null, null]);
    expect(eventsOf(userId).at(-1)?.data).toEqual(paused);
    await links.sweep();
    expect((await stateOf(user)).revision).toBe(paused.revision);

    // Any device picks it up where it stopped.
    const resumed = await accepted(await send(laptop.headers, 'resume'));
    expect(resumed).toMatchObject({ activeDeviceId: laptop.id, playState: 'playing', positionMs: 42_000 });
  });

  it('resume after restart: a new app on the same database returns the saved state, and a new device resumes it', async () => {
    const database = await createTestDatabase(kind);
    try {
      const song = await catalogFixtures(database.db).track({ title: 'Saved', durationMs: 300_000 });
      const first = await buildAppOn(database, { clock, playback: links.overrides });
      const user = await signIn(first, 'restarter', 'admin');
      const phone = await register(first, user, 'phone');
      await accepted(await send(phone.headers, 'play', { trackIds: [song.id] }, {}, first));
      clock.advance(95_000);
      const saved = await accepted(await send(phone.headers, 'pause', undefined, {}, first));
      await first.close();

      const second = await buildAppOn(database, { clock, playback: links.overrides });
      try {
        const login = await second.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: 'restarter', password: 'correct horse battery staple' },
        });
        const headers = { authorization: `Bearer ${login.json().token}` };
        expect(await stateOf(headers, second)).toEqual(saved);
        const tablet = await register(second, headers, 'tablet');
        const resumed = await accepted(await send(tablet.headers, 'transfer', { deviceId: tablet.id, play: true }, {}, second));
        expect(resumed).toMatchObject({ activeDeviceId: tablet.id, playState: 'playing', current: saved.current, positionMs: 95_000 });
      } finally {
        await second.close();
      }
    } finally {
      await database.destroy();
    }
  });

  const CONCURRENCY =
    'Concurrency: 5 devices sending 200 mixed commands concurrently → one strictly increasing revision sequence, ' +
    'the final state equals applying the accepted commands in revision order';
  it(CONCURRENCY, async () => {
    // Each device sends its 40 commands one after another (some with the expectedRevision it last saw, some twice at
    // once); the five devices run at the same time.
    const { user } = await listener();
    // On PostgreSQL half the devices talk to a second app on the same database: two processes racing for one session.
    const second = kind === 'postgres' ? await buildAppOn(t.database, { clock, playback: links.overrides }) : t.app;
    try {
      const devices: Device[] = [];
      for (let i = 0; i < 5; i++) devices.push(await register(t.app, user, `d${i}`));
      const durations = new Map(songs.map((song) => [song.id, song.durationMs]));
      const sent: { deviceId: string; request: CommandRequest; state: PlaybackState }[] = [];
      let conflicts = 0;
      let refusals = 0;

      async function run(device: Device, index: number) {
        const random = prng(index + 1);
        const [app, otherApp] = index % 2 === 0 ? [t.app, second] : [second, t.app];
        let seen: PlaybackState | undefined;
        const pick = <T>(values: T[]) => values[random(values.length)];
        const anyItem = () => (seen && seen.queue.items.length > 0 ? pick(seen.queue.items).itemId : 'none');
        const someTracks = () => Array.from({ length: 1 + random(3) }, () => pick(songs).id);
        for (let n = 0; n < 40; n++) {
          const choices: Omit<CommandRequest, 'commandId'>[] = [
            { type: 'play', args: { trackIds: someTracks(), startIndex: 0, positionMs: random(3) * 1000 } },
            { type: 'play', args: { queueItemId: anyItem() } },
            { type: 'pause' },
            { type: 'resume' },
            { type: 'stop' },
            { type: 'next' },
            { type: 'previous' },
            { type: 'seek', args: { positionMs: random(250_000) } },
            { type: 'transfer', args: { deviceId: pick(devices).id, ...(random(2) ? { play: random(2) === 1 } : {}) } },
            { type: 'queue.add', args: { trackIds: someTracks(), at: random(2) ? 'next' : 'end' } },
            { type: 'queue.remove', args: { itemIds: [anyItem()] } },
            { type: 'queue.move', args: { itemId: anyItem(), toIndex: random(4) } },
            { type: 'queue.clear' },
            { type: 'shuffle', args: { enabled: random(2) === 1 } },
            { type: 'repeat', args: { mode: pick(['off', 'all', 'one'] as const) } },
            { type: 'volume', args: { percent: random(101) } },
          ];
          const expected = seen && random(5) === 0 ? { expectedRevision: seen.revision } : {};
          const request = { ...pick(choices), commandId: randomUUID(), ...expected } as CommandRequest;
          // Now and then the same command goes to both apps at once, as a client retrying on a timeout would.
          const [response, retry] = await Promise.all([
            post(device.headers, request, app),
            random(8) === 0 ? post(device.headers, request, otherApp) : undefined,
          ]);
          if (retry && response.statusCode === 409 && response.json().error.code === 'revision_conflict') {
            // Not stored (the command was not applied): each attempt reports the state it saw.
            expect(retry.json().error.code).toBe('revision_conflict');
          } else if (retry) {
            expect([retry.statusCode, retry.json()]).toEqual([response.statusCode, response.json()]);
          }
          if (response.statusCode === 200) {
            const state: PlaybackState = response.json();
            if (seen) expect(state.revision).toBeGreaterThan(seen.revision);
            seen = state;
            sent.push({ deviceId: device.id, request, state });
          } else if (response.statusCode === 409 && response.json().error.code === 'revision_conflict') {
            conflicts++;
            seen = response.json().state;
          } else {
            expect(response.statusCode, response.body).toBeLessThan(500);
            refusals++;
          }
        }
      }
      await Promise.all(devices.map(run));

      const revisions = sent.map((entry) => entry.state.revision).sort((x, y) => x - y);
      expect(revisions).toEqual(Array.from({ length: sent.length }, (_, i) => i + 1));
      expect(sent.length + conflicts + refusals).toBe(200);
      expect(sent.length).toBeGreaterThan(50);

      // Replay the accepted commands through the pure state machine, in revision order.
      const resolve = (request: CommandRequest): PlaybackCommand => {
        const args = (request as { args?: Record<string, unknown> }).args ?? {};
        const trackList = (ids: string[]) => ids.map((id) => ({ trackId: id, durationMs: durations.get(id)! }));
        if (request.type === 'play' && request.args.trackIds) {
          return { type: 'play', tracks: trackList(request.args.trackIds), startIndex: request.args.startIndex, positionMs: request.args.positionMs };
        }
        if (request.type === 'queue.add') return { type: 'queue.add', tracks: trackList(request.args.trackIds!), at: request.args.at };
        return { type: request.type, ...args } as PlaybackCommand;
      };
      let session: PlaybackSession = initialSession(clock.now());
      for (const entry of [...sent].sort((x, y) => x.state.revision - y.state.revision)) {
        const result = applyCommand(session, resolve(entry.request), { now: clock.now(), deviceId: entry.deviceId, seed: entry.request.commandId });
        if (!result.ok) throw new Error(`replay refused ${entry.request.type}: ${result.error.message}`);
        session = result.session;
        expect(toPlaybackState(session)).toEqual(entry.state);
      }
      expect(await stateOf(user)).toEqual(toPlaybackState(session));
      const userId = await userIdOf(user);
      expect(eventsOf(userId).map((event) => (event.data as PlaybackState).revision).sort((x, y) => x - y)).toEqual(revisions);
    } finally {
      if (second !== t.app) await second.close();
    }
  });
});
