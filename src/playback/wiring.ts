import type { AuthUser } from '../auth/auth-service.js';
import { createCatalogRepository } from '../catalog/catalog-repository.js';
import type { Db } from '../db/database.js';
import { createDevicesRepository } from '../devices/devices-repository.js';
import type { Clock } from '../shared/clock.js';
import { createPlaybackRepository } from './playback-repository.js';
import { createPlaybackService, type PlaybackIntegrations } from './playback-service.js';
import { createActiveDeviceSweeper, DEFAULT_SWEEPER_SETTINGS, nodeIntervals, type IntervalScheduler, type SweeperSettings } from './sweeper.js';

/** What `buildApp`'s overrides may replace: the links to other features (tests pass fakes), timers, sweeper settings. */
export type PlaybackOverrides = Partial<PlaybackIntegrations> & { scheduler?: IntervalScheduler; sweeper?: Partial<SweeperSettings> };

/**
 * Playback on the database: the service (commands, reports, state) and the sweeper that pauses sessions of vanished
 * devices. Built in `buildApp` so other features (the events snapshot) can read the state; `playbackPlugin` serves
 * the service and runs the sweeper while the app is up.
 */
export function createPlayback(deps: {
  db: Db;
  clock: Clock;
  visibleLibraryIds(viewer: Pick<AuthUser, 'id' | 'role'>): Promise<string[]>;
  integrations: PlaybackIntegrations;
  scheduler?: IntervalScheduler;
  sweeper?: Partial<SweeperSettings>;
  log: { error(details: object, message: string): void };
}) {
  const { db, clock, integrations, log } = deps;
  const repository = createPlaybackRepository(db, integrations.publisher);
  const service = createPlaybackService({
    ...integrations,
    repository,
    albums: createCatalogRepository(db),
    devices: createDevicesRepository(db),
    visibleLibraryIds: deps.visibleLibraryIds,
    clock,
    log,
  });
  const sweeper = createActiveDeviceSweeper({
    repository,
    service,
    presence: integrations.presence,
    clock,
    scheduler: deps.scheduler ?? nodeIntervals,
    settings: { ...DEFAULT_SWEEPER_SETTINGS, ...deps.sweeper },
    log,
  });
  return { service, sweeper };
}

export type Playback = ReturnType<typeof createPlayback>;
