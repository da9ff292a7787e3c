import { describe, expect, it } from 'vitest';
import {
  applyCommand,
  countsAsPlay,
  seededShuffle,
  type CommandContext,
  type PlaybackCommand,
  type PlaybackErrorCode,
} from '../../src/playback/state-machine.js';
import { effectivePositionMs, initialSession, MAX_QUEUE_ITEMS, type PlaybackSession, type QueueTrack } from '../../src/playback/state.js';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

const at = (now: number, deviceId: string | null = 'phone', seed = 'seed-1'): CommandContext => ({ now, deviceId, seed });
const tracks = (...ids: string[]): QueueTrack[] => ids.map((trackId) => ({ trackId, durationMs: 200_000 }));

/** Applies a command that must be accepted; returns the session and the plays it finished. */
function accept(session: PlaybackSession, command: PlaybackCommand, context = at(T0)) {
  const result = applyCommand(session, command, context);
  if (!result.ok) throw new Error(`refused: ${result.error.code} ${result.error.message}`);
  return result;
}

/** Applies a command that must be refused; checks that the session was not touched. */
function refuse(session: PlaybackSession, command: PlaybackCommand, context = at(T0)): PlaybackErrorCode {
  const before = structuredClone(session);
  const result = applyCommand(session, command, context);
  expect(session).toEqual(before);
  if (result.ok) throw new Error(`accepted: ${JSON.stringify(command)}`);
  return result.error.code;
}

/** A session playing tracks a, b, c (200 s each) from the start of `start`, on `phone`, at T0. */
function playing(start = 0, ids = ['a', 'b', 'c']): PlaybackSession {
  return accept(initialSession(T0), { type: 'play', tracks: tracks(...ids), startIndex: start }).session;
}

const trackIds = (session: PlaybackSession) => session.queue.items.map((item) => item.trackId);
const currentTrack = (session: PlaybackSession) => session.current?.trackId ?? null;

describe('every command', () => {
  it('bumps the revision by one, names the sending device and re-bases the position to now', () => {
    const session = playing();
    const { session: next } = accept(session, { type: 'volume', percent: 40 }, at(T0 + 5000, 'tablet'));
    expect(next.revision).toBe(session.revision + 1);
    expect(next.updatedBy).toBe('tablet');
    expect(next.positionMs).toBe(5000);
    expect(next.positionAsOf).toBe(T0 + 5000);
    expect(next.volume).toBe(40);
  });

  it('a web session (no device) is recorded as updatedBy null', () => {
    expect(accept(playing(), { type: 'repeat', mode: 'all' }, at(T0, null)).session.updatedBy).toBeNull();
  });

  it('a refused command leaves the session as it was', () => {
    expect(refuse(initialSession(T0), { type: 'next' })).toBe('queue_empty');
  });
});

describe('effective position', () => {
  it('moves on with the clock while playing, stops at the track end, and stays put while paused', () => {
    const session = playing();
    expect(effectivePositionMs(session, T0 + 12_345)).toBe(12_345);
    expect(effectivePositionMs(session, T0 + 10 * MIN)).toBe(200_000);
    const paused = accept(session, { type: 'pause' }, at(T0 + 7000)).session;
    expect(effectivePositionMs(paused, T0 + MIN)).toBe(7000);
  });

  it('never goes backwards when the clock steps back', () => {
    expect(effectivePositionMs(playing(), T0 - 5000)).toBe(0);
  });
});

