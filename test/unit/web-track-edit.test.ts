import { describe, expect, it } from 'vitest';
import { formFromTrack, patchFromForm, type EditableTrack } from '../../web/src/lib/track-edit.js';

const track: EditableTrack = {
  title: 'Song',
  artists: [{ name: 'Earth, Wind & Fire' }, { name: 'Guest' }],
  album: 'Album',
  albumArtist: 'Earth, Wind & Fire',
  year: 1978,
  genres: ['Funk', 'Soul'],
  trackNumber: 3,
  discNumber: null,
};

describe('track editor', () => {
  it('sends nothing when nothing changed, so no override is created', () => {
    expect(patchFromForm(track, formFromTrack(track))).toEqual({ patch: {} });
  });

  it('sends only changed fields; lists split on ";" keep names with commas whole', () => {
    const form = { ...formFromTrack(track), title: ' New title ', artists: 'Earth, Wind & Fire', discNumber: '2', year: '' };
    expect(patchFromForm(track, form)).toEqual({ patch: { title: 'New title', artists: ['Earth, Wind & Fire'], discNumber: 2, year: null } });
  });

  it('refuses an empty title, no artist and numbers out of 1–9999, per field', () => {
    const form = { ...formFromTrack(track), title: ' ', artists: ' ; ', year: '19x8', trackNumber: '0', discNumber: '10000' };
    const result = patchFromForm(track, form);
    expect('errors' in result && Object.keys(result.errors).sort()).toEqual(['artists', 'discNumber', 'title', 'trackNumber', 'year']);
  });
});
