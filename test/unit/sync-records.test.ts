import { describe, expect, it } from 'vitest';
import { accessTag, decodeAnyCursor, decodeCursor, encodeCursor } from '../../src/sync/cursors.js';
import { safeSegment, syncFileName } from '../../src/sync/sync-records.js';

const track = {
  id: '3fa2c1d0aa11bb22cc33dd44ee55ff66',
  title: 'So What',
  albumTitle: 'Kind of Blue',
  albumArtist: 'Miles Davis',
  discNumber: 1,
  trackNumber: 1,
  path: 'Jazz/Kind of Blue/01 So What.MP3',
};

describe('sync file names', () => {
  it('names a track Album Artist/Album/disc-track Title [id8].ext with the file’s own extension', () => {
    expect(syncFileName(track)).toBe('Miles Davis/Kind of Blue/1-01 So What [3fa2c1d0].mp3');
    expect(syncFileName({ ...track, discNumber: null, trackNumber: null, albumTitle: null })).toBe('Miles Davis/Unknown Album/1-00 So What [3fa2c1d0].mp3');
  });

  it('keeps two identically tagged tracks apart', () => {
    expect(syncFileName(track)).not.toBe(syncFileName({ ...track, id: 'ffffffff' + track.id.slice(8) }));
  });

  it('never lets a tag escape its folder or produce a name a file system refuses', () => {
    const hostile = syncFileName({ ...track, albumArtist: '../../etc', albumTitle: 'a/b\\c:d*e?f"g<h>i|j\u0000', title: '..' });
    const segments = hostile.split('/');
    expect(segments).toHaveLength(3);
    expect(segments.every((segment) => segment !== '..' && segment !== '.' && !segment.startsWith('.'))).toBe(true);
    expect(hostile).not.toMatch(/[\\:*?"<>|\u0000]/);
    expect(safeSegment('CON', 'x')).toBe('_CON');
    expect(safeSegment('name. . ', 'x')).toBe('name');
    expect(safeSegment('   ', 'Fallback')).toBe('Fallback');
    expect([...safeSegment('é'.repeat(300), 'x')]).toHaveLength(80);
  });
});

describe('sync cursors', () => {
  it('round-trips both kinds and refuses anything else with invalid_cursor', () => {
    const changes = { kind: 'changes' as const, seq: 42, access: '0123abcd' };
    const bootstrap = { kind: 'bootstrap' as const, seq: 7, access: '0123abcd', phase: 5, after: 'track:abc123' };
    expect(decodeCursor(encodeCursor(changes), 'changes')).toEqual(changes);
    expect(decodeCursor(encodeCursor(bootstrap), 'bootstrap')).toEqual(bootstrap);
    expect(decodeAnyCursor(encodeCursor(bootstrap))).toEqual(bootstrap);
    for (const bad of ['', 'c1.', 'c1.-1.0123abcd', 'c1.1.XYZ', encodeCursor(bootstrap), 'c1.1.0123abcd.extra']) {
      expect(() => decodeCursor(bad, 'changes'), bad).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
    }
    expect(() => decodeCursor('b1.1.0123abcd.9.', 'bootstrap')).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
  });

  it('changes the access tag when a library is granted or taken away, but not for the user’s own upload library', () => {
    const music = { id: 'm1', kind: 'music' as const, ownerUserId: null };
    const uploads = { id: 'u1', kind: 'upload' as const, ownerUserId: 'me' };
    expect(accessTag([music, uploads], 'me')).toBe(accessTag([music], 'me'));
    expect(accessTag([music], 'me')).not.toBe(accessTag([music, { ...music, id: 'm2' }], 'me'));
    expect(accessTag([music], 'me')).not.toBe(accessTag([], 'me'));
  });
});
