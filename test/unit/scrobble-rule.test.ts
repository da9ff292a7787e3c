import { describe, expect, it } from 'vitest';
import { judgePlay } from '../../src/collection/scrobble-rule.js';

const MIN = 60_000;

describe("Last.fm's scrobbling rule", () => {
  it('scrobbles a play of exactly half the track', () => {
    expect(judgePlay(200_000, 100_000)).toEqual({ scrobble: true });
  });

  it('does not scrobble a play just short of half the track', () => {
    expect(judgePlay(200_000, 99_999)).toEqual({ scrobble: false, reason: 'played_too_little' });
  });

  it('scrobbles 4 minutes of a 20-minute track, though it is far from half', () => {
    expect(judgePlay(20 * MIN, 4 * MIN)).toEqual({ scrobble: true });
    expect(judgePlay(20 * MIN, 4 * MIN - 1)).toEqual({ scrobble: false, reason: 'played_too_little' });
  });

  it('never scrobbles a 29-second track, even played through', () => {
    expect(judgePlay(29_000, 29_000)).toEqual({ scrobble: false, reason: 'track_too_short' });
  });

  it('needs a track longer than 30 s: exactly 30 s is too short, 31 s is enough', () => {
    expect(judgePlay(30_000, 30_000)).toEqual({ scrobble: false, reason: 'track_too_short' });
    expect(judgePlay(31_000, 15_500)).toEqual({ scrobble: true });
  });

  it('judges a track of unknown duration by the 4-minute threshold alone', () => {
    expect(judgePlay(null, 4 * MIN)).toEqual({ scrobble: true });
    expect(judgePlay(null, 3 * MIN)).toEqual({ scrobble: false, reason: 'played_too_little' });
  });
});
