import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFile, type IAudioMetadata } from 'music-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLibrary, type GeneratedLibrary } from '../../bench/synthetic-library.js';

/**
 * Chosen so that the first 60 tracks include every case asserted below (both formats, a compilation, a two-disc
 * album, names beyond Latin-1, albums with and without art). The first test fails, rather than the others passing
 * vacuously, if a change to the generator moves those cases out of the sample.
 */
const SEED = 223;
const FILES = 60;

describe('synthetic library', () => {
  let root: string;
  let library: GeneratedLibrary;
  const parsed = new Map<string, IAudioMetadata>();

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'omnisonic-synthetic-test-'));
    library = await generateLibrary(join(root, 'a'), { files: FILES, seed: SEED });
    for (const file of library.files) parsed.set(file.path, await parseFile(join(library.dir, file.path)));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('covers the cases a scanner has to handle', () => {
    const files = library.files;
    expect(files).toHaveLength(FILES);
    expect(library.counts.mp3 + library.counts.flac).toBe(FILES);
    expect(library.counts.mp3).toBeGreaterThan(0);
    expect(library.counts.flac).toBeGreaterThan(0);
    expect(files.some((file) => file.hasCover)).toBe(true);
    expect(files.some((file) => !file.hasCover)).toBe(true);
    expect(files.some((file) => file.tags.compilation && file.tags.albumArtist === 'Various Artists')).toBe(true);
    expect(files.some((file) => file.tags.discNumber === 2)).toBe(true);
    expect(files.some((file) => file.tags.artist.includes(' feat. '))).toBe(true);
    expect(files.some((file) => /[^\u0000-\u00ff]/.test(file.path))).toBe(true);
    expect(files.some((file) => file.tags.replayGain === null)).toBe(true);
    expect(new Set(files.map((file) => file.path)).size).toBe(FILES);
    for (const file of files) expect(file.path).toMatch(/^[^/]+\/[^/]+ \(\d{4}\)\/(\d-)?\d{2} - [^/]+\.(mp3|flac)$/);
  });

  it('reads back every tag as generated', () => {
    for (const file of library.files) {
      const { common } = parsed.get(file.path)!;
      const tags = file.tags;
      expect(common.title, file.path).toBe(tags.title);
      expect(common.artist, file.path).toBe(tags.artist);
      expect(common.album, file.path).toBe(tags.album);
      expect(common.albumartist, file.path).toBe(tags.albumArtist);
      expect(common.track, file.path).toEqual({ no: tags.trackNumber, of: tags.trackTotal });
      expect(common.disk, file.path).toEqual({ no: tags.discNumber, of: tags.discTotal });
      expect(common.year, file.path).toBe(tags.year);
      expect(common.genre, file.path).toEqual([tags.genre]);
      expect(common.compilation ?? false, file.path).toBe(tags.compilation);
      if (file.format === 'flac') expect(common.date, file.path).toBe(tags.date);
      if (tags.replayGain) {
        expect(common.replaygain_track_gain?.dB, file.path).toBeCloseTo(tags.replayGain.track.gainDb, 2);
        expect(common.replaygain_album_peak?.ratio, file.path).toBeCloseTo(tags.replayGain.album.peak, 6);
      } else {
        expect(common.replaygain_track_gain, file.path).toBeUndefined();
      }
    }
  });

  it('embeds a front cover exactly where generated, the same bytes on every track of an album', () => {
    const coverByAlbum = new Map<string, string>();
    for (const file of library.files) {
      const pictures = parsed.get(file.path)!.common.picture ?? [];
      expect(pictures.length, file.path).toBe(file.hasCover ? 1 : 0);
      if (!file.hasCover) continue;
      expect(pictures[0].format).toBe('image/jpeg');
      expect(pictures[0].type).toBe('Cover (front)');
      const album = `${file.tags.albumArtist}/${file.tags.album}`;
      const hash = sha256(pictures[0].data);
      expect(coverByAlbum.get(album) ?? hash, file.path).toBe(hash);
      coverByAlbum.set(album, hash);
    }
    expect(new Set(coverByAlbum.values()).size).toBe(coverByAlbum.size);
  });

  it('holds real audio of the nominal length', () => {
    for (const file of library.files) {
      const { format } = parsed.get(file.path)!;
      expect(format.codec, file.path).toBe(file.format === 'mp3' ? 'MPEG 1 Layer 3' : 'FLAC');
      expect(format.lossless, file.path).toBe(file.format === 'flac');
      expect(format.sampleRate, file.path).toBe(44100);
      expect(format.numberOfChannels, file.path).toBe(2);
      expect(format.duration, file.path).toBeGreaterThan(0);
      expect(Math.abs(format.duration! * 1000 - file.durationMs), file.path).toBeLessThan(100);
    }
  });

  it('writes byte-identical files for the same seed', async () => {
    const again = await generateLibrary(join(root, 'b'), { files: FILES, seed: SEED });
    expect(again.files.map((file) => file.path)).toEqual(library.files.map((file) => file.path));
    for (const file of library.files) {
      const [first, second] = await Promise.all([readFile(join(library.dir, file.path)), readFile(join(again.dir, file.path))]);
      expect(sha256(second), file.path).toBe(sha256(first));
    }
  });

  it('continues the sequence from startIndex without touching existing files', async () => {
    const more = await generateLibrary(library.dir, { files: 10, seed: SEED, startIndex: FILES });
    const existing = new Set(library.files.map((file) => file.path));
    expect(more.files).toHaveLength(10);
    for (const file of more.files) expect(existing.has(file.path), file.path).toBe(false);
  });

  it('rejects impossible options', async () => {
    await expect(generateLibrary(join(root, 'c'), { files: -1 })).rejects.toThrow(RangeError);
    await expect(generateLibrary(join(root, 'c'), { files: 1, coverRatio: 2 })).rejects.toThrow(RangeError);
  });
});

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
