import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSyncApi, ServerUnavailableError, SyncRequestError } from '../../src/sync-client/api-client.js';
import { createStateStore, StateFileError, type SyncState } from '../../src/sync-client/state-store.js';
import { createSyncEngine, type SyncEvent } from '../../src/sync-client/sync-engine.js';
import { fakeServer, memoryFileSystem, sha } from './sync-client-fakes.js';

const DIR = '/mirror';
const STATE = path.join(DIR, '.omnisonic-sync', 'state.json');
const bytes = (seed: number, length = 3000) => Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed * 7) % 256));

function setup(options: { retryForMs?: number | null; token?: string } = {}) {
  const server = fakeServer();
  const disk = memoryFileSystem();
  const sleeps: number[] = [];
  const events: SyncEvent[] = [];
  let now = 0;
  const engine = () =>
    createSyncEngine({
      api: createSyncApi({ server: 'http://music.test', token: options.token ?? 'omd_test', fetch: server.fetch }),
      fs: disk.fs,
      store: createStateStore(disk.fs, STATE),
      dir: DIR,
      clock: { now: () => now },
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      random: () => 0.5,
      onEvent: (event) => events.push(event),
      pageSize: 2,
      retryForMs: options.retryForMs ?? null,
    });
  const state = () => JSON.parse(disk.files.get(STATE)!.data.toString('utf8')) as SyncState;
  return { server, disk, sleeps, events, engine, state };
}

