import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { signIn } from '../support/app.js';
import { catalogFixtures, type CatalogFixtures } from '../support/catalog-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

const redisUrl = process.env.TEST_REDIS_URL;
const databaseUrl = process.env.TEST_DATABASE_URL;
if (!redisUrl || !databaseUrl) console.warn('NOTICE: search-instances.test.ts skipped: it needs TEST_REDIS_URL and TEST_DATABASE_URL.');

type Headers = { authorization: string };

/**
 * Two server instances behind an imaginary load balancer (one PostgreSQL schema, one Redis): each keeps its own
 * search index, fed by the `library` events either instance publishes.
 */
describe.skipIf(!redisUrl || !databaseUrl)('search across two instances sharing PostgreSQL and Redis', () => {
  let database: TestDatabase;
  const instances: { app: FastifyInstance; dataDir: string }[] = [];
  let admin: Headers;
  let f: CatalogFixtures;

  const search = async (n: number, query: string) => {
    const response = await instances[n]!.app.inject({ url: `/api/v1/search?${query}`, headers: admin });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { artists: { id: string }[]; albums: { id: string }[]; tracks: { id: string; title: string }[] };
  };

  /** Polls instance `n` until `probe` holds, failing if that takes more than the one second search promises. */
  async function withinOneSecond(probe: () => Promise<boolean>): Promise<void> {
    const started = performance.now();
    while (!(await probe())) {
      if (performance.now() - started > 1000) throw new Error('not searchable within 1 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const env = {
      OMNISONIC_WATCH: 'false',
      OMNISONIC_SCAN_ON_START: 'false',
      OMNISONIC_LOG_LEVEL: 'silent',
      OMNISONIC_SECRET: 'cd'.repeat(32),
      REDIS_URL: redisUrl!,
      OMNISONIC_REDIS_PREFIX: `test-${randomUUID()}`,
    };
    f = catalogFixtures(database.db);
    // Rows present before the instances start: both build their index from the database.
    const album = await f.album({ title: 'Northern Lights', artist: 'Aurora Band' });
    for (const title of ['Polar Night', 'Midnight Sun', 'Frozen Fjord']) await f.track({ title, album, artists: ['Aurora Band'] });
    for (let n = 0; n < 2; n++) {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-search-'));
      const config = loadConfig({ data: dataDir }, env);
      instances.push({ app: await buildApp({ ...config, databaseUrl: database.databaseUrl, databaseSchema: database.databaseSchema }), dataDir });
    }
    admin = await signIn(instances[0]!.app);
    for (const { app } of instances) await app.omnisonic.search.settled();
  });
  afterAll(async () => {
    for (const { app, dataDir } of instances) {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    await database.destroy();
  });

  it('answers the same on both instances', async () => {
    for (const query of ['q=aurora', 'q=nigth', 'q=northern%20polar', 'lossless=true&sort=title', 'q=fjord&types=track']) {
      expect(await search(1, query), query).toEqual(await search(0, query));
    }
    expect((await search(1, 'q=aurora')).tracks.map((track) => track.title)).toEqual(['Frozen Fjord', 'Midnight Sun', 'Polar Night']);
  });

  it('finds on one instance within a second what another added, edited and lost', async () => {
    const track = await f.track({ title: 'Borealis Rising', artists: ['Aurora Band'] });
    // The scanner publishes on the instance that scanned.
    instances[0]!.app.omnisonic.bus.publish({ type: 'library', change: 'upsert', entity: 'track', ids: [track.id] });
    await withinOneSecond(async () => (await search(1, 'q=borealis')).tracks.some((found) => found.id === track.id));

    const edit = await instances[0]!.app.inject({ method: 'PATCH', url: `/api/v1/tracks/${track.id}`, headers: admin, payload: { title: 'Aurora Fading' } });
    expect(edit.statusCode, edit.body).toBe(200);
    await withinOneSecond(async () => (await search(1, 'q=fading')).tracks.some((found) => found.id === track.id));
    expect((await search(1, 'q=borealis')).tracks).toEqual([]);

    await database.db.updateTable('tracks').set({ status: 'missing' }).where('id', '=', track.id).execute();
    instances[0]!.app.omnisonic.bus.publish({ type: 'library', change: 'delete', entity: 'track', ids: [track.id] });
    await withinOneSecond(async () => (await search(1, 'q=fading')).tracks.length === 0);
  });

  it('evaluates a smart playlist made on one instance the same on the other', async () => {
    const created = await instances[0]!.app.inject({
      method: 'POST',
      url: '/api/v1/playlists',
      headers: admin,
      payload: { name: 'Aurora, newest first', rules: { q: 'aurora', sort: 'added', limit: 2 } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const items = async (n: number) =>
      (await instances[n]!.app.inject({ url: `/api/v1/playlists/${created.json().id}/items`, headers: admin })).json().items.map((item: { track: { title: string } }) => item.track.title);
    expect(await items(1)).toEqual(['Frozen Fjord', 'Midnight Sun']);
    expect(await items(1)).toEqual(await items(0));
  });
});
