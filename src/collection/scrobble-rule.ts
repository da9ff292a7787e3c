/**
 * Last.fm's scrobbling rule (https://www.last.fm/api/scrobbling, "When is a scrobble a scrobble?"), which
 * ListenBrainz recommends too: a play counts when the track is longer than 30 seconds and it was played for at least
 * half its duration or for 4 minutes, whichever comes first.
 */

/** A track must be longer than this to be scrobbled at all (ms). */
export const MIN_SCROBBLE_TRACK_MS = 30_000;
/** Playing this long always counts, however long the track (ms). */
export const ALWAYS_SCROBBLE_AFTER_MS = 240_000;

export type ScrobbleVerdict =
  | { scrobble: true }
  /** `track_too_short`: 30 s or shorter; `played_too_little`: less than half of it and less than 4 minutes. */
  | { scrobble: false; reason: 'track_too_short' | 'played_too_little' };

/**
 * Whether a play of `playedMs` of a track lasting `trackDurationMs` is a scrobble. Exactly half counts ("at least
 * half"); a track of exactly 30 s does not ("longer than 30 seconds"). When the duration is unknown neither the
 * length nor the half can be judged, so only the 4-minute threshold applies.
 */
export function judgePlay(trackDurationMs: number | null, playedMs: number): ScrobbleVerdict {
  if (trackDurationMs !== null && trackDurationMs <= MIN_SCROBBLE_TRACK_MS) return { scrobble: false, reason: 'track_too_short' };
  if (playedMs >= ALWAYS_SCROBBLE_AFTER_MS) return { scrobble: true };
  if (trackDurationMs !== null && playedMs * 2 >= trackDurationMs) return { scrobble: true };
  return { scrobble: false, reason: 'played_too_little' };
}
