import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ScanSummary } from '../../src/library/library-service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createAudioFixtures } from '../support/audio-fixtures.js';
import { describeEachDatabase } from '../support/databases.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-watch-'));
const fixtures = createAudioFixtures(path.join(work, 'bases'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describeEachDatabase('watching the music folders', (kind) => {
  let t: TestApp;
  let music: string;
  const summaries: ScanSummary[] = [];

  /** Resolves with the first scan summary, finished after this call, that satisfies `test`; fails after 10 s. */
  async function nextScan(test: (s: ScanSummary) => boolean): Promise<ScanSummary> {
    const from = summaries.length;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = summaries.slice(from).find(test);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching scan within 10 s; saw ${JSON.stringify(summaries.slice(from))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    music = mkdtempSync(path.join(work, 'music-'));
    for (const folder of ['Alpha', 'Beta', 'Gamma']) {
      for (const n of [1, 2]) {
        await fixtures.track(path.join(music, folder, `${n}.mp3`), { title: `${folder} ${n}`, artist: folder, album: folder, track: n }, { frequency: 200 + n * 100 + folder.length * 10 });
      }
    }
    t = await createTestApp(kind, { musicDirs: [music], env: { OMNISONIC_WATCH: 'true' } });
    await t.app.omnisonic.library.scan();
    const library = t.app.omnisonic.library;
    t.app.omnisonic.bus.subscribe((event) => {
      if (event.type === 'scan' && event.state === 'finished') void library.status().then((s) => s.lastScan && summaries.push(s.lastScan));
    });
  });
  afterAll(() => t.close());

  it('catalogs a new file within 10 s by scanning only its folder', async () => {
    const started = Date.now();
    await fixtures.track(path.join(music, 'Beta', '3.mp3'), { title: 'Beta 3', artist: 'Beta', album: 'Beta', track: 3 }, { frequency: 777 });
    const summary = await nextScan((s) => s.added === 1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(summary.scope).toEqual(['Beta']);
    expect(summary.unchanged).toBe(2);
    const track = await t.app.omnisonic.database.db.selectFrom('tracks').selectAll().where('path', '=', 'Beta/3.mp3').executeTakeFirst();
    expect(track).toMatchObject({ status: 'ok', title: 'Beta 3' });
  });

  it('keeps the identity of a file moved to another folder', async () => {
    const db = t.app.omnisonic.database.db;
    const before = await db.selectFrom('tracks').select('id').where('path', '=', 'Alpha/1.mp3').executeTakeFirstOrThrow();
    renameSync(path.join(music, 'Alpha', '1.mp3'), path.join(music, 'Gamma', 'from alpha.mp3'));
    const summary = await nextScan((s) => s.moved === 1);
    expect(summary.scope?.sort()).toEqual(['Alpha', 'Gamma']);
    expect(summary.missing).toBe(0);
    const after = await db.selectFrom('tracks').select(['id', 'status']).where('path', '=', 'Gamma/from alpha.mp3').executeTakeFirstOrThrow();
    expect(after).toEqual({ id: before.id, status: 'ok' });
  });

  it('marks a removed file missing', async () => {
    rmSync(path.join(music, 'Gamma', '2.mp3'));
    const summary = await nextScan((s) => s.missing === 1);
    expect(summary.scope).toEqual(['Gamma']);
  });
});
