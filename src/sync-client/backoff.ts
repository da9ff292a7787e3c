/** Exponential backoff with jitter for retries while the server is unreachable. */
export interface BackoffPolicy {
  /** Delay of the first retry before jitter, ms. */
  baseMs: number;
  /** Cap of the un-jittered delay, ms. */
  maxMs: number;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };

/**
 * Delay (ms) before retry number `attempt` (0-based): `min(maxMs, baseMs · 2^attempt)`, then "equal jitter" — half
 * of it fixed, the other half scaled by `random()` ∈ [0, 1) — so many clients that lost the same server do not come
 * back in lockstep (AWS Architecture Blog, "Exponential Backoff And Jitter"), while each still waits at least half.
 */
export function backoffDelay(attempt: number, random: () => number, policy: BackoffPolicy = defaultBackoff): number {
  const capped = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(capped / 2 + (capped / 2) * random());
}
