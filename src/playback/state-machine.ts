import { createHash } from 'node:crypto';
import type { ErrorCode } from '../shared/errors.js';
import {
  currentItem,
  effectivePositionMs,
  MAX_QUEUE_ITEMS,
  type PlaybackSession,
  type PlayState,
  type QueueItem,
  type QueueTrack,
  type RepeatMode,
} from './state.js';

/**
 * The playback state machine: pure functions from (session, command, context) to the next session or an error.
 * No I/O, no clock, no randomness of its own: the time comes in the context and shuffling is seeded by it, so the
 * same inputs always give the same session (the integration tests replay accepted commands through it).
 *
 * Tracks arrive already resolved (`QueueTrack`: visible, playable, with their duration) and devices already checked
 * (ownership, presence): that needs the database and lives in the service.
 */

/** A command after the service resolved its tracks; positions and indexes are ms and 0-based. */
export type PlaybackCommand =
  /** Replaces the queue with `tracks` and plays `tracks[startIndex]` (default 0) from `positionMs` (default 0). */
  | { type: 'play'; tracks: QueueTrack[]; startIndex?: number; positionMs?: number }
  /** Plays an item already in the queue from `positionMs` (default 0). */
  | { type: 'play'; queueItemId: string; positionMs?: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'next' }
  | { type: 'previous' }
  | { type: 'seek'; positionMs: number }
  /** Makes `deviceId` the active device; `play` true starts playing there, false pauses, absent keeps the play state. */
  | { type: 'transfer'; deviceId: string; play?: boolean }
  | { type: 'queue.add'; tracks: QueueTrack[]; at: 'next' | 'end' }
  | { type: 'queue.remove'; itemIds: string[] }
  /** Moves an item to `toIndex` of the queue in play order. */
  | { type: 'queue.move'; itemId: string; toIndex: number }
  | { type: 'queue.clear' }
  /**
   * Replaces the queue with `tracks` in this order and makes `tracks[currentIndex]` current at `positionMs` (null:
   * nothing current) without starting playback: paused, or stopped when nothing is current; `keepPlaying` keeps a
   * playing session playing. The Subsonic play queue (`savePlayQueue`) and jukebox `set`.
   */
  | { type: 'queue.set'; tracks: QueueTrack[]; currentIndex: number | null; positionMs: number; keepPlaying: boolean }
  | { type: 'shuffle'; enabled: boolean }
  | { type: 'repeat'; mode: RepeatMode }
  | { type: 'volume'; percent: number }
  /** The active device's progress report; `ended` says the current track played to its end. */
  | { type: 'report'; positionMs: number; ended: boolean }
  /** The server noticed the active device went away. */
  | { type: 'device.lost'; deviceId: string };

export interface CommandContext {
  /** Server time, epoch ms. */
  now: number;
  /** The device whose token sent the command; null for a web session or the server itself. */
  deviceId: string | null;
  /** Seeds shuffling, so a command always shuffles the same way (the service passes the command's id). */
  seed: string;
}

/** A listen that ended and counts as a play for the history (see `countsAsPlay`). */
export interface PlayedTrack {
  trackId: string;
  /**
   * When the listen started, epoch ms: the end minus `durationPlayedMs`, as if it played straight through (the
   * session keeps no record of pauses and seeks within a track).
   */
  playedAt: number;
  /** How far into the track it got (the position it was left at; the whole track when it ended), ms. */
  durationPlayedMs: number;
  /** The device that played it. */
  deviceId: string | null;
}

export type PlaybackErrorCode = Extract<
  ErrorCode,
  'invalid_command' | 'queue_empty' | 'queue_item_not_found' | 'seek_out_of_range' | 'no_active_device' | 'not_active_device'
>;

export interface PlaybackError {
  code: PlaybackErrorCode;
  message: string;
}

/** The outcome of a command: the next session (revision + 1) and the plays it finished, or why it was refused. */
export type Transition = { ok: true; session: PlaybackSession; played: PlayedTrack[] } | { ok: false; error: PlaybackError };

/** `previous` restarts the current track when it has played longer than this (ms), and goes back otherwise. */
export const RESTART_THRESHOLD_MS = 3000;
/** A listen of at least this long (ms) counts as a play whatever the track's length. */
export const PLAY_COUNT_MIN_MS = 4 * 60 * 1000;

