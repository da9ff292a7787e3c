import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { AuthUser } from '../auth/auth-service.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { PasswordHasher } from '../auth/password-hasher.js';
import type { UsersRepository } from '../auth/users-repository.js';
import { nodeArtworkFiles } from '../artwork/artwork-files.js';
import { createArtworkRepository } from '../artwork/artwork-repository.js';
import { createArtworkAccess, createArtworkService } from '../artwork/artwork-service.js';
import { sharpResizer } from '../artwork/image-resizer.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import type { CollectionService } from '../collection/collection-service.js';
import { createTokenCipher } from '../collection/token-cipher.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../shared/clock.js';
import { createStreamRepository } from '../stream/stream-repository.js';
import { createStreamService } from '../stream/stream-service.js';
import { nodeTrackFiles } from '../stream/track-files.js';
import { subsonicAccountPlugin } from './account-routes.js';
import { createSubsonicCredentialsRepository } from './credentials-repository.js';
import { subsonicPlugin, type SubsonicPluginDeps } from './routes.js';
import { createSubsonicBookmarksRepository } from './bookmarks-repository.js';
import { bookmarksPlugin } from './bookmark-routes.js';
import { createBookmarksService } from './bookmarks-service.js';
import { createSubsonicAuth } from './subsonic-auth.js';
import { createDiscoveryRepository } from './discovery-repository.js';
import { createNowPlayingBoard } from './now-playing.js';
import { createFfmpegTranscoder } from '../stream/transcoder.js';
import { createSubsonicRepository } from './subsonic-repository.js';

export interface SubsonicWiringDeps {
  db: Db;
  dataDir: string;
  clock: Clock;
  serverSecret: Buffer;
  users: UsersRepository;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  catalog: CatalogService;
  collection: CollectionService;
  visibleLibraryIds(viewer: Pick<AuthUser, 'id' | 'role'>): Promise<string[]>;
  /** What the playlists, play queue, jukebox, users and scan methods work through. */
  services: Pick<SubsonicPluginDeps, 'playlists' | 'playback' | 'presence' | 'devices' | 'users' | 'createUser' | 'libraries' | 'library'>;
  /** The ffmpeg used for transcoding; `ffmpeg` on PATH by default. Without one, `stream` serves originals. */
  ffmpegPath?: string;
}

/**
 * The version in the project's package.json (`serverVersion` of Subsonic responses), found by walking up from this
 * file: it runs from `src/` under tsx and from `dist/src/` when built.
 */
function packageVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) return String((JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version ?? 'unknown');
  }
  return 'unknown';
}

/** Registers `/rest/*` (the Subsonic API) and the `/api/v1/me` routes managing Subsonic credentials. */
export async function registerSubsonic(app: FastifyInstance, deps: SubsonicWiringDeps): Promise<void> {
  const auth = createSubsonicAuth({
    users: deps.users,
    credentials: createSubsonicCredentialsRepository(deps.db),
    hasher: deps.hasher,
    throttle: deps.throttle,
    // The same sealing as other stored secrets: AES-256-GCM under a key derived from the server secret.
    cipher: createTokenCipher(deps.serverSecret),
    clock: deps.clock,
  });
  const artworks = createArtworkRepository(deps.db);
  await app.register(subsonicAccountPlugin, { auth });
  const bookmarksRepository = createSubsonicBookmarksRepository(deps.db);
  const bookmarks = createBookmarksService({ repository: bookmarksRepository, tracksByIds: (viewer, ids) => deps.catalog.tracksByIds(viewer, ids), clock: deps.clock });
  await app.register(bookmarksPlugin, { bookmarks });
  await app.register(subsonicPlugin, {
    auth,
    catalog: deps.catalog,
    repository: createSubsonicRepository(deps.db),
    collection: deps.collection,
    visibleLibraryIds: deps.visibleLibraryIds,
    stream: createStreamService({ tracks: createStreamRepository(deps.db), files: nodeTrackFiles, clock: deps.clock, visibleLibraryIds: deps.visibleLibraryIds }),
    artwork: createArtworkService({ artworks, files: nodeArtworkFiles, resizer: sharpResizer, dataDir: deps.dataDir, log: app.log }),
    artworkAccess: createArtworkAccess({ artworks, visibleLibraryIds: deps.visibleLibraryIds }),
    clock: deps.clock,
    serverVersion: packageVersion(),
    ...deps.services,
    bookmarks,
    playQueueSaves: bookmarksRepository,
    discovery: createDiscoveryRepository(deps.db),
    transcoder: createFfmpegTranscoder(deps.ffmpegPath),
    nowPlaying: createNowPlayingBoard(),
  });
}
