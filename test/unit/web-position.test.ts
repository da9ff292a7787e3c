import { describe, expect, it } from 'vitest';
import { estimateClockOffset } from '../../web/src/lib/clock-offset.js';
import { playedFraction, projectPosition } from '../../web/src/lib/position.js';

describe('the position a player shows', () => {
  it('moves on with server time while playing', () => {
    const state = { playState: 'playing' as const, positionMs: 10_000, positionAsOf: 1_000_000 };
    expect(projectPosition(state, 1_000_000, 200_000)).toBe(10_000);
    expect(projectPosition(state, 1_002_500, 200_000)).toBe(12_500);
  });

  it('stands still while paused or stopped, however much time passes', () => {
    expect(projectPosition({ playState: 'paused', positionMs: 42_000, positionAsOf: 5 }, 999_999, 200_000)).toBe(42_000);
    expect(projectPosition({ playState: 'stopped', positionMs: 0, positionAsOf: 5 }, 999_999, 200_000)).toBe(0);
  });

  it('never runs past the end of the track', () => {
    expect(projectPosition({ playState: 'playing', positionMs: 170_000, positionAsOf: 0 }, 60_000, 180_000)).toBe(180_000);
  });

  it('keeps counting when the duration is unknown', () => {
    expect(projectPosition({ playState: 'playing', positionMs: 1_000, positionAsOf: 0 }, 5_000, null)).toBe(6_000);
  });

  it('does not go backwards when the local clock estimate is behind the state\'s timestamp', () => {
    expect(projectPosition({ playState: 'playing', positionMs: 30_000, positionAsOf: 10_000 }, 9_800, 200_000)).toBe(30_000);
  });

  it('turns a position into the share of the seek bar, within 0..1', () => {
    expect(playedFraction(45_000, 180_000)).toBe(0.25);
    expect(playedFraction(500_000, 180_000)).toBe(1);
    expect(playedFraction(10_000, null)).toBe(0);
  });
});

describe('the server clock offset', () => {
  it('trusts the sample with the shortest round trip', () => {
    const samples = [
      { sentAt: 1_000, receivedAt: 1_400, serverTime: 6_500 }, // slow: midpoint 1200 → +5300
      { sentAt: 2_000, receivedAt: 2_020, serverTime: 7_010 }, // fast: midpoint 2010 → +5000
      { sentAt: 3_000, receivedAt: 3_100, serverTime: 8_000 },
    ];
    expect(estimateClockOffset(samples)).toBe(5_000);
  });

  it('is zero without samples and ignores impossible ones', () => {
    expect(estimateClockOffset([])).toBe(0);
    expect(estimateClockOffset([{ sentAt: 10, receivedAt: 5, serverTime: 99_999 }])).toBe(0);
  });
});