/** A listen counts as a play when it reached half the track or 4 minutes (the Last.fm scrobbling rule). */
export function countsAsPlay(durationPlayedMs: number, durationMs: number | null): boolean {
  if (durationPlayedMs <= 0) return false;
  return durationPlayedMs >= PLAY_COUNT_MIN_MS || (durationMs !== null && durationPlayedMs * 2 >= durationMs);
}

/**
 * Applies `command` to `session` at `context.now`. On success the result has `revision + 1`, `updatedBy` =
 * the sending device, and the position re-based to `now` (`positionAsOf = now`, `positionMs` = where playback is
 * at `now`), so every later command and client starts from the same point. Never mutates its arguments.
 */
export function applyCommand(session: PlaybackSession, command: PlaybackCommand, context: CommandContext): Transition {
  const next: PlaybackSession = {
    ...session,
    revision: session.revision + 1,
    updatedBy: context.deviceId,
    positionMs: effectivePositionMs(session, context.now),
    positionAsOf: context.now,
  };
  switch (command.type) {
    case 'play':
      return 'tracks' in command ? playTracks(next, command, context) : playItem(next, command, context);
    case 'pause':
      if (!next.current || next.playState === 'stopped') return fail('invalid_command', 'Nothing is playing to pause.');
      return ok({ ...next, playState: 'paused' });
    case 'resume':
      return resume(next, context);
    case 'stop':
      return ok({ ...next, playState: 'stopped', positionMs: 0 }, listenEnded(next, context));
    case 'seek': {
      const item = currentItem(next);
      if (!item) return fail('invalid_command', 'Nothing to seek in: no track is current.');
      return checkPosition(item, command.positionMs) ?? ok({ ...next, positionMs: command.positionMs });
    }
    case 'next':
      return skipForward(next, context);
    case 'previous':
      return skipBack(next, context);
    case 'transfer':
      return transfer(next, command);
    case 'queue.add':
      return addToQueue(next, command);
    case 'queue.remove':
      return removeFromQueue(next, command, context);
    case 'queue.move':
      return moveInQueue(next, command);
    case 'queue.clear': {
      const kept = next.queue.items.filter((item) => item.itemId === next.current?.queueItemId);
      return ok(withQueue(next, kept, next.unshuffledOrder && kept.map((item) => item.itemId)));
    }
    case 'queue.set':
      return setQueue(next, command);
    case 'shuffle':
      return ok(setShuffle(next, command.enabled, context.seed));
    case 'repeat':
      return ok({ ...next, repeat: command.mode });
    case 'volume':
      return ok({ ...next, volume: command.percent });
    case 'report':
      return report(next, command, context);
    case 'device.lost':
      if (session.activeDeviceId !== command.deviceId) return fail('invalid_command', 'That device is not the active one.');
      // Where the device last said it was, not an extrapolation: nobody knows how far it got after going silent.
      return ok({
        ...next,
        activeDeviceId: null,
        playState: session.playState === 'playing' ? 'paused' : session.playState,
        positionMs: session.positionMs,
      });
  }
}

function ok(session: PlaybackSession, played: PlayedTrack[] = []): Transition {
  return { ok: true, session, played };
}

function fail(code: PlaybackErrorCode, message: string): Transition {
  return { ok: false, error: { code, message } };
}

function itemRef(item: QueueItem): PlaybackSession['current'] {
  return { queueItemId: item.itemId, trackId: item.trackId };
}

/** Refuses a start position beyond the track's end (any position when the duration is unknown). */
function checkPosition(item: QueueTrack, positionMs: number): Transition | undefined {
  if (item.durationMs !== null && positionMs > item.durationMs) {
    return fail('seek_out_of_range', `The track is ${item.durationMs} ms long; ${positionMs} ms is past its end.`);
  }
  return undefined;
}

/** The device that will play: the active one, else the sender (which thereby becomes active). */
function playingDevice(session: PlaybackSession, context: CommandContext): string | undefined {
  return session.activeDeviceId ?? context.deviceId ?? undefined;
}

const NO_DEVICE = 'No device is active: send the command with a device token, or transfer playback to a device first.';

/** The current listen, when it counts as a play; `durationPlayedMs` defaults to the (re-based) position. */
function listenEnded(session: PlaybackSession, context: CommandContext, durationPlayedMs = session.positionMs): PlayedTrack[] {
  const item = currentItem(session);
  if (!item || !countsAsPlay(durationPlayedMs, item.durationMs)) return [];
  return [{ trackId: item.trackId, playedAt: context.now - durationPlayedMs, durationPlayedMs, deviceId: session.activeDeviceId }];
}

