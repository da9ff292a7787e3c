import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openEventStream, type EventStreamClient, type SseMessage } from '../../bench/sse-client.js';
import type { TracksTable } from '../../src/db/schema.js';
import type { PlaybackState } from '../../src/playback/state.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { catalogFixtures } from '../support/catalog-fixtures.js';
import { describeEachDatabase } from '../support/databases.js';

/** A seeded generator, so a failing random run can be repeated. */
function prng(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % below;
  };
}

const stateOf = (message: SseMessage) => JSON.parse(message.data).data as PlaybackState;

/**
 * Playback as the devices see it: the real event log, bus, presence and SSE streams (no fakes), so what is checked
 * is what each device's event stream received.
 */
describeEachDatabase('playback, live on every device', (kind) => {
  let t: TestApp;
  let base: string;
  let songs: TracksTable[];
  const streams: EventStreamClient[] = [];

  beforeAll(async () => {
    t = await createTestApp(kind);
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const fx = catalogFixtures(t.database.db);
    songs = [];
    for (const [i, durationMs] of [180_000, 200_000, 240_000, 300_000].entries()) songs.push(await fx.track({ title: `Song ${i}`, durationMs }));
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await t.close();
  });

  it('5 devices sending 200 mixed commands concurrently: every device receives every revision once, in order, ending on the final state', async () => {
    const session = await signIn(t.app, 'live', 'admin');
    const devices: { id: string; headers: Record<string, string> }[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/devices',
        headers: session,
        payload: { name: `d${i}`, platform: 'test', appVersion: '1', clientId: randomUUID() },
      });
      devices.push({ id: response.json().device.id, headers: { authorization: `Bearer ${response.json().accessToken}` } });
    }
    const live: EventStreamClient[] = [];
    for (const device of devices) {
      const stream = await openEventStream(`${base}/api/v1/events`, { headers: device.headers });
      streams.push(stream);
      live.push(stream);
      // Open before the first command: the snapshot is at revision 0.
      const snapshot = await stream.waitFor((message) => message.event === 'snapshot');
      expect(JSON.parse(snapshot.data).data.playback.revision).toBe(0);
    }

    const statuses: number[] = [];
    async function run(device: (typeof devices)[number], index: number) {
      const random = prng(index + 11);
      const pick = <T>(values: T[]) => values[random(values.length)];
      let seen = 0;
      for (let n = 0; n < 40; n++) {
        const choices: object[] = [
          { type: 'play', args: { trackIds: [pick(songs).id, pick(songs).id], startIndex: 0 } },
          { type: 'pause' },
          { type: 'resume' },
          { type: 'next' },
          { type: 'previous' },
          { type: 'seek', args: { positionMs: random(200_000) } },
          { type: 'queue.add', args: { trackIds: [pick(songs).id], at: random(2) ? 'next' : 'end' } },
          { type: 'queue.clear' },
          { type: 'shuffle', args: { enabled: random(2) === 1 } },
          { type: 'repeat', args: { mode: pick(['off', 'all', 'one']) } },
          { type: 'volume', args: { percent: random(101) } },
          { type: 'transfer', args: { deviceId: pick(devices).id } },
        ];
        const expected = random(5) === 0 ? { expectedRevision: seen } : {};
        const response = await t.app.inject({
          method: 'POST',
          url: '/api/v1/playback/commands',
          headers: device.headers,
          payload: { commandId: randomUUID(), ...pick(choices), ...expected },
        });
        statuses.push(response.statusCode);
        if (response.statusCode === 200) seen = response.json().revision;
        if (response.statusCode === 409 && response.json().state) seen = response.json().state.revision;
      }
    }
    await Promise.all(devices.map(run));
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(50);

    const final: PlaybackState = (await t.app.inject({ url: '/api/v1/playback', headers: session })).json();
    expect(final.revision).toBe(statuses.filter((status) => status === 200).length);
    for (const stream of live) {
      await stream.waitFor((message) => message.event === 'playback' && stateOf(message).revision === final.revision, { timeoutMs: 10_000 });
      const received = stream.messages.filter((message) => message.event === 'playback').map(stateOf);
      expect(received.map((state) => state.revision)).toEqual(Array.from({ length: final.revision }, (_, n) => n + 1));
      expect(received.at(-1)).toEqual(final);
    }
  });
});
