import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TracksTable } from '../../src/db/schema.js';
import { newId } from '../../src/shared/ids.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { catalogFixtures, type CatalogFixtures } from '../support/catalog-fixtures.js';
import { describeEachDatabase } from '../support/databases.js';
import { manualClock } from '../support/playback-fakes.js';

type Headers = { authorization: string };
const DAY = 86_400_000;

describeEachDatabase('smart playlists', (kind) => {
  const clock = manualClock(Date.UTC(2026, 5, 1));
  let t: TestApp;
  let f: CatalogFixtures;
  let admin: Headers;
  let guest: Headers;
  let adminId: string;
  /** Lossless tracks added about 1–60 days ago, `plays` each. */
  const recent: { track: TracksTable; plays: number }[] = [];
  /** Lossless, added over a year ago, played more than any recent track. */
  let old: TracksTable;

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Headers, payload?: object) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });
  async function ok(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Headers = admin, payload?: object) {
    const response = await call(method, url, headers, payload);
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
    return response.statusCode === 204 ? null : response.json();
  }
  const errorOf = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Headers, payload?: object) => {
    const response = await call(method, url, headers, payload);
    return [response.statusCode, response.json().error?.code];
  };

  /** Every item of the playlist as track ids, paging `limit` at a time. */
  async function trackIdsOf(id: string, headers: Headers = admin, limit = 20): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { trackId: string; position: number }[]; nextCursor: string | null } = await ok(
        'GET',
        `/playlists/${id}/items?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        headers,
      );
      expect(page.items.map((item) => item.position)).toEqual(page.items.map((_, i) => ids.length + i));
      ids.push(...page.items.map((item) => item.trackId));
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  }

  async function addPlays(track: TracksTable, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await t.database.db
        .insertInto('plays')
        .values({ id: newId(), userId: adminId, trackId: track.id, playedAt: clock.now() - i * 1000, durationPlayedMs: 120_000, deviceId: null, recordedAt: clock.now() })
        .execute();
    }
  }

  /** A track as a scan or an upload leaves it: in the database, then announced on the bus (which feeds search). */
  async function scanned(fixture: Parameters<CatalogFixtures['track']>[0]): Promise<TracksTable> {
    const track = await f.track(fixture);
    await t.app.omnisonic.bus.publish({ type: 'library', change: 'upsert', entity: 'track', ids: [track.id] });
    return track;
  }

  /** Most played first; ties by title, as the rules' `plays` sort orders them. */
  const byPlays = (list: typeof recent) => [...list].sort((a, b) => b.plays - a.plays || (a.track.title < b.track.title ? -1 : 1));

  beforeAll(async () => {
    t = await createTestApp(kind, { overrides: { clock } });
    admin = await signIn(t.app);
    guest = await signIn(t.app, 'guest', 'user');
    adminId = (await ok('GET', '/me')).id;
    f = catalogFixtures(t.database.db);
    const now = clock.now();
    for (let i = 0; i < 60; i++) {
      // Added about 1..60 days ago: the first 30 fall inside a 30-day window.
      const track = await f.track({ title: `Track ${String(i).padStart(2, '0')}`, lossless: true, addedAt: now - (1 + i) * DAY + 1000, durationMs: 100_000 + i });
      recent.push({ track, plays: (i * 7) % 11 });
    }
    // Decoys: played a lot, but lossy, or added too long ago.
    const lossy = await f.track({ title: 'Lossy Hit', lossless: false, codec: 'MPEG 1 Layer 3', addedAt: now - DAY });
    old = await f.track({ title: 'Old Hit', lossless: true, addedAt: now - 400 * DAY });
    for (const { track, plays } of recent) await addPlays(track, plays);
    await addPlays(lossy, 20);
    await addPlays(old, 20);
    for (const [entity, table] of [['artist', 'artists'], ['album', 'albums'], ['track', 'tracks']] as const) {
      const ids = (await t.database.db.selectFrom(table).select('id').execute()).map((row) => row.id);
      await t.app.omnisonic.bus.publish({ type: 'library', change: 'upsert', entity, ids });
    }
    await t.app.omnisonic.search.settled();
  });
  afterAll(() => t.close());

  const lossless30 = { lossless: true, addedInLastDays: 30, sort: 'plays', limit: 50 };
  const inWindow = () => recent.filter(({ track }) => track.addedAt >= clock.now() - 30 * DAY);

  it('picks exactly the lossless tracks added in the last 30 days, most played first', async () => {
    const created = await ok('POST', '/playlists', admin, { name: 'Fresh lossless', rules: lossless30 });
    expect(created).toMatchObject({ smart: true, rules: lossless30, editable: true });
    const expected = byPlays(inWindow()).map(({ track }) => track.id);
    expect(expected).toHaveLength(30);
    expect(await trackIdsOf(created.id)).toEqual(expected);
    const durationMs = inWindow().reduce((sum, { track }) => sum + track.durationMs!, 0);
    expect(await ok('GET', `/playlists/${created.id}`)).toMatchObject({ itemCount: 30, availableCount: 30, durationMs });
  });

  it('stops at the limit and follows changed rules', async () => {
    const created = await ok('POST', '/playlists', admin, { name: 'Top ten', rules: { lossless: true, sort: 'plays', limit: 10 } });
    expect(await trackIdsOf(created.id, admin, 4)).toEqual([old.id, ...byPlays(recent).slice(0, 9).map(({ track }) => track.id)]);
    const changed = await ok('PATCH', `/playlists/${created.id}`, admin, { rules: { lossless: false, limit: 5 } });
    expect(changed).toMatchObject({ rules: { lossless: false, limit: 5 }, revision: 2, itemCount: 1 });
    expect(await trackIdsOf(created.id)).toHaveLength(1);
  });

  it('keeps "added in the last 30 days" true as time passes', async () => {
    const { id } = await ok('POST', '/playlists', admin, { name: 'Rolling', rules: { addedInLastDays: 30, lossless: true, sort: 'added' } });
    const before = await trackIdsOf(id);
    expect(before).toEqual(inWindow().map(({ track }) => track.id));
    clock.advance(10 * DAY);
    try {
      expect(inWindow()).toHaveLength(20);
      expect(await trackIdsOf(id)).toEqual(before.slice(0, 20));
    } finally {
      clock.advance(-10 * DAY);
    }
  });

  it('shows a newly scanned matching track without editing the playlist', async () => {
    const { id } = await ok('POST', '/playlists', admin, { name: 'Newest lossless', rules: { lossless: true, addedInLastDays: 30, sort: 'added', limit: 3 } });
    const fresh = await scanned({ title: 'Just Arrived', lossless: true, addedAt: clock.now() });
    const started = performance.now();
    while ((await trackIdsOf(id))[0] !== fresh.id) {
      if (performance.now() - started > 1000) throw new Error('the new track did not appear within 1 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await trackIdsOf(id)).toEqual([fresh.id, recent[0]!.track.id, recent[1]!.track.id]);
    await t.database.db.updateTable('tracks').set({ status: 'missing' }).where('id', '=', fresh.id).execute();
    await t.app.omnisonic.bus.publish({ type: 'library', change: 'delete', entity: 'track', ids: [fresh.id] });
    await t.app.omnisonic.search.settled();
    expect(await trackIdsOf(id)).toEqual([recent[0]!.track.id, recent[1]!.track.id, recent[2]!.track.id]);
  });

  it('appears with ordinary playlists, and refuses item edits', async () => {
    const ordinary = await ok('POST', '/playlists', admin, { name: 'Hand picked', trackIds: [recent[0]!.track.id] });
    const smart = await ok('POST', '/playlists', admin, { name: 'Hand smart', rules: { lossless: true, limit: 2 } });
    const listed: { items: { id: string; smart: boolean; rules: object | null; itemCount: number }[] } = await ok('GET', '/playlists?limit=500');
    expect(listed.items.find((p) => p.id === ordinary.id)).toMatchObject({ smart: false, rules: null, itemCount: 1 });
    expect(listed.items.find((p) => p.id === smart.id)).toMatchObject({ smart: true, rules: { lossless: true, limit: 2 }, itemCount: 2 });

    const refused = [409, 'smart_playlist_read_only'];
    expect(await errorOf('POST', `/playlists/${smart.id}/items`, admin, { trackIds: [recent[5]!.track.id] })).toEqual(refused);
    const [item] = (await ok('GET', `/playlists/${smart.id}/items`)).items;
    expect(await errorOf('DELETE', `/playlists/${smart.id}/items/${item.id}`, admin)).toEqual(refused);
    expect(await errorOf('POST', `/playlists/${smart.id}/items/${item.id}/move`, admin, { position: 1 })).toEqual(refused);
    expect(await errorOf('PATCH', `/playlists/${ordinary.id}`, admin, { rules: { lossless: true } })).toEqual([400, 'validation_failed']);
    expect(await errorOf('POST', '/playlists', admin, { name: 'Both', trackIds: [recent[0]!.track.id], rules: { lossless: true } })).toEqual([
      400,
      'validation_failed',
    ]);
    expect(await errorOf('POST', '/playlists', admin, { name: 'Typo', rules: { loseless: true } })).toEqual([400, 'validation_failed']);
  });

  it("answers another user's smart playlist as unknown", async () => {
    const { id } = await ok('POST', '/playlists', admin, { name: 'Private smart', rules: { lossless: true } });
    const notFound = [404, 'playlist_not_found'];
    expect(await errorOf('GET', `/playlists/${id}`, guest)).toEqual(notFound);
    expect(await errorOf('GET', `/playlists/${id}/items`, guest)).toEqual(notFound);
    expect(await errorOf('GET', `/playlists/${id}/export`, guest)).toEqual(notFound);
    expect(await errorOf('PATCH', `/playlists/${id}`, guest, { rules: { lossless: false } })).toEqual(notFound);
    expect(await errorOf('DELETE', `/playlists/${id}`, guest)).toEqual(notFound);
    expect((await ok('GET', '/playlists', guest)).items).toEqual([]);
  });

  it("evaluates for whoever reads it: a shared smart playlist shows a user only their own libraries' tracks", async () => {
    const { id } = await ok('POST', '/playlists', admin, { name: 'Shared smart', rules: { lossless: true }, shared: true });
    // The guest was granted no library: the playlist is visible but picks nothing.
    expect(await ok('GET', `/playlists/${id}`, guest)).toMatchObject({ smart: true, editable: false, itemCount: 0 });
    expect(await trackIdsOf(id, guest)).toEqual([]);
    expect(await errorOf('PATCH', `/playlists/${id}`, guest, { name: 'Mine now' })).toEqual([403, 'forbidden']);
  });

  it("exports the tracks it picks as M3U8", async () => {
    const { id } = await ok('POST', '/playlists', admin, { name: 'Export me', rules: lossless30 });
    const response = await call('GET', `/playlists/${id}/export`, admin);
    expect(response.statusCode).toBe(200);
    const paths = response.body.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(paths).toEqual(byPlays(inWindow()).map(({ track }) => track.path));
  });

  it('plays its current tracks', async () => {
    const { id } = await ok('POST', '/playlists', admin, { name: 'Play me', rules: { ...lossless30, limit: 5 } });
    const registered = await ok('POST', '/devices', admin, { name: 'phone', platform: 'test', appVersion: '1', clientId: randomUUID() });
    const phone = { authorization: `Bearer ${registered.accessToken}` };
    await ok('POST', `/devices/${registered.device.id}/heartbeat`, phone);
    const played = await ok('POST', '/playback/commands', phone, { commandId: randomUUID(), type: 'play', args: { playlistId: id } });
    expect(played.queue.items.map((item: { trackId: string }) => item.trackId)).toEqual(byPlays(inWindow()).slice(0, 5).map(({ track }) => track.id));
  });
});
