import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrackFile } from '../../src/library/scanner/tag-reader.js';
import type { TrackFileReadResult } from '../../src/library/scanner/track-file.js';

const run = promisify(execFile);
const FFMPEG = '/usr/bin/ffmpeg';
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CORPUS = path.resolve(REPO_ROOT, '../shared/corpus/music-metadata-samples');
const AUDIO_EXTENSIONS = new Set(
  'mp3 mp2 mp1 flac ogg oga opus spx m4a m4b mp4 aac wav aif aiff aifc wma asf ape wv mpc dsf dff mka webm weba'.split(' '),
);
const SINE_2S = ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2'];

async function ffmpeg(...args: string[]): Promise<void> {
  await run(FFMPEG, ['-v', 'error', '-nostdin', '-y', ...args]);
}

function metadata(tags: Record<string, string>): string[] {
  return Object.entries(tags).flatMap(([key, value]) => ['-metadata', `${key}=${value}`]);
}

/**
 * Replaces the Vorbis comment block of a FLAC file. ffmpeg writes one comment per key, so repeated keys
 * (multi-valued ARTIST, GENRE, …) are written here. STREAMINFO stays first; the other blocks keep their order.
 */
function withVorbisComments(flac: Buffer, comments: Array<[string, string]>): Buffer {
  const blocks: Buffer[] = [];
  let offset = 4;
  let last = false;
  while (!last) {
    last = (flac[offset] & 0x80) !== 0;
    const type = flac[offset] & 0x7f;
    const end = offset + 4 + flac.readUIntBE(offset + 1, 3);
    if (type !== 4) {
      blocks.push(Buffer.from(flac.subarray(offset, end)));
    }
    offset = end;
  }
  const entries = comments.map(([key, value]) => Buffer.from(`${key}=${value}`, 'utf8'));
  const vendor = Buffer.from('omnisonic tests', 'utf8');
  const u32 = (value: number) => {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32LE(value);
    return buffer;
  };
  const body = Buffer.concat([u32(vendor.length), vendor, u32(entries.length), ...entries.flatMap((entry) => [u32(entry.length), entry])]);
  const header = Buffer.alloc(4);
  header[0] = 4;
  header.writeUIntBE(body.length, 1, 3);
  blocks.splice(1, 0, Buffer.concat([header, body]));
  blocks.forEach((block, index) => {
    block[0] = (block[0] & 0x7f) | (index === blocks.length - 1 ? 0x80 : 0);
  });
  return Buffer.concat([flac.subarray(0, 4), ...blocks, flac.subarray(offset)]);
}

function expectOk(result: TrackFileReadResult): Extract<TrackFileReadResult, { ok: true }> {
  if (!result.ok) {
    throw new Error(`expected the file to be read, got: ${result.reason}`);
  }
  return result;
}

function expectBroken(result: TrackFileReadResult): string {
  if (result.ok) {
    throw new Error(`expected a broken file, got "${result.tags.title}"`);
  }
  return result.reason;
}

