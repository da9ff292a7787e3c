import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createAudioFixtures, writeImage } from '../support/audio-fixtures.js';
import { describeEachDatabase } from '../support/databases.js';
import {
  api,
  corpusDir,
  dropTargets,
  login,
  registerDevice,
  runSyncClient,
  serverTarget,
  startServer,
  syncOnce,
  waitForSettledLibrary,
  type RunningServer,
  type ServerTarget,
} from './sync-harness.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-sync-e2e-'));
const fixtures = createAudioFixtures(path.join(work, 'bases'));
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const CORPUS = [
  "MusicBrainz - Beth Hart - Sinner's Prayer.flac",
  "MusicBrainz - Beth Hart - Sinner's Prayer.m4a",
  'Discogs - Yasmin Levy - Mi Korasón.flac',
  'a kind of magic.flac',
  'issue-89 no-artist.aiff',
  'id3v2.4.mp3',
];

afterAll(async () => {
  await dropTargets();
  rmSync(work, { recursive: true, force: true });
});

/** Relative path → SHA-256 of every file in a mirror folder, the client's own folder aside. */
function mirrorOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const rel = path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
    if (entry.isFile() && !rel.startsWith('.omnisonic-sync/')) out[rel] = sha(readFileSync(path.join(dir, rel)));
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

const stateOf = (dir: string) => JSON.parse(readFileSync(path.join(dir, '.omnisonic-sync', 'state.json'), 'utf8')) as { phase: string; cursor: string };

