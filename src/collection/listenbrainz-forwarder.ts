import type { Clock } from '../shared/clock.js';
import { createCoalescingRunner } from '../shared/coalescing-runner.js';
import type { ListenBrainzClient, ListenBrainzListen } from './listenbrainz-client.js';
import type { ListenBrainzRepository, OutboxRow } from './listenbrainz-repository.js';
import type { Timer } from './timer.js';
import type { TokenCipher } from './token-cipher.js';

/**
 * Waits between attempts of a listen (ms): 30 s, doubling after each failure, at most an hour, so a server offline
 * for days still sends its backlog within the hour after it is back.
 */
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 3_600_000;

/** Listens per `import` request; ListenBrainz takes up to 1000, but a smaller batch keeps each request quick. */
const BATCH_SIZE = 100;
/** How long a claimed listen is left alone (ms): longer than a request may take, so only a dead worker's claims expire. */
const LEASE_MS = 120_000;

export interface ListenBrainzForwarderDeps {
  outbox: ListenBrainzRepository;
  client: ListenBrainzClient;
  cipher: TokenCipher;
  clock: Clock;
  timer: Timer;
  log: { warn(details: object, message: string): void };
}

/** The wait after a listen's failed attempt when `failuresBefore` attempts had failed already (0 the first time), ms. */
function backoffDelayMs(failuresBefore: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.min(failuresBefore, 30), MAX_RETRY_MS);
}

/**
 * Sends queued listens (the durable `listenbrainz_outbox`) to ListenBrainz in the background. Each pass claims the
 * listens due now, sends each user's as one request (`single` for one listen, `import` for a backlog) with their
 * token, then: accepted → deleted; 429, 5xx or network failure → tried again after an exponential backoff (longer
 * when ListenBrainz asks, via `X-RateLimit-Reset-In`); any other 4xx → dropped with its error recorded, because
 * sending the same request again would fail the same way (a refused batch is first retried listen by listen, so one
 * bad listen does not take the others with it). After a pass it sleeps until the next listen is due, or until
 * `notify()` says a new one was queued. The queue lives in the database, so pending retries survive a restart.
 */
export function createListenBrainzForwarder(deps: ListenBrainzForwarderDeps) {
  const { outbox, client, cipher, clock, timer, log } = deps;
  let stopped = true;
  let disarm: (() => void) | null = null;

  /** Sends `rows` (one user's) as one request and settles them by the outcome. */
  async function send(userId: string, token: string, rows: OutboxRow[], now: number): Promise<void> {
    const ids = rows.map((row) => row.id);
    const listens = rows.map((row) => JSON.parse(row.listen) as ListenBrainzListen).sort((a, b) => a.listened_at - b.listened_at);
    const outcome = await client.submitListens(token, rows.length === 1 ? 'single' : 'import', listens);
    switch (outcome.kind) {
      case 'accepted':
        await outbox.remove(ids);
        return;
      case 'retry': {
        const failuresBefore = Math.max(...rows.map((row) => row.attempts));
        const delay = Math.max(backoffDelayMs(failuresBefore), outcome.retryAfterMs ?? 0);
        await outbox.reschedule(ids, now, now + delay, outcome.error);
        log.warn({ userId, listens: rows.length, retryInMs: delay, error: outcome.error }, 'ListenBrainz submission failed; will retry');
        return;
      }
      case 'rejected':
        if (rows.length > 1) {
          for (const row of rows) await send(userId, token, [row], now);
          return;
        }
        await outbox.drop(ids, now, outcome.error);
        log.warn({ userId, listens: 1, error: outcome.error }, 'ListenBrainz refused a listen; dropped');
        return;
    }
  }

  async function deliverUser(userId: string, rows: OutboxRow[], now: number): Promise<void> {
    const account = await outbox.findAccount(userId);
    // Disconnected since the listen was queued (disconnecting deletes the queue, but this pass had claimed it).
    if (!account) return outbox.remove(rows.map((row) => row.id));
    let token: string;
    try {
      token = cipher.open(account.sealedToken);
    } catch {
      await outbox.drop(rows.map((row) => row.id), now, 'The stored ListenBrainz token can no longer be read (the server secret changed); connect again.');
      return;
    }
    await send(userId, token, rows, now);
  }

  /** Sends everything due now, batch after batch, until nothing due is left. */
  async function deliverDue(): Promise<void> {
    for (;;) {
      const now = clock.now();
      const claimed = await outbox.claimDue(now, now + LEASE_MS, BATCH_SIZE);
      if (claimed.length === 0) return;
      const byUser = new Map<string, OutboxRow[]>();
      for (const row of claimed) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row]);
      for (const [userId, rows] of byUser) await deliverUser(userId, rows, now);
    }
  }

  function arm(delayMs: number): void {
    disarm?.();
    disarm = timer.schedule(delayMs, () => void wake());
  }

  async function pass(): Promise<void> {
    try {
      await deliverDue();
      const next = await outbox.nextDueAt();
      if (!stopped && next !== null) arm(Math.max(0, next - clock.now()));
    } catch (error) {
      // The database failed us, not ListenBrainz: try the whole pass again later.
      log.warn({ err: error }, 'ListenBrainz forwarding pass failed');
      if (!stopped) arm(FIRST_RETRY_MS);
    }
  }

  const runner = createCoalescingRunner(pass);

  /** Runs a pass now, or right after the one under way; resolves when no pass is running. */
  function wake(): Promise<void> {
    disarm?.();
    disarm = null;
    return runner.run();
  }

  return {
    /** Starts forwarding: sends what is due (queued before a restart too), then keeps the schedule. */
    start(): void {
      stopped = false;
      void wake();
    },

    /** A listen was queued: send it now rather than at the next scheduled pass. */
    notify(): void {
      if (!stopped) void wake();
    },

    /** Sends everything due now; resolves when done. */
    deliverNow(): Promise<void> {
      return wake();
    },

    /** Stops scheduling and waits for a pass under way. */
    async stop(): Promise<void> {
      stopped = true;
      disarm?.();
      disarm = null;
      await runner.current();
    },
  };
}

export type ListenBrainzForwarder = ReturnType<typeof createListenBrainzForwarder>;