describe('play', () => {
  it('replaces the queue, starts at startIndex from positionMs and makes the sending device active', () => {
    const session = accept(initialSession(T0), { type: 'play', tracks: tracks('a', 'b', 'c'), startIndex: 1, positionMs: 30_000 }).session;
    expect(trackIds(session)).toEqual(['a', 'b', 'c']);
    expect(currentTrack(session)).toBe('b');
    expect(session.positionMs).toBe(30_000);
    expect(session.playState).toBe('playing');
    expect(session.activeDeviceId).toBe('phone');
    expect(session.queue.revision).toBe(1);
  });

  it('gives the same track queued twice two distinct, stable item ids', () => {
    const session = playing(0, ['a', 'a']);
    const [first, second] = session.queue.items;
    expect(first.itemId).not.toBe(second.itemId);
    expect(accept(session, { type: 'volume', percent: 1 }).session.queue.items).toEqual(session.queue.items);
  });

  it('sent by another device, plays on the active device (remote control)', () => {
    const session = accept(playing(), { type: 'play', tracks: tracks('x') }, at(T0, 'laptop')).session;
    expect(session.activeDeviceId).toBe('phone');
    expect(session.updatedBy).toBe('laptop');
  });

  it('without any device while none is active is refused: no_active_device', () => {
    expect(refuse(initialSession(T0), { type: 'play', tracks: tracks('a') }, at(T0, null))).toBe('no_active_device');
  });

  it('refuses an empty list, a startIndex past the end, a position past the track and an oversized queue', () => {
    const empty = initialSession(T0);
    expect(refuse(empty, { type: 'play', tracks: [] })).toBe('queue_empty');
    expect(refuse(empty, { type: 'play', tracks: tracks('a', 'b'), startIndex: 2 })).toBe('invalid_command');
    expect(refuse(empty, { type: 'play', tracks: tracks('a'), positionMs: 200_001 })).toBe('seek_out_of_range');
    const tooMany = Array.from({ length: MAX_QUEUE_ITEMS + 1 }, (_, i) => ({ trackId: `t${i}`, durationMs: 1000 }));
    expect(refuse(empty, { type: 'play', tracks: tooMany })).toBe('invalid_command');
  });

  it('starts anywhere in a track of unknown duration', () => {
    const session = accept(initialSession(T0), { type: 'play', tracks: [{ trackId: 'a', durationMs: null }], positionMs: 10 * MIN }).session;
    expect(session.positionMs).toBe(10 * MIN);
  });

  it('queueItemId jumps to an item of the queue without changing the queue', () => {
    const session = playing();
    const target = session.queue.items[2];
    const next = accept(session, { type: 'play', queueItemId: target.itemId, positionMs: 1000 }).session;
    expect(next.current).toEqual({ queueItemId: target.itemId, trackId: 'c' });
    expect(next.positionMs).toBe(1000);
    expect(next.queue).toEqual(session.queue);
  });

  it('refuses a queueItemId not in the queue, or a position past its end', () => {
    const session = playing();
    expect(refuse(session, { type: 'play', queueItemId: 'nope' })).toBe('queue_item_not_found');
    expect(refuse(session, { type: 'play', queueItemId: session.queue.items[1].itemId, positionMs: 300_000 })).toBe('seek_out_of_range');
  });

  it('with shuffle on, starts with the chosen track and shuffles the rest by the seed', () => {
    const shuffled = accept(initialSession(T0), { type: 'shuffle', enabled: true }).session;
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const play = (seed: string) => accept(shuffled, { type: 'play', tracks: tracks(...ids), startIndex: 3 }, at(T0, 'phone', seed)).session;
    const first = play('one');
    expect(trackIds(first)[0]).toBe('d');
    expect(currentTrack(first)).toBe('d');
    expect([...trackIds(first)].sort()).toEqual(ids);
    expect(play('one')).toEqual(first);
    expect(trackIds(play('two'))).not.toEqual(trackIds(first));
    // Turning shuffle off restores the order the tracks were given in.
    expect(trackIds(accept(first, { type: 'shuffle', enabled: false }).session)).toEqual(ids);
  });

  it('records the play being left after half of it', () => {
    const { played } = accept(playing(), { type: 'play', tracks: tracks('x') }, at(T0 + 100_000));
    expect(played).toEqual([{ trackId: 'a', playedAt: T0, durationPlayedMs: 100_000, deviceId: 'phone' }]);
  });
});

