import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventStream, type EventStreamClient, type SseMessage } from '../../bench/sse-client.js';
import type { UserEvent } from '../../src/events/contracts.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { signIn } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

const redisUrl = process.env.TEST_REDIS_URL;
const databaseUrl = process.env.TEST_DATABASE_URL;
// The global setup prints the notice when either is missing; say which test skips.
if (!redisUrl || !databaseUrl) console.warn('NOTICE: redis-bus.test.ts skipped: it needs TEST_REDIS_URL and TEST_DATABASE_URL.');

/**
 * Two server instances behind an imaginary load balancer: one PostgreSQL schema, one Redis, a channel prefix of
 * their own (test files run in parallel on the same Redis).
 */
describe.skipIf(!redisUrl || !databaseUrl)('two instances sharing PostgreSQL and Redis', () => {
  let database: TestDatabase;
  const instances: { app: FastifyInstance; url: string; dataDir: string }[] = [];
  const streams: EventStreamClient[] = [];
  let userId: string;
  let session: { authorization: string };
  const devices: { id: string; headers: Record<string, string> }[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const env = {
      OMNISONIC_WATCH: 'false',
      OMNISONIC_SCAN_ON_START: 'false',
      OMNISONIC_LOG_LEVEL: 'silent',
      OMNISONIC_SECRET: 'ab'.repeat(32),
      REDIS_URL: redisUrl!,
      OMNISONIC_REDIS_PREFIX: `test-${randomUUID()}`,
    };
    for (let n = 0; n < 2; n++) {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-redis-'));
      const config = loadConfig({ data: dataDir }, env);
      const app = await buildApp({ ...config, databaseUrl: database.databaseUrl, databaseSchema: database.databaseSchema });
      instances.push({ app, dataDir, url: await app.listen({ host: '127.0.0.1', port: 0 }) });
    }
    session = await signIn(instances[0].app, 'alice', 'user');
    userId = (await instances[0].app.inject({ url: '/api/v1/me', headers: session })).json().id;
    for (const { app } of instances) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/devices',
        headers: session,
        payload: { name: 'device', platform: 'test', appVersion: '1', clientId: randomUUID() },
      });
      devices.push({ id: response.json().device.id, headers: { authorization: `Bearer ${response.json().accessToken}` } });
    }
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    for (const { app, dataDir } of instances) {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    await database?.destroy();
  });

  async function connect(instance: number, device: number, headers: Record<string, string> = {}) {
    const stream = await openEventStream(`${instances[instance].url}/api/v1/events`, { headers: { ...devices[device].headers, ...headers } });
    streams.push(stream);
    return stream;
  }
  const withId = (id: number) => (message: SseMessage) => message.id === String(id);

  it('delivers an event published on instance 1 to a stream on instance 2, and library events too', async () => {
    const stream = await connect(1, 1);
    await stream.waitFor((message) => message.event === 'snapshot');
    const event = await instances[0].app.omnisonic.events.publisher.publish(userId, 'playback', { from: 'instance 1' });
    expect(JSON.parse((await stream.waitFor(withId(event.id))).data).data).toEqual({ from: 'instance 1' });

    instances[0].app.omnisonic.bus.publish({ type: 'library', change: 'delete', entity: 'album', ids: ['a1'] });
    await stream.waitFor((message) => message.event === 'library');
  });

  it('lets a device on instance 1 control playback seen by a device on instance 2', async () => {
    const stream = await connect(1, 1);
    await stream.waitFor((message) => message.event === 'snapshot');
    const from = stream.messages.length;
    const command = await instances[0].app.inject({
      method: 'POST',
      url: '/api/v1/playback/commands',
      headers: devices[0].headers,
      payload: { commandId: randomUUID(), type: 'volume', args: { percent: 40 } },
    });
    expect(command.statusCode).toBe(200);
    const event = await stream.waitFor((message) => message.event === 'playback', { from });
    expect(JSON.parse(event.data).data).toMatchObject({ volume: 40 });
  });

  it('shows a device streaming on one instance as online on the other', async () => {
    const stream = await connect(0, 0);
    await stream.waitFor((message) => message.event === 'snapshot');
    expect(await instances[1].app.omnisonic.events.presence.isOnline(userId, devices[0].id)).toBe(true);
  });

  it('replays on instance 2, after a reconnect with Last-Event-ID, the events appended on instance 1', async () => {
    const first = await connect(1, 1);
    const snapshot = await first.waitFor((message) => message.event === 'snapshot');
    first.close();
    const missed: UserEvent[] = [];
    for (let n = 0; n < 3; n++) missed.push(await instances[0].app.omnisonic.events.publisher.publish(userId, 'collection', { n }));

    const again = await connect(1, 1, { 'last-event-id': snapshot.id! });
    await again.waitFor(withId(missed[2].id));
    const replayed = again.messages.filter((message) => message.event === 'collection');
    expect(replayed.map((message) => [Number(message.id), JSON.parse(message.data).data])).toEqual(missed.map((event) => [event.id, event.data]));
    expect(again.messages.some((message) => message.event === 'snapshot')).toBe(false);
  });
});
