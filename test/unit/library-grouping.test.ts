import { describe, expect, it } from 'vitest';
import { folderImageRank, isAudioFileName } from '../../src/library/scanner/audio-files.js';
import { albumIdentity } from '../../src/library/scanner/grouping.js';
import type { TrackTags } from '../../src/library/scanner/track-file.js';

function tags(overrides: Partial<TrackTags>): TrackTags {
  return {
    title: 'T', artist: 'A', artists: ['A'], album: 'Album', albumArtist: 'A', albumArtists: ['A'], trackNumber: null,
    trackTotal: null, discNumber: null, discTotal: null, year: null, date: null, originalDate: null, genres: [],
    compilation: false, mbTrackId: null, mbRecordingId: null, mbReleaseId: null, mbArtistId: null, mbAlbumArtistId: null,
    isrc: null, bpm: null, musicalKey: null, comment: null, lyrics: null, syncedLyrics: null,
    replayGain: { trackGain: null, trackPeak: null, albumGain: null, albumPeak: null },
    ...overrides,
  };
}

describe('album grouping', () => {
  it('groups the same album artist and title whatever their case and accents', () => {
    const a = albumIdentity(tags({ album: 'Été', albumArtist: 'Björk', albumArtists: ['Björk'] }));
    const b = albumIdentity(tags({ album: 'ETE', albumArtist: 'bjork', albumArtists: ['bjork'] }));
    expect(a.groupKey).toBe(b.groupKey);
  });

  it('splits albums with the same title but different MusicBrainz releases', () => {
    const a = albumIdentity(tags({ mbReleaseId: '11111111-1111-1111-1111-111111111111' }));
    const b = albumIdentity(tags({ mbReleaseId: '22222222-2222-2222-2222-222222222222' }));
    expect(a.groupKey).not.toBe(b.groupKey);
  });

  it('files a compilation without a real album artist under Various Artists', () => {
    const album = albumIdentity(tags({ compilation: true, artist: 'Solo', albumArtist: 'Solo', albumArtists: ['Solo'] }));
    expect(album).toMatchObject({ albumArtist: 'Various Artists', albumArtists: ['Various Artists'], compilation: true });
  });

  it('keeps the album artist a compilation names', () => {
    const album = albumIdentity(tags({ compilation: true, artist: 'Solo', albumArtist: 'DJ Mix', albumArtists: ['DJ Mix'] }));
    expect(album.albumArtist).toBe('DJ Mix');
  });
});

describe('which files the scanner looks at', () => {
  it('knows audio by extension, case-insensitively', () => {
    expect(['a.MP3', 'b.flac', 'c.opus', 'd.m4b', 'e.aifc', 'f.dsf', 'g.webm'].every(isAudioFileName)).toBe(true);
    expect(['a.txt', 'b.jpg', 'c.mkv', 'd', 'flac.flac.jpg'].some(isAudioFileName)).toBe(false);
  });

  it('prefers cover over folder over front for folder images, and ignores other images', () => {
    const names = ['front.webp', 'Folder.PNG', 'COVER.jpg', 'flac.flac.jpg', 'back.jpg'];
    const ranked = names.filter((n) => folderImageRank(n) !== null).sort((a, b) => folderImageRank(a)! - folderImageRank(b)!);
    expect(ranked).toEqual(['COVER.jpg', 'Folder.PNG', 'front.webp']);
  });
});
