import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../auth/auth-service.js';
import type { ArtworkAccess, ArtworkService } from '../artwork/artwork-service.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import type { CollectionService } from '../collection/collection-service.js';
import type { CollectionItemType } from '../db/schema.js';
import { AppError } from '../shared/errors.js';
import type { StreamService } from '../stream/stream-service.js';
import { missingParameter, SubsonicError } from './errors.js';
import { musicFolderId, toAlbumId3, toArtistId3, toChild } from './mapping.js';
import { browsingHandlers } from './handlers/browsing.js';
import { listsHandlers } from './handlers/lists.js';
import { mediaHandlers } from './handlers/media.js';
import { bookmarksHandlers } from './handlers/bookmarks.js';
import { jukeboxHandlers } from './handlers/jukebox.js';
import { playQueueHandlers } from './handlers/play-queue.js';
import { playlistsHandlers } from './handlers/playlists.js';
import { scanHandlers } from './handlers/scan.js';
import { usersHandlers } from './handlers/users.js';
import type { SubsonicBookmarksRepository } from './bookmarks-repository.js';
import type { BookmarksService } from './bookmarks-service.js';
import type { DiscoveryRepository } from './discovery-repository.js';
import type { NowPlayingBoard } from './now-playing.js';
import type { Transcoder } from '../stream/transcoder.js';
import type { AuthService } from '../auth/auth-service.js';
import type { DevicesRepository } from '../devices/devices-repository.js';
import type { DevicePresence } from '../events/contracts.js';
import type { LibraryAccessService } from '../library/access-service.js';
import type { LibraryService } from '../library/library-service.js';
import type { PlaybackService } from '../playback/playback-service.js';
import type { PlaylistsService } from '../playlists/playlists-service.js';
import type { UsersService } from '../users/users-service.js';
import { collectParams, reader, searchText, type Handler, type HandlerContext, type Params, type Reader } from './handler-kit.js';
import { isValidCallback, serialize, type Model, type ResponseFormat } from './serializer.js';
import type { SubsonicAuth } from './subsonic-auth.js';
import type { SubsonicRepository } from './subsonic-repository.js';

/** The Subsonic API version implemented (the subsonic-rest-api.xsd version the responses follow). */
export const SUBSONIC_API_VERSION = '1.16.1';

/** OpenSubsonic extensions this server implements (Endpoints/getopensubsonicextensions). */
const EXTENSIONS = [
  { name: 'apiKeyAuthentication', versions: [1] },
  { name: 'formPost', versions: [1] },
  { name: 'songLyrics', versions: [1] },
  { name: 'transcodeOffset', versions: [1] },
  { name: 'indexBasedQueue', versions: [1] },
];

/**
 * Subsonic methods that exist in the spec but are not served yet: they answer error 0 ("not implemented"), or 50
 * for a non-admin calling an admin-only one, rather than 70, which is kept for names no Subsonic server knows.
 */
const NOT_YET = new Set([
  'hls', 'getCaptions', 'getAvatar', 'getShares', 'createShare', 'updateShare', 'deleteShare',
  'getPodcasts', 'getNewestPodcasts', 'refreshPodcasts', 'createPodcastChannel', 'deletePodcastChannel',
  'deletePodcastEpisode', 'downloadPodcastEpisode', 'getPodcastEpisode', 'getInternetRadioStations',
  'createInternetRadioStation', 'updateInternetRadioStation', 'deleteInternetRadioStation', 'getChatMessages',
  'addChatMessage', 'getVideos', 'getVideoInfo',
]);
const ADMIN_ONLY = new Set(['createInternetRadioStation', 'updateInternetRadioStation', 'deleteInternetRadioStation']);