/** Makes `item` current from its start (no item: nothing current) in `playState`. */
function moveTo(session: PlaybackSession, item: QueueItem | undefined, playState: PlayState): PlaybackSession {
  return { ...session, current: item ? itemRef(item) : null, positionMs: 0, playState };
}

function withQueue(session: PlaybackSession, items: QueueItem[], unshuffledOrder: string[] | null): PlaybackSession {
  return { ...session, queue: { revision: session.queue.revision + 1, items }, unshuffledOrder };
}

function indexOfCurrent(session: PlaybackSession): number {
  const id = session.current?.queueItemId;
  return id === undefined ? -1 : session.queue.items.findIndex((item) => item.itemId === id);
}

/**
 * Queue items for `tracks`. Ids are `<revision>-<index>` of the revision that queued them: unique within the
 * session (revisions only grow) and the same on every replay of the command.
 */
function newItems(tracks: QueueTrack[], revision: number): QueueItem[] {
  return tracks.map((track, index) => ({ itemId: `${revision}-${index}`, trackId: track.trackId, durationMs: track.durationMs }));
}

function playTracks(
  session: PlaybackSession,
  command: Extract<PlaybackCommand, { tracks: QueueTrack[]; type: 'play' }>,
  context: CommandContext,
): Transition {
  const { tracks, startIndex = 0, positionMs = 0 } = command;
  if (tracks.length === 0) return fail('queue_empty', 'Nothing playable to play.');
  if (tracks.length > MAX_QUEUE_ITEMS) return fail('invalid_command', `A queue holds at most ${MAX_QUEUE_ITEMS} items.`);
  if (startIndex >= tracks.length) return fail('invalid_command', `startIndex ${startIndex} is past the end of the ${tracks.length} tracks.`);
  const refused = checkPosition(tracks[startIndex], positionMs);
  if (refused) return refused;
  const device = playingDevice(session, context);
  if (!device) return fail('no_active_device', NO_DEVICE);

  const inOrder = newItems(tracks, session.revision);
  const start = inOrder[startIndex];
  // Shuffle stays on across a new queue: the chosen track first, the rest in a seeded random order.
  const items = session.shuffle ? [start, ...seededShuffle(inOrder.filter((item) => item !== start), context.seed)] : inOrder;
  const unshuffledOrder = session.shuffle ? inOrder.map((item) => item.itemId) : null;
  return ok(
    { ...withQueue(session, items, unshuffledOrder), activeDeviceId: device, playState: 'playing', current: itemRef(start), positionMs },
    listenEnded(session, context),
  );
}

function playItem(session: PlaybackSession, command: { queueItemId: string; positionMs?: number }, context: CommandContext): Transition {
  const item = session.queue.items.find((candidate) => candidate.itemId === command.queueItemId);
  if (!item) return fail('queue_item_not_found', `Queue item ${command.queueItemId} is not in the queue.`);
  const positionMs = command.positionMs ?? 0;
  const refused = checkPosition(item, positionMs);
  if (refused) return refused;
  const device = playingDevice(session, context);
  if (!device) return fail('no_active_device', NO_DEVICE);
  return ok({ ...session, activeDeviceId: device, playState: 'playing', current: itemRef(item), positionMs }, listenEnded(session, context));
}

/** Plays on from where the session is; with nothing current, from the top of the queue. Already playing: no change. */
function resume(session: PlaybackSession, context: CommandContext): Transition {
  if (session.playState === 'playing') return ok(session);
  const item = currentItem(session) ?? session.queue.items[0];
  if (!item) return fail('queue_empty', 'The queue is empty.');
  const device = playingDevice(session, context);
  if (!device) return fail('no_active_device', NO_DEVICE);
  const started = session.current ? session : moveTo(session, item, session.playState);
  return ok({ ...started, activeDeviceId: device, playState: 'playing' });
}

/**
 * The item after position `index` of the play order, keeping the play state. Past the last item it wraps to the
 * first with repeat `all`; otherwise playback stops on the first item, ready to play the queue again.
 */
function advance(session: PlaybackSession, index: number): PlaybackSession {
  const { items } = session.queue;
  if (index + 1 < items.length) return moveTo(session, items[index + 1], session.playState);
  return moveTo(session, items[0], session.repeat === 'all' ? session.playState : 'stopped');
}

