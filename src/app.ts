import path from 'node:path';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { createAuthService } from './auth/auth-service.js';
import { artworkPlugin } from './artwork/routes.js';
import { argon2idHasher, type PasswordHasher } from './auth/password-hasher.js';
import { authPlugin } from './auth/routes.js';
import { setupPlugin } from './auth/setup-routes.js';
import { createLoginFailuresRepository } from './auth/login-failures-repository.js';
import { createLoginThrottle, realSleep, type Sleep } from './auth/login-throttle.js';
import { createSessionsRepository } from './auth/sessions-repository.js';
import { createAuditLog } from './audit/audit-log.js';
import { createCatalogRepository } from './catalog/catalog-repository.js';
import { createCatalogService } from './catalog/catalog-service.js';
import { catalogPlugin } from './catalog/routes.js';
import { createCollectionRepository } from './collection/collection-repository.js';
import { createUserItemStats } from './collection/collection-service.js';
import { collectionPlugin } from './collection/routes.js';
import { systemTimer, type Timer } from './collection/timer.js';
import { createCollection, type Collection } from './collection/wiring.js';
import { createAuditRepository } from './audit/audit-repository.js';
import { createDevicesRepository } from './devices/devices-repository.js';
import { createDevicesService } from './devices/devices-service.js';
import { devicesPlugin } from './devices/routes.js';
import type { DevicePresence, UserEventPublisher } from './events/contracts.js';
import { createRedisEventBus } from './events/redis-event-bus.js';
import { eventsPlugin } from './events/routes.js';
import { createRealtime, type RealtimeOverrides } from './events/wiring.js';
import { usersPlugin } from './users/routes.js';
import { createUsersService, type UsersService } from './users/users-service.js';
import { createUsersRepository } from './auth/users-repository.js';
import { createPlaylistsRepository } from './playlists/playlists-repository.js';
import { createPlaylistsService, type PlaylistsService } from './playlists/playlists-service.js';
import { playlistsPlugin } from './playlists/routes.js';
import { createPlaylistFileImport } from './playlists/scan-import.js';
import { playbackPlugin } from './playback/routes.js';
import { createPlayback, type PlaybackOverrides } from './playback/wiring.js';
import type { Config } from './config.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from './db/database.js';
import { healthPlugin } from './health/routes.js';
import { createLibraryAccessRepository } from './library/access-repository.js';
import { securityPlugin } from './security/plugin.js';
import { loadServerSecret } from './security/server-secret.js';
import type { LibraryService } from './library/library-service.js';
import { libraryPlugin } from './library/routes.js';
import { libraryAdminPlugin } from './library/admin-routes.js';
import { createLibraryAccessService } from './library/access-service.js';
import { createLibraryServiceForConfig } from './library/wiring.js';
import { systemClock, type Clock } from './shared/clock.js';
import { AppError, errorCatalogue } from './shared/errors.js';
import { createInProcessEventBus, type EventBus } from './shared/events.js';
import { streamPlugin } from './stream/routes.js';
import { createOverridesRepository } from './overrides/overrides-repository.js';
import { createOverridesService } from './overrides/overrides-service.js';
import { overridesPlugin } from './overrides/routes.js';
import { createTagWriteBack } from './overrides/tag-write-back.js';
import { taglibTagWriter, type TagFileWriter } from './overrides/taglib-writer.js';
import { readTrackFile } from './library/scanner/tag-reader.js';
import { createSearchRepository } from './search/search-repository.js';
import { createSearchService, type SearchService } from './search/search-service.js';
import { searchPlugin } from './search/routes.js';
import { createSavedSearches } from './search/saved-searches.js';
import { createArtworkStore } from './library/scanner/artwork-store.js';
import { uploadsPlugin } from './uploads/routes.js';
import { webPlugin } from './web/plugin.js';
import { registerSubsonic } from './subsonic/wiring.js';
import { createFileImporter } from './uploads/import-files.js';
import { createUploadService, type UploadCheckpoint, type UploadService } from './uploads/upload-service.js';
import { createSyncCompaction, type SyncCompaction } from './sync/compaction.js';
import { syncPlugin } from './sync/routes.js';
import { createSyncRepository } from './sync/sync-repository.js';
import { createSyncService } from './sync/sync-service.js';

