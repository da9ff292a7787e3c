/** What position projection needs from a playback state (`GET /api/v1/playback`). */
export interface PositionSource {
  playState: 'playing' | 'paused' | 'stopped';
  /** ms into the current track at `positionAsOf`. */
  positionMs: number;
  /** Epoch ms on the server's clock. */
  positionAsOf: number;
}

/**
 * Where the current track is now, in ms: while playing, `positionMs + (serverNow − positionAsOf)` (the server's rule,
 * README "Playback"), never before `positionMs` (a clock estimate slightly behind the server must not move it back)
 * and never past the track's duration when it is known; otherwise `positionMs` as it stands.
 */
export function projectPosition(source: PositionSource, serverNow: number, durationMs: number | null): number {
  const elapsed = source.playState === 'playing' ? Math.max(0, serverNow - source.positionAsOf) : 0;
  const position = source.positionMs + elapsed;
  return durationMs !== null && durationMs > 0 ? Math.min(position, durationMs) : position;
}

/** Fraction 0..1 of the track played, for seek bars; 0 when the duration is unknown. */
export function playedFraction(positionMs: number, durationMs: number | null): number {
  if (!durationMs || durationMs <= 0) return 0;
  return Math.min(1, Math.max(0, positionMs / durationMs));
}