/**
 * `next`: see `advance`. Repeat `one` only repeats tracks that end by themselves: skipping is the listener asking
 * for another track.
 */
function skipForward(session: PlaybackSession, context: CommandContext): Transition {
  if (session.queue.items.length === 0) return fail('queue_empty', 'The queue is empty.');
  return ok(advance(session, indexOfCurrent(session)), listenEnded(session, context));
}

/**
 * Restarts the current track when it has played more than 3 s; otherwise the previous item in play order (the last
 * one with repeat `all` on the first item, else the first item from its start).
 */
function skipBack(session: PlaybackSession, context: CommandContext): Transition {
  const { items } = session.queue;
  if (items.length === 0) return fail('queue_empty', 'The queue is empty.');
  const index = indexOfCurrent(session);
  const played = listenEnded(session, context);
  if (index >= 0 && session.positionMs > RESTART_THRESHOLD_MS) return ok({ ...session, positionMs: 0 }, played);
  const target = index > 0 ? items[index - 1] : index === 0 && session.repeat === 'all' ? items[items.length - 1] : items[0];
  return ok(moveTo(session, target, session.playState), played);
}

function transfer(session: PlaybackSession, command: { deviceId: string; play?: boolean }): Transition {
  let moved = session;
  if (command.play === true) {
    const item = currentItem(session) ?? session.queue.items[0];
    if (!item) return fail('queue_empty', 'The queue is empty: there is nothing to play on that device.');
    moved = session.current ? { ...session, playState: 'playing' } : moveTo(session, item, 'playing');
  } else if (command.play === false && session.playState === 'playing') {
    moved = { ...session, playState: 'paused' };
  }
  return ok({ ...moved, activeDeviceId: command.deviceId });
}

/** Inserts `values` into `list` at `index` (a copy). */
function insertAt<T>(list: T[], index: number, values: T[]): T[] {
  return [...list.slice(0, index), ...values, ...list.slice(index)];
}

/**
 * `at: "next"` puts the tracks right after the current item (at the top when nothing is current), also in the
 * order kept for un-shuffling; `"end"` appends them. The current item does not change.
 */
function addToQueue(session: PlaybackSession, command: { tracks: QueueTrack[]; at: 'next' | 'end' }): Transition {
  const { items } = session.queue;
  if (command.tracks.length === 0) return fail('queue_empty', 'Nothing playable to add.');
  if (items.length + command.tracks.length > MAX_QUEUE_ITEMS) {
    return fail('invalid_command', `A queue holds at most ${MAX_QUEUE_ITEMS} items; it has ${items.length}.`);
  }
  const added = newItems(command.tracks, session.revision);
  const addedIds = added.map((item) => item.itemId);
  const order = session.unshuffledOrder;
  if (command.at === 'end') {
    return ok(withQueue(session, [...items, ...added], order && [...order, ...addedIds]));
  }
  const currentId = session.current?.queueItemId;
  return ok(
    withQueue(
      session,
      insertAt(items, indexOfCurrent(session) + 1, added),
      order && insertAt(order, currentId === undefined ? 0 : order.indexOf(currentId) + 1, addedIds),
    ),
  );
}

/**
 * Removes items (all must be in the queue, or nothing is removed). Removing the current item moves on to the next
 * remaining one in play order, keeping the play state; when none follows, playback stops on the first remaining
 * item (nothing current when the queue is empty).
 */
function removeFromQueue(session: PlaybackSession, command: { itemIds: string[] }, context: CommandContext): Transition {
  const { items } = session.queue;
  const removed = new Set(command.itemIds);
  const present = new Set(items.map((item) => item.itemId));
  const missing = [...removed].filter((id) => !present.has(id));
  if (missing.length > 0) return fail('queue_item_not_found', `Not in the queue: ${missing.join(', ')}.`);
  const remaining = items.filter((item) => !removed.has(item.itemId));
  const updated = withQueue(session, remaining, session.unshuffledOrder && session.unshuffledOrder.filter((id) => !removed.has(id)));
  const index = indexOfCurrent(session);
  if (index < 0 || !removed.has(items[index].itemId)) return ok(updated);
  const following = items.slice(index + 1).find((item) => !removed.has(item.itemId));
  const moved = following ? moveTo(updated, following, session.playState) : moveTo(updated, remaining[0], 'stopped');
  return ok(moved, listenEnded(session, context));
}

