import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { Timer } from '../../src/collection/timer.js';
import { loadConfig } from '../../src/config.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { catalogFixtures, type CatalogFixtures } from '../support/catalog-fixtures.js';
import { createTestDatabase, describeEachDatabase } from '../support/databases.js';

const MIN = 60_000;
const NOW = Date.UTC(2025, 5, 15, 12);
const GOOD_TOKEN = 'a1b2c3d4-good-token';
const RECORDING = '4b0d3a85-3a8c-4d5e-9a0b-1c2d3e4f5a6b';

interface Received {
  path: string;
  authorization: string | undefined;
  body: any;
}

type Reply = { status: number; body: object; headers?: Record<string, string> };

/**
 * A stand-in for api.listenbrainz.org on 127.0.0.1 (this machine has no internet): knows one user token, records
 * every request, and answers `submit-listens` with `reply` (200 `{status: "ok"}` unless a test says otherwise).
 * `down()` closes it, `up()` reopens it on the same port.
 */
function createListenBrainzStub() {
  const received: Received[] = [];
  let reply: (body: any) => Reply = () => ({ status: 200, body: { status: 'ok' } });
  const server = http.createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', () => {
      const body = raw ? JSON.parse(raw) : null;
      const path = new URL(request.url!, 'http://stub').pathname;
      received.push({ path, authorization: request.headers.authorization, body });
      let answer: Reply;
      if (path === '/1/validate-token') {
        answer =
          request.headers.authorization === `Token ${GOOD_TOKEN}`
            ? { status: 200, body: { code: 200, message: 'Token valid.', valid: true, user_name: 'alice' } }
            : { status: 200, body: { code: 200, message: 'Token invalid.', valid: false } };
      } else if (path === '/1/submit-listens') {
        answer = reply(body);
      } else {
        answer = { status: 404, body: { code: 404, error: 'Not found' } };
      }
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(JSON.stringify(answer.body));
    });
  });
  let port = 0;
  return {
    received,
    submissions: () => received.filter((r) => r.path === '/1/submit-listens'),
    url: () => `http://127.0.0.1:${port}`,
    answer(next: (body: any) => Reply) {
      reply = next;
    },
    async up() {
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    },
    async down() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Timers that never fire by themselves: tests read the scheduled delay and move the fake clock instead. Timers the
 * app sets up at start (the hourly sync-log compaction) come before `ignoreEarlier()` and are not the forwarder's.
 */
function manualTimer() {
  const scheduled: { delayMs: number; cancelled: boolean }[] = [];
  let first = 0;
  const timer: Timer = {
    schedule(delayMs) {
      const entry = { delayMs, cancelled: false };
      scheduled.push(entry);
      return () => {
        entry.cancelled = true;
      };
    },
  };
  return {
    timer,
    ignoreEarlier: () => {
      first = scheduled.length;
    },
    pendingDelay: () => scheduled.slice(first).filter((entry) => !entry.cancelled).at(-1)?.delayMs ?? null,
  };
}

describeEachDatabase('forwarding plays to ListenBrainz', (kind) => {
  const stub = createListenBrainzStub();
  let now = NOW;
  const clock = { now: () => now };
  const timers = manualTimer();
  let t: TestApp;
  let headers: { authorization: string };
  let f: CatalogFixtures;

  beforeAll(async () => {
    await stub.up();
    t = await createTestApp(kind, { env: { OMNISONIC_LISTENBRAINZ_URL: stub.url() }, overrides: { clock, timer: timers.timer } });
    timers.ignoreEarlier();
    headers = await signIn(t.app);
    f = catalogFixtures(t.app.omnisonic.database.db);
  });
  afterAll(async () => {
    await t.close();
    await stub.down().catch(() => {});
  });
  beforeEach(async () => {
    now = NOW;
    stub.received.length = 0;
    stub.answer(() => ({ status: 200, body: { status: 'ok' } }));
    await t.app.inject({ method: 'DELETE', url: '/api/v1/me/listenbrainz', headers });
    await f.clear();
  });
  afterEach(async () => {
    // A test that took the stub down leaves it up again for the next.
    await stub.up().catch(() => {});
  });

  const forwarder = () => t.app.omnisonic.collection.forwarder;
  const status = async () => (await t.app.inject({ url: '/api/v1/me/listenbrainz', headers })).json();
  const connect = (token = GOOD_TOKEN) => t.app.inject({ method: 'PUT', url: '/api/v1/me/listenbrainz', headers, payload: { token } });
  const play = (trackId: string, playedAt: number, durationPlayedMs = 3 * MIN) =>
    t.app.inject({ method: 'POST', url: '/api/v1/history', headers, payload: { trackId, playedAt, durationPlayedMs } });
  const attemptsInDb = async () =>
    (await t.app.omnisonic.database.db.selectFrom('listenbrainzOutbox').select('attempts').execute()).map((row) => row.attempts);

  it('checks the token with ListenBrainz, stores it sealed, and never shows it', async () => {
    const refused = await connect('not-a-real-token');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('listenbrainz_token_invalid');
    expect((await status()).connected).toBe(false);

    const connected = await connect();
    expect(connected.statusCode).toBe(200);
    expect(connected.json()).toEqual({ connected: true, userName: 'alice', validatedAt: NOW, pending: 0, dropped: 0, lastError: null });
    expect(stub.received.at(-1)).toMatchObject({ path: '/1/validate-token', authorization: `Token ${GOOD_TOKEN}` });
    expect(connected.body).not.toContain(GOOD_TOKEN);
    const stored = await t.app.omnisonic.database.db.selectFrom('listenbrainzAccounts').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(GOOD_TOKEN);

    // Offline: the token is kept unchecked rather than refused.
    await stub.down();
    const offline = await connect('any-token-while-offline');
    expect(offline.statusCode).toBe(200);
    expect(offline.json()).toMatchObject({ connected: true, userName: null, validatedAt: null });

    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/me/listenbrainz', headers })).statusCode).toBe(204);
    expect((await status()).connected).toBe(false);
  });

  it('sends a recorded play as a single listen with the user token and the track metadata', async () => {
    const album = await f.album({ title: 'Discovery', artist: 'Daft Punk' });
    const track = await f.track({
      title: 'Digital Love',
      album,
      artists: ['Daft Punk'],
      durationMs: 301_000,
      trackNumber: 3,
      isrc: 'GBDUW0000059',
      mbRecordingId: RECORDING.toUpperCase(),
      // Not a UUID: ListenBrainz would refuse the whole listen over it, so it is left out.
      mbReleaseId: 'not-a-uuid',
    });
    expect((await play(track.id, NOW - 10 * MIN)).statusCode).toBe(201);
    await forwarder().deliverNow();
    // Plays from before connecting are not forwarded.
    expect(stub.submissions()).toEqual([]);

    await connect();
    expect((await play(track.id, NOW - 5 * MIN + 789)).statusCode).toBe(201);
    expect((await play(track.id, NOW - 2 * MIN, 10_000)).json().recorded).toBe(false);
    await forwarder().deliverNow();

    expect(stub.submissions()).toEqual([
      {
        path: '/1/submit-listens',
        authorization: `Token ${GOOD_TOKEN}`,
        body: {
          listen_type: 'single',
          payload: [
            {
              listened_at: (NOW - 5 * MIN) / 1000,
              track_metadata: {
                artist_name: 'Daft Punk',
                track_name: 'Digital Love',
                release_name: 'Discovery',
                additional_info: { duration_ms: 301_000, recording_mbid: RECORDING, tracknumber: 3, isrc: 'GBDUW0000059', submission_client: 'Omnisonic' },
              },
            },
          ],
        },
      },
    ]);
    expect(await status()).toMatchObject({ pending: 0, dropped: 0, lastError: null });
  });

  it('queues listens while ListenBrainz is down, retries with exponential backoff, and delivers them once it is back', async () => {
    const track = await f.track({ title: 'Offline Song', artists: ['Someone'] });
    await connect();
    await stub.down();
    await play(track.id, NOW - 9 * MIN);
    await play(track.id, NOW - 5 * MIN);
    await forwarder().deliverNow();
    expect(await status()).toMatchObject({ pending: 2, dropped: 0, lastError: expect.stringContaining('unreachable') });
    expect(await attemptsInDb()).toEqual([1, 1]);
    expect(timers.pendingDelay()).toBe(30_000);

    // Not due yet: nothing is tried.
    now += 29_000;
    await forwarder().deliverNow();
    expect(await attemptsInDb()).toEqual([1, 1]);

    // Due, still down: the wait doubles.
    now += 1_000;
    await forwarder().deliverNow();
    expect(await attemptsInDb()).toEqual([2, 2]);
    expect(timers.pendingDelay()).toBe(60_000);

    await stub.up();
    now += 60_000;
    await forwarder().deliverNow();
    const [delivered] = stub.submissions();
    expect(stub.submissions()).toHaveLength(1);
    expect(delivered!.body.listen_type).toBe('import');
    expect(delivered!.body.payload.map((listen: { listened_at: number }) => listen.listened_at)).toEqual([(NOW - 9 * MIN) / 1000, (NOW - 5 * MIN) / 1000]);
    expect(await status()).toMatchObject({ pending: 0, dropped: 0 });
    expect(timers.pendingDelay()).toBeNull();
  });

  it('waits as long as ListenBrainz asks when it rate-limits (429)', async () => {
    const track = await f.track({ title: 'Popular' });
    await connect();
    stub.answer(() => ({ status: 429, body: { code: 429, error: 'Too many requests' }, headers: { 'X-RateLimit-Reset-In': '120' } }));
    await play(track.id, NOW - 5 * MIN);
    await forwarder().deliverNow();
    expect(timers.pendingDelay()).toBe(120_000);
    expect(await status()).toMatchObject({ pending: 1, lastError: 'HTTP 429: Too many requests' });

    stub.answer(() => ({ status: 200, body: { status: 'ok' } }));
    now += 120_000;
    await forwarder().deliverNow();
    expect(stub.submissions()).toHaveLength(2);
    expect(await status()).toMatchObject({ pending: 0, dropped: 0 });
  });

  it('drops a listen ListenBrainz refuses (400) with the error, never retries it, and still sends the others', async () => {
    const good = await f.track({ title: 'Good' });
    const bad = await f.track({ title: 'Bad' });
    await connect();
    stub.answer((body) =>
      body.payload.some((listen: { track_metadata: { track_name: string } }) => listen.track_metadata.track_name === 'Bad')
        ? { status: 400, body: { code: 400, error: 'Invalid listen' } }
        : { status: 200, body: { status: 'ok' } },
    );
    await stub.down();
    await play(good.id, NOW - 9 * MIN);
    await play(bad.id, NOW - 5 * MIN);
    await forwarder().deliverNow();
    await stub.up();
    now += 30_000;
    await forwarder().deliverNow();

    // The batch was refused, then each listen alone: the good one went through.
    const names = stub.submissions().map((s) => s.body.payload.map((l: { track_metadata: { track_name: string } }) => l.track_metadata.track_name).join('+'));
    expect(names).toEqual(['Good+Bad', 'Good', 'Bad']);
    expect(await status()).toMatchObject({ pending: 0, dropped: 1, lastError: 'HTTP 400: Invalid listen' });

    now += 24 * 60 * MIN;
    await forwarder().deliverNow();
    expect(stub.submissions()).toHaveLength(3);
  });
});

describeEachDatabase('ListenBrainz forwarding across a restart', (kind) => {
  it('sends after a restart the listens queued before it', async () => {
    const stub = createListenBrainzStub();
    await stub.up();
    const database = await createTestDatabase(kind);
    let now = NOW;
    const clock = { now: () => now };
    const start = () =>
      buildApp(
        {
          ...loadConfig(
            { data: database.dataDir },
            { OMNISONIC_WATCH: 'false', OMNISONIC_SCAN_ON_START: 'false', OMNISONIC_LOG_LEVEL: 'silent', OMNISONIC_LISTENBRAINZ_URL: stub.url() },
          ),
          databaseUrl: database.databaseUrl,
          databaseSchema: database.databaseSchema,
        },
        { clock, timer: manualTimer().timer },
      );
    let app: FastifyInstance | undefined;
    try {
      app = await start();
      const headers = await signIn(app);
      const track = await catalogFixtures(app.omnisonic.database.db).track({ title: 'Before the restart' });
      await app.inject({ method: 'PUT', url: '/api/v1/me/listenbrainz', headers, payload: { token: GOOD_TOKEN } });
      await stub.down();
      await app.inject({ method: 'POST', url: '/api/v1/history', headers, payload: { trackId: track.id, playedAt: NOW - 5 * MIN, durationPlayedMs: 3 * MIN } });
      await app.omnisonic.collection.forwarder.deliverNow();
      await app.close();

      await stub.up();
      now += 30_000;
      app = await start();
      await app.omnisonic.collection.forwarder.deliverNow();
      expect(stub.submissions().map((s) => s.body.payload[0].track_metadata.track_name)).toEqual(['Before the restart']);
      expect(stub.submissions()[0]!.authorization).toBe(`Token ${GOOD_TOKEN}`);
    } finally {
      await app?.close();
      await stub.down().catch(() => {});
      await database.destroy();
    }
  });
});
