import { describe, expect, it } from 'vitest';
import { createNowPlayingBoard } from '../../src/subsonic/now-playing.js';
import { createPageContinuations } from '../../src/subsonic/page-continuations.js';

const mark = (userId: string, trackId: string, playerName = 'phone', durationMs: number | null = 180_000) => ({ userId, username: userId, trackId, playerName, durationMs });

describe('now playing board', () => {
  it('shows a mark until the track would have ended plus a minute', () => {
    const board = createNowPlayingBoard();
    board.mark(mark('u1', 't1'), 0);
    expect(board.current(240_000).map((m) => m.trackId)).toEqual(['t1']);
    expect(board.current(240_001)).toEqual([]);
    board.mark(mark('u1', 't2', 'phone', null), 0);
    expect(board.current(600_000)).toHaveLength(1);
    expect(board.current(600_001)).toHaveLength(0);
  });

  it('keeps one mark per user and player, newest first, and drops it when the track is submitted', () => {
    const board = createNowPlayingBoard();
    board.mark(mark('u1', 't1'), 0);
    board.mark(mark('u1', 't2'), 1_000);
    board.mark(mark('u1', 't3', 'desktop'), 2_000);
    board.mark(mark('u2', 't1'), 3_000);
    expect(board.current(4_000).map((m) => `${m.userId}:${m.trackId}:${m.playerName}`)).toEqual(['u2:t1:phone', 'u1:t3:desktop', 'u1:t2:phone']);
    board.finished('u1', 't2');
    expect(board.current(4_000).map((m) => m.trackId)).toEqual(['t1', 't3']);
  });

  it('holds at most 1,000 marks, forgetting the oldest', () => {
    const board = createNowPlayingBoard();
    for (let i = 0; i < 1_005; i++) board.mark(mark('u1', `t${i}`, `player ${i}`), i);
    const current = board.current(2_000);
    expect(current).toHaveLength(1_000);
    expect(current.at(-1)!.trackId).toBe('t5');
  });
});

describe('page continuations', () => {
  it('finds where the next offset continues, until it expires', () => {
    let now = 0;
    const pages = createPageContinuations({ max: 10, ttlMs: 1_000, now: () => now });
    pages.remember('songs', 500, { key: 'abc', id: '01' });
    expect(pages.find('songs', 500)).toEqual({ key: 'abc', id: '01' });
    expect(pages.find('songs', 1_000)).toBeUndefined();
    expect(pages.find('albums', 500)).toBeUndefined();
    now = 1_001;
    expect(pages.find('songs', 500)).toBeUndefined();
  });

  it('keeps at most `max` entries, the most recently remembered', () => {
    const pages = createPageContinuations({ max: 2, ttlMs: 60_000, now: () => 0 });
    pages.remember('songs', 1, { key: 'a', id: '1' });
    pages.remember('songs', 2, { key: 'b', id: '2' });
    pages.remember('songs', 1, { key: 'a2', id: '1' });
    pages.remember('songs', 3, { key: 'c', id: '3' });
    expect(pages.find('songs', 2)).toBeUndefined();
    expect(pages.find('songs', 1)).toEqual({ key: 'a2', id: '1' });
    expect(pages.find('songs', 3)).toEqual({ key: 'c', id: '3' });
  });
});
