import { expect, it } from 'vitest';
import { parseChunkRange } from '../../src/uploads/content-range.js';
import { candidateName, safeSegment, safeStem, targetPath } from '../../src/uploads/file-names.js';
import { sniffAudioHead } from '../../src/uploads/sniff.js';

it('makes hostile names into one safe, capped, NFC path segment', () => {
  expect(safeSegment('../..', 'x')).toBe('_');
  expect(safeSegment('..', 'x')).toBe('x');
  expect(safeSegment('a\u0000b\u0007c/d\\e', 'x')).toBe('abc_d_e');
  expect(safeSegment('e\u0301', 'x')).toBe('é');
  expect(Buffer.byteLength(safeSegment('ü'.repeat(300), 'x'))).toBeLessThanOrEqual(120);
  expect(safeStem('../../x.mp3')).toBe('x');
  expect(safeStem('.hidden')).toBe('hidden');
});

it('names uploaded tracks Artist/Album/NN - Title.ext with numbered suffixes on collision', () => {
  const target = targetPath({ albumArtist: 'AC/DC', album: 'Back', title: 'Hells Bells', trackNumber: 1, discNumber: 1, discTotal: 1, ext: 'mp3' });
  expect(target).toEqual({ dir: 'AC_DC/Back', stem: '01 - Hells Bells', ext: 'mp3' });
  expect(targetPath({ albumArtist: '', album: '', title: '', trackNumber: 2, discNumber: 2, discTotal: 2, ext: 'flac' }).stem).toBe('2-02 -');
  expect(candidateName('a', 'mp3', 1)).toBe('a.mp3');
  expect(candidateName('a', 'mp3', 2)).toBe('a (2).mp3');
});

it('parses chunk ranges strictly', () => {
  expect(parseChunkRange(undefined)).toBeNull();
  expect(parseChunkRange('bytes 0-9/20')).toEqual({ first: 0, last: 9, total: 20 });
  for (const bad of ['bytes 5-4/20', 'bytes 0-20/20', 'bytes */20', '0-9/20']) expect(() => parseChunkRange(bad)).toThrow();
});

it('recognises audio by magic bytes and refuses text', () => {
  expect(sniffAudioHead(Buffer.from('fLaC\0\0\0\x22'))?.ext).toBe('flac');
  expect(sniffAudioHead(Buffer.from([0xff, 0xfb, 0x90, 0x64]))?.ext).toBe('mp3');
  expect(sniffAudioHead(Buffer.from('RIFF\0\0\0\0WAVEfmt '))?.ext).toBe('wav');
  expect(sniffAudioHead(Buffer.from('hello world, not audio'))).toBeNull();
});
