/** How long a "now playing" mark without a known duration is shown (ms). */
const DEFAULT_SHOWN_MS = 10 * 60_000;
/** Kept past the track's end (ms): clients send the next mark a little after the previous track ends. */
const GRACE_MS = 60_000;
/** At most this many marks are kept (the oldest go first): client names are free text, so keys are unbounded. */
const MAX_MARKS = 1_000;

/** One user's player (a Subsonic client name) announcing a track (`scrobble` with `submission=false`). */
export interface NowPlayingMark {
  userId: string;
  username: string;
  trackId: string;
  /** The `c` parameter of the client. */
  playerName: string;
  /** Epoch ms. */
  at: number;
  /** Epoch ms after which the mark is stale: the track must have ended. */
  until: number;
}

/**
 * The "now playing" marks of Subsonic clients, kept in memory: they only matter for minutes and a restart losing
 * them is harmless. One mark per user and player name; a new mark replaces the previous one, a submission of the
 * same track ends it. With several server instances each shows the marks it received (the playback sessions, which
 * `getNowPlaying` also shows, are shared through the database).
 */
export function createNowPlayingBoard() {
  const marks = new Map<string, NowPlayingMark>();
  const keyOf = (userId: string, playerName: string) => `${userId}\n${playerName}`;

  function prune(now: number) {
    for (const [key, mark] of marks) if (mark.until < now) marks.delete(key);
  }

  // Insertion order is age order: a new mark for a key is deleted and re-inserted, so the first keys are the oldest.
  return {
    /** Records that `playerName` of the user started `trackId` at `now`; `durationMs` bounds how long it shows. */
    mark(entry: { userId: string; username: string; trackId: string; playerName: string; durationMs: number | null }, now: number) {
      prune(now);
      const shown = entry.durationMs === null ? DEFAULT_SHOWN_MS : entry.durationMs + GRACE_MS;
      const key = keyOf(entry.userId, entry.playerName);
      marks.delete(key);
      marks.set(key, { ...entry, at: now, until: now + shown });
      for (const oldest of marks.keys()) {
        if (marks.size <= MAX_MARKS) break;
        marks.delete(oldest);
      }
    },

    /** The track was played to the end (a submission): its mark goes. */
    finished(userId: string, trackId: string) {
      for (const [key, mark] of marks) if (mark.userId === userId && mark.trackId === trackId) marks.delete(key);
    },

    /** Current marks, most recent first. */
    current(now: number): NowPlayingMark[] {
      prune(now);
      return [...marks.values()].sort((a, b) => b.at - a.at);
    },
  };
}

export type NowPlayingBoard = ReturnType<typeof createNowPlayingBoard>;
