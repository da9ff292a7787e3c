import { describe, expect, it } from 'vitest';
import { folderId, indexName, parseFolderId } from '../../src/subsonic/handlers/browsing.js';
import { planStream, type StreamOptions } from '../../src/subsonic/handlers/media.js';
import { musicFolderId } from '../../src/subsonic/mapping.js';
import { createFfmpegTranscoder, ffmpegArguments } from '../../src/stream/transcoder.js';

const flac = { path: 'a/b.flac', bitrate: 900_000, lossless: true, durationMs: 200_000 };
const mp3 = { path: 'a/b.mp3', bitrate: 128_000, lossless: false, durationMs: 200_000 };
const ask = (options: Partial<StreamOptions>): StreamOptions => ({ maxBitRate: 0, format: undefined, timeOffset: 0, transcoderAvailable: true, ...options });

describe('stream plan (original or transcode)', () => {
  it('serves the original unless something asks for a change', () => {
    expect(planStream(flac, ask({}))).toEqual({ kind: 'original' });
    expect(planStream(mp3, ask({ maxBitRate: 128 }))).toEqual({ kind: 'original' });
    expect(planStream(mp3, ask({ maxBitRate: 320, format: 'mp3' }))).toEqual({ kind: 'original' });
    // An unknown format is only a preference.
    expect(planStream(flac, ask({ format: 'flv' }))).toEqual({ kind: 'original' });
  });

  it('format=raw and a missing ffmpeg always mean the original', () => {
    expect(planStream(flac, ask({ format: 'raw', maxBitRate: 64, timeOffset: 30 }))).toEqual({ kind: 'original' });
    expect(planStream(flac, ask({ format: 'mp3', maxBitRate: 64, transcoderAvailable: false }))).toEqual({ kind: 'original' });
  });

  it('transcodes for a lower bit rate, another format or an offset', () => {
    expect(planStream(flac, ask({ maxBitRate: 128, format: 'mp3' }))).toEqual({ kind: 'transcode', format: 'mp3', bitRateKbps: 128, offsetSeconds: 0, durationSeconds: 200 });
    expect(planStream(mp3, ask({ maxBitRate: 96 }))).toMatchObject({ kind: 'transcode', format: 'mp3', bitRateKbps: 96 });
    expect(planStream(mp3, ask({ format: 'opus' }))).toMatchObject({ kind: 'transcode', format: 'opus', bitRateKbps: 128 });
    expect(planStream(mp3, ask({ timeOffset: 50 }))).toMatchObject({ kind: 'transcode', format: 'mp3', bitRateKbps: 128, offsetSeconds: 50, durationSeconds: 150 });
  });

  it('never asks for more than the file has, nor outside what the encoder takes', () => {
    // A lossy file is not upsampled; a lossless one gets the format's default.
    expect(planStream(mp3, ask({ format: 'ogg' }))).toMatchObject({ bitRateKbps: 128 });
    expect(planStream(flac, ask({ format: 'ogg' }))).toMatchObject({ bitRateKbps: 192 });
    expect(planStream(flac, ask({ maxBitRate: 8, format: 'mp3' }))).toMatchObject({ bitRateKbps: 32 });
    expect(planStream({ ...flac, bitrate: null }, ask({ maxBitRate: 2000 }))).toMatchObject({ format: 'mp3', bitRateKbps: 320 });
  });

  it('builds an ffmpeg command that seeks, drops pictures and tags, and writes to stdout', () => {
    const args = ffmpegArguments({ inputPath: '/m/-x.flac', format: 'opus', bitRateKbps: 96, offsetSeconds: 12.5 });
    expect(args.slice(args.indexOf('-ss'), args.indexOf('-ss') + 4)).toEqual(['-ss', '12.5', '-i', '/m/-x.flac']);
    expect(args).toEqual(expect.arrayContaining(['-vn', '-map_metadata', '-1', 'libopus', '96k', 'ogg']));
    expect(args.at(-1)).toBe('pipe:1');
  });

  it('reports an ffmpeg that cannot be run as unavailable', async () => {
    expect(await createFfmpegTranscoder('/nonexistent/ffmpeg').available()).toBe(false);
    expect(await createFfmpegTranscoder('/usr/bin/ffmpeg').available()).toBe(true);
  });
});

describe('folder ids and music folder ids', () => {
  const library = 'ab'.repeat(16);

  it('round-trips folder paths, including non-ASCII names', () => {
    for (const path of ['', 'Rock', 'Rock/The Band/Album A', 'Björk/ホモジェニック', '100% _pure_']) {
      expect(parseFolderId(folderId({ libraryId: library, path }))).toEqual({ libraryId: library, path });
    }
  });

  it('refuses ids that do not name a clean folder path', () => {
    const enc = (text: string) => `fd-${library}-${Buffer.from(text).toString('base64url')}`;
    for (const id of [enc('..'), enc('a/../b'), enc('/a'), enc('a/'), enc('a//b'), enc('a\\b'), enc('a\0'), `fd-${library}-`, `fd-${library}-===`, `fd-${library.slice(1)}`, `FD-${library}`]) {
      expect(parseFolderId(id), id).toBeNull();
    }
    expect(parseFolderId(`fd-${library}-${Buffer.from([0xff, 0xfe]).toString('base64url')}`)).toBeNull();
  });

  it('files names under their first letter, articles skipped, symbols under #', () => {
    expect(['The Beatles', 'a-ha', 'An Album', 'Ólafur', '2Pac', '(hed) p.e.'].map(indexName)).toEqual(['B', 'A', 'A', 'O', '#', '#']);
  });

  it('gives libraries stable integer music folder ids', () => {
    expect(musicFolderId('0000001f'.padEnd(32, '0'))).toBe(1);
    expect(musicFolderId(library)).toBe(Number.parseInt(library.slice(0, 7), 16));
    expect(Number.isSafeInteger(musicFolderId('not-hex'))).toBe(true);
    expect(musicFolderId('not-hex')).toBe(musicFolderId('not-hex'));
  });
});
