import type { DevicePresence } from '../events/contracts.js';
import type { Clock } from '../shared/clock.js';
import type { PlaybackRepository } from './playback-repository.js';
import type { PlaybackService } from './playback-service.js';

/**
 * Periodic timers behind an adapter, so tests run sweeps by hand. The task may return a promise (a test's fake
 * scheduler awaits it; timers ignore it). The real-time layer's `Scheduler` has the same `every`.
 */
export interface IntervalScheduler {
  /** Runs `task` every `ms` until the returned function is called. */
  every(ms: number, task: () => unknown): () => void;
}

/** Node's `setInterval`, unref'd: sweeping never keeps a process alive on its own. */
export const nodeIntervals: IntervalScheduler = {
  every(ms, task) {
    const timer = setInterval(task, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

export interface SweeperSettings {
  /** How long the active device may be offline (per `DevicePresence`) before its session pauses, ms. */
  activeDeviceTimeoutMs: number;
  /** Time between sweeps, ms. */
  intervalMs: number;
  /** How long a command's outcome is kept for retries, ms; older command ids count as new. */
  commandRetentionMs: number;
}

export const DEFAULT_SWEEPER_SETTINGS: SweeperSettings = {
  activeDeviceTimeoutMs: 30_000,
  intervalMs: 5_000,
  commandRetentionMs: 24 * 60 * 60 * 1000,
};

/**
 * Pauses sessions whose active device went away. Every sweep asks `DevicePresence` about each session's active
 * device; one found offline on every sweep for `activeDeviceTimeoutMs` makes its session pause where the device last
 * reported, with no active device, and every device is told (`PlaybackService.deviceLost`). Each server process
 * sweeps; the compare-and-swap makes a second pause of the same session a no-op. Also forgets old command outcomes.
 */
export function createActiveDeviceSweeper(deps: {
  repository: Pick<PlaybackRepository, 'sessionsWithActiveDevice' | 'deleteCommandsBefore'>;
  service: Pick<PlaybackService, 'deviceLost'>;
  presence: Pick<DevicePresence, 'isOnline'>;
  clock: Clock;
  scheduler: IntervalScheduler;
  settings: SweeperSettings;
  log: { error(details: object, message: string): void };
}) {
  const { repository, service, presence, clock, settings, log } = deps;
  /** When this process first saw each `userId deviceId` offline, epoch ms. */
  const offlineSince = new Map<string, number>();
  let running: Promise<void> | undefined;
  let cancel: (() => void) | undefined;

  async function sweepOnce(): Promise<void> {
    const now = clock.now();
    const watched = new Set<string>();
    for (const { userId, activeDeviceId } of await repository.sessionsWithActiveDevice()) {
      const key = `${userId} ${activeDeviceId}`;
      watched.add(key);
      try {
        if (await presence.isOnline(userId, activeDeviceId)) {
          offlineSince.delete(key);
          continue;
        }
        const since = offlineSince.get(key) ?? now;
        offlineSince.set(key, since);
        if (now - since < settings.activeDeviceTimeoutMs) continue;
        await service.deviceLost(userId, activeDeviceId);
        offlineSince.delete(key);
      } catch (error) {
        log.error({ err: error, userId, deviceId: activeDeviceId }, 'pausing the session of a vanished device failed');
      }
    }
    for (const key of offlineSince.keys()) if (!watched.has(key)) offlineSince.delete(key);
    await repository.deleteCommandsBefore(now - settings.commandRetentionMs);
  }

  const sweeper = {
    /** One sweep now; a sweep already running is joined, not doubled. Never rejects (failures are logged). */
    sweep(): Promise<void> {
      running ??= sweepOnce()
        .catch((error) => log.error({ err: error }, 'playback sweep failed'))
        .finally(() => {
          running = undefined;
        });
      return running;
    },
    start(): void {
      cancel ??= deps.scheduler.every(settings.intervalMs, () => sweeper.sweep());
    },
    /** Stops the timer and waits for a running sweep, so the database can close after it. */
    async stop(): Promise<void> {
      cancel?.();
      cancel = undefined;
      await running;
    },
  };
  return sweeper;
}
