import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createAudioFixtures, writeImage } from '../support/audio-fixtures.js';
import { describeEachDatabase } from '../support/databases.js';
import { api, dropTargets, login, openTargetDatabase, serverTarget, startServer, type RunningServer, type ServerTarget } from './sync-harness.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-upload-kill-'));
const ROUNDS = 4;
const PER_ROUND = 8;
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface Fixture {
  name: string;
  bytes: Buffer;
  sha256: string;
}
const fixtures: Fixture[] = [];
const abandoned: Fixture[] = [];

beforeAll(async () => {
  const audio = createAudioFixtures(path.join(work, 'bases'));
  const covers = [
    await writeImage(path.join(work, 'red.jpg'), { r: 200, g: 10, b: 10 }),
    await writeImage(path.join(work, 'blue.png'), { r: 10, g: 10, b: 200 }),
  ];
  for (let i = 0; i < ROUNDS * PER_ROUND + 2; i += 1) {
    const name = `upload-${i}.${i % 3 === 0 ? 'flac' : 'mp3'}`;
    const file = await audio.track(
      path.join(work, 'src', name),
      { title: `Take ${i}`, artist: `Artist ${i % 5}`, album: `Album ${i % 4}`, track: i + 1 },
      { cover: i % 4 === 1 ? covers[i % 2] : undefined, frequency: 300 + (i % 3) * 100 },
    );
    const bytes = readFileSync(file);
    (i < ROUNDS * PER_ROUND ? fixtures : abandoned).push({ name, bytes, sha256: sha(bytes) });
  }
}, 120_000);

afterAll(async () => {
  await dropTargets();
  rmSync(work, { recursive: true, force: true });
});

interface UploadView {
  uploadId: string;
  status: string;
  received: number;
  trackId: string | null;
}

const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
        .sort()
    : [];