describe('pause and resume', () => {
  it('pause freezes the position where playback is now; pausing again changes nothing but the revision', () => {
    const paused = accept(playing(), { type: 'pause' }, at(T0 + 42_000)).session;
    expect(paused.playState).toBe('paused');
    expect(paused.positionMs).toBe(42_000);
    const again = accept(paused, { type: 'pause' }, at(T0 + 99_000)).session;
    expect({ ...again, revision: paused.revision, positionAsOf: paused.positionAsOf }).toEqual(paused);
  });

  it('pause is refused when nothing is playing', () => {
    expect(refuse(initialSession(T0), { type: 'pause' })).toBe('invalid_command');
    const stopped = accept(playing(), { type: 'stop' }).session;
    expect(refuse(stopped, { type: 'pause' })).toBe('invalid_command');
  });

  it('resume plays on from the paused position', () => {
    const paused = accept(playing(), { type: 'pause' }, at(T0 + 42_000)).session;
    const resumed = accept(paused, { type: 'resume' }, at(T0 + 60_000)).session;
    expect(resumed.playState).toBe('playing');
    expect(resumed.positionMs).toBe(42_000);
    expect(resumed.positionAsOf).toBe(T0 + 60_000);
  });

  it('resume with nothing current starts the top of the queue, on the sending device when none is active', () => {
    const queued = accept(initialSession(T0), { type: 'queue.add', tracks: tracks('a', 'b'), at: 'end' }, at(T0, null)).session;
    expect(queued.current).toBeNull();
    const resumed = accept(queued, { type: 'resume' }, at(T0, 'tablet')).session;
    expect(currentTrack(resumed)).toBe('a');
    expect(resumed.activeDeviceId).toBe('tablet');
  });

  it('resume is refused on an empty queue, or with no device at all', () => {
    expect(refuse(initialSession(T0), { type: 'resume' })).toBe('queue_empty');
    const queued = accept(initialSession(T0), { type: 'queue.add', tracks: tracks('a'), at: 'end' }, at(T0, null)).session;
    expect(refuse(queued, { type: 'resume' }, at(T0, null))).toBe('no_active_device');
  });

  it('resume while playing is accepted and changes nothing else', () => {
    const session = playing();
    expect(accept(session, { type: 'resume' }).session.playState).toBe('playing');
  });
});

describe('stop', () => {
  it('rewinds and keeps the current item, recording the listen when it counts', () => {
    const { session, played } = accept(playing(1), { type: 'stop' }, at(T0 + 150_000));
    expect(session.playState).toBe('stopped');
    expect(session.positionMs).toBe(0);
    expect(currentTrack(session)).toBe('b');
    expect(played.map((p) => p.durationPlayedMs)).toEqual([150_000]);
  });
});

describe('seek', () => {
  it('moves within the track and keeps the play state', () => {
    const paused = accept(playing(), { type: 'pause' }).session;
    const sought = accept(paused, { type: 'seek', positionMs: 120_000 }).session;
    expect(sought.positionMs).toBe(120_000);
    expect(sought.playState).toBe('paused');
  });

  it('accepts the exact end, refuses beyond the duration, and refuses when nothing is current', () => {
    expect(accept(playing(), { type: 'seek', positionMs: 200_000 }).session.positionMs).toBe(200_000);
    expect(refuse(playing(), { type: 'seek', positionMs: 200_001 })).toBe('seek_out_of_range');
    expect(refuse(initialSession(T0), { type: 'seek', positionMs: 0 })).toBe('invalid_command');
  });
});