describeEachDatabase('omnisonic sync against a real server', (kind) => {
  let target: ServerTarget;
  let server: RunningServer;
  let session: string;
  let laptop: { id: string; token: string };
  const music = path.join(work, `music-${kind}`);
  const laptopDir = path.join(work, `laptop-${kind}`);
  /** SHA-256 of every file ingested (scanned or uploaded) → its bytes, to check the mirror is byte-identical. */
  const ingested = new Map<string, Buffer>();
  const remember = (file: string) => ingested.set(sha(readFileSync(file)), readFileSync(file));

  /** What the server says the mirror must hold: fileName → sha256 of every track in its snapshot. */
  async function expected(token = laptop.token): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=1000&cursor=${encodeURIComponent(cursor)}` : '?limit=1000';
      const page = (await api<{ items: { type: string; data?: { fileName: string; sha256: string } }[]; nextCursor: string | null }>(server.url, token, 'GET', `/sync/bootstrap${query}`)).body;
      for (const item of page.items) if (item.type === 'track' && item.data) out[item.data.fileName] = item.data.sha256;
      cursor = page.nextCursor;
    } while (cursor);
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  }

  async function importFile(file: string, name: string): Promise<void> {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(file)]), name);
    const response = await fetch(`${server.url}/api/v1/library/import`, { method: 'POST', headers: { authorization: `Bearer ${session}` }, body: form });
    const body = (await response.json()) as { items: { result: string; reason: string | null }[] };
    expect(body.items, JSON.stringify(body)).toEqual([expect.objectContaining({ result: 'added' })]);
    remember(file);
  }

  const sync = (dir = laptopDir, token = laptop.token, args: string[] = []) => syncOnce({ server: server.url, token, dir, args });

  beforeAll(async () => {
    const cover = await writeImage(path.join(work, `cover-${kind}.jpg`), { r: 30, g: 90, b: 160 });
    for (let i = 1; i <= 4; i += 1) {
      remember(
        await fixtures.track(path.join(music, 'Generated', `Song ${i}.${i % 2 ? 'mp3' : 'flac'}`), { title: `Song ${i}`, artist: 'Fixture Band', album: 'Sync Album', track: i }, { cover, frequency: 200 + i * 50 }),
      );
    }
    for (const name of CORPUS) {
      const to = path.join(music, 'Corpus', name);
      mkdirSync(path.dirname(to), { recursive: true });
      copyFileSync(path.join(corpusDir, name), to);
      remember(to);
    }
    target = serverTarget(kind, work);
    server = await startServer(target, { music: [music] });
    session = await login(server.url);
    laptop = await registerDevice(server.url, session, 'laptop');
    await waitForSettledLibrary(server.url, session);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('mirrors a scanned and uploaded library into the folder, every file byte-identical to what was ingested', async () => {
    const upload = await fixtures.track(path.join(work, `upload-${kind}.mp3`), { title: 'Sent From Phone', artist: 'Uploader', album: 'Uploads', track: 1 }, { frequency: 880 });
    await importFile(upload, 'from-phone.mp3');
    await waitForSettledLibrary(server.url, session);

    const summary = await sync();
    const want = await expected();
    expect(Object.keys(want), JSON.stringify(Object.keys(want))).toHaveLength(CORPUS.length + 5);
    expect(summary).toMatchObject({ bootstrapped: true, tracks: CORPUS.length + 5, localFiles: CORPUS.length + 5, downloaded: CORPUS.length + 5, refused: [], failed: [] });
    expect(mirrorOf(laptopDir)).toEqual(want);
    for (const [rel, hash] of Object.entries(mirrorOf(laptopDir))) expect(readFileSync(path.join(laptopDir, rel)).equals(ingested.get(hash)!), rel).toBe(true);
    expect(stateOf(laptopDir).phase).toBe('incremental');

    const again = await sync();
    expect(again).toMatchObject({ bootstrapped: false, downloaded: 0, removed: 0 });
  }, 120_000);

  it('restores a file deleted or damaged behind its back on the next run', async () => {
    const before = mirrorOf(laptopDir);
    const [first, second] = Object.keys(before);
    unlinkSync(path.join(laptopDir, first!));
    const damaged = readFileSync(path.join(laptopDir, second!));
    damaged[damaged.length - 1] ^= 0xff;
    writeFileSync(path.join(laptopDir, second!), damaged);
    writeFileSync(path.join(laptopDir, 'my notes.txt'), 'not the client’s');
    const summary = await sync();
    expect(summary).toMatchObject({ missing: 1, changed: 1, downloaded: 2 });
    expect(mirrorOf(laptopDir)).toEqual({ ...before, 'my notes.txt': sha(Buffer.from('not the client’s')) });
    rmSync(path.join(laptopDir, 'my notes.txt'));
  }, 120_000);

  it('removes the file of a track deleted on the server, and nothing else', async () => {
    const gone = path.join(music, 'Corpus', 'id3v2.4.mp3');
    const goneSha = sha(readFileSync(gone));
    unlinkSync(gone);
    await api(server.url, session, 'POST', '/library/scans');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await waitForSettledLibrary(server.url, session);
    const summary = await sync();
    expect(summary).toMatchObject({ removed: 1, downloaded: 0 });
    expect(Object.values(mirrorOf(laptopDir))).not.toContain(goneSha);
    expect(mirrorOf(laptopDir)).toEqual(await expected());
  }, 120_000);

  it('keeps its cursor while the server is down and catches up once it is back', async () => {
    const added = await fixtures.track(path.join(music, 'Generated', 'Late Arrival.mp3'), { title: 'Late Arrival', artist: 'Fixture Band', album: 'Sync Album', track: 9 }, { frequency: 660 });
    remember(added);
    await api(server.url, session, 'POST', '/library/scans');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await waitForSettledLibrary(server.url, session);
    const cursor = stateOf(laptopDir).cursor;
    const port = server.port;
    await server.stop();

    const client = runSyncClient({ server: server.url, token: laptop.token, dir: laptopDir });
    let stderr = '';
    client.child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    for (let i = 0; i < 200 && (stderr.match(/server unavailable/g) ?? []).length < 2; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    expect((stderr.match(/server unavailable/g) ?? []).length).toBeGreaterThanOrEqual(2);
    expect(stateOf(laptopDir).cursor).toBe(cursor);

    server = await startServer(target, { music: [music], port, env: { OMNISONIC_SCAN_ON_START: 'false' } });
    const { code, summary } = await client.done;
    expect(code).toBe(0);
    expect(summary).toMatchObject({ bootstrapped: false, downloaded: 1, removed: 0 });
    expect(summary.retries).toBeGreaterThanOrEqual(2);
    expect(mirrorOf(laptopDir)).toEqual(await expected());
  }, 120_000);

  it('keeps two devices of one user converged, each with its own cursor on the server', async () => {
    const phone = await registerDevice(server.url, session, 'phone');
    const phoneDir = path.join(work, `phone-${kind}`);
    expect(await sync(phoneDir, phone.token)).toMatchObject({ bootstrapped: true });
    const upload = await fixtures.track(path.join(work, `second-upload-${kind}.flac`), { title: 'Second Upload', artist: 'Uploader', album: 'Uploads', track: 2 }, { frequency: 990 });
    await importFile(upload, 'second.flac');
    await waitForSettledLibrary(server.url, session);
    expect(await sync()).toMatchObject({ downloaded: 1 });
    expect(await sync(phoneDir, phone.token)).toMatchObject({ downloaded: 1 });
    expect(mirrorOf(phoneDir)).toEqual(mirrorOf(laptopDir));
    expect(mirrorOf(laptopDir)).toEqual(await expected());

    const devices = (await api<{ items: { deviceId: string; ackedCursor: string | null }[] }>(server.url, session, 'GET', '/sync/devices')).body.items;
    expect(devices.find((d) => d.deviceId === laptop.id)?.ackedCursor).toBe(stateOf(laptopDir).cursor);
    expect(devices.find((d) => d.deviceId === phone.id)?.ackedCursor).toBe(stateOf(phoneDir).cursor);

    // An admin makes the laptop start over: it alone loads a new snapshot, and downloads nothing it already has.
    await api(server.url, session, 'POST', `/admin/devices/${laptop.id}/resync`);
    expect(await sync()).toMatchObject({ rebootstraps: 1, downloaded: 0, removed: 0 });
    expect(await sync(phoneDir, phone.token)).toMatchObject({ rebootstraps: 0, bootstrapped: false });
    expect(mirrorOf(laptopDir)).toEqual(mirrorOf(phoneDir));
  }, 120_000);

  it('running continuously, it picks up an upload within moments through the library event, without waiting to poll', async () => {
    const client = runSyncClient({ server: server.url, token: laptop.token, dir: laptopDir, continuous: true, args: ['--interval', '3600'] });
    const summaries: { downloaded: number }[] = [];
    let buffered = '';
    client.child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) summaries.push(JSON.parse(line) as { downloaded: number });
    });
    try {
      for (let i = 0; i < 300 && summaries.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(summaries).toHaveLength(1);
      const upload = await fixtures.track(path.join(work, `live-upload-${kind}.mp3`), { title: 'Live Upload', artist: 'Uploader', album: 'Uploads', track: 3 }, { frequency: 1100 });
      await importFile(upload, 'live.mp3');
      for (let i = 0; i < 300 && !summaries.some((s) => s.downloaded === 1); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(summaries.slice(1)).toContainEqual(expect.objectContaining({ downloaded: 1 }));
      expect(mirrorOf(laptopDir)).toEqual(await expected());
    } finally {
      client.child.kill('SIGTERM');
      await client.done;
    }
  }, 120_000);

  it('after its cursor expired (the log was compacted) it loads a fresh snapshot and ends identical to a fresh mirror', async () => {
    // Changes while the laptop is away: one track deleted, one added.
    unlinkSync(path.join(music, 'Corpus', 'a kind of magic.flac'));
    remember(await fixtures.track(path.join(music, 'Generated', 'While Away.flac'), { title: 'While Away', artist: 'Fixture Band', album: 'Sync Album', track: 10 }, { frequency: 720 }));
    await api(server.url, session, 'POST', '/library/scans');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await waitForSettledLibrary(server.url, session);
    const port = server.port;
    await server.stop();
    // 91 days later the retention job (90 days) has dropped every change the laptop has not seen.
    const later = Date.now() + 91 * 86_400_000;
    const config = loadConfig({ data: target.data }, { OMNISONIC_WATCH: 'false', OMNISONIC_SCAN_ON_START: 'false', OMNISONIC_LOG_LEVEL: 'silent', ...target.env });
    const app = await buildApp({ ...config, databaseSchema: target.schema }, { clock: { now: () => later } });
    try {
      expect(await app.omnisonic.sync.compaction.runOnce()).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
    server = await startServer(target, { music: [music], port, env: { OMNISONIC_SCAN_ON_START: 'false' } });

    const summary = await sync();
    expect(summary).toMatchObject({ rebootstraps: 1, removed: 1, downloaded: 1 });
    const freshDir = path.join(work, `fresh-${kind}`);
    const fresh = await registerDevice(server.url, session, 'fresh');
    await sync(freshDir, fresh.token);
    expect(mirrorOf(laptopDir)).toEqual(mirrorOf(freshDir));
    expect(mirrorOf(laptopDir)).toEqual(await expected());
  }, 120_000);
});
