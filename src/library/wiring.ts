import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../shared/clock.js';
import type { EventBus } from '../shared/events.js';
import { createLibraryRepository } from './library-repository.js';
import { createLibraryService, type LibraryServiceDeps } from './library-service.js';
import { createArtworkStore } from './scanner/artwork-store.js';
import { nodeScannerFileSystem } from './scanner/node-file-system.js';
import { readTrackFile } from './scanner/tag-reader.js';

/** The library service on the real disk, tag reader and data directory, as `buildApp` and the CLI use it. */
export function createLibraryServiceForConfig(input: {
  config: Pick<Config, 'musicDirs' | 'dataDir'>;
  db: Db;
  clock: Clock;
  bus: EventBus;
  log: LibraryServiceDeps['log'];
  watchDebounceMs?: number;
}) {
  return createLibraryService({
    repository: createLibraryRepository(input.db),
    files: nodeScannerFileSystem,
    readTrackFile,
    artworkStore: createArtworkStore(input.config.dataDir),
    clock: input.clock,
    bus: input.bus,
    musicDirs: input.config.musicDirs,
    log: input.log,
    watchDebounceMs: input.watchDebounceMs,
  });
}
