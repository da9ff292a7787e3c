import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { openEventStream, type EventStreamClient } from '../../bench/sse-client.js';
import { createLibraryRepository, emptyBatch } from '../../src/library/library-repository.js';
import { appendLibraryEvents } from '../../src/sync/library-events-repository.js';
import { createAudioFixtures } from '../support/audio-fixtures.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-sync-log-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Headers = Record<string, string>;
const DAY_MS = 86_400_000;

describeEachDatabase('sync change log: same-transaction writes, in-flight transactions, retention, live events', (kind) => {
  let t: TestApp;
  let base: string;
  let admin: Headers;
  let listener: Headers;
  let listenerId: string;
  let device: Headers;
  let jazz: string;
  /** Added to the real time; the retention test moves the server clock forward. */
  let clockOffsetMs = 0;
  const streams: EventStreamClient[] = [];

  const inject = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, headers: Headers, payload?: unknown) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  const logState = () => t.database.db.selectFrom('libraryEventLog').select(['lastSeq', 'compactedSeq']).executeTakeFirstOrThrow();
  const eventCount = async () => Number((await t.database.db.selectFrom('libraryEvents').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const headCursor = async (headers: Headers) => (await inject('GET', '/sync/bootstrap?limit=1', headers)).json().changesCursor as string;
  async function changes(headers: Headers, cursor: string) {
    const response = await inject('GET', `/sync/changes?cursor=${cursor}`, headers);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { changes: { type: string; id: string; op: string; data?: any }[]; nextCursor: string; hasMore: boolean };
  }
  const trackId = async (title: string) => (await t.database.db.selectFrom('tracks').select('id').where('title', '=', title).executeTakeFirstOrThrow()).id;

  beforeAll(async () => {
    const root = path.join(work, kind);
    jazz = path.join(root, 'jazz');
    const rock = path.join(root, 'rock');
    const fixtures = createAudioFixtures(path.join(root, 'bases'));
    await fixtures.track(path.join(jazz, 'So What.mp3'), { title: 'So What', artist: 'Miles Davis', album: 'Kind of Blue', track: 1 });
    await fixtures.track(path.join(rock, 'Breed.mp3'), { title: 'Breed', artist: 'Nirvana', album: 'Nevermind', track: 1 });
    await fixtures.track(path.join(root, 'upload.mp3'), { title: 'Sent Up', artist: 'Uploader', album: 'Uploaded', track: 1 });
    t = await createTestApp(kind, {
      musicDirs: [jazz, rock],
      env: { OMNISONIC_SYNC_RETENTION_DAYS: '30' },
      overrides: { clock: { now: () => Date.now() + clockOffsetMs } },
    });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    admin = await signIn(t.app, 'admin', 'admin');
    listener = await signIn(t.app, 'listener', 'user');
    listenerId = (await inject('GET', '/me', listener)).json().id;
    const libraries = (await inject('GET', '/admin/libraries', admin)).json().items as { id: string; rootPath: string }[];
    const jazzId = libraries.find((l) => l.rootPath.endsWith(`${path.sep}jazz`))!.id;
    await inject('PUT', `/admin/libraries/${jazzId}/users`, admin, { userIds: [listenerId] });
    await t.app.omnisonic.library.scan();
    // Background hashing would otherwise write hashes (and their events) while the tests run.
    for (let i = 0; i < 200 && (await inject('GET', '/library/status', admin)).json().hashing.pending > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const registered = await inject('POST', '/devices', listener, { name: 'phone', platform: 'test', appVersion: '1', clientId: randomUUID() });
    device = { authorization: `Bearer ${registered.json().accessToken as string}` };
  });
  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });
  afterAll(() => t.close());

  it('writes no event when a catalog write fails, and one with the write when it succeeds', async () => {
    const repository = createLibraryRepository(t.database.db);
    const before = await logState();
    const events = await eventCount();
    const existing = await t.database.db.selectFrom('tracks').selectAll().where('title', '=', 'So What').executeTakeFirstOrThrow();
    const failing = emptyBatch();
    failing.updates.push({ id: existing.id, fields: { title: 'Never Written' } });
    // Same library and path as an existing track: the unique key fails the whole transaction.
    failing.inserts.push({ track: { ...existing, id: 'f'.repeat(32) }, links: { artists: [], genres: [] } });
    await expect(repository.applyBatch(failing, Date.now())).rejects.toThrow();
    expect(await logState()).toEqual(before);
    expect(await eventCount()).toBe(events);
    expect((await t.database.db.selectFrom('tracks').select('title').where('id', '=', existing.id).executeTakeFirstOrThrow()).title).toBe('So What');

    // A refused playlist edit (stale revision) and a favorite that already is one change nothing and log nothing.
    const playlist = (await inject('POST', '/playlists', listener, { name: 'Mine' })).json();
    await inject('PUT', `/favorites/track/${existing.id}`, listener);
    const settled = await logState();
    const stale = await inject('PATCH', `/playlists/${playlist.id}`, listener, { name: 'Renamed', expectedRevision: playlist.revision + 5 });
    expect(stale.statusCode).toBe(409);
    expect((await inject('PUT', `/favorites/track/${existing.id}`, listener)).statusCode).toBe(204);
    expect(await logState()).toEqual(settled);

    const cursor = await headCursor(device);
    await repository.applyBatch({ ...emptyBatch(), updates: [{ id: existing.id, fields: { title: 'So What (remaster)' } }] }, Date.now());
    const { changes: delivered } = await changes(device, cursor);
    expect(delivered.find((r) => r.id === existing.id)?.data?.title).toBe('So What (remaster)');
    await repository.applyBatch({ ...emptyBatch(), updates: [{ id: existing.id, fields: { title: 'So What' } }] }, Date.now());
  });

  it('announces a landed SHA-256 and an uploaded track to their owners only', async () => {
    const repository = createLibraryRepository(t.database.db);
    const soWhat = await t.database.db.selectFrom('tracks').selectAll().where('title', '=', 'So What').executeTakeFirstOrThrow();
    await t.database.db.updateTable('tracks').set({ contentHash: null }).where('id', '=', soWhat.id).execute();
    const cursor = await headCursor(device);
    const hash = createHash('sha256').update(readFileSync(path.join(jazz, 'So What.mp3'))).digest('hex');
    expect(await repository.setContentHash(soWhat.id, hash, soWhat.size, soWhat.mtimeMs, Date.now())).toBe(soWhat.libraryId);
    const hashed = await changes(device, cursor);
    expect(hashed.changes).toEqual([expect.objectContaining({ type: 'track', id: soWhat.id, op: 'upsert', data: expect.objectContaining({ sha256: hash }) })]);

    const adminCursor = await headCursor(admin);
    const bytes = readFileSync(path.join(work, kind, 'upload.mp3'));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const upload = (await inject('POST', '/uploads', listener, { fileName: 'upload.mp3', size: bytes.length, sha256 })).json();
    const put = await t.app.inject({ method: 'PUT', url: `/api/v1/uploads/${upload.uploadId}`, headers: { ...listener, 'content-type': 'application/octet-stream' }, payload: bytes });
    expect(put.statusCode, put.body).toBeLessThan(300);
    const finalized = await inject('POST', `/uploads/${upload.uploadId}/finalize`, listener);
    expect(finalized.statusCode, finalized.body).toBe(200);
    const mine = await changes(device, hashed.nextCursor);
    expect(mine.changes.map((r) => [r.type, r.op, r.data?.title ?? r.data?.name]).sort()).toEqual([
      ['album', 'upsert', 'Uploaded'],
      ['artist', 'upsert', 'Uploader'],
      ['track', 'upsert', 'Sent Up'],
    ]);
    expect(mine.changes.find((r) => r.type === 'track')?.data?.sha256).toBe(sha256);
    expect((await changes(admin, adminCursor)).changes).toEqual([]);
  });

  it('sends library events over SSE only to users who may see the library', async () => {
    const stream = await openEventStream(`${base}/api/v1/events`, { headers: device });
    streams.push(stream);
    await stream.waitFor((m) => m.event === 'snapshot');
    const breed = await trackId('Breed');
    const soWhat = await trackId('So What');
    expect((await inject('PATCH', `/tracks/${breed}`, admin, { title: 'Breed (demo)' })).statusCode).toBe(200);
    expect((await inject('PATCH', `/tracks/${soWhat}`, admin, { title: 'So What (mono)' })).statusCode).toBe(200);
    const library = await stream.waitFor((m) => m.event === 'library' && JSON.parse(m.data).data.entity === 'track');
    expect(JSON.parse(library.data).data).toEqual({ change: 'upsert', entity: 'track', ids: [soWhat] });
    // Deliveries keep publication order, so the other library's earlier event would have come first.
    expect(stream.messages.filter((m) => m.event === 'library').map((m) => m.data).join()).not.toContain(breed);
    await inject('PATCH', `/tracks/${soWhat}`, admin, { title: 'So What' });
  });

  // SQLite has one writer at a time, so only PostgreSQL can have two appending transactions in flight.
  if (kind === 'postgres') {
    it('never moves a cursor past a change whose transaction is still in flight', async () => {
      const db = t.database.db;
      const cursor = await headCursor(device);
      const playlistRow = (id: string, name: string) => ({
        id, ownerUserId: listenerId, name, nameKey: name.toLowerCase(), description: '', shared: 0, revision: 1, createdAt: Date.now(), updatedAt: Date.now(),
      });
      const first = randomUUID().replaceAll('-', '');
      const second = randomUUID().replaceAll('-', '');
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let appended!: () => void;
      const firstAppended = new Promise<void>((resolve) => (appended = resolve));
      const slow = db.transaction().execute(async (trx) => {
        await trx.insertInto('playlists').values(playlistRow(first, 'Slow')).execute();
        await appendLibraryEvents(trx, [{ entityType: 'playlist', entityId: first, op: 'upsert', libraryId: null, ownerUserId: listenerId }], Date.now());
        appended();
        await gate;
      });
      await firstAppended;
      // A second writer starts and writes its row while the first is still open; it would commit first if it could.
      let fastCommitted = false;
      const fast = db
        .transaction()
        .execute(async (trx) => {
          await trx.insertInto('playlists').values(playlistRow(second, 'Fast')).execute();
          await appendLibraryEvents(trx, [{ entityType: 'playlist', entityId: second, op: 'upsert', libraryId: null, ownerUserId: listenerId }], Date.now());
        })
        .then(() => {
          fastCommitted = true;
        });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(fastCommitted).toBe(false);
      const during = await changes(device, cursor);
      expect(during).toEqual({ changes: [], nextCursor: cursor, hasMore: false });

      release();
      await Promise.all([slow, fast]);
      const seqs = await db.selectFrom('libraryEvents').select(['seq', 'entityId']).where('entityId', 'in', [first, second]).orderBy('seq').execute();
      expect(seqs.map((row) => row.entityId)).toEqual([first, second]);
      const after = await changes(device, during.nextCursor);
      expect(after.changes.map((r) => [r.id, r.data?.name])).toEqual([
        [first, 'Slow'],
        [second, 'Fast'],
      ]);
    });
  }

  it('compacts events older than the retention window and answers 410 cursor_expired to cursors before them', async () => {
    const old = await headCursor(device);
    await inject('POST', '/playlists', listener, { name: 'Before the window' });
    const head = (await changes(device, old)).nextCursor;
    expect(await t.app.omnisonic.sync.compaction.runOnce()).toBe(0);

    clockOffsetMs = 31 * DAY_MS;
    expect(await t.app.omnisonic.sync.compaction.runOnce()).toBeGreaterThan(0);
    expect(await eventCount()).toBe(0);
    const expired = await inject('GET', `/sync/changes?cursor=${old}`, device);
    expect(expired.statusCode).toBe(410);
    expect(expired.json().error.code).toBe('cursor_expired');
    // A client that had read everything loses nothing and carries on.
    expect((await changes(device, head)).changes).toEqual([]);
    const fresh = await inject('GET', '/sync/bootstrap', device);
    expect(fresh.json().items.some((r: { data?: { name?: string } }) => r.data?.name === 'Before the window')).toBe(true);
  });
});
