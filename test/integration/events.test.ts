import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { openEventStream, type EventStreamClient, type SseMessage } from '../../bench/sse-client.js';
import type { UserEvent } from '../../src/events/contracts.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

/** The JSON of an event's `data:` line. */
interface Payload {
  id?: number;
  type: string;
  at: number;
  data: any;
}
const payload = (message: SseMessage): Payload => JSON.parse(message.data) as Payload;
const isType = (type: string) => (message: SseMessage) => message.event === type;

describeEachDatabase('real-time events over SSE', (kind) => {
  let t: TestApp;
  let base: string;
  /** Added to the real time: presence tests move the server clock forward. */
  let clockOffsetMs = 0;
  const open: EventStreamClient[] = [];

  beforeAll(async () => {
    t = await createTestApp(kind, {
      overrides: {
        clock: { now: () => Date.now() + clockOffsetMs },
        realtime: {
          hub: { heartbeatMs: 100 },
          retention: { maxEvents: 50 },
          queue: { maxEvents: 64, maxBytes: 1024 * 1024 },
          presence: { refreshMs: 50, sweepMs: 50 },
        },
      },
    });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(() => t.close());

  let users = 0;
  /** A new user with a session and one registered device. */
  async function newUser() {
    const session = await signIn(t.app, `user${++users}`, 'user');
    const userId = (await t.app.inject({ url: '/api/v1/me', headers: session })).json().id as string;
    const device = await registerDevice(session);
    return { userId, session, device };
  }
  async function registerDevice(session: { authorization: string }) {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      headers: session,
      payload: { name: `device ${randomUUID().slice(0, 4)}`, platform: 'test', appVersion: '1', clientId: randomUUID() },
    });
    const { device, accessToken } = response.json();
    return { id: device.id as string, headers: { authorization: `Bearer ${accessToken as string}` } };
  }
  async function connect(headers: Record<string, string>, query = '') {
    const client = await openEventStream(`${base}/api/v1/events${query}`, { headers });
    open.push(client);
    return client;
  }
  const publish = (userId: string, type: 'playback' | 'collection', data: unknown) => t.app.omnisonic.events.publisher.publish(userId, type, data);

  it('starts every stream with retry, then a snapshot of playback and the devices online, with SSE headers', async () => {
    const { device } = await newUser();
    const client = await connect(device.headers);
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.headers['cache-control']).toBe('no-cache, no-transform');
    expect(client.headers['x-accel-buffering']).toBe('no');
    const snapshot = await client.waitFor(isType('snapshot'));
    expect(client.retry).toBe(3000);
    expect(client.messages[0]).toBe(snapshot);
    const { id, data } = payload(snapshot);
    expect(snapshot.id).toBe(String(id));
    // The playback feature's state (null when it has none to give).
    expect(data).toHaveProperty('playback');
    expect(data.devices).toEqual([expect.objectContaining({ id: device.id, online: true })]);
  });

  it('delivers deltas in order with ids increasing by one, also when published concurrently', async () => {
    const { userId, device } = await newUser();
    const client = await connect(device.headers);
    const snapshotId = Number((await client.waitFor(isType('snapshot'))).id);
    const published = await Promise.all(Array.from({ length: 30 }, (_, n) => publish(userId, 'playback', { n })));
    const lastId = Math.max(...published.map((event) => event.id));
    await client.waitFor((message) => message.id === String(lastId));
    // Every durable event after the snapshot, whatever its type (presence may announce this device meanwhile).
    const ids = client.messages.slice(1).map((message) => Number(message.id));
    expect(ids).toEqual(Array.from({ length: lastId - snapshotId }, (_, n) => snapshotId + 1 + n));
    const deltas = client.messages.filter(isType('playback'));
    expect(deltas.map((message) => Number(message.id))).toEqual(published.map((event) => event.id).sort((a, b) => a - b));
    const byId = new Map(published.map((event) => [event.id, event.data]));
    for (const message of deltas) expect(payload(message).data).toEqual(byId.get(Number(message.id)));
  });

  it('replays exactly the missed events after a reconnect with Last-Event-ID, then continues live', async () => {
    const { userId, device } = await newUser();
    const first = await connect(device.headers);
    await first.waitFor(isType('snapshot'));
    const seen = await publish(userId, 'playback', { step: 'seen' });
    await first.waitFor((message) => message.id === String(seen.id));
    first.close();
    const missed: UserEvent[] = [];
    for (let n = 0; n < 5; n++) missed.push(await publish(userId, 'collection', { n }));

    const again = await connect({ ...device.headers, 'last-event-id': String(seen.id) });
    await again.waitFor((message) => message.id === String(missed[4].id));
    expect(again.messages.map((message) => [message.event, Number(message.id), payload(message).data])).toEqual(
      missed.map((event) => ['collection', event.id, event.data]),
    );
    const live = await publish(userId, 'playback', { step: 'live' });
    await again.waitFor((message) => message.id === String(live.id));

    // A page reload cannot set the header; the query parameter does the same.
    const reloaded = await connect(device.headers, `?lastEventId=${missed[3].id}`);
    const replayed = await reloaded.waitFor((message) => message.id === String(live.id));
    expect(reloaded.messages.map((message) => Number(message.id))).toEqual([missed[4].id, live.id]);
    expect(payload(replayed).data).toEqual({ step: 'live' });
  });

  it('sends a fresh snapshot instead of a replay when the gap is older than the buffer or the id is unknown', async () => {
    const { userId, device } = await newUser();
    const first = await connect(device.headers);
    const oldId = Number((await first.waitFor(isType('snapshot'))).id);
    first.close();
    let last = 0;
    for (let n = 0; n < 60; n++) last = (await publish(userId, 'playback', { n })).id;

    for (const lastEventId of [String(oldId), String(last + 1000)]) {
      const client = await connect({ ...device.headers, 'last-event-id': lastEventId });
      const snapshot = await client.waitFor(isType('snapshot'));
      expect(client.messages[0]).toBe(snapshot);
      expect(Number(snapshot.id)).toBe(last);
    }
  });

  it('sends a heartbeat comment on an idle stream', async () => {
    const { device } = await newUser();
    const client = await connect(device.headers);
    await client.waitFor(isType('snapshot'));
    const start = client.comments.length;
    await expect.poll(() => client.comments.length - start, { timeout: 2000 }).toBeGreaterThanOrEqual(2);
    expect(client.comments.at(-1)).toBe('heartbeat');
  });

  it('keeps a fast client prompt while a slow one stops reading; the slow one gets a snapshot once it drains', async () => {
    const { userId, session, device } = await newUser();
    const other = await registerDevice(session);
    const fast = await connect(device.headers);
    const slow = await connect(other.headers);
    await fast.waitFor(isType('snapshot'));
    await slow.waitFor(isType('snapshot'));
    slow.pause();

    // 12.8 MB: more than the kernel buffers of the paused socket plus its 1 MiB queue.
    const filler = 'x'.repeat(16 * 1024);
    const ours = (message: SseMessage) => message.event === 'collection' && payload(message).data.filler !== undefined;
    let last = 0;
    const started = Date.now();
    for (let n = 0; n < 800; n++) {
      last = (await publish(userId, 'collection', { n, filler })).id;
      // Lets the fast client (in this process) read; on SQLite a publish never yields to I/O by itself.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await fast.waitFor((message) => message.id === String(last), { timeoutMs: 2000 });
    expect(fast.messages.filter(ours)).toHaveLength(800);
    expect(fast.messages.filter(isType('snapshot'))).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(20_000);

    slow.resume();
    const snapshot = await slow.waitFor((message) => message.event === 'snapshot' && Number(message.id) >= last, { from: 1, timeoutMs: 10_000 });
    expect(slow.messages.filter(ours).length).toBeLessThan(800);
    const ids = slow.messages.slice(0, slow.messages.indexOf(snapshot)).map((message) => Number(message.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    const next = await publish(userId, 'playback', { after: 'drain' });
    await slow.waitFor((message) => message.id === String(next.id));
  });

  it('shows a device online while its stream is open or it sent a heartbeat in the last 30 s, announcing each change', async () => {
    const { userId, session, device } = await newUser();
    const presence = t.app.omnisonic.events.presence;
    const onlineIs = (online: boolean) => (message: SseMessage) =>
      message.event === 'devices' && payload(message).data.devices.some((d: { id: string; online: boolean }) => d.id === device.id && d.online === online);
    const observer = await connect(session);
    const snapshot = payload(await observer.waitFor(isType('snapshot')));
    // The registration counted as a heartbeat.
    expect(snapshot.data.devices).toEqual([expect.objectContaining({ id: device.id, online: true })]);
    clockOffsetMs += 31_000;
    const wentOffline = await observer.waitFor(onlineIs(false));
    expect(await presence.isOnline(userId, device.id)).toBe(false);

    const stream = await connect(device.headers);
    const wentOnline = await observer.waitFor(onlineIs(true), { from: observer.messages.indexOf(wentOffline) + 1 });
    expect(await presence.isOnline(userId, device.id)).toBe(true);
    expect(await presence.onlineDeviceIds(userId)).toEqual([device.id]);

    stream.close();
    await observer.waitFor(onlineIs(false), { from: observer.messages.indexOf(wentOnline) + 1 });
    expect(await presence.isOnline(userId, device.id)).toBe(false);

    const beat = await t.app.inject({ method: 'POST', url: `/api/v1/devices/${device.id}/heartbeat`, headers: session });
    expect(beat.statusCode).toBe(200);
    const byHeartbeat = await observer.waitFor(onlineIs(true), { from: observer.messages.length });
    clockOffsetMs += 31_000;
    await observer.waitFor(onlineIs(false), { from: observer.messages.indexOf(byHeartbeat) + 1 });
    expect(await presence.onlineDeviceIds(userId)).toEqual([]);
  });

  it('tells every open app the new device list when a device is registered, renamed or revoked', async () => {
    const { session, device } = await newUser();
    const tab = await connect(session);
    const app = await connect(device.headers);
    for (const client of [tab, app]) await client.waitFor(isType('snapshot'));
    const listed = (message: SseMessage) => payload(message).data.devices as { id: string; name: string }[];
    /** Runs `change`, then waits on both streams for a `devices` event whose list satisfies `expected`. */
    async function announced(change: () => Promise<unknown>, expected: (devices: { id: string; name: string }[]) => boolean) {
      const from = [tab.messages.length, app.messages.length];
      await change();
      for (const [n, client] of [tab, app].entries()) {
        const event = await client.waitFor((message) => message.event === 'devices' && expected(listed(message)), { from: from[n] });
        expect(Number(event.id)).toBeGreaterThan(0);
      }
    }

    let added!: Awaited<ReturnType<typeof registerDevice>>;
    await announced(
      async () => (added = await registerDevice(session)),
      (devices) => devices.some((d) => d.id === added?.id),
    );
    await announced(
      () => t.app.inject({ method: 'PATCH', url: `/api/v1/devices/${added.id}`, headers: session, payload: { name: 'Kitchen speaker' } }),
      (devices) => devices.some((d) => d.id === added.id && d.name === 'Kitchen speaker'),
    );
    await announced(
      () => t.app.inject({ method: 'DELETE', url: `/api/v1/devices/${added.id}`, headers: session }),
      (devices) => devices.length === 1 && devices[0].id === device.id,
    );
  });

  it("never shows a user's events to another user's device", async () => {
    const alice = await newUser();
    const bob = await newUser();
    // A device token speaks for its own device: naming another user's device changes nothing.
    const bobStream = await connect(bob.device.headers, `?deviceId=${alice.device.id}`);
    const snapshot = payload(await bobStream.waitFor(isType('snapshot')));
    expect(snapshot.data.devices.map((d: { id: string }) => d.id)).toEqual([bob.device.id]);
    for (let n = 0; n < 5; n++) await publish(alice.userId, 'playback', { secret: n });
    const own = await publish(bob.userId, 'playback', { mine: true });
    await bobStream.waitFor((message) => message.id === String(own.id));
    expect(bobStream.messages.map((message) => message.data).join('\n')).not.toContain('secret');
    expect(bobStream.messages.every((message) => message.event !== 'devices' || !message.data.includes(alice.device.id))).toBe(true);

    const borrowed = await connect(bob.session, `?deviceId=${alice.device.id}`);
    expect(borrowed.status).toBe(404);
    await borrowed.ended;
    expect(JSON.parse(borrowed.messages[0].data).error.code).toBe('device_not_found');
  });

  it('refuses a revoked device and ends its open stream; ends a session stream at logout', async () => {
    const { session, device } = await newUser();
    const stream = await connect(device.headers);
    await stream.waitFor(isType('snapshot'));
    const revoked = await t.app.inject({ method: 'DELETE', url: `/api/v1/devices/${device.id}`, headers: session });
    expect(revoked.statusCode).toBe(204);
    await stream.ended;
    const refused = await connect(device.headers);
    expect(refused.status).toBe(401);

    const web = await connect(session);
    await web.waitFor(isType('snapshot'));
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: session });
    await web.ended;
  });

  it("ends a disabled user's device streams", async () => {
    const admin = await signIn(t.app, `admin${++users}`, 'admin');
    const { userId, device } = await newUser();
    const stream = await connect(device.headers);
    await stream.waitFor(isType('snapshot'));
    const disabled = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${userId}`, headers: admin, payload: { disabled: true } });
    expect(disabled.statusCode).toBe(200);
    await stream.ended;
  });

  it('forwards library changes and scan progress to every stream as live-only events without ids', async () => {
    const { device } = await newUser();
    const client = await connect(device.headers);
    await client.waitFor(isType('snapshot'));
    t.app.omnisonic.bus.publish({ type: 'scan', state: 'started' });
    for (let n = 1; n <= 50; n++) t.app.omnisonic.bus.publish({ type: 'scan', state: 'progress', phase: 'read-tags', processed: n, total: 50 });
    t.app.omnisonic.bus.publish({ type: 'library', change: 'upsert', entity: 'track', ids: ['t1'] });
    t.app.omnisonic.bus.publish({ type: 'scan', state: 'finished', processed: 50, total: 50 });
    const library = await client.waitFor(isType('library'));
    expect(library.id).toBeUndefined();
    expect(payload(library).data).toEqual({ change: 'upsert', entity: 'track', ids: ['t1'] });
    await client.waitFor((message) => message.event === 'scan' && payload(message).data.state === 'finished');
    // Progress is coalesced, and superseded by the finish.
    expect(client.messages.filter((message) => message.event === 'scan').length).toBeLessThan(5);
  });

  it('tells the server time in epoch ms', async () => {
    const { session } = await newUser();
    const response = await t.app.inject({ url: '/api/v1/time', headers: session });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(Math.abs(response.json().serverTime - (Date.now() + clockOffsetMs))).toBeLessThan(1000);
  });
});