describe('next', () => {
  it('moves to the next item from its start, keeping the play state', () => {
    const session = accept(playing(), { type: 'next' }, at(T0 + 5000)).session;
    expect(currentTrack(session)).toBe('b');
    expect(session.positionMs).toBe(0);
    expect(session.playState).toBe('playing');
    const paused = accept(accept(playing(), { type: 'pause' }).session, { type: 'next' }).session;
    expect(paused.playState).toBe('paused');
  });

  it('records the skipped track after half of it or 4 minutes, not before', () => {
    expect(accept(playing(), { type: 'next' }, at(T0 + 99_999)).played).toEqual([]);
    expect(accept(playing(), { type: 'next' }, at(T0 + 100_000)).played).toHaveLength(1);
    const long = accept(initialSession(T0), { type: 'play', tracks: [{ trackId: 'opera', durationMs: 60 * MIN }, ...tracks('b')] }).session;
    expect(accept(long, { type: 'next' }, at(T0 + 4 * MIN - 1)).played).toEqual([]);
    expect(accept(long, { type: 'next' }, at(T0 + 4 * MIN)).played).toEqual([
      { trackId: 'opera', playedAt: T0, durationPlayedMs: 4 * MIN, deviceId: 'phone' },
    ]);
  });

  it('after the last item: stops on the first with repeat off or one, wraps and plays on with repeat all', () => {
    for (const mode of ['off', 'one'] as const) {
      const last = accept(playing(2), { type: 'repeat', mode }).session;
      const session = accept(last, { type: 'next' }).session;
      expect([currentTrack(session), session.playState]).toEqual(['a', 'stopped']);
    }
    const all = accept(playing(2), { type: 'repeat', mode: 'all' }).session;
    const wrapped = accept(all, { type: 'next' }).session;
    expect([currentTrack(wrapped), wrapped.playState]).toEqual(['a', 'playing']);
  });

  it('is refused on an empty queue', () => {
    expect(refuse(initialSession(T0), { type: 'next' })).toBe('queue_empty');
  });
});

describe('previous', () => {
  it('restarts the current track after more than 3 s of it', () => {
    const session = accept(playing(1), { type: 'previous' }, at(T0 + 3001)).session;
    expect([currentTrack(session), session.positionMs]).toEqual(['b', 0]);
  });

  it('goes back to the previous item within the first 3 s', () => {
    const session = accept(playing(1), { type: 'previous' }, at(T0 + 3000)).session;
    expect([currentTrack(session), session.positionMs, session.playState]).toEqual(['a', 0, 'playing']);
  });

  it('on the first item: wraps to the last with repeat all, restarts the first otherwise', () => {
    const all = accept(playing(0), { type: 'repeat', mode: 'all' }).session;
    expect(currentTrack(accept(all, { type: 'previous' }).session)).toBe('c');
    expect(currentTrack(accept(playing(0), { type: 'previous' }).session)).toBe('a');
  });

  it('is refused on an empty queue', () => {
    expect(refuse(initialSession(T0), { type: 'previous' })).toBe('queue_empty');
  });
});

describe('transfer', () => {
  it('hands playback to the device at the current position, keeping the play state', () => {
    const session = accept(playing(), { type: 'transfer', deviceId: 'speaker' }, at(T0 + 30_000)).session;
    expect(session.activeDeviceId).toBe('speaker');
    expect(session.positionMs).toBe(30_000);
    expect(session.positionAsOf).toBe(T0 + 30_000);
    expect(session.playState).toBe('playing');
  });

  it('play: false arrives paused; play: true starts playing (the top of the queue when nothing is current)', () => {
    expect(accept(playing(), { type: 'transfer', deviceId: 'speaker', play: false }).session.playState).toBe('paused');
    const stopped = accept(playing(1), { type: 'stop' }).session;
    expect(accept(stopped, { type: 'transfer', deviceId: 'speaker', play: true }).session.playState).toBe('playing');
    const queued = accept(initialSession(T0), { type: 'queue.add', tracks: tracks('a'), at: 'end' }).session;
    const started = accept(queued, { type: 'transfer', deviceId: 'speaker', play: true }).session;
    expect([currentTrack(started), started.playState, started.activeDeviceId]).toEqual(['a', 'playing', 'speaker']);
  });

  it('play: true with an empty queue is refused', () => {
    expect(refuse(initialSession(T0), { type: 'transfer', deviceId: 'speaker', play: true })).toBe('queue_empty');
  });
});

