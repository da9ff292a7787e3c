import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { catalogFixtures, type CatalogFixtures } from '../support/catalog-fixtures.js';
import { describeEachDatabase } from '../support/databases.js';

type Body = { artists: { name: string }[]; albums: { title: string }[]; tracks: { id: string; title: string; libraryId: string }[]; didYouMean?: string };

describeEachDatabase('search access and freshness', (kind) => {
  let t: TestApp;
  let f: CatalogFixtures;
  let admin: { authorization: string };
  let user: { authorization: string };
  let shared: string;
  let secret: string;

  const search = async (headers: { authorization: string }, query: string): Promise<Body> => {
    const response = await t.app.inject({ url: `/api/v1/search?${query}`, headers });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  /** Publishes what the scanner, uploads and edits publish after writing rows. */
  const changed = (change: 'upsert' | 'delete', entity: 'track' | 'album' | 'artist', ids: string[]) =>
    t.app.omnisonic.bus.publish({ type: 'library', change, entity, ids });

  /** Polls until `done` holds, failing if that takes more than the one second search promises. */
  async function withinOneSecond(probe: () => Promise<boolean>): Promise<number> {
    const started = performance.now();
    while (!(await probe())) {
      if (performance.now() - started > 1000) throw new Error('not searchable within 1 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return performance.now() - started;
  }

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await signIn(t.app);
    user = await signIn(t.app, 'guest', 'user');
    f = catalogFixtures(t.database.db);
    const guest = await t.database.db.selectFrom('users').select('id').where('username', '=', 'guest').executeTakeFirstOrThrow();
    shared = (await f.library({ name: 'Shared' })).id as string;
    secret = (await f.library({ name: 'Secret' })).id as string;
    await f.grant(shared, guest.id);
    const open = await f.album({ title: 'Open Album', artist: 'Common Artist' });
    const hidden = await f.album({ title: 'Hidden Album', artist: 'Hidden Artist' });
    await f.track({ title: 'Shared Song', album: open, artists: ['Common Artist'], libraryId: shared });
    await f.track({ title: 'Secret Song', album: hidden, artists: ['Hidden Artist', 'Common Artist'], libraryId: secret });
    await f.track({ title: 'Classified Tune', artists: ['Common Artist'], libraryId: secret });
    for (const [entity, table] of [['artist', 'artists'], ['album', 'albums'], ['track', 'tracks']] as const) {
      changed('upsert', entity, (await t.database.db.selectFrom(table).select('id').execute()).map((row) => row.id));
    }
    await t.app.omnisonic.search.settled();
  });
  afterAll(() => t.close());

  it('never returns results from a library the caller may not see', async () => {
    expect(await search(user, 'q=secret')).toMatchObject({ artists: [], albums: [], tracks: [] });
    expect(await search(user, 'q=hidden')).toMatchObject({ artists: [], albums: [], tracks: [] });
    const common = await search(user, 'q=common');
    expect(common.artists.map((a) => a.name)).toEqual(['Common Artist']);
    expect(common.tracks.map((track) => track.title)).toEqual(['Shared Song']);
    expect(common.albums.map((album) => album.title)).toEqual(['Open Album']);
    // Filters and browsing see no more.
    expect((await search(user, `library=${secret}`)).tracks).toEqual([]);
    expect((await search(user, 'lossless=true')).tracks.map((track) => track.title)).toEqual(['Shared Song']);
    // The admin sees both libraries.
    expect((await search(admin, 'q=song')).tracks.map((track) => track.title)).toEqual(['Secret Song', 'Shared Song']);
  });

  it('suggests no term that only a hidden library holds', async () => {
    const body = await search(user, 'q=klasifid');
    expect(body.tracks).toEqual([]);
    expect(body.didYouMean).toBeUndefined();
    expect((await search(admin, 'q=klasifid')).didYouMean).toBe('classified');
  });

  it('finds an added track, a renamed one and no deleted one within a second', async () => {
    const track = await f.track({ title: 'Brand New Anthem', artists: ['Common Artist'], libraryId: shared });
    changed('upsert', 'track', [track.id]);
    await withinOneSecond(async () => (await search(user, 'q=brand%20new%20anthem')).tracks.some((found) => found.id === track.id));

    await t.database.db.updateTable('tracks').set({ title: 'Renamed Hymn', titleKey: 'renamed hymn' }).where('id', '=', track.id).execute();
    changed('upsert', 'track', [track.id]);
    await withinOneSecond(async () => (await search(user, 'q=renamed%20hymn')).tracks.some((found) => found.id === track.id));
    expect((await search(user, 'q=anthem')).tracks).toEqual([]);

    await t.database.db.deleteFrom('trackArtists').where('trackId', '=', track.id).execute();
    await t.database.db.deleteFrom('tracks').where('id', '=', track.id).execute();
    changed('delete', 'track', [track.id]);
    await withinOneSecond(async () => (await search(user, 'q=hymn')).tracks.length === 0);
  });

  it('follows catalog edits made through the API', async () => {
    const [track] = (await search(admin, 'q=shared%20song')).tracks;
    const edit = await t.app.inject({ method: 'PATCH', url: `/api/v1/tracks/${track!.id}`, headers: admin, payload: { title: 'Public Ballad' } });
    expect(edit.statusCode, edit.body).toBe(200);
    await withinOneSecond(async () => (await search(user, 'q=public%20ballad')).tracks.some((found) => found.id === track!.id));
  });

  it('drops a track that goes missing', async () => {
    const track = await f.track({ title: 'Vanishing Act', artists: ['Common Artist'], libraryId: shared });
    changed('upsert', 'track', [track.id]);
    await withinOneSecond(async () => (await search(user, 'q=vanishing')).tracks.length === 1);
    await t.database.db.updateTable('tracks').set({ status: 'missing' }).where('id', '=', track.id).execute();
    changed('delete', 'track', [track.id]);
    await withinOneSecond(async () => (await search(user, 'q=vanishing')).tracks.length === 0);
  });

  it('saves, lists and deletes searches per user', async () => {
    const body = { name: 'Recent lossless', search: { q: 'song', types: 'track', lossless: true, sort: 'added', addedSince: 1 } };
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/saved-searches', headers: user, payload: body });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject(body);
    await t.app.inject({ method: 'POST', url: '/api/v1/saved-searches', headers: user, payload: { name: 'A first', search: {} } });
    const listed = (await t.app.inject({ url: '/api/v1/saved-searches?limit=1', headers: user })).json();
    expect(listed.items.map((s: { name: string }) => s.name)).toEqual(['A first']);
    const next = (await t.app.inject({ url: `/api/v1/saved-searches?limit=1&cursor=${listed.nextCursor}`, headers: user })).json();
    expect(next).toMatchObject({ items: [{ name: 'Recent lossless' }], nextCursor: null });
    expect((await t.app.inject({ url: '/api/v1/saved-searches', headers: admin })).json().items).toEqual([]);
    const id = created.json().id;
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/saved-searches/${id}`, headers: admin })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/saved-searches/${id}`, headers: user })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/saved-searches/${id}`, headers: user })).statusCode).toBe(404);
    const invalid = await t.app.inject({ method: 'POST', url: '/api/v1/saved-searches', headers: user, payload: { name: 'x', search: { sort: 'loudness' } } });
    expect(invalid.statusCode).toBe(400);
  });
});
