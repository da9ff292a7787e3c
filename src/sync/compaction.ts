import type { Timer } from '../collection/timer.js';
import type { SyncService } from './sync-service.js';

/** How often the retention job runs (ms): compaction only needs to keep up with days of retention. */
export const COMPACTION_INTERVAL_MS = 3_600_000;

/**
 * The sync log's retention job: every `intervalMs` it deletes log rows older than `retentionMs` as the service's
 * clock tells time (cursors before them then answer 410 `cursor_expired`). A failed round is logged and the next
 * one tries again.
 */
export function createSyncCompaction(deps: {
  sync: Pick<SyncService, 'compact'>;
  retentionMs: number;
  timer: Timer;
  intervalMs?: number;
  log: { error(details: unknown, message: string): void };
}) {
  const intervalMs = deps.intervalMs ?? COMPACTION_INTERVAL_MS;
  let cancel: (() => void) | null = null;
  let running: Promise<number> | null = null;

  function runOnce(): Promise<number> {
    running ??= deps.sync.compact(deps.retentionMs).finally(() => {
      running = null;
    });
    return running;
  }

  function schedule(): void {
    cancel = deps.timer.schedule(intervalMs, () => {
      runOnce()
        .catch((error) => deps.log.error({ err: error }, 'sync log compaction failed'))
        .finally(() => {
          if (cancel) schedule();
        });
    });
  }

  return {
    /** Compacts now; resolves with the number of log rows deleted. */
    runOnce,
    start(): void {
      if (!cancel) schedule();
    },
    /** Stops the timer and waits for a round in progress. */
    async stop(): Promise<void> {
      const stop = cancel;
      cancel = null;
      stop?.();
      await running?.catch(() => undefined);
    },
  };
}

export type SyncCompaction = ReturnType<typeof createSyncCompaction>;