describe('queue.add', () => {
  it('appends at the end, or inserts right after the current item with "next"; the current item stays', () => {
    const session = playing(1);
    const end = accept(session, { type: 'queue.add', tracks: tracks('x', 'y'), at: 'end' }).session;
    expect(trackIds(end)).toEqual(['a', 'b', 'c', 'x', 'y']);
    expect(end.current).toEqual(session.current);
    expect(end.queue.revision).toBe(session.queue.revision + 1);
    const next = accept(session, { type: 'queue.add', tracks: tracks('x', 'y'), at: 'next' }).session;
    expect(trackIds(next)).toEqual(['a', 'b', 'x', 'y', 'c']);
    expect(new Set(next.queue.items.map((item) => item.itemId)).size).toBe(5);
  });

  it('"next" with nothing current puts the tracks at the top', () => {
    const queued = accept(initialSession(T0), { type: 'queue.add', tracks: tracks('a'), at: 'end' }).session;
    expect(trackIds(accept(queued, { type: 'queue.add', tracks: tracks('x'), at: 'next' }).session)).toEqual(['x', 'a']);
  });

  it('while shuffled, "next" plays right after the current item and keeps that place when shuffle goes off', () => {
    const shuffled = accept(playing(1, ['a', 'b', 'c', 'd']), { type: 'shuffle', enabled: true }).session;
    const added = accept(shuffled, { type: 'queue.add', tracks: tracks('x'), at: 'next' }).session;
    expect(trackIds(added).slice(0, 2)).toEqual(['b', 'x']);
    expect(trackIds(accept(added, { type: 'shuffle', enabled: false }).session)).toEqual(['a', 'b', 'x', 'c', 'd']);
  });

  it('refuses nothing to add and a queue over the limit', () => {
    expect(refuse(playing(), { type: 'queue.add', tracks: [], at: 'end' })).toBe('queue_empty');
    const many = Array.from({ length: MAX_QUEUE_ITEMS - 2 }, (_, i) => ({ trackId: `t${i}`, durationMs: 1000 }));
    expect(refuse(playing(), { type: 'queue.add', tracks: many, at: 'end' })).toBe('invalid_command');
  });
});

describe('queue.remove', () => {
  it('removes the items and keeps the current one', () => {
    const session = playing(1);
    const removed = accept(session, { type: 'queue.remove', itemIds: [session.queue.items[0].itemId, session.queue.items[2].itemId] }).session;
    expect(trackIds(removed)).toEqual(['b']);
    expect(removed.current).toEqual(session.current);
  });

  it('removing the current item moves on to the next remaining one, keeping the play state', () => {
    const session = playing(0);
    const [a, b] = session.queue.items;
    const { session: next, played } = accept(session, { type: 'queue.remove', itemIds: [a.itemId, b.itemId] }, at(T0 + 150_000));
    expect([currentTrack(next), next.positionMs, next.playState]).toEqual(['c', 0, 'playing']);
    expect(played.map((p) => p.trackId)).toEqual(['a']);
  });

  it('removing the current last item stops on the first remaining one; removing everything leaves nothing current', () => {
    const session = playing(2);
    const stopped = accept(session, { type: 'queue.remove', itemIds: [session.queue.items[2].itemId] }).session;
    expect([currentTrack(stopped), stopped.playState]).toEqual(['a', 'stopped']);
    const emptied = accept(session, { type: 'queue.remove', itemIds: session.queue.items.map((item) => item.itemId) }).session;
    expect([emptied.current, emptied.playState, emptied.queue.items]).toEqual([null, 'stopped', []]);
  });

  it('refuses an id not in the queue and removes nothing', () => {
    const session = playing();
    expect(refuse(session, { type: 'queue.remove', itemIds: [session.queue.items[0].itemId, 'gone'] })).toBe('queue_item_not_found');
  });
});

describe('queue.move', () => {
  it('moves an item to an index of the play order', () => {
    const session = playing();
    const moved = accept(session, { type: 'queue.move', itemId: session.queue.items[0].itemId, toIndex: 2 }).session;
    expect(trackIds(moved)).toEqual(['b', 'c', 'a']);
    expect(moved.current).toEqual(session.current);
    expect(moved.queue.revision).toBe(session.queue.revision + 1);
  });

  it('refuses an unknown item and an index past the end', () => {
    const session = playing();
    expect(refuse(session, { type: 'queue.move', itemId: 'gone', toIndex: 0 })).toBe('queue_item_not_found');
    expect(refuse(session, { type: 'queue.move', itemId: session.queue.items[0].itemId, toIndex: 3 })).toBe('invalid_command');
  });
});

