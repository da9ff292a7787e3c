import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../../auth/auth-service.js';
import type { Artist } from '../../catalog/schemas.js';
import { SubsonicError } from '../errors.js';
import { searchText, type Handler, type HandlerContext, type Reader } from '../handler-kit.js';
import { toAlbumChild, toChild } from '../mapping.js';
import type { Model } from '../serializer.js';
import { ALBUM_LIST_TYPES, type AlbumListRequest, type AlbumListType } from '../subsonic-repository.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** An artist in the v1 shape (Responses/artist): `getStarred`, `search2`, `getArtistInfo`'s similar artists. */
function toArtistV1(artist: Artist, starredAt?: number): Model {
  return { id: artist.id, name: artist.name, starred: iso(starredAt), userRating: artist.rating > 0 ? artist.rating : undefined };
}

/** `getAlbumList`/`getAlbumList2` parameters (Endpoints/getalbumlist2): `type` required, `byYear`/`byGenre` need theirs. */
function albumListRequest(p: Reader): AlbumListRequest {
  const type = p.required('type');
  if (!(ALBUM_LIST_TYPES as readonly string[]).includes(type)) throw new SubsonicError(0, `Unknown list type: ${type}.`);
  return {
    type: type as AlbumListType,
    size: p.bounded('size', 10, 0, 500),
    offset: p.bounded('offset', 0, 0, Number.MAX_SAFE_INTEGER),
    fromYear: type === 'byYear' ? p.requiredInt('fromYear') : undefined,
    toYear: type === 'byYear' ? p.requiredInt('toYear') : undefined,
    genre: type === 'byGenre' ? p.required('genre') : undefined,
  };
}

/** Candidate weights of `getSimilarSongs`: a shared artist counts more than a shared genre; plays tip the balance. */
const SIMILAR_WEIGHTS = { artist: 2, genre: 1, playsLog2: 0.5, chance: 1.5 };

/**
 * Album and song lists, search v1/v2, starred items, and discovery from local data only (no last.fm): top songs
 * by plays, similar songs by shared artists and genres, artist/album info with our own pictures, now playing.
 */
