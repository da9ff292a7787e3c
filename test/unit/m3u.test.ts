import { describe, expect, it } from 'vitest';
import { decodeM3u, encodingOfFileName, entryTargets, parseM3u, renderM3u8 } from '../../src/playlists/m3u.js';

const latin1 = (text: string) => Buffer.from(text, 'latin1');

describe('reading M3U text', () => {
  it('reads a UTF-8 byte-order mark as UTF-8 whatever the file name says, and drops it', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Café/Été.mp3\n', 'utf8')]);
    expect(decodeM3u(bytes, 'detect')).toBe('Café/Été.mp3\n');
    expect(decodeM3u(bytes, 'latin1')).toBe('Café/Été.mp3\n');
  });

  it('reads UTF-16 files with a byte-order mark', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Ünïcode.mp3', 'utf16le')]);
    expect(decodeM3u(le, 'detect')).toBe('Ünïcode.mp3');
  });

  it('reads a .m3u as UTF-8 when its bytes are valid UTF-8, else as Latin-1', () => {
    expect(encodingOfFileName('Mix.M3U')).toBe('detect');
    expect(decodeM3u(Buffer.from('Café.mp3', 'utf8'), 'detect')).toBe('Café.mp3');
    expect(decodeM3u(latin1('Café.mp3'), 'detect')).toBe('Café.mp3');
    // Windows-1252 is the superset players mean by Latin-1: 0x80 is the euro sign.
    expect(decodeM3u(Buffer.from([0x80, 0x2e, 0x6d, 0x70, 0x33]), 'detect')).toBe('€.mp3');
  });

  it('reads a .m3u8 as UTF-8 even when it is not valid UTF-8', () => {
    expect(encodingOfFileName('mix.m3u8')).toBe('utf-8');
    expect(decodeM3u(latin1('Café.mp3'), 'utf-8')).toBe('Caf\uFFFD.mp3');
  });
});

describe('parsing M3U', () => {
  it('pairs each media line with the #EXTINF before it and numbers lines as the file does (CRLF, CR, blank lines, comments)', () => {
    const text = [
      '#EXTM3U',
      '#PLAYLIST:Road trip',
      '#EXTINF:215,Daft Punk - One More Time',
      'Daft Punk/Discovery/01.flac',
      '',
      '# a comment',
      'Singles/untagged.mp3',
      '#EXTINF:-1 tvg-name="a, b" group-title="x",Radio - Live, with commas',
      'http://radio.example/stream',
    ].join('\r\n');
    expect(parseM3u(text)).toEqual({
      name: 'Road trip',
      entries: [
        { line: 4, location: 'Daft Punk/Discovery/01.flac', durationSeconds: 215, artist: 'Daft Punk', title: 'One More Time' },
        { line: 7, location: 'Singles/untagged.mp3', durationSeconds: null, artist: null, title: null },
        { line: 9, location: 'http://radio.example/stream', durationSeconds: null, artist: 'Radio', title: 'Live, with commas' },
      ],
    });
    expect(parseM3u('a.mp3\rb.mp3\n').entries.map((e) => [e.line, e.location])).toEqual([[1, 'a.mp3'], [2, 'b.mp3']]);
  });

  it('reads an #EXTINF display without " - " as a title alone, and a plain list without any header', () => {
    expect(parseM3u('#EXTINF:61.5,Intro\nintro.mp3').entries[0]).toMatchObject({ durationSeconds: 61.5, artist: null, title: 'Intro' });
    expect(parseM3u('one.mp3\ntwo.mp3').entries.map((e) => e.location)).toEqual(['one.mp3', 'two.mp3']);
  });
});

describe('reading entry locations', () => {
  const paths = (location: string) => entryTargets(location).map((t) => (t.kind === 'path' ? `${t.absolute ? 'abs' : 'rel'}:${t.path}` : 'remote'));

  it('turns Windows separators into "/" and knows drive letters and shares as absolute', () => {
    expect(paths('..\\Artist\\Album\\01.mp3')).toEqual(['rel:../Artist/Album/01.mp3']);
    expect(paths('C:\\Music\\Artist\\01.mp3')).toEqual(['abs:C:/Music/Artist/01.mp3']);
    expect(paths('\\\\nas\\music\\01.mp3')).toEqual(['abs://nas/music/01.mp3']);
  });

  it('decodes file URLs, and reads %-escaped paths both as written and decoded', () => {
    expect(paths('file:///home/me/Music/My%20Song.mp3')).toEqual(['abs:/home/me/Music/My Song.mp3']);
    expect(paths('file:///C:/Music/a%20b.mp3')).toEqual(['abs:C:/Music/a b.mp3']);
    expect(paths('Artist/100%25%20Pure.mp3')).toEqual(['rel:Artist/100%25%20Pure.mp3', 'rel:Artist/100% Pure.mp3']);
    expect(paths('Artist/100% Pure.mp3')).toEqual(['rel:Artist/100% Pure.mp3']);
  });

  it('tries composed and decomposed accents', () => {
    expect(paths('Cafe\u0301.mp3')).toEqual(['rel:Cafe\u0301.mp3', 'rel:Caf\u00e9.mp3']);
  });

  it('treats other URLs as remote streams', () => {
    expect(paths('https://example.com/a.mp3')).toEqual(['remote']);
  });
});

describe('writing M3U8', () => {
  it('writes #EXTM3U, the name, and #EXTINF with rounded seconds before each path; a path with a line break is left out', () => {
    const text = renderM3u8('Mix\nTape', [
      { path: 'A/B/01.flac', artist: 'Daft Punk', title: 'One More Time', durationMs: 320_499 },
      { path: 'bad\nname.mp3', artist: 'x', title: 'y', durationMs: 1000 },
      { path: 'C/untimed.mp3', artist: 'Someone', title: 'Song', durationMs: null },
    ]);
    expect(text).toBe('#EXTM3U\n#PLAYLIST:Mix Tape\n#EXTINF:320,Daft Punk - One More Time\nA/B/01.flac\n#EXTINF:-1,Someone - Song\nC/untimed.mp3\n');
    expect(parseM3u(text).entries.map((e) => e.location)).toEqual(['A/B/01.flac', 'C/untimed.mp3']);
  });

  it('writes a path that starts like a comment as ./path, so it reads back as a path', () => {
    const text = renderM3u8('x', [{ path: '#1 Hit.mp3', artist: 'A', title: 'B', durationMs: 1000 }]);
    expect(parseM3u(text).entries.map((e) => e.location)).toEqual(['./#1 Hit.mp3']);
  });
});