describe('queue.clear', () => {
  it('empties the queue except the current item, which plays on', () => {
    const cleared = accept(playing(1), { type: 'queue.clear' }).session;
    expect(trackIds(cleared)).toEqual(['b']);
    expect([currentTrack(cleared), cleared.playState]).toEqual(['b', 'playing']);
    expect(accept(initialSession(T0), { type: 'queue.clear' }).session.queue.items).toEqual([]);
  });
});

describe('shuffle', () => {
  const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];

  it('keeps the current item first and the same items, in an order that only depends on the seed', () => {
    const session = playing(4, ids);
    const on = (seed: string) => accept(session, { type: 'shuffle', enabled: true }, at(T0, 'phone', seed)).session;
    const shuffled = on('s1');
    expect(shuffled.shuffle).toBe(true);
    expect(trackIds(shuffled)[0]).toBe('e');
    expect(shuffled.current).toEqual(session.current);
    expect([...trackIds(shuffled)].sort()).toEqual(ids);
    expect(trackIds(shuffled)).not.toEqual(ids);
    expect(on('s1')).toEqual(shuffled);
    expect(shuffled.queue.revision).toBe(session.queue.revision + 1);
  });

  it('is stable: later commands keep the shuffled order', () => {
    const shuffled = accept(playing(0, ids), { type: 'shuffle', enabled: true }).session;
    const order = trackIds(shuffled);
    let session = shuffled;
    for (const command of [{ type: 'next' }, { type: 'volume', percent: 3 }, { type: 'next' }] as PlaybackCommand[]) {
      session = accept(session, command).session;
    }
    expect(trackIds(session)).toEqual(order);
    expect(currentTrack(session)).toBe(order[2]);
  });

  it('off restores the original order and keeps the current item', () => {
    const shuffled = accept(playing(0, ids), { type: 'shuffle', enabled: true }).session;
    const advanced = accept(shuffled, { type: 'next' }).session;
    const off = accept(advanced, { type: 'shuffle', enabled: false }).session;
    expect(trackIds(off)).toEqual(ids);
    expect(off.current).toEqual(advanced.current);
    expect(off.shuffle).toBe(false);
  });

  it('setting what is set changes nothing but the revision', () => {
    const session = playing();
    const same = accept(session, { type: 'shuffle', enabled: false }).session;
    expect(same.queue).toEqual(session.queue);
  });

  it('seededShuffle is a permutation that depends only on its seed', () => {
    const values = Array.from({ length: 50 }, (_, i) => i);
    expect(seededShuffle(values, 'x')).toEqual(seededShuffle(values, 'x'));
    expect([...seededShuffle(values, 'x')].sort((a, b) => a - b)).toEqual(values);
    expect(seededShuffle(values, 'x')).not.toEqual(seededShuffle(values, 'y'));
  });
});

describe('repeat and volume', () => {
  it('set their values', () => {
    expect(accept(playing(), { type: 'repeat', mode: 'one' }).session.repeat).toBe('one');
    expect(accept(playing(), { type: 'volume', percent: 0 }).session.volume).toBe(0);
  });
});

