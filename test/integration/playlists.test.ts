import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { UserEvent, UserEventPublisher } from '../../src/events/contracts.js';
import { createPlaylistsRepository } from '../../src/playlists/playlists-repository.js';
import { createPlaylistsService } from '../../src/playlists/playlists-service.js';
import { catalogFixtures, type CatalogFixtures } from '../support/catalog-fixtures.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

type Headers = { authorization: string };

describeEachDatabase('playlists', (kind) => {
  let t: TestApp;
  let admin: Headers;
  let f: CatalogFixtures;
  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await signIn(t.app);
    f = catalogFixtures(t.app.omnisonic.database.db);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.app.omnisonic.database.db.deleteFrom('playlists').execute();
    await f.clear();
  });

  async function call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, as: Headers, payload?: object) {
    return t.app.inject({ method, url: `/api/v1${url}`, headers: as, ...(payload ? { payload } : {}) });
  }
  async function ok(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, as: Headers = admin, payload?: object) {
    const response = await call(method, url, as, payload);
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
    return response.statusCode === 204 ? null : response.json();
  }
  const errorOf = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, as: Headers = admin, payload?: object) => {
    const response = await call(method, url, as, payload);
    return { status: response.statusCode, code: response.json().error?.code };
  };

  /** Every item of the playlist, paging `limit` at a time. */
  async function items(id: string, as: Headers = admin, limit = 2): Promise<any[]> {
    const all: any[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: any[]; nextCursor: string | null } = await ok('GET', `/playlists/${id}/items?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, as);
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }
  /** The playlist's order as track titles, checking positions are 0…n-1. */
  async function order(id: string, names: Map<string, string>): Promise<string[]> {
    const all = await items(id);
    expect(all.map((item) => item.position)).toEqual(all.map((_, i) => i));
    return all.map((item) => names.get(item.trackId)!);
  }

  async function tracks(...titles: string[]) {
    const rows = [];
    for (const title of titles) rows.push(await f.track({ title }));
    return { ids: rows.map((r) => r.id), names: new Map(rows.map((r) => [r.id, r.title])) };
  }

  it('keeps the exact order through adds, inserts, moves and removes of duplicated tracks', async () => {
    const { ids: [a, b, c, d], names } = await tracks('A', 'B', 'C', 'D');
    const playlist = await ok('POST', '/playlists', admin, { name: 'Mix', trackIds: [a, b, a] });
    expect(playlist).toMatchObject({ name: 'Mix', revision: 1, itemCount: 3, editable: true, shared: false });
    expect(await order(playlist.id, names)).toEqual(['A', 'B', 'A']);

    const added = await ok('POST', `/playlists/${playlist.id}/items`, admin, { trackIds: [c, a], position: 1 });
    expect(added.items.map((item: any) => [names.get(item.trackId), item.position])).toEqual([['C', 1], ['A', 2]]);
    expect(added.playlist.revision).toBe(2);
    expect(await order(playlist.id, names)).toEqual(['A', 'C', 'A', 'B', 'A']);

    await ok('POST', `/playlists/${playlist.id}/items`, admin, { trackIds: [d] });
    await ok('POST', `/playlists/${playlist.id}/items`, admin, { trackIds: [b], position: 0 });
    await ok('POST', `/playlists/${playlist.id}/items`, admin, { trackIds: [c], position: 99 });
    expect(await order(playlist.id, names)).toEqual(['B', 'A', 'C', 'A', 'B', 'A', 'D', 'C']);

    let all = await items(playlist.id);
    // The second "A" (position 3) to the front, then the first item to the end, then down by two.
    await ok('POST', `/playlists/${playlist.id}/items/${all[3].id}/move`, admin, { position: 0 });
    expect(await order(playlist.id, names)).toEqual(['A', 'B', 'A', 'C', 'B', 'A', 'D', 'C']);
    all = await items(playlist.id);
    await ok('POST', `/playlists/${playlist.id}/items/${all[0].id}/move`, admin, { position: 100 });
    expect(await order(playlist.id, names)).toEqual(['B', 'A', 'C', 'B', 'A', 'D', 'C', 'A']);
    all = await items(playlist.id);
    await ok('POST', `/playlists/${playlist.id}/items/${all[1].id}/move`, admin, { position: 3 });
    expect(await order(playlist.id, names)).toEqual(['B', 'C', 'B', 'A', 'A', 'D', 'C', 'A']);
    all = await items(playlist.id);
    await ok('POST', `/playlists/${playlist.id}/items/${all[5].id}/move`, admin, { position: 5 });

    // Removing one occurrence of a duplicated track leaves the others where they were.
    all = await items(playlist.id);
    const moved = all[3];
    await ok('DELETE', `/playlists/${playlist.id}/items/${all[4].id}`);
    await ok('DELETE', `/playlists/${playlist.id}/items/${all[0].id}`);
    expect(await order(playlist.id, names)).toEqual(['C', 'B', 'A', 'D', 'C', 'A']);
    all = await items(playlist.id);
    expect(all[2].id).toBe(moved.id);
    expect((await ok('GET', `/playlists/${playlist.id}`)).revision).toBe(11);

    expect(await errorOf('DELETE', `/playlists/${playlist.id}/items/${all[0].id}x`)).toEqual({ status: 404, code: 'playlist_item_not_found' });
    expect(await errorOf('DELETE', `/playlists/${playlist.id}/items/${'f'.repeat(32)}`)).toEqual({ status: 404, code: 'playlist_item_not_found' });
  });

  it('refuses an edit against an old revision with 409 and changes nothing', async () => {
    const { ids: [a, b, c], names } = await tracks('A', 'B', 'C');
    const playlist = await ok('POST', '/playlists', admin, { name: 'Shared by two phones', trackIds: [a] });
    const first = await items(playlist.id);

    // Two devices read revision 1 and send their edits at the same moment: one wins, the other is told to reload.
    const [one, two] = await Promise.all([
      call('POST', `/playlists/${playlist.id}/items`, admin, { trackIds: [b], expectedRevision: 1 }),
      call('POST', `/playlists/${playlist.id}/items`, admin, { trackIds: [c], expectedRevision: 1 }),
    ]);
    expect([one.statusCode, two.statusCode].sort()).toEqual([200, 409]);
    const loser = one.statusCode === 409 ? one : two;
    expect(loser.json().error.code).toBe('revision_conflict');
    expect((await order(playlist.id, names)).length).toBe(2);

    for (const [method, url, payload] of [
      ['PATCH', `/playlists/${playlist.id}`, { name: 'Renamed', expectedRevision: 1 }],
      ['POST', `/playlists/${playlist.id}/items`, { trackIds: [c], expectedRevision: 1 }],
      ['POST', `/playlists/${playlist.id}/items`, { trackIds: [], expectedRevision: 1 }],
      ['POST', `/playlists/${playlist.id}/items/${first[0].id}/move`, { position: 1, expectedRevision: 1 }],
      ['DELETE', `/playlists/${playlist.id}/items/${first[0].id}?expectedRevision=1`, undefined],
      ['DELETE', `/playlists/${playlist.id}?expectedRevision=1`, undefined],
    ] as const) {
      expect(await errorOf(method, url, admin, payload), `${method} ${url}`).toEqual({ status: 409, code: 'revision_conflict' });
    }
    const after = await ok('GET', `/playlists/${playlist.id}`);
    expect(after).toMatchObject({ name: 'Shared by two phones', revision: 2, itemCount: 2 });

    const renamed = await ok('PATCH', `/playlists/${playlist.id}`, admin, { name: 'Renamed', expectedRevision: 2 });
    expect(renamed).toMatchObject({ name: 'Renamed', revision: 3 });
    await ok('DELETE', `/playlists/${playlist.id}?expectedRevision=3`);
    expect(await errorOf('GET', `/playlists/${playlist.id}`)).toEqual({ status: 404, code: 'playlist_not_found' });
  });

  it('applies concurrent edits sent without a revision one after another, keeping positions dense', async () => {
    const { ids, names } = await tracks('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H');
    const playlist = await ok('POST', '/playlists', admin, { name: 'Busy' });
    const responses = await Promise.all(ids.map((id) => call('POST', `/playlists/${playlist.id}/items`, admin, { trackIds: [id, id], position: 0 })));
    expect(responses.map((r) => r.statusCode)).toEqual(ids.map(() => 200));
    const titles = await order(playlist.id, names);
    expect([...titles].sort()).toEqual([...names.values()].flatMap((n) => [n, n]).sort());
    // Each pair went in at once, so its two items stay side by side.
    for (let i = 0; i < titles.length; i += 2) expect(titles[i]).toBe(titles[i + 1]);
    expect((await ok('GET', `/playlists/${playlist.id}`)).revision).toBe(1 + ids.length);
  });

  it('refuses to page on through items after an edit rather than skipping or repeating some', async () => {
    const { ids: [a, b, c] } = await tracks('A', 'B', 'C');
    const playlist = await ok('POST', '/playlists', admin, { name: 'Long', trackIds: [a, b, c] });
    const page = await ok('GET', `/playlists/${playlist.id}/items?limit=1`);
    await ok('POST', `/playlists/${playlist.id}/items`, admin, { trackIds: [c], position: 0 });
    expect(await errorOf('GET', `/playlists/${playlist.id}/items?limit=1&cursor=${page.nextCursor}`)).toEqual({ status: 409, code: 'revision_conflict' });
    expect(await errorOf('GET', `/playlists/${playlist.id}/items?cursor=nonsense`)).toEqual({ status: 400, code: 'invalid_cursor' });
  });

  it('keeps an item whose file goes missing, unavailable, and makes it available again when the file returns', async () => {
    const cover = await f.artwork();
    const album = await f.album({ title: 'Discovery', artist: 'Daft Punk', artworkId: cover.id });
    const gone = await f.track({ title: 'Gone', album, durationMs: 100_000 });
    const stays = await f.track({ title: 'Stays', durationMs: 50_000 });
    const playlist = await ok('POST', '/playlists', admin, { name: 'Fragile', trackIds: [gone.id, stays.id, gone.id] });
    expect(playlist).toMatchObject({ itemCount: 3, availableCount: 3, durationMs: 250_000, artworkId: cover.id, artworkIds: [cover.id] });
    const adminId = (await ok('GET', '/me')).id;
    const db = t.app.omnisonic.database.db;

    await db.updateTable('tracks').set({ status: 'missing', missingSince: Date.now() }).where('id', '=', gone.id).execute();
    let all = await items(playlist.id);
    expect(all.map((item) => [item.trackId, item.available, item.track.status])).toEqual([
      [gone.id, false, 'missing'],
      [stays.id, true, 'ok'],
      [gone.id, false, 'missing'],
    ]);
    expect(await ok('GET', `/playlists/${playlist.id}`)).toMatchObject({ itemCount: 3, availableCount: 1, durationMs: 50_000, artworkId: null });
    expect(await t.app.omnisonic.playlists.resolvePlaylistTrackIds(adminId, playlist.id)).toEqual([stays.id]);

    await db.updateTable('tracks').set({ status: 'ok', missingSince: null }).where('id', '=', gone.id).execute();
    all = await items(playlist.id);
    expect(all.map((item) => item.available)).toEqual([true, true, true]);
    expect(await t.app.omnisonic.playlists.resolvePlaylistTrackIds(adminId, playlist.id)).toEqual([gone.id, stays.id, gone.id]);
  });

  it('shows a shared playlist, read-only, only to users who may see every one of its tracks', async () => {
    const rock = await f.library({ name: 'Rock' });
    const jazz = await f.library({ name: 'Jazz' });
    const riff = await f.track({ title: 'Riff', libraryId: rock.id });
    const solo = await f.track({ title: 'Solo', libraryId: jazz.id });
    const bob = await signIn(t.app, `bob${kind}${Date.now()}`, 'user');
    const carol = await signIn(t.app, `carol${kind}${Date.now()}`, 'user');
    const bobId = (await ok('GET', '/me', bob)).id;
    const carolId = (await ok('GET', '/me', carol)).id;
    await f.grant(rock.id, bobId);
    await f.grant(rock.id, carolId);
    await f.grant(jazz.id, carolId);

    const playlist = await ok('POST', '/playlists', admin, { name: 'Both', trackIds: [riff.id, solo.id], shared: true });
    const listed = async (as: Headers) => (await ok('GET', '/playlists', as)).items.map((p: any) => p.id);

    // Carol may see both libraries: she sees it, read-only.
    expect(await listed(carol)).toEqual([playlist.id]);
    expect(await ok('GET', `/playlists/${playlist.id}`, carol)).toMatchObject({ editable: false, shared: true, owner: { username: 'admin' } });
    expect((await items(playlist.id, carol)).map((item) => item.trackId)).toEqual([riff.id, solo.id]);
    expect((await call('GET', `/playlists/${playlist.id}/export`, carol)).statusCode).toBe(200);
    expect(await t.app.omnisonic.playlists.resolvePlaylistTrackIds(carolId, playlist.id)).toEqual([riff.id, solo.id]);
    for (const [method, url, payload] of [
      ['PATCH', `/playlists/${playlist.id}`, { name: 'Mine now' }],
      ['POST', `/playlists/${playlist.id}/items`, { trackIds: [riff.id] }],
      ['DELETE', `/playlists/${playlist.id}`, undefined],
    ] as const) {
      expect(await errorOf(method, url, carol, payload), `${method} ${url}`).toEqual({ status: 403, code: 'forbidden' });
    }

    // Bob cannot see the jazz track, so the playlist does not exist for him.
    expect(await listed(bob)).toEqual([]);
    for (const url of [`/playlists/${playlist.id}`, `/playlists/${playlist.id}/items`, `/playlists/${playlist.id}/export`]) {
      expect(await errorOf('GET', url, bob), url).toEqual({ status: 404, code: 'playlist_not_found' });
    }
    expect(await errorOf('PATCH', `/playlists/${playlist.id}`, bob, { name: 'x' })).toEqual({ status: 404, code: 'playlist_not_found' });
    await expect(t.app.omnisonic.playlists.resolvePlaylistTrackIds(bobId, playlist.id)).rejects.toMatchObject({ code: 'playlist_not_found' });

    // Once every track is one he may see, he sees it; unshared, nobody but the owner does.
    const jazzItem = (await items(playlist.id)).find((item) => item.trackId === solo.id);
    await ok('DELETE', `/playlists/${playlist.id}/items/${jazzItem.id}`);
    expect(await listed(bob)).toEqual([playlist.id]);
    await ok('PATCH', `/playlists/${playlist.id}`, admin, { shared: false });
    expect(await listed(bob)).toEqual([]);
    expect(await listed(carol)).toEqual([]);
    expect(await errorOf('GET', `/playlists/${playlist.id}`, carol)).toEqual({ status: 404, code: 'playlist_not_found' });
  });

  it('adds only tracks the owner may see', async () => {
    const hidden = await f.library({ name: 'Hidden' });
    const secret = await f.track({ title: 'Secret', libraryId: hidden.id });
    const visible = await f.library({ name: 'Open' });
    const open = await f.track({ title: 'Open', libraryId: visible.id });
    const dave = await signIn(t.app, `dave${kind}${Date.now()}`, 'user');
    await f.grant(visible.id, (await ok('GET', '/me', dave)).id);

    expect(await errorOf('POST', '/playlists', dave, { name: 'x', trackIds: [open.id, secret.id] })).toEqual({ status: 404, code: 'track_not_found' });
    const playlist = await ok('POST', '/playlists', dave, { name: 'Mine', trackIds: [open.id] });
    expect(await errorOf('POST', `/playlists/${playlist.id}/items`, dave, { trackIds: [secret.id] })).toEqual({ status: 404, code: 'track_not_found' });
    expect(await errorOf('POST', `/playlists/${playlist.id}/items`, dave, { trackIds: ['not hex'] })).toEqual({ status: 404, code: 'track_not_found' });
    expect((await ok('GET', `/playlists/${playlist.id}`, dave)).itemCount).toBe(1);
    // Another user's unshared playlist answers as an unknown id, even to an admin.
    expect(await errorOf('GET', `/playlists/${playlist.id}`)).toEqual({ status: 404, code: 'playlist_not_found' });
  });

  it('lists playlists by folded name, page by page', async () => {
    for (const name of ['zebra', 'Émile', 'apple', 'Banana', 'echo']) await ok('POST', '/playlists', admin, { name });
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await ok('GET', `/playlists?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      names.push(...page.items.map((p: any) => p.name));
      cursor = page.nextCursor;
    } while (cursor);
    expect(names).toEqual(['apple', 'Banana', 'echo', 'Émile', 'zebra']);
    expect(await errorOf('POST', '/playlists', admin, { name: '   ' })).toEqual({ status: 400, code: 'validation_failed' });
  });

  it('announces each edit to the owner as a collection event', async () => {
    const { ids: [a] } = await tracks('A');
    const adminId = (await ok('GET', '/me')).id;
    const published: { userId: string; type: string; data: unknown }[] = [];
    const events: UserEventPublisher = {
      async publish(userId, type, data): Promise<UserEvent> {
        published.push({ userId, type, data });
        return { id: published.length, userId, type, data, at: 0 };
      },
    };
    const playlists = createPlaylistsService({
      repository: createPlaylistsRepository(t.app.omnisonic.database.db),
      visibleLibraryIds: async () => (await t.app.omnisonic.database.db.selectFrom('libraries').select('id').execute()).map((l) => l.id),
      tracksByIds: async () => [],
      events,
      clock: { now: () => 1 },
      log: { error: () => undefined },
    });
    const viewer = { id: adminId, role: 'admin' as const };
    const playlist = await playlists.create(viewer, { name: 'Evented' });
    const { items: added } = await playlists.addItems(viewer, playlist.id, { trackIds: [a, a] });
    await playlists.moveItem(viewer, playlist.id, added[0]!.id, { position: 1 });
    await playlists.removeItem(viewer, playlist.id, added[0]!.id, undefined);
    await playlists.update(viewer, playlist.id, { shared: true });
    await expect(playlists.update(viewer, playlist.id, { name: 'late', expectedRevision: 1 })).rejects.toMatchObject({ code: 'revision_conflict' });
    await playlists.remove(viewer, playlist.id, undefined);
    expect(published).toEqual(
      ['created', 'updated', 'updated', 'updated', 'updated', 'deleted'].map((change) => ({
        userId: adminId,
        type: 'collection',
        data: { entity: 'playlist', id: playlist.id, change },
      })),
    );
  });
});