describeEachDatabase('upload finalize killed at random points', (kind) => {
  let target: ServerTarget;
  let server: RunningServer;
  let token: string;
  /** fixture index → the upload carrying it (replaced when a retry has to start over). */
  const uploads = new Map<number, string>();

  beforeAll(async () => {
    target = serverTarget(kind, work);
    server = await startServer(target, { env: { OMNISONIC_SCAN_ON_START: 'false' } });
    token = await login(server.url);
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function prepareAndSend(fixture: Fixture, bytes = fixture.bytes): Promise<string> {
    const prepared = await api<UploadView>(server.url, token, 'POST', '/uploads', { fileName: fixture.name, size: fixture.bytes.length, sha256: fixture.sha256 });
    expect(prepared.body.status).toBe('pending');
    await sendFrom(prepared.body.uploadId, fixture, 0, bytes.length);
    return prepared.body.uploadId;
  }

  async function sendFrom(uploadId: string, fixture: Fixture, from: number, to = fixture.bytes.length): Promise<void> {
    const response = await fetch(`${server.url}/api/v1/uploads/${uploadId}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
        'content-range': `bytes ${from}-${to - 1}/${fixture.bytes.length}`,
      },
      body: fixture.bytes.subarray(from, to),
    });
    expect(response.status, (await response.text()) + server.log()).toBe(200);
  }

  /** What a client does after a crash: ask the upload's state, send what the server lacks, finalize again. */
  async function retry(index: number): Promise<void> {
    const fixture = fixtures[index]!;
    let uploadId = uploads.get(index)!;
    let state = (await api<UploadView>(server.url, token, 'GET', `/uploads/${uploadId}`)).body;
    if (state.status === 'failed' || state.status === 'expired') {
      uploadId = await prepareAndSend(fixture);
      uploads.set(index, uploadId);
      state = (await api<UploadView>(server.url, token, 'GET', `/uploads/${uploadId}`)).body;
    }
    if (state.status !== 'complete') {
      if (state.received < fixture.bytes.length) await sendFrom(uploadId, fixture, state.received);
      const finalized = await api<UploadView>(server.url, token, 'POST', `/uploads/${uploadId}/finalize`);
      expect(finalized.body.status).toBe('complete');
    }
  }

  /**
   * The catalog and the disk agree: no upload stuck in `finalizing`; every track of the upload library has its file
   * (same size and SHA-256) and every file there has its track; each content once; complete uploads name a live
   * track; staging folders belong to live uploads only; every stored artwork file has its row.
   */
  async function expectConsistent(): Promise<{ complete: number }> {
    const handle = await openTargetDatabase(target);
    try {
      const db = handle.db;
      const rows = await db.selectFrom('uploads').selectAll().execute();
      expect(rows.filter((r) => r.status === 'finalizing')).toEqual([]);
      const library = await db.selectFrom('libraries').select(['id', 'rootPath']).where('kind', '=', 'upload').executeTakeFirst();
      const tracks = library
        ? await db.selectFrom('tracks').select(['id', 'path', 'size', 'contentHash', 'status']).where('libraryId', '=', library.id).execute()
        : [];
      const onDisk = library ? filesUnder(library.rootPath) : [];
      expect(tracks.map((t) => t.path).sort()).toEqual(onDisk);
      for (const track of tracks) {
        const bytes = readFileSync(path.join(library!.rootPath, track.path));
        expect(track.status).toBe('ok');
        expect(bytes.length).toBe(Number(track.size));
        expect(sha(bytes)).toBe(track.contentHash);
      }
      expect(new Set(tracks.map((t) => t.contentHash)).size).toBe(tracks.length);
      const trackIds = new Set(tracks.map((t) => t.id));
      for (const row of rows.filter((r) => r.status === 'complete')) expect(trackIds.has(row.trackId!), `upload ${row.id} is complete`).toBe(true);
      const live = new Set(rows.filter((r) => r.status === 'pending' || r.status === 'receiving').map((r) => r.id));
      const staging = path.join(target.data, 'upload-staging');
      for (const entry of existsSync(staging) ? readdirSync(staging) : []) expect(live.has(entry), `staging ${entry} has a live upload`).toBe(true);
      const artworkIds = new Set((await db.selectFrom('artworks').select('id').execute()).map((a) => a.id));
      const artworkFiles = filesUnder(path.join(target.data, 'artwork')).filter((f) => !f.includes('cache'));
      for (const file of artworkFiles) expect(artworkIds.has(path.basename(file)), `artwork file ${file} is a stored artwork`).toBe(true);
      return { complete: rows.filter((r) => r.status === 'complete').length };
    } finally {
      await handle.close();
    }
  }

  it('leaves no half-created track, orphan file or stale staging, and every retried upload then succeeds', async () => {
    // Abandoned halfway: must be gone after the expiry sweep.
    for (const fixture of abandoned) {
      const prepared = await api<UploadView>(server.url, token, 'POST', '/uploads', { fileName: fixture.name, size: fixture.bytes.length, sha256: fixture.sha256 });
      await sendFrom(prepared.body.uploadId, fixture, 0, Math.floor(fixture.bytes.length / 2));
    }
    let unanswered = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const batch = Array.from({ length: PER_ROUND }, (_, i) => round * PER_ROUND + i);
      for (const index of batch) uploads.set(index, await prepareAndSend(fixtures[index]!));
      // Kill once a random number of finalizes have answered, plus a random few ms: the next ones are mid-way.
      const killAfter = 1 + Math.floor(Math.random() * (PER_ROUND - 2));
      let answered = 0;
      const killed = new Promise<void>((resolve) => {
        const finalizes = batch.map((index) =>
          fetch(`${server.url}/api/v1/uploads/${uploads.get(index)}/finalize`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
            .then((r) => r.text())
            .then(() => {
              answered += 1;
              if (answered === killAfter) setTimeout(() => void server.kill().then(resolve), Math.floor(Math.random() * 25));
            }),
        );
        void Promise.allSettled(finalizes);
      });
      await killed;
      unanswered += PER_ROUND - answered;
      server = await startServer(target, { port: server.port, env: { OMNISONIC_SCAN_ON_START: 'false' } });
      await expectConsistent();
      for (const index of batch) await retry(index);
      expect((await expectConsistent()).complete).toBe((round + 1) * PER_ROUND);
    }
    expect(unanswered).toBeGreaterThan(0);

    // Every upload is one track whose file holds exactly the uploaded bytes.
    const handle = await openTargetDatabase(target);
    try {
      const library = await handle.db.selectFrom('libraries').select(['id', 'rootPath']).where('kind', '=', 'upload').executeTakeFirstOrThrow();
      const tracks = await handle.db.selectFrom('tracks').select(['path', 'contentHash']).where('libraryId', '=', library.id).execute();
      expect(tracks.map((t) => t.contentHash).sort()).toEqual(fixtures.map((f) => f.sha256).sort());
      for (const track of tracks) {
        const fixture = fixtures.find((f) => f.sha256 === track.contentHash)!;
        expect(statSync(path.join(library.rootPath, track.path)).size).toBe(fixture.bytes.length);
      }
    } finally {
      await handle.close();
    }

    // A day later the expiry sweep deletes the abandoned uploads' bytes: nothing is left in staging.
    await server.stop();
    const later = Date.now() + 25 * 3_600_000;
    const config = loadConfig({ data: target.data }, { OMNISONIC_WATCH: 'false', OMNISONIC_SCAN_ON_START: 'false', OMNISONIC_LOG_LEVEL: 'silent', ...target.env });
    const app = await buildApp({ ...config, databaseSchema: target.schema }, { clock: { now: () => later } });
    try {
      expect(await app.omnisonic.uploads.sweep()).toBe(abandoned.length);
    } finally {
      await app.close();
    }
    expect(filesUnder(path.join(target.data, 'upload-staging'))).toEqual([]);
    server = await startServer(target, { env: { OMNISONIC_SCAN_ON_START: 'false' } });
    token = await login(server.url);
    await expectConsistent();
  }, 300_000);
});