describe('the sync client', () => {
  it('mirrors the library into the folder byte for byte, then only applies what changed', async () => {
    const { server, disk, engine, state } = setup();
    server.upsert('a', 'Artist/Album/1-01 One.flac', bytes(1));
    server.upsert('b', 'Artist/Album/1-02 Two.mp3', bytes(2));
    server.upsert('c', 'Other/Album/1-01 Three.mp3', bytes(3));
    const first = await engine().sync();
    expect(first).toMatchObject({ bootstrapped: true, downloaded: 3, tracks: 3, localFiles: 3, phase: 'incremental' });
    expect(disk.mirrored(DIR)).toEqual({
      'Artist/Album/1-01 One.flac': bytes(1),
      'Artist/Album/1-02 Two.mp3': bytes(2),
      'Other/Album/1-01 Three.mp3': bytes(3),
    });
    expect(state().phase).toBe('incremental');
    expect(server.acked).toEqual([state().cursor]);

    server.upsert('d', 'Other/Album/1-02 Four.mp3', bytes(4));
    server.remove('b');
    const second = await engine().sync();
    expect(second).toMatchObject({ bootstrapped: false, downloaded: 1, removed: 1, tracks: 3 });
    expect(Object.keys(disk.mirrored(DIR))).toEqual(['Artist/Album/1-01 One.flac', 'Other/Album/1-01 Three.mp3', 'Other/Album/1-02 Four.mp3']);
    expect(server.requests.filter((r) => r.url.pathname.endsWith('/bootstrap'))).toHaveLength(2); // two pages, first run only
  });

  it('resumes a download cut off mid-file from the bytes it kept, so no byte is fetched twice', async () => {
    const { server, disk, engine, sleeps } = setup();
    const big = bytes(9, 20_000);
    server.upsert('a', 'A/big.flac', big);
    server.faults.breakDownloadAfter = 8192;
    const summary = await engine().sync();
    expect(summary).toMatchObject({ downloaded: 1, resumed: 1, retries: 1 });
    expect(sleeps).toHaveLength(1);
    expect(disk.mirrored(DIR)['A/big.flac']).toEqual(big);
    const downloads = server.downloads();
    expect(downloads.map((d) => d.headers.range)).toEqual([undefined, 'bytes=8192-']);
    expect(downloads[1]!.headers['if-range']).toBe(`"${sha(big)}"`);
    expect(server.served.get('a')).toBe(big.length);
    expect(summary.downloadedBytes).toBe(big.length);
  });

  it('throws away a download whose SHA-256 is wrong and fetches it again', async () => {
    const { server, disk, engine, events } = setup();
    server.upsert('a', 'A/one.mp3', bytes(1));
    server.faults.corrupt.set('a', 1);
    const summary = await engine().sync();
    expect(summary).toMatchObject({ downloaded: 1, failed: [] });
    expect(disk.mirrored(DIR)['A/one.mp3']).toEqual(bytes(1));
    expect(server.downloads()).toHaveLength(2);
    expect(events).toContainEqual({ type: 'warning', message: expect.stringMatching(/SHA-256 .* is not the expected/) });
  });

  it('reports a track that keeps failing verification, keeps no bad file, and gets it on the next run', async () => {
    const { server, disk, engine } = setup();
    server.upsert('a', 'A/one.mp3', bytes(1));
    server.faults.corrupt.set('a', 2);
    const summary = await engine().sync();
    expect(summary.failed).toEqual([{ id: 'a', fileName: 'A/one.mp3', reason: expect.stringContaining('SHA-256') }]);
    expect(summary.localFiles).toBe(0);
    expect([...disk.files.keys()].filter((f) => !f.endsWith('state.json'))).toEqual([]);
    expect((await engine().sync()).downloaded).toBe(1);
    expect(disk.mirrored(DIR)['A/one.mp3']).toEqual(bytes(1));
  });

  it('waits with growing, jittered delays while the server is unreachable and keeps its cursor', async () => {
    const { server, engine, sleeps, state } = setup();
    server.upsert('a', 'A/one.mp3', bytes(1));
    await engine().sync();
    const cursor = state().cursor;
    server.upsert('b', 'A/two.mp3', bytes(2));
    server.faults.unreachable = 4;
    const summary = await engine().sync();
    // random() = 0.5 → ¾ of min(30 s, 0.5 s · 2^attempt).
    expect(sleeps).toEqual([375, 750, 1500, 3000]);
    expect(summary).toMatchObject({ retries: 4, bootstrapped: false, downloaded: 1 });
    const changes = server.requests.filter((r) => r.url.pathname.endsWith('/changes'));
    expect(changes.at(-1)!.url.searchParams.get('cursor')).toBe(cursor);
    expect(server.requests.filter((r) => r.url.pathname.endsWith('/bootstrap'))).toHaveLength(1);
  });

  it('gives up after --retry-for with the cursor saved, and catches up on the next run', async () => {
    const { server, engine, state } = setup({ retryForMs: 2000 });
    server.upsert('a', 'A/one.mp3', bytes(1));
    await engine().sync();
    const cursor = state().cursor;
    server.faults.unreachable = 1000;
    await expect(engine().sync()).rejects.toBeInstanceOf(ServerUnavailableError);
    expect(state().cursor).toBe(cursor);
    server.faults.unreachable = 0;
    server.upsert('b', 'A/two.mp3', bytes(2));
    expect(await engine().sync()).toMatchObject({ downloaded: 1, localFiles: 2 });
  });

  it('loads a fresh snapshot when its cursor expired (410) and ends with exactly the server’s tracks', async () => {
    const { server, disk, engine } = setup();
    server.upsert('a', 'A/one.mp3', bytes(1));
    server.upsert('b', 'A/two.mp3', bytes(2));
    await engine().sync();
    server.remove('b');
    server.upsert('c', 'C/three.mp3', bytes(3));
    server.compact();
    const summary = await engine().sync();
    expect(summary).toMatchObject({ rebootstraps: 1, bootstrapped: true, removed: 1, downloaded: 1, tracks: 2 });
    expect(disk.mirrored(DIR)).toEqual({ 'A/one.mp3': bytes(1), 'C/three.mp3': bytes(3) });
    // "a" was not fetched again.
    expect(server.downloads().map((d) => d.url.pathname)).toEqual(['/api/v1/tracks/a/download', '/api/v1/tracks/b/download', '/api/v1/tracks/c/download']);
  });

  it('refuses file names that would leave the folder, and mirrors the rest', async () => {
    const { server, disk, engine } = setup();
    const hostile = ['../escape.mp3', '/etc/passwd', 'a/../../b.mp3', 'C:/Windows/x.mp3', 'a\\..\\b.mp3', '.omnisonic-sync/state.json', 'a//b.mp3', 'nul\u0000.mp3'];
    hostile.forEach((name, i) => server.upsert(`h${i}`, name, bytes(i)));
    server.upsert('ok', 'Fine/ok.mp3', bytes(99));
    const summary = await engine().sync();
    expect(summary.refused.map((r) => r.fileName).sort()).toEqual([...hostile].sort());
    expect(Object.keys(disk.mirrored(DIR))).toEqual(['Fine/ok.mp3']);
    expect([...disk.files.keys()].every((f) => f.startsWith(`${DIR}/`))).toBe(true);
    expect(server.downloads().map((d) => d.url.pathname)).toEqual(['/api/v1/tracks/ok/download']);
  });

  it('restores a file deleted or altered behind its back on the next run, and leaves other files alone', async () => {
    const { server, disk, engine } = setup();
    server.upsert('a', 'A/one.mp3', bytes(1));
    server.upsert('b', 'A/two.mp3', bytes(2));
    await engine().sync();
    disk.files.delete(`${DIR}/A/one.mp3`);
    disk.put(`${DIR}/A/two.mp3`, bytes(5)); // same size, other content
    disk.put(`${DIR}/A/notes.txt`, Buffer.from('mine'));
    const summary = await engine().sync();
    expect(summary).toMatchObject({ missing: 1, changed: 1, downloaded: 2 });
    expect(disk.mirrored(DIR)).toEqual({ 'A/notes.txt': Buffer.from('mine'), 'A/one.mp3': bytes(1), 'A/two.mp3': bytes(2) });
  });

  it('takes over files already in place instead of downloading them again when the state was lost', async () => {
    const { server, disk, engine } = setup();
    server.upsert('a', 'A/one.mp3', bytes(1));
    await engine().sync();
    disk.files.delete(STATE);
    const summary = await engine().sync();
    expect(summary).toMatchObject({ bootstrapped: true, downloaded: 0, localFiles: 1 });
    expect(server.downloads()).toHaveLength(1);
  });

  it('renames a file whose suggested name changed instead of downloading it again', async () => {
    const { server, disk, engine } = setup();
    server.upsert('a', 'Old/one.mp3', bytes(1));
    await engine().sync();
    server.upsert('a', 'New/one.mp3', bytes(1));
    expect(await engine().sync()).toMatchObject({ moved: 1, downloaded: 0 });
    expect(disk.mirrored(DIR)).toEqual({ 'New/one.mp3': bytes(1) });
  });

  it('does not download a track before the server has hashed it, then does once the hash arrives', async () => {
    const { server, disk, engine } = setup();
    server.upsert('a', 'A/one.mp3', bytes(1), false);
    expect(await engine().sync()).toMatchObject({ waitingForHash: 1, downloaded: 0 });
    expect(server.downloads()).toHaveLength(0);
    server.upsert('a', 'A/one.mp3', bytes(1), true);
    expect(await engine().sync()).toMatchObject({ waitingForHash: 0, downloaded: 1 });
    expect(disk.mirrored(DIR)['A/one.mp3']).toEqual(bytes(1));
  });

  it('stops with a clear error on a refused token, and on a state file of another server', async () => {
    const refused = setup({ token: 'wrong' });
    await expect(refused.engine().sync()).rejects.toThrow(SyncRequestError);
    const { disk, engine } = setup();
    disk.put(STATE, Buffer.from(JSON.stringify({ version: 1, server: 'http://other.test', phase: 'incremental', cursor: 'c:1', bootstrapSeen: [], tracks: {} })));
    await expect(engine().sync()).rejects.toThrow(StateFileError);
    await expect(engine().sync()).rejects.toThrow(/mirrors http:\/\/other.test/);
  });
});
