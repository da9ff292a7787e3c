import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createCatalogRepository } from '../../src/catalog/catalog-repository.js';
import { createCatalogService } from '../../src/catalog/catalog-service.js';
import { createCollectionRepository } from '../../src/collection/collection-repository.js';
import { createCollectionService, createUserItemStats, type CollectionEventData } from '../../src/collection/collection-service.js';
import { createDevicesRepository } from '../../src/devices/devices-repository.js';
import type { UserEventPublisher } from '../../src/events/contracts.js';
import { createLibraryAccessRepository } from '../../src/library/access-repository.js';
import { newId } from '../../src/shared/ids.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { catalogFixtures, type CatalogFixtures } from '../support/catalog-fixtures.js';
import { describeEachDatabase } from '../support/databases.js';

const DAY = 86_400_000;
const MIN = 60_000;
/** The server's "now" throughout; plays are dated relative to it. */
const NOW = Date.UTC(2025, 5, 15, 12);

describeEachDatabase('the personal collection', (kind) => {
  let t: TestApp;
  let admin: { authorization: string };
  let f: CatalogFixtures;
  beforeAll(async () => {
    t = await createTestApp(kind, { overrides: { clock: { now: () => NOW } } });
    admin = await signIn(t.app);
    f = catalogFixtures(t.app.omnisonic.database.db);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    const db = t.app.omnisonic.database.db;
    for (const table of ['favorites', 'ratings', 'plays', 'listenbrainzOutbox'] as const) await db.deleteFrom(table).execute();
    await f.clear();
  });

  const request = async (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, as = admin, payload?: object) =>
    t.app.inject({ method, url, headers: as, ...(payload ? { payload } : {}) });
  const ok = async (url: string, as = admin) => {
    const response = await request('GET', url, as);
    expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
    return response.json();
  };
  const play = (trackId: string, playedAt: number, durationPlayedMs = 3 * MIN, as = admin) =>
    request('POST', '/api/v1/history', as, { trackId, playedAt, durationPlayedMs });

  it('marks and unmarks favorites idempotently, lists them newest first by type, and shows them on the catalog objects', async () => {
    const album = await f.album({ title: 'Discovery', artist: 'Daft Punk' });
    const track = await f.track({ title: 'One More Time', album, artists: ['Daft Punk'] });
    const artist = await f.artist('Daft Punk');

    for (let i = 0; i < 2; i++) {
      expect((await request('PUT', `/api/v1/favorites/track/${track.id}`)).statusCode).toBe(204);
    }
    expect((await request('PUT', `/api/v1/favorites/album/${album.id}`)).statusCode).toBe(204);
    expect((await request('PUT', `/api/v1/favorites/artist/${artist.id}`)).statusCode).toBe(204);

    const all = await ok('/api/v1/favorites');
    expect(all.items.map((item: { type: string }) => item.type).sort()).toEqual(['album', 'artist', 'track']);
    expect(all.items.find((item: { type: string }) => item.type === 'track')).toMatchObject({ favoritedAt: NOW, track: { id: track.id, favorite: true } });
    expect((await ok('/api/v1/favorites?type=album')).items).toEqual([expect.objectContaining({ type: 'album', album: expect.objectContaining({ id: album.id, favorite: true }) })]);
    expect(await ok(`/api/v1/tracks/${track.id}`)).toMatchObject({ favorite: true, rating: 0, playCount: 0, lastPlayedAt: null });
    expect(await ok(`/api/v1/artists/${artist.id}`)).toMatchObject({ favorite: true });

    for (let i = 0; i < 2; i++) {
      expect((await request('DELETE', `/api/v1/favorites/track/${track.id}`)).statusCode).toBe(204);
    }
    expect((await ok('/api/v1/favorites?type=track')).items).toEqual([]);
    expect((await ok(`/api/v1/tracks/${track.id}`)).favorite).toBe(false);
  });

  it('pages through favorites in a stable order', async () => {
    const tracks = [];
    for (let i = 0; i < 5; i++) tracks.push(await f.track({ title: `Song ${i}` }));
    for (const track of tracks) await request('PUT', `/api/v1/favorites/track/${track.id}`);
    // All marked in the same millisecond (the clock is fixed): ties still page without repeats or gaps.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { track: { id: string } }[]; nextCursor: string | null } = await ok(`/api/v1/favorites?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((item) => item.track.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(tracks.map((track) => track.id).sort());
    expect((await request('GET', '/api/v1/favorites?type=album&cursor=' + (await ok('/api/v1/favorites?limit=1')).nextCursor)).json().error.code).toBe('invalid_cursor');
  });

  it('rates 1–5 stars, clears the rating with 0, and refuses ratings outside 0–5', async () => {
    const album = await f.album({ title: 'Kid A', artist: 'Radiohead' });
    await f.track({ title: 'Idioteque', album, artists: ['Radiohead'] });
    expect((await request('PUT', `/api/v1/ratings/album/${album.id}`, admin, { rating: 4 })).statusCode).toBe(204);
    expect((await request('PUT', `/api/v1/ratings/album/${album.id}`, admin, { rating: 4 })).statusCode).toBe(204);
    expect((await ok(`/api/v1/albums/${album.id}`)).rating).toBe(4);
    expect((await ok('/api/v1/albums')).items[0].rating).toBe(4);
    expect((await request('PUT', `/api/v1/ratings/album/${album.id}`, admin, { rating: 0 })).statusCode).toBe(204);
    expect((await ok(`/api/v1/albums/${album.id}`)).rating).toBe(0);
    for (const rating of [6, -1, 2.5]) {
      expect((await request('PUT', `/api/v1/ratings/album/${album.id}`, admin, { rating })).json().error.code).toBe('validation_failed');
    }
  });

  it("answers 404 for items the user may not see, and one user's marks and plays never show for another", async () => {
    const shared = await f.library({ name: 'Shared' });
    const hidden = await f.library({ name: 'Hidden' });
    const visibleAlbum = await f.album({ title: 'Open', artist: 'Everyone' });
    const hiddenAlbum = await f.album({ title: 'Closed', artist: 'Secret Band' });
    const seen = await f.track({ title: 'Seen', album: visibleAlbum, artists: ['Everyone'], libraryId: shared.id });
    const unseen = await f.track({ title: 'Unseen', album: hiddenAlbum, artists: ['Secret Band'], libraryId: hidden.id });
    const secretBand = await f.artist('Secret Band');
    const member = await signIn(t.app, `member${kind}`, 'user');
    const other = await signIn(t.app, `other${kind}`, 'user');
    for (const who of [member, other]) await f.grant(shared.id, (await ok('/api/v1/me', who)).id);

    const codeOf = async (method: 'PUT' | 'DELETE', url: string, payload?: object) => (await request(method, url, member, payload)).json().error.code;
    expect(await codeOf('PUT', `/api/v1/favorites/track/${unseen.id}`)).toBe('track_not_found');
    expect(await codeOf('DELETE', `/api/v1/favorites/album/${hiddenAlbum.id}`)).toBe('album_not_found');
    expect(await codeOf('PUT', `/api/v1/ratings/artist/${secretBand.id}`, { rating: 3 })).toBe('artist_not_found');
    expect(await codeOf('PUT', `/api/v1/favorites/track/${newId()}`)).toBe('track_not_found');
    expect(await codeOf('PUT', '/api/v1/favorites/playlist/abc')).toBe('validation_failed');
    expect((await play(unseen.id, NOW - MIN, 3 * MIN, member)).json().error.code).toBe('track_not_found');

    // The admin sees everything and favorites the hidden track; the member's favorites list does not show it.
    await request('PUT', `/api/v1/favorites/track/${unseen.id}`);
    await request('PUT', `/api/v1/favorites/track/${seen.id}`, member);
    await request('PUT', `/api/v1/ratings/track/${seen.id}`, member, { rating: 5 });
    expect((await play(seen.id, NOW - MIN, 3 * MIN, member)).statusCode).toBe(201);
    expect((await ok('/api/v1/favorites', member)).items.map((item: { track: { id: string } }) => item.track.id)).toEqual([seen.id]);
    expect(await ok(`/api/v1/tracks/${seen.id}`, member)).toMatchObject({ favorite: true, rating: 5, playCount: 1 });
    expect(await ok(`/api/v1/tracks/${seen.id}`, other)).toMatchObject({ favorite: false, rating: 0, playCount: 0, lastPlayedAt: null });
    expect((await ok('/api/v1/favorites', other)).items).toEqual([]);
    expect((await ok('/api/v1/history', other)).items).toEqual([]);
    expect((await ok(`/api/v1/tracks/${seen.id}`)).favorite).toBe(false);
  });

  it('records a play only when it meets the 50 % / 4-minute rule, and never for tracks of 30 s or less', async () => {
    const song = await f.track({ title: 'Song', durationMs: 200_000 });
    const epic = await f.track({ title: 'Epic', durationMs: 20 * MIN });
    const jingle = await f.track({ title: 'Jingle', durationMs: 29_000 });

    const half = await play(song.id, NOW - 10 * MIN, 100_000);
    expect(half.statusCode).toBe(201);
    expect(half.json()).toMatchObject({ recorded: true, duplicate: false, reason: null, play: { trackId: song.id, durationPlayedMs: 100_000 } });
    expect((await play(song.id, NOW - 5 * MIN, 99_999)).json()).toEqual({ recorded: false, duplicate: false, reason: 'played_too_little', play: null });
    expect((await play(epic.id, NOW - 30 * MIN, 4 * MIN)).json().recorded).toBe(true);
    expect((await play(epic.id, NOW - 60 * MIN, 4 * MIN - 1)).json().reason).toBe('played_too_little');
    const short = await play(jingle.id, NOW - MIN, 29_000);
    expect(short.statusCode).toBe(200);
    expect(short.json()).toMatchObject({ recorded: false, reason: 'track_too_short' });

    expect((await ok('/api/v1/history')).items.map((entry: { track: { title: string } }) => entry.track.title)).toEqual(['Song', 'Epic']);
    expect((await play(song.id, NOW + 2 * MIN, 3 * MIN)).json().error.code).toBe('validation_failed');
  });

  it('records the same play once however often it is submitted', async () => {
    const track = await f.track({ title: 'Again' });
    const playedAt = NOW - 5 * MIN + 123;
    const first = await play(track.id, playedAt);
    expect(first.statusCode).toBe(201);
    expect(first.json().play.playedAt).toBe(NOW - 5 * MIN);
    // Same second, a few ms apart: the same play from a client that retried.
    const again = await play(track.id, playedAt + 500);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ ...first.json(), duplicate: true });
    const concurrent = await Promise.all([1, 2, 3].map(() => play(track.id, NOW - 2 * MIN)));
    expect(concurrent.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
    expect((await ok(`/api/v1/tracks/${track.id}`)).playCount).toBe(2);
    expect((await ok('/api/v1/history')).items).toHaveLength(2);
  });

  it('keeps device ids to the user: their own device is recorded, another user’s is 404', async () => {
    const track = await f.track({ title: 'On the go' });
    const device = (await request('POST', '/api/v1/devices', admin, { name: 'Phone', platform: 'ios', appVersion: '1', clientId: crypto.randomUUID() })).json();
    const stranger = await signIn(t.app, `stranger${kind}`, 'admin');
    const response = await request('POST', '/api/v1/history', { authorization: `Bearer ${device.accessToken}` }, { trackId: track.id, playedAt: NOW - 4 * MIN, durationPlayedMs: 3 * MIN });
    expect(response.json().play.deviceId).toBe(device.device.id);
    const foreign = await request('POST', '/api/v1/history', stranger, { trackId: track.id, playedAt: NOW - 9 * MIN, durationPlayedMs: 3 * MIN, deviceId: device.device.id });
    expect(foreign.json().error.code).toBe('device_not_found');
  });

  it('counts plays per track, per album and per artist consistently', async () => {
    const album = await f.album({ title: 'Homework', artist: 'Daft Punk' });
    const other = await f.album({ title: 'Guest List', artist: 'Various' });
    const da = await f.track({ title: 'Da Funk', album, artists: ['Daft Punk'] });
    const around = await f.track({ title: 'Around the World', album, artists: ['Daft Punk'] });
    // Credited as artist and (through the album) as album artist: still one play each for Daft Punk.
    const feature = await f.track({ title: 'Feature', album: other, artists: ['Guest', 'Daft Punk'] });
    const daftPunk = await f.artist('Daft Punk');
    const guest = await f.artist('Guest');

    const times = [1, 2, 3, 4, 5, 6].map((n) => NOW - n * 10 * MIN);
    for (const at of times.slice(0, 3)) await play(da.id, at);
    for (const at of times.slice(3, 5)) await play(around.id, at);
    await play(feature.id, times[5]!);

    expect(await ok(`/api/v1/tracks/${da.id}`)).toMatchObject({ playCount: 3, lastPlayedAt: times[0] });
    expect(await ok(`/api/v1/albums/${album.id}`)).toMatchObject({ playCount: 5, lastPlayedAt: times[0] });
    const detail = await ok(`/api/v1/albums/${album.id}`);
    expect(detail.tracks.map((track: { playCount: number }) => track.playCount).sort()).toEqual([2, 3]);
    expect(await ok(`/api/v1/artists/${daftPunk.id}`)).toMatchObject({ playCount: 6, lastPlayedAt: times[0] });
    expect(await ok(`/api/v1/artists/${guest.id}`)).toMatchObject({ playCount: 1, lastPlayedAt: times[5] });
    const artists = (await ok('/api/v1/artists')).items;
    expect(artists.find((a: { id: string }) => a.id === daftPunk.id).playCount).toBe(6);

    const top = (await ok('/api/v1/history/top?type=artist')).items.map((entry: { artist: { name: string }; playCount: number }) => `${entry.artist.name}:${entry.playCount}`);
    // Guest and Various tie on count and last play; their order is by id.
    expect(top[0]).toBe('Daft Punk:6');
    expect(top.slice(1).sort()).toEqual(['Guest:1', 'Various:1']);
  });

  it('lists the most and the recently played per period, counting only plays within it', async () => {
    const weekly = await f.track({ title: 'Weekly' });
    const monthly = await f.track({ title: 'Monthly' });
    const yearly = await f.track({ title: 'Yearly' });
    const ancient = await f.track({ title: 'Ancient' });
    const at = (days: number) => NOW - days * DAY;
    for (const days of [1, 2]) await play(weekly.id, at(days));
    for (const days of [10, 11, 12]) await play(monthly.id, at(days));
    for (const days of [3, 100, 101, 102, 103]) await play(yearly.id, at(days));
    for (const days of [400, 401, 402, 403, 404, 405]) await play(ancient.id, at(days));

    const top = async (period: string) =>
      (await ok(`/api/v1/history/top?type=track&period=${period}`)).items.map((e: { track: { title: string }; playCount: number }) => `${e.track.title}:${e.playCount}`);
    expect(await top('week')).toEqual(['Weekly:2', 'Yearly:1']);
    expect(await top('month')).toEqual(['Monthly:3', 'Weekly:2', 'Yearly:1']);
    expect(await top('year')).toEqual(['Yearly:5', 'Monthly:3', 'Weekly:2']);
    expect(await top('all')).toEqual(['Ancient:6', 'Yearly:5', 'Monthly:3', 'Weekly:2']);

    const recent = async (period: string) => (await ok(`/api/v1/history/recent?type=track&period=${period}`)).items.map((e: { track: { title: string } }) => e.track.title);
    expect(await recent('week')).toEqual(['Weekly', 'Yearly']);
    expect(await recent('all')).toEqual(['Weekly', 'Yearly', 'Monthly', 'Ancient']);
    const entry = (await ok('/api/v1/history/recent?type=track&period=month')).items[1];
    expect(entry).toMatchObject({ type: 'track', playCount: 1, lastPlayedAt: at(3), track: { title: 'Yearly', playCount: 5 } });

    // Paging: one item per page, same order, each once.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { track: { title: string } }[]; nextCursor: string | null } = await ok(`/api/v1/history/top?type=track&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...page.items.map((e) => e.track.title));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(['Ancient', 'Yearly', 'Monthly', 'Weekly']);
    const history = await ok('/api/v1/history?limit=3');
    expect(history.items.map((e: { playedAt: number }) => e.playedAt)).toEqual([at(1), at(2), at(3)]);
    expect((await ok(`/api/v1/history?limit=3&cursor=${history.nextCursor}`)).items[0].playedAt).toBe(at(10));
  });

  it('publishes a collection event for each change, and none for a repeat', async () => {
    const db = t.app.omnisonic.database.db;
    const published: { userId: string; data: CollectionEventData }[] = [];
    const events: UserEventPublisher = {
      publish: async (userId, type, data) => {
        published.push({ userId, data: data as CollectionEventData });
        return { id: published.length, userId, type, data, at: NOW };
      },
    };
    const access = createLibraryAccessRepository(db);
    const visibleLibraryIds = (viewer: { id: string; role: string }) => access.visibleLibraryIds(viewer.id, viewer.role === 'admin');
    const repository = createCollectionRepository(db);
    const catalog = createCatalogService({ catalog: createCatalogRepository(db), visibleLibraryIds, itemStats: createUserItemStats(repository) });
    let recorded = 0;
    const service = createCollectionService({
      repository,
      catalog,
      visibleLibraryIds,
      findViewer: async (id) => ({ id, role: 'admin' }),
      devices: createDevicesRepository(db),
      events,
      clock: { now: () => NOW },
      onPlayRecorded: () => recorded++,
      log: { warn: () => {} },
    });
    const userId = (await ok('/api/v1/me')).id;
    const viewer = { id: userId, role: 'admin' as const };
    const track = await f.track({ title: 'Evented' });

    await service.setFavorite(viewer, 'track', track.id, true);
    await service.setFavorite(viewer, 'track', track.id, true);
    await service.setRating(viewer, 'track', track.id, 3);
    await service.setRating(viewer, 'track', track.id, 3);
    const input = { userId, trackId: track.id, playedAt: NOW - 5 * MIN, durationPlayedMs: 3 * MIN, deviceId: null };
    const { play: stored } = await service.recordPlay(input);
    await service.recordPlay(input);
    await service.setFavorite(viewer, 'track', track.id, false);

    expect(published).toEqual([
      { userId, data: { change: 'favorite', type: 'track', id: track.id, favorite: true } },
      { userId, data: { change: 'rating', type: 'track', id: track.id, rating: 3 } },
      { userId, data: { change: 'play', play: stored } },
      { userId, data: { change: 'favorite', type: 'track', id: track.id, favorite: false } },
    ]);
    expect(recorded).toBe(1);
  });
});
