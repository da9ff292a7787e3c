import { describe, expect, it } from 'vitest';
import { applyCommand, type CommandContext, type PlaybackCommand } from '../../src/playback/state-machine.js';
import { initialSession, MAX_QUEUE_ITEMS, type PlaybackSession, type QueueTrack } from '../../src/playback/state.js';

const T0 = Date.UTC(2026, 0, 1);
const at = (now: number, deviceId: string | null = null): CommandContext => ({ now, deviceId, seed: 'seed' });
const tracks = (...ids: string[]): QueueTrack[] => ids.map((trackId) => ({ trackId, durationMs: 200_000 }));

function accept(session: PlaybackSession, command: PlaybackCommand, context = at(T0)) {
  const result = applyCommand(session, command, context);
  if (!result.ok) throw new Error(`refused: ${result.error.code} ${result.error.message}`);
  return result;
}

const set = (ids: string[], currentIndex: number | null, positionMs = 0, keepPlaying = false): PlaybackCommand => ({
  type: 'queue.set',
  tracks: tracks(...ids),
  currentIndex,
  positionMs,
  keepPlaying,
});

/** Playing x, y on `phone` since T0. */
function playingOnPhone(): PlaybackSession {
  return accept(initialSession(T0), { type: 'play', tracks: tracks('x', 'y') }, at(T0, 'phone')).session;
}

describe('queue.set (the Subsonic play queue)', () => {
  it('replaces the queue in the given order, duplicates apart, and makes the chosen one current without playing', () => {
    const { session, played } = accept(initialSession(T0), set(['a', 'b', 'a'], 2, 1500));
    expect(session.queue.items.map((item) => item.trackId)).toEqual(['a', 'b', 'a']);
    expect(new Set(session.queue.items.map((item) => item.itemId)).size).toBe(3);
    expect(session.current).toEqual({ queueItemId: session.queue.items[2]!.itemId, trackId: 'a' });
    expect(session).toMatchObject({ playState: 'paused', positionMs: 1500, activeDeviceId: null, revision: 1 });
    expect(played).toEqual([]);
  });

  it('pauses a session playing on a device there, and records no play (the saving client scrobbles itself)', () => {
    const { session, played } = accept(playingOnPhone(), set(['c'], 0), at(T0 + 150_000));
    expect(session).toMatchObject({ playState: 'paused', activeDeviceId: 'phone', positionMs: 0, current: { trackId: 'c' } });
    expect(played).toEqual([]);
  });

  it('keepPlaying keeps a playing session playing (jukebox set)', () => {
    const { session } = accept(playingOnPhone(), set(['y', 'z'], 0, 5000, true), at(T0 + 10_000));
    expect(session).toMatchObject({ playState: 'playing', current: { trackId: 'y' }, positionMs: 5000 });
  });

  it('an empty queue leaves nothing current, stopped', () => {
    const { session } = accept(playingOnPhone(), set([], null));
    expect(session).toMatchObject({ playState: 'stopped', current: null, positionMs: 0, queue: { items: [] } });
  });

  it('refuses an index outside the queue, a position past the end, and too long a queue', () => {
    const refused = (command: PlaybackCommand) => {
      const result = applyCommand(initialSession(T0), command, at(T0));
      return result.ok ? 'accepted' : result.error.code;
    };
    expect(refused(set(['a'], 1))).toBe('invalid_command');
    expect(refused(set(['a'], -1))).toBe('invalid_command');
    expect(refused(set(['a'], 0, 200_001))).toBe('seek_out_of_range');
    const many = Array.from({ length: MAX_QUEUE_ITEMS + 1 }, (_, i) => `t${i}`);
    expect(refused(set(many, 0))).toBe('invalid_command');
  });

  it('while shuffled, the given order is kept as the order to return to', () => {
    const shuffled = accept(initialSession(T0), { type: 'shuffle', enabled: true }).session;
    const { session } = accept(shuffled, set(['a', 'b', 'c'], 1));
    expect(session.shuffle).toBe(true);
    const unshuffled = accept(session, { type: 'shuffle', enabled: false }).session;
    expect(unshuffled.queue.items.map((item) => item.trackId)).toEqual(['a', 'b', 'c']);
    expect(unshuffled.current?.trackId).toBe('b');
  });
});
