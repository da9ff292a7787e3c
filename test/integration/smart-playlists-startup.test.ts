import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { signIn } from '../support/app.js';
import { catalogFixtures } from '../support/catalog-fixtures.js';
import { createTestDatabase, describeEachDatabase, type TestDatabase } from '../support/databases.js';

type Headers = { authorization: string };

describeEachDatabase('smart playlists before the search index is built', (kind) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let admin: Headers;
  let smartId: string;
  let ordinaryId: string;

  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    app.inject({ method, url: `/api/v1${url}`, headers: admin, ...(payload ? { payload } : {}) });
  async function ok(method: 'GET' | 'POST', url: string, payload?: object) {
    const response = await call(method, url, payload);
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
    return response.json();
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const config = loadConfig(
      { music: [], data: database.dataDir },
      { OMNISONIC_WATCH: 'false', OMNISONIC_SCAN_ON_START: 'false', OMNISONIC_LOG_LEVEL: 'silent' },
    );
    // Without background indexing the search index is not started: the state of a server still building it.
    app = await buildApp({ ...config, databaseUrl: database.databaseUrl, databaseSchema: database.databaseSchema, backgroundIndexing: false });
    admin = await signIn(app);
    const f = catalogFixtures(database.db);
    const lossless = await f.track({ title: 'Lossless One', lossless: true, durationMs: 200_000 });
    const lossy = await f.track({ title: 'Lossy One', lossless: false, codec: 'MPEG 1 Layer 3', durationMs: 100_000 });
    ordinaryId = (await ok('POST', '/playlists', { name: 'Mixtape', trackIds: [lossless.id, lossy.id] })).id;
    smartId = (await ok('POST', '/playlists', { name: 'Lossless', rules: { lossless: true, limit: 10 } })).id;
  });
  afterAll(async () => {
    await app.close();
    await database.destroy();
  });

  it('lists smart playlists with their rules and unknown counts instead of failing', async () => {
    const page = await ok('GET', '/playlists');
    const smart = page.items.find((playlist: { id: string }) => playlist.id === smartId);
    expect(smart).toMatchObject({ smart: true, rules: { lossless: true, limit: 10 }, itemCount: null, availableCount: null, durationMs: null });
    const ordinary = page.items.find((playlist: { id: string }) => playlist.id === ordinaryId);
    expect(ordinary).toMatchObject({ smart: false, itemCount: 2, availableCount: 2, durationMs: 300_000 });
    expect(await ok('GET', `/playlists/${smartId}`)).toMatchObject({ name: 'Lossless', itemCount: null });
  });

  it("answers a smart playlist's items as not ready yet", async () => {
    const response = await call('GET', `/playlists/${smartId}/items`);
    expect(response.statusCode).toBe(503);
    expect(response.json().error.code).toBe('not_ready');
  });

  it('shows the counts once the index is built', async () => {
    app.omnisonic.search.start();
    await app.omnisonic.search.settled();
    const page = await ok('GET', '/playlists');
    const smart = page.items.find((playlist: { id: string }) => playlist.id === smartId);
    expect(smart).toMatchObject({ itemCount: 1, availableCount: 1, durationMs: 200_000 });
    expect((await ok('GET', `/playlists/${smartId}/items`)).items).toHaveLength(1);
  });
});
