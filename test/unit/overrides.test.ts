import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrackTags } from '../../src/library/scanner/track-file.js';
import { audioRanges, type TagFormat } from '../../src/overrides/audio-region.js';
import { applyOverrides, cleanValue } from '../../src/overrides/fields.js';
import { tagFormatOf } from '../../src/overrides/overrides-service.js';
import { verificationProblem } from '../../src/overrides/tag-write-back.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-overrides-unit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function tags(overrides: Partial<TrackTags> = {}): TrackTags {
  return {
    title: 'T', artist: 'A', artists: ['A'], album: 'Album', albumArtist: 'A', albumArtists: ['A'], trackNumber: null,
    trackTotal: null, discNumber: null, discTotal: null, year: 2004, date: '2004-05-17', originalDate: null, genres: [],
    compilation: false, mbTrackId: null, mbRecordingId: null, mbReleaseId: null, mbArtistId: null, mbAlbumArtistId: null,
    isrc: null, bpm: null, musicalKey: null, comment: null, lyrics: null, syncedLyrics: null,
    replayGain: { trackGain: null, trackPeak: null, albumGain: null, albumPeak: null },
    ...overrides,
  };
}

const read = (t: TrackTags) => ({ ok: true as const, tags: t, audio: { durationMs: 1, bitrate: null, sampleRate: null, bitDepth: null, channels: null, codec: 'FLAC', container: 'FLAC', lossless: true }, picture: null });

describe('applying overrides', () => {
  it('credits artists as the tag reader credits a tag with the same values', () => {
    expect(applyOverrides(tags(), { artists: ['Daft Punk feat. Pharrell Williams'] })).toMatchObject({
      artist: 'Daft Punk feat. Pharrell Williams',
      artists: ['Daft Punk', 'Pharrell Williams'],
    });
    expect(applyOverrides(tags(), { artists: ['A', 'B', 'C'] })).toMatchObject({ artist: 'A, B & C', artists: ['A', 'B', 'C'] });
    expect(applyOverrides(tags(), { albumArtist: 'X ft. Y' })).toMatchObject({ albumArtist: 'X ft. Y', albumArtists: ['X', 'Y'] });
  });

  it('keeps a tagged date within the edited year and replaces it otherwise', () => {
    expect(applyOverrides(tags(), { year: 2004 })).toMatchObject({ year: 2004, date: '2004-05-17' });
    expect(applyOverrides(tags(), { year: 1999 })).toMatchObject({ year: 1999, date: '1999' });
    expect(applyOverrides(tags(), { year: null })).toMatchObject({ year: null, date: null });
  });

  it('leaves the original tags alone', () => {
    const original = tags();
    applyOverrides(original, { title: 'New' });
    expect(original.title).toBe('T');
  });
});

describe('cleaning edited values', () => {
  it('cleans values the way the tag reader cleans tags', () => {
    expect(cleanValue('title', '  Title\u0000 ')).toBe('Title');
    expect(cleanValue('artists', [' A ', 'a', 'B'])).toEqual(['A', 'B']);
    expect(cleanValue('genres', ['Rock;Blues', '(17)', 'rock'])).toEqual(['Rock', 'Blues']);
    expect(cleanValue('musicalKey', '  ')).toBeNull();
  });

  it('refuses blank required text', () => {
    expect(() => cleanValue('album', ' ')).toThrow(/album must not be blank/);
    expect(() => cleanValue('artists', [' '])).toThrow(/at least one artist/);
  });
});

describe('tag write-back rules', () => {
  it('writes MP3 and FLAC only', () => {
    expect(tagFormatOf('MPEG 1 Layer 3', 'MPEG')).toBe('mp3');
    expect(tagFormatOf('MPEG 2.5 Layer 3', 'MPEG')).toBe('mp3');
    expect(tagFormatOf('FLAC', 'FLAC')).toBe('flac');
    expect(tagFormatOf('MPEG 1 Layer 2', 'MPEG')).toBeNull();
    expect(tagFormatOf('AAC', 'M4A/mp42')).toBeNull();
    expect(tagFormatOf('PCM', 'WAVE')).toBeNull();
  });

  it('accepts a copy whose written fields read back as meant and nothing else changed', () => {
    const stems = { original: 'song', written: '.song.1234.omnisonic-tmp' };
    const values = { title: 'New', year: 1999 };
    expect(verificationProblem(read(tags()), read(tags({ title: 'New', year: 1999, date: '1999' })), values, stems)).toBeNull();
    expect(verificationProblem(read(tags()), read(tags({ title: 'Other', year: 1999, date: '1999' })), values, stems)).toMatch(/^title reads back/);
    expect(verificationProblem(read(tags()), read(tags({ title: 'New', year: 1999, date: '1999', comment: 'x' })), values, stems)).toBe('comment changed');
    // An untagged title falls back to the file name, which the copy's differs from.
    expect(verificationProblem(read(tags({ title: 'song' })), read(tags({ title: stems.written, year: 1999, date: '1999' })), { year: 1999 }, stems)).toBeNull();
  });
});

describe('audio ranges', () => {
  function id3v2(bodyLength: number): Buffer {
    const header = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0]);
    header[8] = bodyLength >> 7;
    header[9] = bodyLength & 0x7f;
    return Buffer.concat([header, Buffer.alloc(bodyLength)]);
  }
  async function rangesOf(bytes: Buffer, format: TagFormat) {
    const file = path.join(work, `f-${Math.random()}`);
    writeFileSync(file, bytes);
    const handle = await open(file, 'r');
    try {
      return await audioRanges(handle, format);
    } finally {
      await handle.close();
    }
  }

  it('finds MP3 frames between the ID3v2 tag and the APE and ID3v1 tags', async () => {
    const ape = Buffer.alloc(64);
    ape.write('APETAGEX', 32, 'latin1');
    ape.writeUInt32LE(32, 32 + 12);
    ape.writeUInt32LE(0x80000000, 32 + 20);
    ape.write('APETAGEX', 0, 'latin1');
    const id3v1 = Buffer.alloc(128);
    id3v1.write('TAG', 0, 'latin1');
    const frames = Buffer.alloc(1000, 0xaa);
    const bytes = Buffer.concat([id3v2(200), frames, ape, id3v1]);
    expect(await rangesOf(bytes, 'mp3')).toEqual([{ start: 210, end: 1210 }]);
  });

  it('finds the FLAC STREAMINFO block and the frames after the last metadata block', async () => {
    const streamInfo = Buffer.concat([Buffer.from([0x00, 0, 0, 34]), Buffer.alloc(34, 1)]);
    const padding = Buffer.concat([Buffer.from([0x81, 0, 0, 10]), Buffer.alloc(10)]);
    const bytes = Buffer.concat([Buffer.from('fLaC', 'latin1'), streamInfo, padding, Buffer.alloc(500, 0xbb)]);
    expect(await rangesOf(bytes, 'flac')).toEqual([{ start: 8, end: 42 }, { start: 56, end: 556 }]);
    await expect(rangesOf(Buffer.from('not a flac at all'), 'flac')).rejects.toThrow(/no FLAC stream marker/);
  });
});