describe('reading tags from files made with ffmpeg', () => {
  let dir: string;
  let coverPng: Buffer;
  const file = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'omnisonic-tag-reader-'));
    await ffmpeg('-f', 'lavfi', '-i', 'color=c=red:s=16x16', '-frames:v', '1', file('cover.png'));
    coverPng = await readFile(file('cover.png'));
    const withCover = ['-i', file('cover.png'), '-map', '0', '-map', '1', '-c:v', 'copy', '-disposition:v', 'attached_pic'];
    await Promise.all([
      ffmpeg(...SINE_2S, ...withCover, '-ac', '2', '-c:a', 'libmp3lame', '-id3v2_version', '3',
        ...metadata({
          title: 'Get Lucky',
          artist: 'Daft Punk feat. Pharrell Williams',
          album: 'Random Access Memories',
          album_artist: 'Daft Punk',
          track: '8/13',
          disc: '1/2',
          date: '2013',
          genre: 'Electronic;Disco',
          TBPM: '116',
          TKEY: 'Fm',
          REPLAYGAIN_TRACK_GAIN: '-6.50 dB',
          REPLAYGAIN_TRACK_PEAK: '0.988312',
          REPLAYGAIN_ALBUM_GAIN: '-7.10 dB',
          REPLAYGAIN_ALBUM_PEAK: '1.000000',
        }),
        file('get-lucky.mp3')),
      ffmpeg(...SINE_2S, ...withCover, '-c:a', 'flac', '-metadata', 'title=placeholder', file('plain.flac')),
      ffmpeg(...SINE_2S, '-c:a', 'flac', '-map_metadata', '-1', '-fflags', '+bitexact', file('01 - Untitled Demo.flac')),
      ffmpeg(...SINE_2S, '-c:a', 'libmp3lame', '-id3v2_version', '3',
        ...metadata({ title: 'T.N.T.', artist: 'AC/DC', album_artist: 'AC/DC' }),
        file('acdc.mp3')),
      ffmpeg(...SINE_2S, '-c:a', 'libmp3lame', '-id3v2_version', '3',
        ...metadata({ title: 'Track One', artist: 'Some Performer', album: 'Summer Hits', compilation: '1' }),
        file('compilation.mp3')),
      ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:duration=60', '-c:a', 'libvorbis',
        ...metadata({ title: 'Long Song', artist: 'The Band feat. A Guest', album: 'Long Songs' }),
        file('long.ogg')),
      ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:duration=600', '-ar', '8000', '-c:a', 'pcm_s16le', file('ten-minutes.mka')),
    ]);
    await writeFile(
      file('multi.flac'),
      withVorbisComments(await readFile(file('plain.flac')), [
        ['TITLE', "Sinner's Prayer"],
        ['ARTIST', 'Beth Hart'],
        ['ARTIST', 'Joe Bonamassa'],
        ['ALBUM', "Don't Explain"],
        ['ALBUMARTIST', 'Beth Hart'],
        ['ALBUMARTIST', 'Joe Bonamassa'],
        ['GENRE', 'Rock'],
        ['GENRE', 'Blues;Blues Rock'],
        ['GENRE', '(52)'],
        ['TRACKNUMBER', '1'],
        ['TRACKTOTAL', '10'],
        ['DISCNUMBER', '2'],
        ['DISCTOTAL', '3'],
        ['DATE', '2011-09-27'],
        ['ORIGINALDATE', '2011-09-26'],
        ['ISRC', 'USMH51100098'],
        ['BPM', '95'],
        ['COMMENT', '  Recorded live  '],
        ['LYRICS', '[00:01.50]Lord, have mercy\n[00:03.00]on me'],
        ['MUSICBRAINZ_TRACKID', 'f151cb94-c909-46a8-ad99-fb77391abfb8'],
        ['MUSICBRAINZ_RELEASETRACKID', 'd062f484-253c-374b-85f7-89aab45551c7'],
        ['MUSICBRAINZ_ALBUMID', 'e7050302-74e6-42e4-aba0-09efd5d431d8'],
        ['MUSICBRAINZ_ARTISTID', '3fe817fc-966e-4ece-b00a-76be43e7e73c'],
        ['MUSICBRAINZ_ALBUMARTISTID', '984f8239-8fe1-4683-9c54-10ffb14439e9'],
        ['REPLAYGAIN_TRACK_GAIN', '-3.26 dB'],
        ['REPLAYGAIN_TRACK_PEAK', '0.302277'],
        ['REPLAYGAIN_ALBUM_GAIN', '-4.10 dB'],
        ['REPLAYGAIN_ALBUM_PEAK', '0.5'],
      ]),
    );
    await writeFile(
      file('simon.flac'),
      withVorbisComments(await readFile(file('plain.flac')), [
        ['TITLE', 'The Boxer\u0000'],
        ['ARTIST', 'Simon & Garfunkel'],
        ['ALBUM', '   '],
        ['GENRE', ''],
      ]),
    );
    await writeFile(file('empty.mp3'), '');
    await writeFile(file('notes.mp3'), 'these are liner notes, not audio\n');
    await writeFile(file('notes.txt'), 'these are liner notes, not audio\n');
    await mkdir(file('folder.mp3'));
  });

  afterAll(async () => {
    if (dir) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads title, credits, numbering, date, genres, BPM, key and ReplayGain of an ID3v2.3 MP3', async () => {
    const { tags, audio, picture } = expectOk(await readTrackFile(file('get-lucky.mp3')));
    expect(tags).toMatchObject({
      title: 'Get Lucky',
      artist: 'Daft Punk feat. Pharrell Williams',
      artists: ['Daft Punk', 'Pharrell Williams'],
      album: 'Random Access Memories',
      albumArtist: 'Daft Punk',
      albumArtists: ['Daft Punk'],
      trackNumber: 8,
      trackTotal: 13,
      discNumber: 1,
      discTotal: 2,
      year: 2013,
      date: '2013',
      genres: ['Electronic', 'Disco'],
      compilation: false,
      bpm: 116,
      musicalKey: 'Fm',
      replayGain: { trackGain: -6.5, trackPeak: 0.988312, albumGain: -7.1, albumPeak: 1 },
    });
    expect(Math.abs(audio.durationMs - 2000)).toBeLessThanOrEqual(50);
    expect(audio).toMatchObject({ sampleRate: 44100, channels: 2, codec: 'MPEG 1 Layer 3', container: 'MPEG', lossless: false });
    expect(audio.bitrate).toBeGreaterThan(0);
    expect(picture?.mime).toBe('image/png');
    expect(Buffer.from(picture!.data).equals(coverPng)).toBe(true);
  });

  it('reads multi-valued Vorbis comments as separate artists, album artists and genres', async () => {
    const { tags, audio, picture } = expectOk(await readTrackFile(file('multi.flac')));
    expect(tags).toEqual({
      title: "Sinner's Prayer",
      artist: 'Beth Hart & Joe Bonamassa',
      artists: ['Beth Hart', 'Joe Bonamassa'],
      album: "Don't Explain",
      albumArtist: 'Beth Hart & Joe Bonamassa',
      albumArtists: ['Beth Hart', 'Joe Bonamassa'],
      trackNumber: 1,
      trackTotal: 10,
      discNumber: 2,
      discTotal: 3,
      year: 2011,
      date: '2011-09-27',
      originalDate: '2011-09-26',
      genres: ['Rock', 'Blues', 'Blues Rock', 'Electronic'],
      compilation: false,
      mbTrackId: 'd062f484-253c-374b-85f7-89aab45551c7',
      mbRecordingId: 'f151cb94-c909-46a8-ad99-fb77391abfb8',
      mbReleaseId: 'e7050302-74e6-42e4-aba0-09efd5d431d8',
      mbArtistId: '3fe817fc-966e-4ece-b00a-76be43e7e73c',
      mbAlbumArtistId: '984f8239-8fe1-4683-9c54-10ffb14439e9',
      isrc: 'USMH51100098',
      bpm: 95,
      musicalKey: null,
      comment: 'Recorded live',
      lyrics: 'Lord, have mercy\non me',
      syncedLyrics: [
        { timeMs: 1500, text: 'Lord, have mercy' },
        { timeMs: 3000, text: 'on me' },
      ],
      replayGain: { trackGain: -3.26, trackPeak: 0.302277, albumGain: -4.1, albumPeak: 0.5 },
    });
    expect(Math.abs(audio.durationMs - 2000)).toBeLessThanOrEqual(50);
    expect(audio).toMatchObject({ sampleRate: 44100, channels: 1, bitDepth: 16, codec: 'FLAC', container: 'FLAC', lossless: true });
    expect(picture?.mime).toBe('image/png');
    expect(Buffer.from(picture!.data).equals(coverPng)).toBe(true);
  });

  it('keeps a band name whole and uses the artist as album artist when none is tagged', async () => {
    const { tags } = expectOk(await readTrackFile(file('simon.flac')));
    expect(tags).toMatchObject({
      title: 'The Boxer',
      artist: 'Simon & Garfunkel',
      artists: ['Simon & Garfunkel'],
      album: 'Unknown Album',
      albumArtist: 'Simon & Garfunkel',
      albumArtists: ['Simon & Garfunkel'],
      genres: [],
    });
  });

  it('keeps "AC/DC" whole in an ID3v2.3 tag, although that version once used "/" between artists', async () => {
    const { tags } = expectOk(await readTrackFile(file('acdc.mp3')));
    expect(tags).toMatchObject({ artist: 'AC/DC', artists: ['AC/DC'], albumArtist: 'AC/DC', albumArtists: ['AC/DC'] });
  });

  it('names an untagged file after itself, by "Unknown Artist" on "Unknown Album", without a cover', async () => {
    const { tags, audio, picture } = expectOk(await readTrackFile(file('01 - Untitled Demo.flac')));
    expect(tags).toMatchObject({
      title: '01 - Untitled Demo',
      artist: 'Unknown Artist',
      artists: ['Unknown Artist'],
      album: 'Unknown Album',
      albumArtist: 'Unknown Artist',
      albumArtists: ['Unknown Artist'],
      trackNumber: null,
      year: null,
      genres: [],
      lyrics: null,
      syncedLyrics: null,
      replayGain: { trackGain: null, trackPeak: null, albumGain: null, albumPeak: null },
    });
    expect(audio).toMatchObject({ codec: 'FLAC', lossless: true, sampleRate: 44100 });
    expect(picture).toBeNull();
  });

  it('files a compilation without album artist under "Various Artists"', async () => {
    const { tags } = expectOk(await readTrackFile(file('compilation.mp3')));
    expect(tags).toMatchObject({ artist: 'Some Performer', compilation: true, albumArtist: 'Various Artists', albumArtists: ['Various Artists'] });
  });

  it('gives a long Ogg Vorbis file its length, credits the featured guest and files it under the main artist', async () => {
    const { tags, audio } = expectOk(await readTrackFile(file('long.ogg')));
    expect(Math.abs(audio.durationMs - 60_000)).toBeLessThanOrEqual(50);
    expect(audio).toMatchObject({ codec: 'Vorbis I', container: 'Ogg', sampleRate: 44100, lossless: false });
    expect(tags).toMatchObject({
      artist: 'The Band feat. A Guest',
      artists: ['The Band', 'A Guest'],
      albumArtist: 'The Band',
      albumArtists: ['The Band'],
    });
  });

  it('reports empty, non-audio, missing and non-regular files as broken instead of failing', async () => {
    expect(expectBroken(await readTrackFile(file('empty.mp3')))).toBe('empty file');
    expect(expectBroken(await readTrackFile(file('notes.mp3')))).toBe('no audio stream found');
    expect(expectBroken(await readTrackFile(file('notes.txt')))).toMatch(/^unsupported or corrupt file: /);
    expect(expectBroken(await readTrackFile(file('missing.mp3')))).toBe('file not found');
    expect(expectBroken(await readTrackFile(file('folder.mp3')))).toBe('not a regular file');
  });

  it('gives up on a file that takes longer than the timeout', async () => {
    const started = performance.now();
    const reason = expectBroken(await readTrackFile(file('ten-minutes.mka'), { timeoutMs: 1 }));
    expect(reason).toBe('timed out after 1 ms');
    expect(performance.now() - started).toBeLessThan(2_000);
    expectOk(await readTrackFile(file('ten-minutes.mka')));
  });
});

