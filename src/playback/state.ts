/**
 * The shapes of a user's playback session. One session per user, persisted; every change goes through the pure
 * state machine (`state-machine.ts`) and bumps `revision`. Times are epoch ms on the server's clock, positions and
 * durations ms.
 */

export type PlayState = 'playing' | 'paused' | 'stopped';
export type RepeatMode = 'off' | 'all' | 'one';

/** A track ready to queue: its id and its duration (ms; null when the scanner could not tell), looked up when queued. */
export interface QueueTrack {
  trackId: string;
  durationMs: number | null;
}

/**
 * One entry of the queue. `itemId` is stable and unique within the user's session, so the same track can be queued
 * twice and each entry still be removed, moved or jumped to on its own.
 */
export interface QueueItem extends QueueTrack {
  itemId: string;
}

/** The session as clients see it (`GET /api/v1/playback`, command responses, `playback` events). */
export interface PlaybackState {
  /** Increases by one with every change; 0 for a user who never played anything. */
  revision: number;
  /** The device that plays the audio; null when none does (never used, or it vanished). */
  activeDeviceId: string | null;
  playState: PlayState;
  /** The queue item being played (or paused on); null only when nothing was started or the queue is empty. */
  current: { queueItemId: string; trackId: string } | null;
  /**
   * Position in the current track at `positionAsOf`. While `playing` the position moves on with the clock:
   * `positionMs + (now − positionAsOf)`, at most the track's duration (`effectivePositionMs`).
   */
  positionMs: number;
  /** Server time (epoch ms) at which `positionMs` was true. */
  positionAsOf: number;
  /** The queue in play order (shuffled order while `shuffle` is on); its `revision` changes with its items or order. */
  queue: { revision: number; items: QueueItem[] };
  shuffle: boolean;
  repeat: RepeatMode;
  /** 0–100. */
  volume: number;
  /** The device whose command or report made this revision; null for the server (a vanished device) or a web session. */
  updatedBy: string | null;
}

/** The stored session: the client view plus what only the server needs. */
export interface PlaybackSession extends PlaybackState {
  /**
   * While shuffled: every item id in the order the queue had before shuffling (later additions included), so that
   * turning shuffle off restores it. Null while not shuffled.
   */
  unshuffledOrder: string[] | null;
}

/** The most items a queue holds: the whole session is one row and every command's result is kept for retries. */
export const MAX_QUEUE_ITEMS = 2000;

/** The session of a user who never played anything. */
export function initialSession(now: number): PlaybackSession {
  return {
    revision: 0,
    activeDeviceId: null,
    playState: 'stopped',
    current: null,
    positionMs: 0,
    positionAsOf: now,
    queue: { revision: 0, items: [] },
    shuffle: false,
    repeat: 'off',
    volume: 100,
    updatedBy: null,
    unshuffledOrder: null,
  };
}

/** The client view of a stored session. */
export function toPlaybackState(session: PlaybackSession): PlaybackState {
  const { unshuffledOrder: _serverOnly, ...state } = session;
  return state;
}

/** The queue item being played, with its duration. */
export function currentItem(state: PlaybackState): QueueItem | undefined {
  const id = state.current?.queueItemId;
  return id === undefined ? undefined : state.queue.items.find((item) => item.itemId === id);
}

/**
 * Where playback is at `now` (ms): while playing, the stored position plus the time elapsed since `positionAsOf`,
 * never past the track's end (nor before the stored position if the clock stepped back); otherwise the stored one.
 * Stored positions are never past the end: seeks beyond it are refused and reports are clamped.
 */
export function effectivePositionMs(state: PlaybackState, now: number): number {
  if (state.playState !== 'playing') return state.positionMs;
  const position = state.positionMs + Math.max(0, now - state.positionAsOf);
  const duration = currentItem(state)?.durationMs;
  return duration == null ? position : Math.min(position, duration);
}
