import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ScanSummary } from '../../src/library/library-service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, '../shared/corpus/music-metadata-samples');

describeEachDatabase('scanning the real-world sample corpus', (kind) => {
  let t: TestApp;
  let music: string;
  let summary: ScanSummary;
  beforeAll(async () => {
    music = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-corpus-'));
    cpSync(corpus, music, { recursive: true });
    t = await createTestApp(kind, { musicDirs: [music] });
    summary = await t.app.omnisonic.library.scan();
  }, 180_000);
  afterAll(async () => {
    await t.close();
    rmSync(music, { recursive: true, force: true });
  });

  it('catalogs every file with an audio extension as ok or broken-with-a-reason, and nothing else', async () => {
    const tracks = await t.app.omnisonic.database.db.selectFrom('tracks').selectAll().execute();
    const paths = tracks.map((r) => r.path);
    // 214 files carry an audio extension (README); .txt, .jpg, .gif, .mkv, .mov, .ogv, .bwf and extension-less are not.
    expect(paths).not.toContain('not-an-audio-file.txt');
    expect(paths).not.toContain('flac.flac.jpg');
    expect(paths).not.toContain('mp3/1a643e9e0743dee8732554d0e870055a');
    expect(paths.every((p) => /\.(mp3|mp2|mp1|flac|ogg|oga|opus|spx|m4a|m4b|mp4|aac|wav|aif|aiff|aifc|wma|asf|ape|wv|mpc|dsf|dff|mka|webm)$/i.test(p))).toBe(true);
    expect(summary.added).toBe(tracks.length);
    for (const track of tracks) {
      if (track.status === 'broken') {
        expect(track.brokenReason, track.path).toBeTruthy();
      } else {
        expect(track.status, track.path).toBe('ok');
        expect(track.title.length, track.path).toBeGreaterThan(0);
        expect(track.albumId, track.path).not.toBeNull();
        expect(track.codec, track.path).toBeTruthy();
      }
    }
    const brokenPaths = summary.broken.map((b) => b.path).sort();
    expect(brokenPaths).toEqual(tracks.filter((r) => r.status === 'broken').map((r) => r.path).sort());
    expect(tracks.filter((r) => r.status === 'ok').length).toBeGreaterThan(150);
  });

  it('reads sensible tags from a well-tagged file', async () => {
    const db = t.app.omnisonic.database.db;
    const track = await db.selectFrom('tracks').selectAll().where('path', '=', 'MusicBrainz - Beth Hart - Sinner\'s Prayer.flac').executeTakeFirstOrThrow();
    expect(track).toMatchObject({ status: 'ok', title: "Sinner's Prayer", lossless: 1 });
    expect(track.artist).toMatch(/Beth Hart/);
    const album = await db.selectFrom('albums').selectAll().where('id', '=', track.albumId!).executeTakeFirstOrThrow();
    expect(album.title).toBe("Don't Explain");
  });

  it('stores embedded covers byte for byte', async () => {
    const db = t.app.omnisonic.database.db;
    const track = await db.selectFrom('tracks').select('artworkId').where('path', '=', 'flac.flac').executeTakeFirstOrThrow();
    const { createHash } = await import('node:crypto');
    const { readFileSync } = await import('node:fs');
    expect(track.artworkId).toBe(createHash('sha256').update(readFileSync(path.join(corpus, 'flac.flac.jpg'))).digest('hex'));
  });

  it('finds nothing to do on a second scan', async () => {
    const again = await t.app.omnisonic.library.scan();
    expect(again).toMatchObject({ added: 0, updated: 0, moved: 0, missing: 0, reactivated: 0 });
    expect(again.unchanged).toBe(summary.added + summary.duplicates);
  });
});