/** Adapters a test may replace; production uses the defaults. */
export interface AppOverrides {
  clock?: Clock;
  hasher?: PasswordHasher;
  bus?: EventBus;
  /** Waits of the login throttle. */
  sleep?: Sleep;
  /** Intervals and bounds of the real-time layer (SSE heartbeats, presence, replay retention). */
  realtime?: RealtimeOverrides;
  /** Playback's links to other features (tests pass fakes), its timers and sweeper settings. */
  playback?: PlaybackOverrides;
  /** Writes tags into files for `POST /tracks/{id}/write-tags` (tests inject failures). */
  tagWriter?: TagFileWriter;
  /** Timers of background jobs: ListenBrainz retries, sync-log compaction. */
  timer?: Timer;
  /** Called at the crash-relevant points of an upload's finalize (tests pause or fail there). */
  uploadCheckpoint?: (point: UploadCheckpoint) => Promise<void>;
}

/** The shared pieces every feature plugin is built from; `app.omnisonic` exposes them to the CLI and tests. */
export interface AppContext {
  config: Config;
  database: DatabaseHandle;
  clock: Clock;
  bus: EventBus;
  auth: ReturnType<typeof createAuthService>;
  users: UsersService;
  library: LibraryService;
  /** Playlists; playback resolves them with `playlists.resolvePlaylistTrackIds(userId, playlistId)`. */
  playlists: PlaylistsService;
  /** The real-time layer for features: per-user events and device presence (`src/events/contracts.ts`). */
  events: { publisher: UserEventPublisher; presence: DevicePresence };
  /** Favorites, ratings, history; playback records finished plays with `collection.service.recordPlay`. */
  collection: Collection;
  /** Uploads into users' upload libraries; `uploads.sweep()` expires abandoned ones. */
  uploads: UploadService;
  /** Search; `search.settled()` resolves once the index has caught up with the events published so far. */
  search: SearchService;
  /** Sync change-log retention; `sync.compaction.runOnce()` compacts now (tests move the clock instead of waiting). */
  sync: { compaction: SyncCompaction };
}

declare module 'fastify' {
  interface FastifyInstance {
    omnisonic: AppContext;
  }
}

/**
 * Builds the whole server without listening: opens and migrates the database, wires services and registers every
 * feature plugin. HTTP tests call `app.inject()` on the result; `listen()` lives in `server.ts`.
 */