function corpusAudioFiles(): string[] {
  const walk = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(path.join(folder, entry.name)) : [path.join(folder, entry.name)],
    );
  return walk(CORPUS)
    .filter((name) => AUDIO_EXTENSIONS.has(path.extname(name).slice(1).toLowerCase()))
    .sort();
}

describe.skipIf(!existsSync(CORPUS))('reading the music-metadata sample corpus', () => {
  const sample = (name: string) => readTrackFile(path.join(CORPUS, name));

  it('reads every audio file or reports it broken with a reason, all within bounded time', async () => {
    const files = corpusAudioFiles();
    expect(files.length).toBeGreaterThan(150);
    const started = performance.now();
    for (const name of files) {
      const result = await readTrackFile(name);
      const where = path.relative(CORPUS, name);
      if (result.ok) {
        expect(result.tags.title, where).not.toBe('');
        expect(result.tags.artist, where).not.toBe('');
        expect(result.tags.album, where).not.toBe('');
        expect(result.tags.artists.length, where).toBeGreaterThan(0);
        expect(Number.isInteger(result.audio.durationMs) && result.audio.durationMs >= 0, where).toBe(true);
        expect(result.audio.codec, where).not.toBe('');
      } else {
        expect(result.reason, where).not.toBe('');
      }
    }
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('never splits a single artist value on "/"', async () => {
    const { tags } = expectOk(await sample("Their - They're - Therapy - 1sec.mp3"));
    expect(tags.artist).toBe("Their / They're / There");
    expect(tags.artists).toEqual(["Their / They're / There"]);
    expect(tags.trackTotal).toBe(6);
  });

  it('extracts embedded covers byte for byte', async () => {
    for (const name of ['flac.flac', 'flac-bug.flac']) {
      const { picture } = expectOk(await sample(name));
      expect(picture?.mime).toBe('image/jpeg');
      expect(Buffer.from(picture!.data).equals(await readFile(path.join(CORPUS, `${name}.jpg`)))).toBe(true);
    }
  });

  it('lists every album artist of an ID3v2.4 frame with NUL-separated values', async () => {
    const { tags } = expectOk(await sample('id3v2.4-with-multiple-album-artists-null-separated.mp3'));
    expect(tags.albumArtists).toEqual(['ArtistOne', 'ArtistTwo']);
  });

  it('reads ReplayGain from Vorbis comments and from TXXX frames in any letter case', async () => {
    const vorbis = expectOk(await sample('replay-gain/vorbis.flac')).tags.replayGain;
    expect(vorbis).toEqual({ trackGain: -3.26, trackPeak: 0.302277, albumGain: -3.26, albumPeak: 0.302277 });
    const mixedCase = expectOk(await sample('replay-gain/id3v23-txxx-case.mp3')).tags.replayGain;
    expect(mixedCase).toEqual({ trackGain: -12, trackPeak: 1, albumGain: -24, albumPeak: 1 });
  });

  it('splits "Rock;Blues" genres and resolves numeric ID3 genres', async () => {
    expect(expectOk(await sample("Discogs - Beth Hart - Sinner's Prayer [id3v2.3].mp3")).tags.genres).toEqual(['Rock', 'Blues', 'Blues Rock']);
    expect(expectOk(await sample('mp3/tcon.mp3')).tags.genres).toEqual(['Electronic', 'Pop-Folk']);
  });

  it('reads synchronised lyrics from an ID3 SYLT frame and from LRC text', async () => {
    const sash = expectOk(await sample('mp3/menu-sash.mp3')).tags;
    expect(sash.syncedLyrics).toEqual([{ timeMs: 9, text: 'Check out your sash!' }]);
    expect(sash.lyrics).toBe('Check out your sash!');
    const lrc = expectOk(await sample('flac/Dance In The Game - ZAQ - LRC.flac')).tags;
    expect(lrc.syncedLyrics?.slice(0, 2)).toEqual([
      { timeMs: 0, text: '作词 : ZAQ' },
      { timeMs: 300, text: '作曲 : ZAQ' },
    ]);
    expect(lrc.lyrics).not.toContain('[00:');
  });

  it('knows the length of an Ogg file whose header does not state it', async () => {
    expect(expectOk(await sample("MusicBrainz - Beth Hart - Sinner's Prayer.ogg")).audio.durationMs).toBe(2123);
  });

  it('reports corrupt, tag-only and sound-less files as broken', async () => {
    expect(expectBroken(await sample('aiff/CWE-835-01.aiff'))).toMatch(/^unsupported or corrupt file: /);
    expect(expectBroken(await sample('asf/CWE-835.wma'))).toMatch(/^unsupported or corrupt file: /);
    expect(expectBroken(await sample('matroska/corrupt.mkv'))).toMatch(/^unsupported or corrupt file: /);
    expect(expectBroken(await sample('id3v2-utf16.mp3'))).toBe('no audio stream found');
    expect(expectBroken(await sample('matroska/fixture-null.webm'))).toBe('no audio stream found');
  });

  it('reads the xHE-AAC audiobook that ffprobe 5.1 cannot open, since it does hold 4 s of audio', async () => {
    expect(expectOk(await sample('mp4/issue-2672.m4b')).audio).toMatchObject({ durationMs: 4000, sampleRate: 44100, channels: 1 });
  });
});
