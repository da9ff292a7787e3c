import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { LoginFailuresRepository } from './login-failures-repository.js';

/**
 * Throttling policy (OWASP Authentication Cheat Sheet: slow down, then lock temporarily, per account and per source).
 * Per account: from the 3rd failure in a row each attempt waits 250 ms × 2^(failures−3), at most 4 s, and the 10th
 * failure locks it for 15 minutes. Per client IP the same with 5× the counts, because one address can be a whole
 * household behind NAT or a reverse proxy. Counters reset 15 minutes after the last failure, and an account's on
 * success.
 */
export const THROTTLE = {
  delayFromFailures: 3,
  baseDelayMs: 250,
  maxDelayMs: 4000,
  lockAfterFailures: 10,
  ipFactor: 5,
  lockMs: 15 * 60_000,
  forgetAfterMs: 15 * 60_000,
} as const;

/** Failures of a key scaled to the per-account policy. */
function accountEquivalent(key: string, failures: number): number {
  return key.startsWith('ip:') ? Math.floor(failures / THROTTLE.ipFactor) : failures;
}

function lockThreshold(key: string): number {
  return key.startsWith('ip:') ? THROTTLE.lockAfterFailures * THROTTLE.ipFactor : THROTTLE.lockAfterFailures;
}

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function keysOf(username: string, ip: string | undefined): string[] {
  const keys = [`user:${username.trim().toLowerCase()}`];
  if (ip) keys.push(`ip:${ip}`);
  return keys;
}

/**
 * Guards password checks. `before` waits or refuses (429 `too_many_attempts` with `Retry-After`) — the same for
 * existing and unknown usernames, so throttling reveals nothing; `failed`/`succeeded` update the counters.
 */
export function createLoginThrottle(deps: { failures: LoginFailuresRepository; clock: Clock; sleep: Sleep }) {
  const { failures, clock, sleep } = deps;

  async function liveCounters(keys: string[]) {
    const now = clock.now();
    return (await failures.find(keys)).filter((row) => now - row.lastFailureAt < THROTTLE.forgetAfterMs || (row.lockedUntil ?? 0) > now);
  }

  return {
    async before(username: string, ip: string | undefined): Promise<void> {
      const now = clock.now();
      const counters = await liveCounters(keysOf(username, ip));
      const lockedUntil = Math.max(0, ...counters.map((row) => row.lockedUntil ?? 0));
      if (lockedUntil > now) {
        const retryAfterSeconds = Math.ceil((lockedUntil - now) / 1000);
        throw new AppError('too_many_attempts', undefined, { 'retry-after': String(retryAfterSeconds) });
      }
      const worst = Math.max(0, ...counters.map((row) => accountEquivalent(row.key, row.failures)));
      if (worst >= THROTTLE.delayFromFailures) {
        await sleep(Math.min(THROTTLE.maxDelayMs, THROTTLE.baseDelayMs * 2 ** (worst - THROTTLE.delayFromFailures)));
      }
    },

    /** Counts a failure; returns true when it locked the account or the source. */
    async failed(username: string, ip: string | undefined): Promise<boolean> {
      const now = clock.now();
      const keys = keysOf(username, ip);
      const live = new Map((await liveCounters(keys)).map((row) => [row.key, row]));
      let locked = false;
      for (const key of keys) {
        const count = (live.get(key)?.failures ?? 0) + 1;
        const lock = count >= lockThreshold(key);
        locked ||= lock;
        await failures.save({ key, failures: lock ? 0 : count, lastFailureAt: now, lockedUntil: lock ? now + THROTTLE.lockMs : null });
      }
      return locked;
    },

    async succeeded(username: string): Promise<void> {
      await failures.delete(keysOf(username, undefined)[0]!);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
