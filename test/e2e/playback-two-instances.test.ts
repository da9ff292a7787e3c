import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventStream, type EventStreamClient, type SseMessage } from '../../bench/sse-client.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(repoRoot, 'bin/omnisonic.js');
const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
// The global setup prints the notice when either is missing; say which test skips.
if (!databaseUrl || !redisUrl) console.warn('NOTICE: playback-two-instances.test.ts skipped: it needs TEST_DATABASE_URL and TEST_REDIS_URL.');

const PASSWORD = 'two instances 123';

interface Server {
  child: ChildProcess;
  url: string;
  log: () => string;
}

/** `omnisonic serve` (the built CLI) as a process of its own on a free port; resolves once it logs that it listens. */
function startServer(data: string, env: Record<string, string>): Promise<Server> {
  const music = path.join(data, 'music');
  mkdirSync(music, { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'serve', '--music', music, '--data', path.join(data, 'data'), '--port', '0'], {
      env: { ...process.env, OMNISONIC_WATCH: 'false', OMNISONIC_SCAN_ON_START: 'false', OMNISONIC_LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match) resolve({ child, url: match[1]!, log: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

async function stopServer(server: Server | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null) return;
  const exited = once(server.child, 'exit');
  server.child.kill('SIGTERM');
  await exited;
}

/** Runs one statement on the server of TEST_DATABASE_URL. */
async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const playbackOf = (message: SseMessage) => JSON.parse(message.data).data as { revision: number; volume: number };

/**
 * The scale-out test with real processes: two `omnisonic serve` processes share one PostgreSQL database (a
 * fresh one, dropped afterwards), one Redis (a channel prefix of their own) and the same secret, as behind a load
 * balancer. A command sent to one reaches a device streaming from the other, and a device that reconnects to the
 * other instance with `Last-Event-ID` gets exactly what it missed.
 */
describe.skipIf(!databaseUrl || !redisUrl)('playback across two server processes (PostgreSQL + Redis)', () => {
  let work = '';
  const databaseName = `omnisonic_e2e_${process.pid}_${randomUUID().slice(0, 8)}`;
  const servers: Server[] = [];
  const streams: EventStreamClient[] = [];
  let phone: Record<string, string>;
  let laptop: Record<string, string>;

  const command = (server: Server, device: Record<string, string>, type: string, args?: object) =>
    fetch(`${server.url}/api/v1/playback/commands`, {
      method: 'POST',
      headers: { ...device, 'content-type': 'application/json' },
      body: JSON.stringify({ commandId: randomUUID(), type, ...(args ? { args } : {}) }),
    });
  const stream = async (server: Server, device: Record<string, string>, lastEventId?: string) => {
    const client = await openEventStream(`${server.url}/api/v1/events`, { headers: { ...device, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) } });
    streams.push(client);
    return client;
  };

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-two-'));
    await admin(`create database "${databaseName}"`);
    const url = new URL(databaseUrl!);
    url.pathname = `/${databaseName}`;
    const env = {
      DATABASE_URL: url.toString(),
      REDIS_URL: redisUrl!,
      OMNISONIC_REDIS_PREFIX: `e2e-${randomUUID()}`,
      OMNISONIC_SECRET: 'cd'.repeat(32),
      OMNISONIC_ADMIN_PASSWORD: PASSWORD,
    };
    // One after the other: the first migrates the database and creates the admin, the second finds both done.
    for (const name of ['one', 'two']) servers.push(await startServer(path.join(work, name), env));

    const login = await fetch(`${servers[0].url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    const session = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
    const register = async (server: Server, name: string) => {
      const response = await fetch(`${server.url}/api/v1/devices`, {
        method: 'POST',
        headers: { ...session, 'content-type': 'application/json' },
        body: JSON.stringify({ name, platform: 'test', appVersion: '1', clientId: randomUUID() }),
      });
      expect(response.status).toBe(201);
      return { authorization: `Bearer ${((await response.json()) as { accessToken: string }).accessToken}` };
    };
    phone = await register(servers[0], 'phone');
    laptop = await register(servers[1], 'laptop');
  });

  afterAll(async () => {
    for (const client of streams) client.close();
    await Promise.all(servers.map(stopServer));
    await admin(`drop database if exists "${databaseName}" with (force)`);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('a command on instance 1 reaches a device streaming from instance 2; reconnecting to instance 1 replays what it missed', async () => {
    const [one, two] = servers;
    const onTwo = await stream(two, laptop);
    await onTwo.waitFor((message) => message.event === 'snapshot', { timeoutMs: 15_000 });

    const sent = await command(one, phone, 'volume', { percent: 30 });
    expect(sent.status, await sent.clone().text()).toBe(200);
    const { revision } = (await sent.json()) as { revision: number };
    const live = await onTwo.waitFor((message) => message.event === 'playback' && playbackOf(message).revision === revision, { timeoutMs: 15_000 });
    expect(playbackOf(live).volume).toBe(30);

    // The laptop drops off; two commands go out while it is away.
    onTwo.close();
    await onTwo.ended;
    const missed: number[] = [];
    for (const percent of [40, 50]) {
      const response = await command(one, phone, 'volume', { percent });
      expect(response.status).toBe(200);
      missed.push(((await response.json()) as { revision: number }).revision);
    }

    const onOne = await stream(one, laptop, live.id);
    const replayed = await onOne.waitFor((message) => message.event === 'playback' && playbackOf(message).revision === missed[1], { timeoutMs: 15_000 });
    const received = onOne.messages.slice(0, onOne.messages.indexOf(replayed) + 1);
    // No snapshot: the events after Last-Event-ID, in order and without a gap (a `devices` event may sit among them).
    expect(received.map((message) => message.event)).not.toContain('snapshot');
    expect(received.map((message) => Number(message.id))).toEqual(received.map((_, index) => Number(live.id) + 1 + index));
    expect(received.filter((message) => message.event === 'playback').map((message) => [playbackOf(message).revision, playbackOf(message).volume])).toEqual([
      [missed[0], 40],
      [missed[1], 50],
    ]);
  });
});