export interface SubsonicPluginDeps {
  auth: SubsonicAuth;
  catalog: Pick<CatalogService, 'getArtist' | 'getAlbum' | 'getTrack' | 'tracksByIds' | 'albumsByIds' | 'artistsByIds' | 'getLyrics'>;
  repository: SubsonicRepository;
  collection: Pick<CollectionService, 'setFavorite' | 'setRating' | 'recordPlay'>;
  visibleLibraryIds(viewer: AuthUser): Promise<string[]>;
  stream: StreamService;
  artwork: ArtworkService;
  artworkAccess: ArtworkAccess;
  clock: { now(): number };
  /** `serverVersion` of the envelope. */
  serverVersion: string;
  /** Playlists, play queue and jukebox, users, scans, bookmarks: see `handlers/*.ts`. */
  playlists: Pick<PlaylistsService, 'list' | 'get' | 'create' | 'update' | 'remove' | 'listItems' | 'addItems' | 'removeItem' | 'replaceItems'>;
  playback: Pick<PlaybackService, 'getState' | 'execute' | 'setQueue'>;
  presence: Pick<DevicePresence, 'onlineDeviceIds'>;
  devices: Pick<DevicesRepository, 'findOwned'>;
  users: Pick<UsersService, 'list' | 'findByUsername' | 'update' | 'delete'>;
  createUser: AuthService['createUser'];
  libraries: Pick<LibraryAccessService, 'list' | 'setUsers'>;
  library: Pick<LibraryService, 'scan' | 'status'>;
  bookmarks: BookmarksService;
  playQueueSaves: Pick<SubsonicBookmarksRepository, 'findPlayQueueSave' | 'savePlayQueueSave'>;
  /** Folder tree, starred, discovery and now-playing queries: see `handlers/{browsing,lists,media}.ts`. */
  discovery: DiscoveryRepository;
  /** ffmpeg for `stream`'s `maxBitRate` / `format` / `timeOffset`. */
  transcoder: Transcoder;
  /** `scrobble` with `submission=false` marks what a client plays; `getNowPlaying` shows the marks. */
  nowPlaying: NowPlayingBoard;
}


/** AppErrors of the services, as Subsonic codes: anything not found or unreadable → 70, bad input → 0. */
function toSubsonicError(error: AppError): SubsonicError {
  if (error.status === 404) return new SubsonicError(70);
  if (error.code === 'forbidden') return new SubsonicError(50);
  return new SubsonicError(0, error.message);
}


/** The `getArtists` index letter: the sort name's first letter, `#` for anything else. */
function indexLetter(sortKey: string): string {
  const first = sortKey.charAt(0).toUpperCase();
  return /\p{L}/u.test(first) ? first : '#';
}

/**
 * The Subsonic / OpenSubsonic API under `/rest/{method}` and `/rest/{method}.view`, GET or form POST (`formPost`).
 * Separate from `/api/v1`: it authenticates every request itself from its parameters (`SubsonicAuth`), and answers
 * every failure — bad credentials, bad parameters, unknown methods, unexpected errors — as a `subsonic-response`
 * with `status="failed"` in the requested format (`f`: xml by default, json, jsonp with `callback`), HTTP 200. Ids
 * are the REST API's ids; everything goes through the same services, so library access and ownership apply.
 */