export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<FastifyInstance> {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pgSchema: config.databaseSchema,
    backgroundCheckpoints: true,
  });
  try {
    await migrateToLatest(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  const clock = overrides.clock ?? systemClock;
  let bus: EventBus;
  try {
    bus =
      overrides.bus ??
      (config.redisUrl
        ? await createRedisEventBus({
            url: config.redisUrl,
            channel: `${config.redisPrefix}:events`,
            onError: (error) => app.log.error({ err: error }, 'Redis event bus'),
          })
        : createInProcessEventBus());
  } catch (error) {
    await database.close();
    throw error;
  }
  const realtime = createRealtime({ db: database.db, bus, clock, settings: overrides.realtime });
  const auditRepository = createAuditRepository(database.db);
  const audit = createAuditLog({ repository: auditRepository, clock });
  const devices = createDevicesRepository(database.db);
  const users = createUsersRepository(database.db);
  const sessions = createSessionsRepository(database.db);
  const hasher = overrides.hasher ?? argon2idHasher;
  const libraryAccess = createLibraryAccessService({ libraries: createLibraryAccessRepository(database.db), audit, clock, dataDir: config.dataDir });
  const throttle = createLoginThrottle({ failures: createLoginFailuresRepository(database.db), clock, sleep: overrides.sleep ?? realSleep });
  const auth = createAuthService({
    users,
    sessions,
    devices,
    hasher,
    throttle,
    audit,
    uploadLibraries: libraryAccess,
    clock,
    sessionTtlMs: config.sessionTtlMs,
  });
  const library = createLibraryServiceForConfig({ config, db: database.db, clock, bus, log: { error: (d, m) => app.log.error(d, m) } });
  const usersService = createUsersService({ users, sessions, hasher, audit, clock });
  const catalogRepository = createCatalogRepository(database.db);
  const itemStats = createUserItemStats(createCollectionRepository(database.db));
  const catalog = createCatalogService({
    catalog: catalogRepository,
    visibleLibraryIds: (viewer) => libraryAccess.visibleLibraryIds(viewer),
    itemStats,
  });
  const search = createSearchService({
    repository: createSearchRepository(database.db),
    bus,
    // A search resolves the viewer's libraries once and hydrates its three lists within them.
    catalogFor: (libraryIds) => createCatalogService({ catalog: catalogRepository, visibleLibraryIds: async () => libraryIds, itemStats }),
    visibleLibraryIds: (viewer) => libraryAccess.visibleLibraryIds(viewer),
    log: { error: (d, m) => app.log.error(d, m) },
  });
  const collection = createCollection({
    db: database.db,
    clock,
    timer: overrides.timer ?? systemTimer,
    serverSecret: loadServerSecret(config.dataDir, config.secret),
    listenBrainzUrl: config.listenBrainzUrl,
    catalog,
    visibleLibraryIds: (viewer) => libraryAccess.visibleLibraryIds(viewer),
    findViewer: (userId) => users.findById(userId),
    devices,
    events: realtime.publisher,
    log: { warn: (d, m) => app.log.warn(d, m) },
  });
  const playlistsRepository = createPlaylistsRepository(database.db);
  const playlists = createPlaylistsService({
    repository: playlistsRepository,
    visibleLibraryIds: (viewer) => libraryAccess.visibleLibraryIds(viewer),
    tracksByIds: (viewer, ids) => catalog.tracksByIds(viewer, ids),
    events: realtime.publisher,
    clock,
    log: { error: (d, m) => app.log.error(d, m) },
    selectTracks: (viewer, selections) => search.selectTracks(viewer, selections),
    selectionReady: () => search.isReady(),
  });
  const { scheduler: playbackScheduler, sweeper: playbackSweeper, ...playbackIntegrations } = overrides.playback ?? {};
  const playback = createPlayback({
    db: database.db,
    clock,
    visibleLibraryIds: (viewer) => libraryAccess.visibleLibraryIds(viewer),
    integrations: {
      publisher: realtime.publisher,
      presence: realtime.presence,
      resolvePlaylistTrackIds: (userId, playlistId) => playlists.resolvePlaylistTrackIds(userId, playlistId),
      recordPlay: (play) => collection.service.recordPlay(play),
      ...playbackIntegrations,
    },
    scheduler: playbackScheduler,
    sweeper: playbackSweeper,
    log: { error: (d, m) => app.log.error(d, m) },
  });
  if (config.importM3u) {
    library.afterScan(createPlaylistFileImport({ repository: playlistsRepository, playlists, log: { error: (d, m) => app.log.error(d, m) } }));
  }
  const uploads = createUploadService({
    db: database.db,
    dataDir: config.dataDir,
    clock,
    bus,
    readTrackFile: (absPath) => readTrackFile(absPath),
    artworkStore: createArtworkStore(config.dataDir),
    ensureUploadLibrary: (userId) => libraryAccess.ensureUploadLibrary(userId),
    visibleLibraryIds: (user) => libraryAccess.visibleLibraryIds(user),
    maxBytes: config.uploadMaxBytes,
    quotaBytes: config.uploadQuotaBytes,
    expiryMs: config.uploadExpiryMs,
    checkpoint: overrides.uploadCheckpoint,
    log: { error: (d, m) => app.log.error(d, m) },
  });
  const sync = createSyncService({ repository: createSyncRepository(database.db), libraries: createLibraryAccessRepository(database.db), clock });
  const syncCompaction = createSyncCompaction({
    sync,
    retentionMs: config.syncRetentionMs,
    timer: overrides.timer ?? systemTimer,
    log: { error: (d, m) => app.log.error(d, m) },
  });
  const context: AppContext = {
    config,
    database,
    clock,
    bus,
    auth,
    users: usersService,
    library,
    playlists,
    events: { publisher: realtime.publisher, presence: realtime.presence },
    collection,
    uploads,
    search,
    sync: { compaction: syncCompaction },
  };

  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    },
    bodyLimit: 1024 * 1024,
    trustProxy: config.trustProxy,
    // Clients put these in query strings; ajv coerces them to the schema's types.
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('omnisonic', context);
  const uploadSweeper = setInterval(
    () => void uploads.sweep().catch((error) => app.log.error({ err: error }, 'upload expiry sweep failed')),
    Math.min(config.uploadExpiryMs / 4, 600_000),
  );
  uploadSweeper.unref();
  app.addHook('onClose', async () => {
    clearInterval(uploadSweeper);
    await syncCompaction.stop();
    await collection.forwarder.stop();
    await library.stop();
    await search.stop();
    await bus.close();
    await database.close();
  });

  installErrorHandling(app);
  // Public routes need no credentials; say so in the OpenAPI document instead of inheriting the global security.
  app.addHook('onRoute', (route) => {
    if (route.config?.public) route.schema = { ...route.schema, security: [] };
  });
  await app.register(securityPlugin, { corsOrigins: config.corsOrigins });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Omnisonic API', version: '1' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'omnisonic_session' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
  });
  app.get('/api/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  await app.register(healthPlugin, { database });
  await app.register(authPlugin, { auth, sessionTtlMs: config.sessionTtlMs });
  await app.register(setupPlugin, { auth, sessionTtlMs: config.sessionTtlMs });
  await app.register(devicesPlugin, {
    auth,
    users: usersService,
    devices: createDevicesService({ devices, audit, clock, listChanged: realtime.deviceListChanged, log: { error: (d, m) => app.log.error(d, m) } }),
  });
  await app.register(usersPlugin, { auth, auditRepository, users: usersService });
  // Feature plugins register below.
  await app.register(catalogPlugin, { catalog });
  await app.register(overridesPlugin, {
    edits: createOverridesService({
      repository: createOverridesRepository(database.db),
      catalog,
      visibleLibraryIds: (viewer) => libraryAccess.visibleLibraryIds(viewer),
      isScanning: async () => (await library.status()).state === 'scanning',
      writeBack: createTagWriteBack({ writer: overrides.tagWriter ?? taglibTagWriter, readTrackFile }),
      allowTagWrites: config.allowTagWrites,
      clock,
      bus,
    }),
  });
  await app.register(streamPlugin, {
    db: database.db,
    clock,
    secret: loadServerSecret(config.dataDir, config.secret),
    streamUrlTtlMs: config.streamUrlTtlMs,
  });
  await app.register(artworkPlugin, { db: database.db, dataDir: config.dataDir });
  await app.register(playlistsPlugin, { playlists });
  await app.register(searchPlugin, { search, saved: createSavedSearches({ db: database.db, clock }) });
  await app.register(playbackPlugin, { playback });
  await app.register(collectionPlugin, { collection: collection.service, listenBrainz: collection.listenBrainz });

  await app.register(eventsPlugin, { realtime, playbackState: (userId) => playback.service.getState(userId) });
  await app.register(libraryPlugin, { library });
  await app.register(uploadsPlugin, {
    uploads,
    importer: createFileImporter({ uploads, spoolRoot: path.join(config.dataDir, 'upload-staging') }),
    maxBytes: config.uploadMaxBytes,
  });
  await registerSubsonic(app, {
    db: database.db,
    dataDir: config.dataDir,
    clock,
    serverSecret: loadServerSecret(config.dataDir, config.secret),
    users,
    hasher,
    throttle,
    catalog,
    collection: collection.service,
    visibleLibraryIds: (viewer) => libraryAccess.visibleLibraryIds(viewer),
    services: {
      playlists,
      playback: playback.service,
      presence: realtime.presence,
      devices,
      users: usersService,
      createUser: (input, actorUserId) => auth.createUser(input, actorUserId),
      libraries: libraryAccess,
      library,
    },
  });
  await app.register(syncPlugin, { sync });
  await app.register(libraryAdminPlugin, {
    access: libraryAccess,
    onCreated: () => void library.scan().catch((error) => app.log.error({ err: error }, 'scan of the new library failed')),
  });
  // Last: the web app's catch-all GET route yields to every API route registered above.
  await app.register(webPlugin, {});

  await app.ready();
  if (config.backgroundIndexing) search.start();
  await uploads.recover();
  await library.startBackground(config);
  collection.forwarder.start();
  syncCompaction.start();
  return app;
}

/** Every error leaves as `{error: {code, message}}` with a code from the catalogue. */
function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      return reply.code(error.status).headers(error.headers).send({ error: { code: error.code, message: error.message } });
    }
    if ('validation' in error && error.validation) {
      return reply.code(400).send({ error: { code: 'validation_failed', message: error.message } });
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      const code = error.statusCode === 413 ? 'payload_too_large' : error.statusCode === 415 ? 'unsupported_media_type' : 'validation_failed';
      return reply.code(error.statusCode).send({ error: { code, message: error.message } });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ error: { code: 'internal', message: errorCatalogue.internal.message } });
  });
  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).send({ error: { code: 'not_found', message: errorCatalogue.not_found.message } });
  });
}