export function listsHandlers(context: HandlerContext): Record<string, Handler> {
  const { deps } = context;
  const { discovery, repository, catalog } = deps;

  async function albumChildren(user: AuthUser, ids: string[]): Promise<Model[]> {
    const [found, stars] = await Promise.all([catalog.albumsByIds(user, ids), repository.starredAt(user.id, 'album', ids)]);
    return found.map((album) => toAlbumChild(album, stars.get(album.id)));
  }

  async function artistsV1(user: AuthUser, ids: string[]): Promise<Model[]> {
    const [found, stars] = await Promise.all([catalog.artistsByIds(user, ids), repository.starredAt(user.id, 'artist', ids)]);
    return found.map((artist) => toArtistV1(artist, stars.get(artist.id)));
  }

  /**
   * A `getCoverArt` URL for pictures clients load by URL (`*ImageUrl`): absolute, on the host the client called,
   * carrying the credentials the client sent with this request (as Subsonic clients put them in every URL
   * themselves), so the image loads without another sign-in. Only ever sent back to that same client.
   */
  function coverArtUrl(request: FastifyRequest, p: Reader, artworkId: string | null, size?: number): string | undefined {
    if (artworkId === null) return undefined;
    const query = new URLSearchParams({ id: artworkId });
    if (size !== undefined) query.set('size', String(size));
    for (const name of ['u', 't', 's', 'p', 'apiKey', 'v', 'c']) {
      const value = p.str(name);
      if (value !== undefined) query.set(name, value);
    }
    return `${request.protocol}://${request.host}/rest/getCoverArt?${query}`;
  }

  const imageUrls = (request: FastifyRequest, p: Reader, artworkId: string | null) => ({
    smallImageUrl: coverArtUrl(request, p, artworkId, 150),
    mediumImageUrl: coverArtUrl(request, p, artworkId, 300),
    largeImageUrl: coverArtUrl(request, p, artworkId, 600),
  });

  /** The artist an id stands for in `getArtistInfo` (v1 takes artist, album or song ids); 70 when none. */
  async function artistFor(user: AuthUser, id: string, v1: boolean): Promise<Artist> {
    const [artist] = await catalog.artistsByIds(user, [id]);
    if (artist) return artist;
    if (v1) {
      const [album] = await catalog.albumsByIds(user, [id]);
      const [track] = album ? [] : await catalog.tracksByIds(user, [id]);
      const artistId = album?.albumArtistId ?? track?.artists[0]?.id;
      const [found] = artistId ? await catalog.artistsByIds(user, [artistId]) : [];
      if (found) return found;
    }
    throw new SubsonicError(70);
  }

  async function artistInfo(user: AuthUser, p: Reader, request: FastifyRequest, v1: boolean): Promise<Model> {
    const artist = await artistFor(user, p.required('id'), v1);
    const count = p.bounded('count', 20, 0, 500);
    const scope = await deps.visibleLibraryIds(user);
    const similarIds = await discovery.artistIdsSharingGenres(scope, await discovery.genreIdsOfArtist(scope, artist.id), artist.id, count);
    const similar = v1 ? await artistsV1(user, similarIds) : await context.artists(user, similarIds);
    return {
      biography: '',
      musicBrainzId: (await discovery.artistMbid(artist.id)) ?? undefined,
      ...imageUrls(request, p, artist.artworkId),
      similarArtist: similar,
    };
  }

  async function albumInfo(user: AuthUser, p: Reader, request: FastifyRequest, v1: boolean): Promise<Model> {
    const id = p.required('id');
    let [album] = await catalog.albumsByIds(user, [id]);
    if (!album && v1) {
      const [track] = await catalog.tracksByIds(user, [id]);
      if (track?.albumId) [album] = await catalog.albumsByIds(user, [track.albumId]);
    }
    if (!album) throw new SubsonicError(70);
    return { notes: '', musicBrainzId: (await discovery.albumMbid(album.id)) ?? undefined, ...imageUrls(request, p, album.artworkId) };
  }

  /**
   * Songs like the seed (an artist, album or song id), from local data: songs crediting the seed's artists and
   * songs sharing its genres, scored by what they share plus their plays (log scale) plus chance, so repeated calls
   * vary; topped up with random songs when the library has too few related ones. The seed song itself is left out.
   */
  async function similarSongs(user: AuthUser, p: Reader): Promise<Model[]> {
    const id = p.required('id');
    const count = p.bounded('count', 50, 0, 500);
    const scope = await deps.visibleLibraryIds(user);
    let seeds: { artistIds: string[]; genreIds: string[] };
    let exclude: string[] = [];
    const [artist] = await catalog.artistsByIds(user, [id]);
    if (artist) {
      seeds = { artistIds: [artist.id], genreIds: await discovery.genreIdsOfArtist(scope, artist.id) };
    } else {
      const [album] = await catalog.albumsByIds(user, [id]);
      const trackIds = album ? await discovery.trackIdsOf(scope, { albumIds: [album.id] }, 1000) : (await catalog.tracksByIds(user, [id])).map((t) => t.id);
      if (trackIds.length === 0) throw new SubsonicError(70);
      seeds = await discovery.seedsOfTracks(trackIds);
      if (!album) exclude = trackIds;
    }
    if (count === 0) return [];
    const pool = Math.max(100, count * 4);
    const [byArtist, byGenre] = await Promise.all([
      discovery.trackIdsOf(scope, { artistIds: seeds.artistIds }, pool),
      discovery.trackIdsInGenres(scope, seeds.genreIds, pool),
    ]);
    const artistSet = new Set(byArtist);
    const genreSet = new Set(byGenre);
    const candidates = [...new Set([...byArtist, ...byGenre])].filter((trackId) => !exclude.includes(trackId));
    const plays = await discovery.playCounts(candidates);
    const score = (trackId: string) =>
      (artistSet.has(trackId) ? SIMILAR_WEIGHTS.artist : 0) +
      (genreSet.has(trackId) ? SIMILAR_WEIGHTS.genre : 0) +
      Math.log2(1 + (plays.get(trackId) ?? 0)) * SIMILAR_WEIGHTS.playsLog2 +
      Math.random() * SIMILAR_WEIGHTS.chance;
    const chosen = candidates
      .map((trackId) => ({ trackId, score: score(trackId) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, count)
      .map((c) => c.trackId);
    if (chosen.length < count) {
      const taken = new Set([...chosen, ...exclude]);
      const fill = await repository.randomSongIds(scope, { size: count - chosen.length + exclude.length });
      chosen.push(...fill.filter((trackId) => !taken.has(trackId)).slice(0, count - chosen.length));
    }
    return context.songs(user, chosen);
  }

  return {
    getAlbumList: async (user, p) => {
      const request = albumListRequest(p);
      const ids = await repository.albumList(await context.libraryScope(user, p), user.id, request);
      return { albumList: { album: await albumChildren(user, ids) } };
    },

    getAlbumList2: async (user, p) => {
      const request = albumListRequest(p);
      const ids = await repository.albumList(await context.libraryScope(user, p), user.id, request);
      return { albumList2: { album: await context.albums(user, ids) } };
    },

    getStarred: async (user, p) => {
      const scope = await context.libraryScope(user, p);
      const [artistIds, albumIds, songIds] = await Promise.all([
        discovery.starredIds(user.id, 'artist', scope),
        discovery.starredIds(user.id, 'album', scope),
        discovery.starredIds(user.id, 'track', scope),
      ]);
      return { starred: { artist: await artistsV1(user, artistIds), album: await albumChildren(user, albumIds), song: await context.songs(user, songIds) } };
    },

    getStarred2: async (user, p) => {
      const scope = await context.libraryScope(user, p);
      const [artistIds, albumIds, songIds] = await Promise.all([
        discovery.starredIds(user.id, 'artist', scope),
        discovery.starredIds(user.id, 'album', scope),
        discovery.starredIds(user.id, 'track', scope),
      ]);
      return { starred2: { artist: await context.artists(user, artistIds), album: await context.albums(user, albumIds), song: await context.songs(user, songIds) } };
    },

    getSongsByGenre: async (user, p) => {
      const genre = p.required('genre');
      const count = p.bounded('count', 10, 0, 500);
      const offset = p.bounded('offset', 0, 0, Number.MAX_SAFE_INTEGER);
      const ids = count === 0 ? [] : await discovery.songIdsByGenre(await context.libraryScope(user, p), genre, offset, count);
      return { songsByGenre: { song: await context.songs(user, ids) } };
    },

    search: async (user, p) => {
      const count = p.bounded('count', 20, 0, 500);
      const offset = p.bounded('offset', 0, 0, Number.MAX_SAFE_INTEGER);
      const text = (name: string) => p.str(name)?.trim() || undefined;
      const { ids, total } = await discovery.searchSongs(
        await context.libraryScope(user, p),
        { any: text('any'), artist: text('artist'), album: text('album'), title: text('title'), newerThan: p.int('newerThan') },
        offset,
        count,
      );
      return { searchResult: { offset, totalHits: total, match: await context.songs(user, ids) } };
    },

    search2: async (user, p) => {
      const query = searchText(p.str('query'));
      const scope = await context.libraryScope(user, p);
      const page = (kind: string) => [p.bounded(`${kind}Offset`, 0, 0, Number.MAX_SAFE_INTEGER), p.bounded(`${kind}Count`, 20, 0, 500)] as const;
      const [[artistOffset, artistCount], [albumOffset, albumCount], [songOffset, songCount]] = [page('artist'), page('album'), page('song')];
      const [artistIds, albumIds, songIds] = await Promise.all([
        artistCount > 0 ? repository.artistIds(scope, query, artistOffset, artistCount) : [],
        albumCount > 0 ? repository.albumIds(scope, query, albumOffset, albumCount) : [],
        songCount > 0 ? repository.songIds(scope, query, songOffset, songCount) : [],
      ]);
      return { searchResult2: { artist: await artistsV1(user, artistIds), album: await albumChildren(user, albumIds), song: await context.songs(user, songIds) } };
    },

    getTopSongs: async (user, p) => {
      const name = p.required('artist');
      const count = p.bounded('count', 50, 0, 500);
      const scope = await deps.visibleLibraryIds(user);
      const ids = count === 0 ? [] : await discovery.topSongIds(scope, await discovery.artistIdsNamed(scope, name), user.id, count);
      return { topSongs: { song: await context.songs(user, ids) } };
    },

    getSimilarSongs: async (user, p) => ({ similarSongs: { song: await similarSongs(user, p) } }),
    getSimilarSongs2: async (user, p) => ({ similarSongs2: { song: await similarSongs(user, p) } }),

    getArtistInfo: async (user, p, request) => ({ artistInfo: await artistInfo(user, p, request, true) }),
    getArtistInfo2: async (user, p, request) => ({ artistInfo2: await artistInfo(user, p, request, false) }),
    getAlbumInfo: async (user, p, request) => ({ albumInfo: await albumInfo(user, p, request, true) }),
    getAlbumInfo2: async (user, p, request) => ({ albumInfo: await albumInfo(user, p, request, false) }),

    getNowPlaying: async (user) => {
      const now = deps.clock.now();
      const marks = deps.nowPlaying.current(now).map((mark) => ({ ...mark, playerName: mark.playerName || undefined }));
      const sessions = (await discovery.playingSessions())
        .filter((session) => !marks.some((mark) => mark.userId === session.userId && mark.trackId === session.trackId))
        .map((session) => ({ username: session.username, trackId: session.trackId, at: session.updatedAt, playerName: session.deviceName ?? undefined }));
      const playing = [...marks, ...sessions];
      // Tracks the viewer may not see are left out, as everywhere else.
      const tracks = new Map((await catalog.tracksByIds(user, [...new Set(playing.map((entry) => entry.trackId))])).map((track) => [track.id, track]));
      const entry = playing.flatMap((item, index) => {
        const track = tracks.get(item.trackId);
        if (!track) return [];
        const minutesAgo = Math.max(0, Math.floor((now - item.at) / 60_000));
        return [{ ...toChild(track), username: item.username, minutesAgo, playerId: index, playerName: item.playerName }];
      });
      return { nowPlaying: { entry } };
    },
  };
}