/**
 * `queue.set`: the given order is the play order (also the one kept for un-shuffling while shuffle is on). Plays
 * are not recorded: the clients that save queues this way scrobble for themselves.
 */
function setQueue(
  session: PlaybackSession,
  command: { tracks: QueueTrack[]; currentIndex: number | null; positionMs: number; keepPlaying: boolean },
): Transition {
  const { tracks, currentIndex, positionMs } = command;
  if (tracks.length > MAX_QUEUE_ITEMS) return fail('invalid_command', `A queue holds at most ${MAX_QUEUE_ITEMS} items.`);
  if (currentIndex !== null && (currentIndex < 0 || currentIndex >= tracks.length)) {
    return fail('invalid_command', `The current index must be below ${tracks.length}, the queue's length.`);
  }
  const items = newItems(tracks, session.revision);
  const current = currentIndex === null ? undefined : items[currentIndex];
  if (current) {
    const refused = checkPosition(current, positionMs);
    if (refused) return refused;
  }
  const playState: PlayState = !current ? 'stopped' : command.keepPlaying && session.playState === 'playing' ? 'playing' : 'paused';
  const queued = withQueue(session, items, session.shuffle ? items.map((item) => item.itemId) : null);
  return ok({ ...queued, current: current ? itemRef(current) : null, positionMs: current ? positionMs : 0, playState });
}

function moveInQueue(session: PlaybackSession, command: { itemId: string; toIndex: number }): Transition {
  const { items } = session.queue;
  const from = items.findIndex((item) => item.itemId === command.itemId);
  if (from < 0) return fail('queue_item_not_found', `Queue item ${command.itemId} is not in the queue.`);
  if (command.toIndex >= items.length) return fail('invalid_command', `toIndex must be below ${items.length}, the queue's length.`);
  const without = items.filter((_, index) => index !== from);
  return ok(withQueue(session, insertAt(without, command.toIndex, [items[from]]), session.unshuffledOrder));
}

/**
 * Shuffle on: the current item first, every other item in a seeded random order, and the previous order kept.
 * Shuffle off: back to that order (later additions where they were put). The current item never changes.
 * Setting what is already set changes nothing but the revision.
 */
function setShuffle(session: PlaybackSession, enabled: boolean, seed: string): PlaybackSession {
  if (enabled === session.shuffle) return session;
  const { items } = session.queue;
  if (enabled) {
    const current = currentItem(session);
    const rest = seededShuffle(items.filter((item) => item !== current), seed);
    return { ...withQueue(session, current ? [current, ...rest] : rest, items.map((item) => item.itemId)), shuffle: true };
  }
  const rank = new Map((session.unshuffledOrder ?? []).map((id, index) => [id, index]));
  const restored = [...items].sort((a, b) => (rank.get(a.itemId) ?? Infinity) - (rank.get(b.itemId) ?? Infinity));
  return { ...withQueue(session, restored, null), shuffle: false };
}

/**
 * The active device's report: the position (clamped to the track's length) as of now. `ended` finishes the listen
 * and advances: repeat `one` plays the same item again from its start, otherwise as `advance` says.
 */
function report(session: PlaybackSession, command: { positionMs: number; ended: boolean }, context: CommandContext): Transition {
  if (context.deviceId === null || context.deviceId !== session.activeDeviceId) {
    return fail('not_active_device', 'Only the active device reports progress.');
  }
  const item = currentItem(session);
  if (!item || session.playState === 'stopped') return fail('invalid_command', 'Nothing is playing to report on.');
  const positionMs = item.durationMs === null ? command.positionMs : Math.min(command.positionMs, item.durationMs);
  if (!command.ended) return ok({ ...session, positionMs });

  const played = listenEnded(session, context, item.durationMs ?? positionMs);
  if (session.repeat === 'one') return ok(moveTo(session, item, session.playState), played);
  return ok(advance(session, indexOfCurrent(session)), played);
}

/** A Fisher–Yates shuffle driven by mulberry32 seeded from SHA-256 of `seed`: the same seed, the same order. */
export function seededShuffle<T>(values: T[], seed: string): T[] {
  let state = createHash('sha256').update(seed).digest().readUInt32LE(0);
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const shuffled = [...values];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  return shuffled;
}