describe('report', () => {
  it('sets the position as of now, clamped to the track length', () => {
    const session = accept(playing(), { type: 'report', positionMs: 61_000, ended: false }, at(T0 + 60_000)).session;
    expect([session.positionMs, session.positionAsOf]).toEqual([61_000, T0 + 60_000]);
    expect(accept(playing(), { type: 'report', positionMs: 999_999, ended: false }).session.positionMs).toBe(200_000);
  });

  it('is refused from another device than the active one, or when nothing is playing', () => {
    expect(refuse(playing(), { type: 'report', positionMs: 0, ended: false }, at(T0, 'laptop'))).toBe('not_active_device');
    expect(refuse(playing(), { type: 'report', positionMs: 0, ended: false }, at(T0, null))).toBe('not_active_device');
    const stopped = accept(playing(), { type: 'stop' }).session;
    expect(refuse(stopped, { type: 'report', positionMs: 0, ended: false })).toBe('invalid_command');
  });

  it('ended advances to the next item and records the whole track as played', () => {
    const { session, played } = accept(playing(), { type: 'report', positionMs: 199_000, ended: true }, at(T0 + 200_000));
    expect([currentTrack(session), session.positionMs, session.playState]).toEqual(['b', 0, 'playing']);
    expect(played).toEqual([{ trackId: 'a', playedAt: T0, durationPlayedMs: 200_000, deviceId: 'phone' }]);
  });

  it('ended with repeat one plays the same item again', () => {
    const one = accept(playing(1), { type: 'repeat', mode: 'one' }).session;
    const session = accept(one, { type: 'report', positionMs: 200_000, ended: true }).session;
    expect([session.current, session.positionMs, session.playState]).toEqual([one.current, 0, 'playing']);
  });

  it('ended on the last item stops on the first with repeat off, plays the first with repeat all', () => {
    const off = accept(playing(2), { type: 'report', positionMs: 200_000, ended: true }).session;
    expect([currentTrack(off), off.playState]).toEqual(['a', 'stopped']);
    const all = accept(accept(playing(2), { type: 'repeat', mode: 'all' }).session, { type: 'report', positionMs: 200_000, ended: true }).session;
    expect([currentTrack(all), all.playState]).toEqual(['a', 'playing']);
  });

  it('ended follows the shuffled order', () => {
    const shuffled = accept(playing(0, ['a', 'b', 'c', 'd', 'e']), { type: 'shuffle', enabled: true }).session;
    const order = trackIds(shuffled);
    const session = accept(shuffled, { type: 'report', positionMs: 200_000, ended: true }).session;
    expect(currentTrack(session)).toBe(order[1]);
  });
});

describe('device.lost', () => {
  it('pauses where the device last reported (not where it would be now) and leaves no device active', () => {
    const reported = accept(playing(), { type: 'report', positionMs: 42_000, ended: false }, at(T0 + 42_000)).session;
    const lost = accept(reported, { type: 'device.lost', deviceId: 'phone' }, at(T0 + 90_000, null)).session;
    expect([lost.playState, lost.positionMs, lost.positionAsOf]).toEqual(['paused', 42_000, T0 + 90_000]);
    expect([lost.activeDeviceId, lost.updatedBy]).toEqual([null, null]);
    expect(lost.revision).toBe(reported.revision + 1);
  });

  it('of a paused session only frees the active device', () => {
    const paused = accept(playing(), { type: 'pause' }, at(T0 + 5000)).session;
    const lost = accept(paused, { type: 'device.lost', deviceId: 'phone' }, at(T0 + MIN, null)).session;
    expect([lost.playState, lost.positionMs, lost.activeDeviceId]).toEqual(['paused', 5000, null]);
  });

  it('is refused when that device is no longer the active one', () => {
    const moved = accept(playing(), { type: 'transfer', deviceId: 'speaker' }).session;
    expect(refuse(moved, { type: 'device.lost', deviceId: 'phone' }, at(T0, null))).toBe('invalid_command');
  });
});

describe('countsAsPlay', () => {
  it('counts half of the track or 4 minutes, whichever comes first; nothing for an unplayed track', () => {
    expect(countsAsPlay(100_000, 200_000)).toBe(true);
    expect(countsAsPlay(99_999, 200_000)).toBe(false);
    expect(countsAsPlay(4 * MIN, 20 * MIN)).toBe(true);
    expect(countsAsPlay(4 * MIN - 1, null)).toBe(false);
    expect(countsAsPlay(4 * MIN, null)).toBe(true);
    expect(countsAsPlay(0, 0)).toBe(false);
  });
});
