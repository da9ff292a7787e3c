import type { Viewer } from '../catalog/catalog-service.js';
import type { Db } from '../db/database.js';
import type { DevicesRepository } from '../devices/devices-repository.js';
import type { UserEventPublisher } from '../events/contracts.js';
import type { Clock } from '../shared/clock.js';
import { createCollectionRepository } from './collection-repository.js';
import { createCollectionService, type CollectionServiceDeps } from './collection-service.js';
import { createListenBrainzClient } from './listenbrainz-client.js';
import { createListenBrainzForwarder } from './listenbrainz-forwarder.js';
import { createListenBrainzRepository } from './listenbrainz-repository.js';
import { createListenBrainzService } from './listenbrainz-service.js';
import type { Timer } from './timer.js';
import { createTokenCipher } from './token-cipher.js';

export interface CollectionWiringDeps {
  db: Db;
  clock: Clock;
  timer: Timer;
  /** The server secret (`loadServerSecret`); seals ListenBrainz tokens. */
  serverSecret: Buffer;
  /** ListenBrainz API root (`Config.listenBrainzUrl`). */
  listenBrainzUrl: string;
  catalog: CollectionServiceDeps['catalog'];
  visibleLibraryIds(viewer: Viewer): Promise<string[]>;
  findViewer(userId: string): Promise<Viewer | undefined>;
  devices: Pick<DevicesRepository, 'findOwned'>;
  events: UserEventPublisher;
  log: { warn(details: object, message: string): void };
}

/**
 * The collection feature from its adapters: the service (favorites, ratings, history, statistics; `recordPlay` is
 * what playback calls), the ListenBrainz connection service, and the forwarder, which the server starts after it is
 * ready and stops before closing the database.
 */
export function createCollection(deps: CollectionWiringDeps) {
  const listenBrainzRepository = createListenBrainzRepository(deps.db);
  const cipher = createTokenCipher(deps.serverSecret);
  const client = createListenBrainzClient(deps.listenBrainzUrl);
  const forwarder = createListenBrainzForwarder({
    outbox: listenBrainzRepository,
    client,
    cipher,
    clock: deps.clock,
    timer: deps.timer,
    log: deps.log,
  });
  const service = createCollectionService({
    repository: createCollectionRepository(deps.db),
    catalog: deps.catalog,
    visibleLibraryIds: deps.visibleLibraryIds,
    findViewer: deps.findViewer,
    devices: deps.devices,
    events: deps.events,
    clock: deps.clock,
    onPlayRecorded: () => forwarder.notify(),
    log: deps.log,
  });
  const listenBrainz = createListenBrainzService({ repository: listenBrainzRepository, client, cipher, clock: deps.clock });
  return { service, listenBrainz, forwarder };
}

export type Collection = ReturnType<typeof createCollection>;