export async function subsonicPlugin(app: FastifyInstance, deps: SubsonicPluginDeps) {
  const { auth, catalog, repository, collection, artwork, artworkAccess, clock } = deps;

  // formPost: parameters may come as an application/x-www-form-urlencoded body (Extensions/formPost).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_request, body, done) => {
    const parsed: Params = {};
    for (const [key, value] of new URLSearchParams(body as string)) (parsed[key] ??= []).push(value);
    done(null, parsed);
  });

  const envelope = (status: 'ok' | 'failed', extra: Model = {}): Model => ({
    status,
    version: SUBSONIC_API_VERSION,
    type: 'omnisonic',
    serverVersion: deps.serverVersion,
    openSubsonic: true,
    ...extra,
  });

  /** The format the client asked for; a jsonp request with an unusable callback is answered in plain JSON. */
  function formatOf(params: Params): { format: ResponseFormat; callback?: string } {
    const f = params.f?.[0];
    if (f === 'json') return { format: 'json' };
    if (f === 'jsonp') {
      const callback = params.callback?.[0];
      return callback !== undefined && isValidCallback(callback) ? { format: 'jsonp', callback } : { format: 'json' };
    }
    return { format: 'xml' };
  }

  function send(reply: FastifyReply, params: Params, body: Model) {
    const { format, callback } = formatOf(params);
    const { contentType, body: text } = serialize(body, format, callback);
    return reply.code(200).header('content-type', contentType).header('cache-control', 'no-store').send(text);
  }

  function sendError(reply: FastifyReply, params: Params, error: SubsonicError) {
    return send(reply, params, envelope('failed', { error: { code: error.code, message: error.message } }));
  }

  /** Whether `params` ask for jsonp with a callback that cannot be used: answered as error 10/0 in JSON. */
  function callbackProblem(params: Params): SubsonicError | null {
    if (params.f?.[0] !== 'jsonp') return null;
    const callback = params.callback?.[0];
    if (callback === undefined || callback === '') return missingParameter('callback');
    return isValidCallback(callback) ? null : new SubsonicError(0, 'The callback must be a JavaScript identifier (dots allowed).');
  }

  async function starredAt(user: AuthUser, type: CollectionItemType, ids: string[]) {
    return repository.starredAt(user.id, type, ids);
  }

  async function songs(user: AuthUser, ids: string[]): Promise<Model[]> {
    const tracks = await catalog.tracksByIds(user, ids);
    const stars = await starredAt(user, 'track', ids);
    return tracks.map((track) => toChild(track, stars.get(track.id)));
  }

  async function albums(user: AuthUser, ids: string[]): Promise<Model[]> {
    const found = await catalog.albumsByIds(user, ids);
    const stars = await starredAt(user, 'album', ids);
    return found.map((album) => toAlbumId3(album, stars.get(album.id)));
  }

  async function artists(user: AuthUser, ids: string[]): Promise<Model[]> {
    const found = await catalog.artistsByIds(user, ids);
    const stars = await starredAt(user, 'artist', ids);
    return found.map((artist) => toArtistId3(artist, stars.get(artist.id)));
  }

  /**
   * The libraries to read: the viewer's, narrowed to `musicFolderId` when given — the integer `getMusicFolders`
   * answers (see `musicFolderId`), or the library id itself — another's or an unknown id → 70.
   */
  async function libraryScope(user: AuthUser, p: Reader): Promise<string[]> {
    const visible = await deps.visibleLibraryIds(user);
    const folder = p.str('musicFolderId');
    if (folder === undefined || folder === '') return visible;
    const match = visible.find((id) => id === folder || String(musicFolderId(id)) === folder);
    if (match === undefined) throw new SubsonicError(70, 'No such music folder.');
    return [match];
  }

  /** An item the REST API knows by `id`: a track, else an album, else an artist (older clients star albums by `id`). */
  async function itemTypeOf(user: AuthUser, id: string): Promise<CollectionItemType> {
    if ((await catalog.tracksByIds(user, [id])).length > 0) return 'track';
    if ((await catalog.albumsByIds(user, [id])).length > 0) return 'album';
    if ((await catalog.artistsByIds(user, [id])).length > 0) return 'artist';
    throw new SubsonicError(70);
  }

  async function star(user: AuthUser, p: Reader, favorite: boolean) {
    const targets: [CollectionItemType | null, string][] = [
      ...p.all('id').map((id): [null, string] => [null, id]),
      ...p.all('albumId').map((id): [CollectionItemType, string] => ['album', id]),
      ...p.all('artistId').map((id): [CollectionItemType, string] => ['artist', id]),
    ];
    if (targets.length === 0) throw missingParameter('id, albumId or artistId');
    for (const [type, id] of targets) await collection.setFavorite(user, type ?? (await itemTypeOf(user, id)), id, favorite);
    return {};
  }

  const context: HandlerContext = { deps, songs, albums, artists, libraryScope };

  const handlers: Record<string, Handler> = {
    ping: async () => ({}),
    getLicense: async () => ({ license: { valid: true } }),
    tokenInfo: async (user) => ({ tokenInfo: { username: user.username } }),

    getMusicFolders: async (user) => {
      const libraries = await repository.librariesNamed(await deps.visibleLibraryIds(user));
      return { musicFolders: { musicFolder: libraries.map((library) => ({ id: musicFolderId(library.id), name: library.name })) } };
    },

    getArtists: async (user, p) => {
      const scope = await libraryScope(user, p);
      const ids: string[] = [];
      for (let offset = 0; ; offset += 500) {
        const page = await repository.artistIds(scope, '', offset, 500);
        ids.push(...page);
        if (page.length < 500) break;
      }
      const found = await catalog.artistsByIds(user, ids);
      const stars = await starredAt(user, 'artist', ids);
      const index = new Map<string, Model[]>();
      for (const artist of found) {
        const letter = indexLetter(artist.name.replace(/^(the|a|an)\s+(?=\S)/i, ''));
        const group = index.get(letter) ?? [];
        group.push(toArtistId3(artist, stars.get(artist.id)));
        index.set(letter, group);
      }
      return { artists: { ignoredArticles: 'The A An', index: [...index].map(([name, artist]) => ({ name, artist })) } };
    },

    getArtist: async (user, p) => {
      const artist = await catalog.getArtist(user, p.required('id'));
      const all = [...artist.albums, ...artist.appearsOn];
      const [artistStars, albumStars] = await Promise.all([
        starredAt(user, 'artist', [artist.id]),
        starredAt(user, 'album', all.map((album) => album.id)),
      ]);
      return { artist: toArtistId3(artist, artistStars.get(artist.id), all.map((album) => toAlbumId3(album, albumStars.get(album.id)))) };
    },

    getAlbum: async (user, p) => {
      const album = await catalog.getAlbum(user, p.required('id'));
      const [albumStars, trackStars] = await Promise.all([
        starredAt(user, 'album', [album.id]),
        starredAt(user, 'track', album.tracks.map((track) => track.id)),
      ]);
      const tracks = album.tracks.map((track) => toChild(track, trackStars.get(track.id)));
      return { album: toAlbumId3(album, albumStars.get(album.id), tracks) };
    },

    getSong: async (user, p) => {
      const track = await catalog.getTrack(user, p.required('id'));
      const stars = await starredAt(user, 'track', [track.id]);
      return { song: toChild(track, stars.get(track.id)) };
    },

    getRandomSongs: async (user, p) => {
      const ids = await repository.randomSongIds(await libraryScope(user, p), {
        size: p.bounded('size', 10, 0, 500),
        genre: p.str('genre') || undefined,
        fromYear: p.int('fromYear'),
        toYear: p.int('toYear'),
      });
      return { randomSongs: { song: await songs(user, ids) } };
    },

    getGenres: async (user) => {
      const genres = await repository.genres(await deps.visibleLibraryIds(user));
      return { genres: { genre: genres.map((g) => ({ value: g.name, songCount: g.songCount, albumCount: g.albumCount })) } };
    },

    search3: async (user, p) => {
      const query = searchText(p.str('query'));
      const scope = await libraryScope(user, p);
      const page = (kind: 'artist' | 'album' | 'song') => [p.bounded(`${kind}Offset`, 0, 0, Number.MAX_SAFE_INTEGER), p.bounded(`${kind}Count`, 20, 0, 500)] as const;
      const [artistOffset, artistCount] = page('artist');
      const [albumOffset, albumCount] = page('album');
      const [songOffset, songCount] = page('song');
      const [artistIds, albumIds, songIds] = await Promise.all([
        artistCount > 0 ? repository.artistIds(scope, query, artistOffset, artistCount) : [],
        albumCount > 0 ? repository.albumIds(scope, query, albumOffset, albumCount) : [],
        songCount > 0 ? repository.songIds(scope, query, songOffset, songCount) : [],
      ]);
      return {
        searchResult3: { artist: await artists(user, artistIds), album: await albums(user, albumIds), song: await songs(user, songIds) },
      };
    },


    getCoverArt: async (user, p, request, reply) => {
      const id = p.required('id');
      const size = p.int('size');
      await artworkAccess.assertVisible(id, user);
      const result = await artwork.get(id, {
        method: request.method === 'HEAD' ? 'HEAD' : 'GET',
        // The artwork service renders 16..2048 px; other sizes are brought into that range rather than refused.
        size: size === undefined ? undefined : Math.min(2048, Math.max(16, size)),
        ifNoneMatch: typeof request.headers['if-none-match'] === 'string' ? request.headers['if-none-match'] : undefined,
      });
      reply.code(result.status).headers(result.headers);
      return reply.send(result.body ?? undefined);
    },

    star: async (user, p) => star(user, p, true),
    unstar: async (user, p) => star(user, p, false),

    setRating: async (user, p) => {
      const id = p.required('id');
      const rating = p.requiredInt('rating');
      if (rating < 0 || rating > 5) throw new SubsonicError(0, 'The rating is 0 (none) to 5.');
      await collection.setRating(user, await itemTypeOf(user, id), id, rating);
      return {};
    },

    scrobble: async (user, p) => {
      const ids = p.all('id');
      if (ids.length === 0) throw missingParameter('id');
      const tracks = new Map((await catalog.tracksByIds(user, ids)).map((track) => [track.id, track]));
      if (!p.bool('submission', true)) {
        // "Now playing" (submission=false): the client started the (first) track; getNowPlaying shows it.
        const track = tracks.get(ids[0]!);
        if (!track) throw new SubsonicError(70);
        const entry = { userId: user.id, username: user.username, trackId: track.id, playerName: p.str('c') ?? '', durationMs: track.durationMs };
        deps.nowPlaying.mark(entry, clock.now());
        return {};
      }
      const times = p.all('time');
      for (const [i, id] of ids.entries()) {
        const track = tracks.get(id);
        if (!track) throw new SubsonicError(70);
        const time = times[i];
        if (time !== undefined && !/^\d{1,15}$/.test(time)) throw new SubsonicError(0, 'Parameter time must be epoch milliseconds.');
        // A submission says the client's own scrobble rule was met, so the whole track counts as played.
        await collection.recordPlay({
          userId: user.id,
          trackId: id,
          playedAt: time === undefined ? clock.now() : Number(time),
          durationPlayedMs: track.durationMs ?? 0,
          deviceId: null,
        });
        deps.nowPlaying.finished(user.id, id);
      }
      return {};
    },
    ...browsingHandlers(context),
    ...listsHandlers(context),
    ...mediaHandlers(context),
    ...playlistsHandlers(context),
    ...playQueueHandlers(context),
    ...jukeboxHandlers(context),
    ...usersHandlers(context),
    ...scanHandlers(context),
    ...bookmarksHandlers(context),
  };

  async function handle(request: FastifyRequest, reply: FastifyReply) {
    const params = collectParams(request);
    const method = (request.params as { '*': string })['*'].replace(/\.view$/, '');
    try {
      const problem = callbackProblem(params);
      if (problem) throw problem;
      if (method === 'getOpenSubsonicExtensions') return send(reply, params, envelope('ok', { openSubsonicExtensions: EXTENSIONS }));
      const p = reader(params);
      const user = await auth.authenticate(
        { u: p.str('u'), p: p.str('p'), t: p.str('t'), s: p.str('s'), apiKey: p.str('apiKey') },
        request.ip,
      );
      const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined;
      if (!handler) {
        if (!NOT_YET.has(method)) throw new SubsonicError(70, `Unknown method: ${method}.`);
        if (ADMIN_ONLY.has(method) && user.role !== 'admin') throw new SubsonicError(50);
        throw new SubsonicError(0, `${method} is not implemented by this server yet.`);
      }
      const result = await handler(user, p, request, reply);
      if ((result as unknown) === reply) return reply;
      return send(reply, params, envelope('ok', result as Model));
    } catch (error) {
      if (error instanceof AppError && error.code === 'range_not_satisfiable') {
        // HTTP semantics of the byte stream, not an API failure: 416 with Content-Range, as RFC 9110 §15.5.17 says.
        return reply.code(416).headers(error.headers).send();
      }
      if (error instanceof SubsonicError) return sendError(reply, params, error);
      if (error instanceof AppError) return sendError(reply, params, toSubsonicError(error));
      request.log.error({ err: error }, 'subsonic request failed');
      return sendError(reply, params, new SubsonicError(0, 'Something went wrong on the server.'));
    }
  }

  // Failures before the handler (body too large, unsupported content type) still answer in Subsonic form.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const params = collectParams(request);
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'subsonic request failed');
    return sendError(reply, params, new SubsonicError(0, status >= 500 ? 'Something went wrong on the server.' : error.message));
  });

  app.route({ method: ['GET', 'POST', 'HEAD'], url: '/rest/*', schema: { hide: true }, config: { public: true }, handler: handle });
}
