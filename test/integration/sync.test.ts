import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAudioFixtures, writeImage } from '../support/audio-fixtures.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-sync-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface SyncRecord {
  type: string;
  id: string;
  op: 'upsert' | 'delete';
  data?: Record<string, any>;
}
type Headers = Record<string, string>;

describeEachDatabase('sync: bootstrap, changes, cursors and downloads', (kind) => {
  let t: TestApp;
  let admin: Headers;
  let listener: Headers;
  let listenerId: string;
  let device: { id: string; headers: Headers };
  let jazz: string;
  let rock: string;
  let jazzLibraryId: string;

  const inject = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, headers: Headers, payload?: unknown) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

  async function registerDevice(session: Headers) {
    const response = await inject('POST', '/devices', session, { name: 'laptop', platform: 'test', appVersion: '1', clientId: randomUUID() });
    expect(response.statusCode, response.body).toBe(201);
    const { device: created, accessToken } = response.json();
    return { id: created.id as string, headers: { authorization: `Bearer ${accessToken as string}` } };
  }

  /** Every page of a bootstrap (`limit` per page); `between` runs after each page but the last. */
  async function bootstrap(headers: Headers, limit = 500, between?: (page: number) => Promise<void>) {
    const records: SyncRecord[] = [];
    let cursor: string | null = null;
    let changesCursor = '';
    for (let page = 0; ; page++) {
      const response = await inject('GET', `/sync/bootstrap?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, headers);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      if (page === 0) changesCursor = body.changesCursor;
      else expect(body.changesCursor).toBe(changesCursor);
      records.push(...body.items);
      cursor = body.nextCursor;
      if (!cursor) break;
      await between?.(page);
    }
    return { records, changesCursor };
  }

  /** Every change after `cursor` until `hasMore` is false. */
  async function changes(headers: Headers, cursor: string, limit = 500) {
    const records: SyncRecord[] = [];
    for (;;) {
      const response = await inject('GET', `/sync/changes?cursor=${cursor}&limit=${limit}`, headers);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      records.push(...body.changes);
      cursor = body.nextCursor;
      if (!body.hasMore) return { records, cursor };
    }
  }

  /** A client's state: records applied in order, by type and id. */
  function apply(state: Map<string, SyncRecord>, records: SyncRecord[]) {
    for (const record of records) {
      const key = `${record.type}:${record.id}`;
      if (record.op === 'delete') state.delete(key);
      else state.set(key, record);
    }
    return state;
  }
  const snapshotOf = async (headers: Headers) => apply(new Map(), (await bootstrap(headers)).records);
  const sorted = (state: Map<string, SyncRecord>) => [...state.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const ofType = (records: SyncRecord[], type: string) => records.filter((r) => r.type === type);

  async function trackId(title: string): Promise<string> {
    const row = await t.database.db.selectFrom('tracks').select('id').where('title', '=', title).executeTakeFirstOrThrow();
    return row.id;
  }
  async function waitForHashes() {
    for (let i = 0; i < 200; i++) {
      const status = (await inject('GET', '/library/status', admin)).json();
      if (status.hashing.pending === 0 && status.state !== 'scanning') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('hashing did not finish');
  }

  beforeAll(async () => {
    const root = path.join(work, kind);
    jazz = path.join(root, 'jazz');
    rock = path.join(root, 'rock');
    const fixtures = createAudioFixtures(path.join(root, 'bases'));
    const cover = await writeImage(path.join(root, 'cover.jpg'), { r: 20, g: 40, b: 200 });
    await fixtures.track(path.join(jazz, 'Kind of Blue', '01 So What.mp3'), { title: 'So What', artist: 'Miles Davis', album: 'Kind of Blue', track: 1 }, { cover });
    await fixtures.track(path.join(jazz, 'Kind of Blue', '02 Freddie.mp3'), { title: 'Freddie Freeloader', artist: 'Miles Davis', album: 'Kind of Blue', track: 2 }, { cover });
    await fixtures.track(path.join(jazz, 'Blue Train', '01.flac'), { title: 'Blue Train', artist: 'John Coltrane', album: 'Blue Train', track: 1 });
    await fixtures.track(path.join(rock, 'Nevermind', '01.mp3'), { title: 'Breed', artist: 'Nirvana', album: 'Nevermind', track: 1 });
    t = await createTestApp(kind, { musicDirs: [jazz, rock] });
    admin = await signIn(t.app, 'admin', 'admin');
    listener = await signIn(t.app, 'listener', 'user');
    listenerId = (await inject('GET', '/me', listener)).json().id;
    const libraries = (await inject('GET', '/admin/libraries', admin)).json().items as { id: string; rootPath: string }[];
    jazzLibraryId = libraries.find((l) => l.rootPath.endsWith(`${path.sep}jazz`))!.id;
    expect((await inject('PUT', `/admin/libraries/${jazzLibraryId}/users`, admin, { userIds: [listenerId] })).statusCode).toBe(200);
    await t.app.omnisonic.library.scan();
    await waitForHashes();
    device = await registerDevice(listener);
  });
  afterAll(() => t.close());

  it('bootstraps everything the user may see — covers, artists, albums, tracks — and nothing of other libraries', async () => {
    const { records } = await bootstrap(device.headers, 2);
    const titles = ofType(records, 'track').map((r) => r.data!.title).sort();
    expect(titles).toEqual(['Blue Train', 'Freddie Freeloader', 'So What']);
    expect(ofType(records, 'album').map((r) => r.data!.title).sort()).toEqual(['Blue Train', 'Kind of Blue']);
    expect(ofType(records, 'artist').map((r) => r.data!.name).sort()).toEqual(['John Coltrane', 'Miles Davis']);
    expect(ofType(records, 'artwork')).toHaveLength(1);
    expect(JSON.stringify(records)).not.toContain('Nirvana');
    // Each record once, though pages were 2 records long.
    expect(new Set(records.map((r) => `${r.type}:${r.id}`)).size).toBe(records.length);

    const soWhat = records.find((r) => r.data?.title === 'So What')!;
    const bytes = readFileSync(path.join(jazz, 'Kind of Blue', '01 So What.mp3'));
    expect(soWhat.data).toMatchObject({
      albumTitle: 'Kind of Blue',
      albumArtist: 'Miles Davis',
      artistName: 'Miles Davis',
      trackNumber: 1,
      size: bytes.length,
      codec: expect.any(String),
      artworkId: ofType(records, 'artwork')[0].id,
    });
    expect(soWhat.data!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(soWhat.data!.fileName).toBe(`Miles Davis/Kind of Blue/1-01 So What [${soWhat.id.slice(0, 8)}].mp3`);

    const everything = await snapshotOf(admin);
    expect([...everything.values()].some((r) => r.data?.title === 'Breed')).toBe(true);
  });

  it('gzips snapshot pages for clients that accept it', async () => {
    const plain = await inject('GET', '/sync/bootstrap', device.headers);
    const zipped = await t.app.inject({ url: '/api/v1/sync/bootstrap', headers: { ...device.headers, 'accept-encoding': 'br;q=1, gzip;q=0.5' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.rawPayload.length).toBeLessThan(plain.rawPayload.length);
    expect(JSON.parse(gunzipSync(zipped.rawPayload).toString('utf8'))).toEqual(plain.json());
    const refused = await t.app.inject({ url: '/api/v1/sync/bootstrap', headers: { ...device.headers, 'accept-encoding': 'gzip;q=0' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('answers 400 invalid_cursor for a garbage cursor and keeps an empty poll under 200 bytes', async () => {
    for (const url of ['/sync/changes?cursor=garbage', '/sync/bootstrap?cursor=garbage', '/sync/changes?cursor=b1.1.00000000.0.']) {
      const response = await inject('GET', url, device.headers);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.code).toBe('invalid_cursor');
    }
    const { changesCursor } = await bootstrap(device.headers);
    const { cursor } = await changes(device.headers, changesCursor);
    const poll = await inject('GET', `/sync/changes?cursor=${cursor}`, device.headers);
    expect(poll.json()).toEqual({ changes: [], nextCursor: cursor, hasMore: false });
    expect(Buffer.byteLength(poll.body)).toBeLessThanOrEqual(200);
  });

  it('sends the latest state after a rename, a favorite, a playlist edit and a deleted file, once per entity', async () => {
    const { changesCursor } = await bootstrap(device.headers);
    const freddie = await trackId('Freddie Freeloader');
    const blueTrain = await trackId('Blue Train');

    expect((await inject('PATCH', `/tracks/${freddie}`, admin, { title: 'Freddie' })).statusCode).toBe(200);
    expect((await inject('PATCH', `/tracks/${freddie}`, admin, { title: 'Freddie the Freeloader' })).statusCode).toBe(200);
    expect((await inject('PUT', `/favorites/track/${freddie}`, listener)).statusCode).toBe(204);
    const playlist = (await inject('POST', '/playlists', listener, { name: 'Late night' })).json();
    expect((await inject('POST', `/playlists/${playlist.id}/items`, listener, { trackIds: [freddie, blueTrain, freddie] })).statusCode).toBe(200);
    const gone = await inject('POST', '/playlists', listener, { name: 'Gone soon' });
    expect((await inject('DELETE', `/playlists/${gone.json().id}`, listener)).statusCode).toBe(204);
    await rename(path.join(jazz, 'Blue Train', '01.flac'), path.join(work, `${kind}-blue-train.flac`));
    await t.app.omnisonic.library.scan();

    const { records } = await changes(device.headers, changesCursor);
    const keys = records.map((r) => `${r.type}:${r.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(records.find((r) => r.id === freddie)).toMatchObject({ op: 'upsert', data: { title: 'Freddie the Freeloader' } });
    expect(records.find((r) => r.type === 'favorite')).toMatchObject({ id: `track:${freddie}`, op: 'upsert', data: { itemType: 'track', itemId: freddie } });
    expect(records.find((r) => r.id === playlist.id)).toMatchObject({ op: 'upsert', data: { name: 'Late night', trackIds: [freddie, blueTrain, freddie] } });
    expect(records.find((r) => r.id === gone.json().id)).toEqual({ type: 'playlist', id: gone.json().id, op: 'delete' });
    // The missing file's track, its album and its artist are gone for this user.
    expect(records.find((r) => r.id === blueTrain)).toEqual({ type: 'track', id: blueTrain, op: 'delete' });
    expect(records.filter((r) => r.op === 'delete' && (r.type === 'album' || r.type === 'artist'))).toHaveLength(2);

    expect((await inject('DELETE', `/favorites/track/${freddie}`, listener)).statusCode).toBe(204);
    const after = await changes(device.headers, changesCursor);
    expect(after.records.find((r) => r.type === 'favorite')).toEqual({ type: 'favorite', id: `track:${freddie}`, op: 'delete' });
    // Bootstrap then changes lands exactly where a fresh bootstrap does.
    const client = apply(apply(new Map(), (await bootstrap(device.headers)).records), []);
    expect(sorted(apply(await snapshotOf(device.headers), after.records))).toEqual(sorted(client));

    await rename(path.join(work, `${kind}-blue-train.flac`), path.join(jazz, 'Blue Train', '01.flac'));
    await t.app.omnisonic.library.scan();
  });

  it('keeps a paged bootstrap consistent while the catalog changes between its pages', async () => {
    const client = new Map<string, SyncRecord>();
    const soWhat = await trackId('So What');
    let step = 0;
    const { records, changesCursor } = await bootstrap(device.headers, 1, async () => {
      step++;
      if (step === 2) await inject('PATCH', `/tracks/${soWhat}`, admin, { title: 'So What (take 2)' });
      if (step === 4) await inject('PUT', `/favorites/album/${(await inject('GET', `/tracks/${soWhat}`, admin)).json().albumId}`, listener);
      if (step === 6) await inject('POST', '/playlists', listener, { name: `Made during bootstrap ${kind}` });
    });
    apply(client, records);
    const { records: caughtUp } = await changes(device.headers, changesCursor);
    apply(client, caughtUp);
    expect(sorted(client)).toEqual(sorted(await snapshotOf(device.headers)));
    expect([...client.values()].some((r) => r.data?.title === 'So What (take 2)')).toBe(true);
    await inject('PATCH', `/tracks/${soWhat}`, admin, { title: 'So What' });
  });

  it('never shows a user records of a library they may not see', async () => {
    const { changesCursor } = await bootstrap(device.headers);
    const breed = await trackId('Breed');
    expect((await inject('PATCH', `/tracks/${breed}`, admin, { title: 'Breed (live)', album: 'Nevermind Live' })).statusCode).toBe(200);
    await inject('PUT', `/favorites/track/${breed}`, admin);
    const { records } = await changes(device.headers, changesCursor);
    expect(records).toEqual([]);
    const adminView = await changes(admin, (await bootstrap(admin)).changesCursor);
    expect(adminView.records).toEqual([]);
    expect(JSON.stringify([...(await snapshotOf(device.headers)).values()])).not.toMatch(/Breed|Nirvana|Nevermind/);
  });

  it('expires cursors with 410 when a library is granted or taken away, and a new bootstrap follows the new access', async () => {
    const { changesCursor } = await bootstrap(device.headers);
    const libraries = (await inject('GET', '/admin/libraries', admin)).json().items as { id: string; rootPath: string }[];
    const rockId = libraries.find((l) => l.rootPath.endsWith(`${path.sep}rock`))!.id;
    await inject('PUT', `/admin/libraries/${rockId}/users`, admin, { userIds: [listenerId] });
    const expired = await inject('GET', `/sync/changes?cursor=${changesCursor}`, device.headers);
    expect(expired.statusCode).toBe(410);
    expect(expired.json().error.code).toBe('cursor_expired');
    const granted = await bootstrap(device.headers);
    expect(ofType(granted.records, 'track').map((r) => r.data!.title)).toContain('Breed (live)');

    await inject('PUT', `/admin/libraries/${rockId}/users`, admin, { userIds: [] });
    expect((await inject('GET', `/sync/changes?cursor=${granted.changesCursor}`, device.headers)).statusCode).toBe(410);
    expect(JSON.stringify((await bootstrap(device.headers)).records)).not.toContain('Breed');
  });

  it('keeps a cursor per device and lets an admin force one device to bootstrap again', async () => {
    const phone = await registerDevice(listener);
    const laptop = await bootstrap(device.headers);
    const onPhone = await bootstrap(phone.headers);
    expect((await inject('POST', '/sync/ack', device.headers, { cursor: laptop.changesCursor })).statusCode).toBe(204);
    expect((await inject('POST', '/sync/ack', listener, { cursor: laptop.changesCursor })).statusCode).toBe(403);
    expect((await inject('POST', '/sync/ack', device.headers, { cursor: 'nonsense' })).json().error.code).toBe('invalid_cursor');

    const listed = (await inject('GET', '/sync/devices', listener)).json().items;
    expect(listed.find((d: { deviceId: string }) => d.deviceId === device.id)).toMatchObject({ ackedCursor: laptop.changesCursor, resyncPending: false });
    expect(listed.find((d: { deviceId: string }) => d.deviceId === phone.id)).toMatchObject({ ackedCursor: null });

    expect((await inject('POST', `/admin/devices/${device.id}/resync`, listener)).statusCode).toBe(403);
    expect((await inject('POST', `/admin/devices/${'0'.repeat(32)}/resync`, admin)).json().error.code).toBe('device_not_found');
    expect((await inject('POST', `/admin/devices/${device.id}/resync`, admin)).statusCode).toBe(204);
    expect((await inject('GET', '/sync/devices', listener)).json().items.find((d: { deviceId: string }) => d.deviceId === device.id).resyncPending).toBe(true);

    const forced = await inject('GET', `/sync/changes?cursor=${laptop.changesCursor}`, device.headers);
    expect(forced.statusCode).toBe(410);
    expect(forced.json().error.code).toBe('cursor_expired');
    // The other device of the same user carries on.
    expect((await inject('GET', `/sync/changes?cursor=${onPhone.changesCursor}`, phone.headers)).statusCode).toBe(200);
    const again = await bootstrap(device.headers);
    expect((await inject('GET', `/sync/changes?cursor=${again.changesCursor}`, device.headers)).statusCode).toBe(200);
    await inject('POST', '/sync/ack', device.headers, { cursor: again.changesCursor });
    expect((await inject('GET', '/sync/devices', listener)).json().items.find((d: { deviceId: string }) => d.deviceId === device.id).resyncPending).toBe(false);
  });

  it('downloads the original file with Range, a SHA-256 ETag and an attachment name, and hides other libraries', async () => {
    const { records } = await bootstrap(device.headers);
    const soWhat = records.find((r) => r.data?.title === 'So What')!;
    const bytes = readFileSync(path.join(jazz, 'Kind of Blue', '01 So What.mp3'));
    const whole = await inject('GET', `/tracks/${soWhat.id}/download`, device.headers);
    expect(whole.statusCode).toBe(200);
    expect(whole.rawPayload.equals(bytes)).toBe(true);
    expect(whole.headers.etag).toBe(`"${soWhat.data!.sha256}"`);
    expect(whole.headers['content-disposition']).toBe(`attachment; filename="01 So What.mp3"; filename*=UTF-8''01%20So%20What.mp3`);
    expect(whole.headers['accept-ranges']).toBe('bytes');

    const rest = await t.app.inject({
      url: `/api/v1/tracks/${soWhat.id}/download`,
      headers: { ...device.headers, range: 'bytes=100-', 'if-range': whole.headers.etag as string },
    });
    expect(rest.statusCode).toBe(206);
    expect(rest.headers['content-range']).toBe(`bytes 100-${bytes.length - 1}/${bytes.length}`);
    expect(rest.rawPayload.equals(bytes.subarray(100))).toBe(true);
    const stale = await t.app.inject({ url: `/api/v1/tracks/${soWhat.id}/download`, headers: { ...device.headers, range: 'bytes=100-', 'if-range': '"other"' } });
    expect(stale.statusCode).toBe(200);
    const unchanged = await t.app.inject({ url: `/api/v1/tracks/${soWhat.id}/download`, headers: { ...device.headers, 'if-none-match': whole.headers.etag as string } });
    expect(unchanged.statusCode).toBe(304);

    const hidden = await inject('GET', `/tracks/${await trackId('Breed (live)')}/download`, device.headers);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().error.code).toBe('track_not_found');
    expect((await inject('GET', `/tracks/${'f'.repeat(32)}/download`, device.headers)).statusCode).toBe(404);
  });
});
