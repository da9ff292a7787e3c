import type { CatalogService, Viewer } from '../catalog/catalog-service.js';
import type { Album, Artist, Track, UserItemStats } from '../catalog/schemas.js';
import type { DevicesRepository } from '../devices/devices-repository.js';
import type { UserEventPublisher } from '../events/contracts.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { DEFAULT_LIMIT, decodeCursor, toPage, type Page } from '../shared/pagination.js';
import type { CollectionRepository, PlayRow } from './collection-repository.js';
import { listenOf } from './listenbrainz-service.js';
import { EARLIEST_PLAY_MS, type FavoriteEntry, type HistoryEntry, type ItemType, type Period, type Play, type PlayOutcome, type RankedEntry } from './schemas.js';
import { judgePlay } from './scrobble-rule.js';

/** A play to record, as the HTTP route and the playback session report it. */
export interface PlayInput {
  userId: string;
  trackId: string;
  /** When playback of the track started, epoch ms. */
  playedAt: number;
  /** How long it actually played, ms (pauses excluded). */
  durationPlayedMs: number;
  /** The device it played on (one of the user's), or null when unknown. */
  deviceId: string | null;
}

/** Data of the `collection` events published to the user's devices, so other devices update without polling. */
export type CollectionEventData =
  | { change: 'favorite'; type: ItemType; id: string; favorite: boolean }
  /** `rating` 0: cleared. */
  | { change: 'rating'; type: ItemType; id: string; rating: number }
  | { change: 'play'; play: Play };

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

export interface CollectionServiceDeps {
  repository: CollectionRepository;
  /** Catalog objects by id, limited to what the viewer may see (the catalog's visibility rule). */
  catalog: Pick<CatalogService, 'tracksByIds' | 'albumsByIds' | 'artistsByIds'>;
  visibleLibraryIds(viewer: Viewer): Promise<string[]>;
  /** The account as a viewer (its role decides what it sees), for callers that know only the user id. */
  findViewer(userId: string): Promise<Viewer | undefined>;
  devices: Pick<DevicesRepository, 'findOwned'>;
  events: UserEventPublisher;
  clock: Clock;
  /** A play was recorded (and maybe queued for ListenBrainz): the forwarder sends it without waiting for its timer. */
  onPlayRecorded(): void;
  log: { warn(details: object, message: string): void };
}

/** Clients' clocks drift; a play that starts a little in the future is theirs running fast, not a forgery. */
const MAX_CLOCK_SKEW_MS = 60_000;
const DAY_MS = 86_400_000;
const PERIOD_MS: Record<Exclude<Period, 'all'>, number> = { week: 7 * DAY_MS, month: 30 * DAY_MS, year: 365 * DAY_MS };
const NOT_FOUND = { track: 'track_not_found', album: 'album_not_found', artist: 'artist_not_found' } as const;
// Ids are hex (see `newId`); a cursor naming anything else was not made here.
const HEX_ID = /^[0-9a-f]{1,128}$/i;

/** What one keyset value of a cursor must be. */
type KeyKind = 'integer' | 'itemType';

/** Decodes a cursor of `listing` whose values must be of `kinds`; anything else is `invalid_cursor` (400). */
function readCursor(cursor: string | undefined, listing: string, kinds: KeyKind[]) {
  if (cursor === undefined) return null;
  const position = decodeCursor(cursor, listing);
  const fits = (value: string | number | null, kind: KeyKind) =>
    kind === 'integer' ? Number.isSafeInteger(value) : value === 'track' || value === 'album' || value === 'artist';
  if (!HEX_ID.test(position.id) || position.values.length !== kinds.length || !position.values.every((v, i) => fits(v, kinds[i]!))) {
    throw new AppError('invalid_cursor');
  }
  return position;
}

function toPlay(row: PlayRow): Play {
  return {
    id: row.id,
    trackId: row.trackId,
    playedAt: Number(row.playedAt),
    durationPlayedMs: Number(row.durationPlayedMs),
    deviceId: row.deviceId,
  };
}

type CatalogObject = { type: 'track'; track: Track } | { type: 'album'; album: Album } | { type: 'artist'; artist: Artist };

/**
 * The viewer's plays, favorites and ratings of `ids` (all time), for the catalog's objects: one map entry per id.
 * Three queries however many ids, so listing a page of tracks does not ask once per track.
 */
export function createUserItemStats(repository: CollectionRepository) {
  return async (userId: string, type: ItemType, ids: string[]): Promise<Map<string, UserItemStats>> => {
    const { plays, favoriteIds, ratings } = await repository.itemStats(userId, type, ids);
    const playsOf = new Map(plays.map((row) => [row.id, row]));
    const favorites = new Set(favoriteIds);
    const ratingOf = new Map(ratings.map((row) => [row.itemId, row.rating]));
    return new Map(
      ids.map((id) => [
        id,
        {
          playCount: playsOf.get(id)?.playCount ?? 0,
          lastPlayedAt: playsOf.get(id)?.lastPlayedAt ?? null,
          favorite: favorites.has(id),
          rating: ratingOf.get(id) ?? 0,
        },
      ]),
    );
  };
}

/**
 * A user's own collection: favorites, 0–5 star ratings, play history (scrobbles) and play statistics. Everything is
 * per user, and only about tracks, albums and artists the user may see: others answer 404 exactly like unknown ids,
 * and drop out of listings. Changes are published as `collection` events (`CollectionEventData`).
 */
export function createCollectionService(deps: CollectionServiceDeps) {
  const { repository, catalog, visibleLibraryIds, findViewer, devices, events, clock, onPlayRecorded, log } = deps;

  /** The catalog objects of `ids` of one type the viewer may see, by id. */
  async function objectsOf(viewer: Viewer, type: ItemType, ids: string[]): Promise<Map<string, CatalogObject>> {
    const unique = [...new Set(ids)];
    switch (type) {
      case 'track':
        return new Map((await catalog.tracksByIds(viewer, unique)).map((track) => [track.id, { type, track }]));
      case 'album':
        return new Map((await catalog.albumsByIds(viewer, unique)).map((album) => [album.id, { type, album }]));
      case 'artist':
        return new Map((await catalog.artistsByIds(viewer, unique)).map((artist) => [artist.id, { type, artist }]));
    }
  }

  /** Errors: `track_not_found`, `album_not_found` or `artist_not_found` when the viewer may not see the item. */
  async function requireVisible(viewer: Viewer, type: ItemType, id: string): Promise<void> {
    if (!(await objectsOf(viewer, type, [id])).has(id)) throw new AppError(NOT_FOUND[type]);
  }

  /**
   * Tells the user's devices. The change is already committed, so a failure to publish is logged rather than
   * failing a request whose retry would change nothing (and so publish nothing).
   */
  async function publish(userId: string, data: CollectionEventData): Promise<void> {
    try {
      await events.publish(userId, 'collection', data);
    } catch (error) {
      log.warn({ err: error, userId, change: data.change }, 'collection event not published');
    }
  }

  /** A page of the most played (`top`) or recently played (`recent`) items; see `mostPlayed`. */
  async function ranked(viewer: Viewer, order: 'top' | 'recent', type: ItemType, period: Period, request: PageRequest): Promise<Page<RankedEntry>> {
    const limit = request.limit ?? DEFAULT_LIMIT;
    const listing = `${order}:${type}:${period}`;
    const position = readCursor(request.cursor, listing, order === 'top' ? ['integer', 'integer'] : ['integer']);
    const values = (position?.values ?? []) as number[];
    const id = position?.id ?? '';
    const since = period === 'all' ? null : clock.now() - PERIOD_MS[period];
    const rows = await repository.rank(
      viewer.id,
      await visibleLibraryIds(viewer),
      type,
      since,
      order === 'top'
        ? { order, after: position && { playCount: values[0]!, lastPlayedAt: values[1]!, id } }
        : { order, after: position && { lastPlayedAt: values[0]!, id } },
      limit + 1,
    );
    const page = toPage(rows, limit, listing, (row) => (order === 'top' ? [row.playCount, row.lastPlayedAt] : [row.lastPlayedAt]), (row) => row);
    const objects = await objectsOf(viewer, type, page.items.map((row) => row.id));
    return {
      items: page.items.flatMap((row) => {
        const object = objects.get(row.id);
        return object ? [{ ...object, playCount: row.playCount, lastPlayedAt: row.lastPlayedAt }] : [];
      }),
      nextCursor: page.nextCursor,
    };
  }

  return {
    /**
     * Marks (`favorite` true) or unmarks the item as a favorite. Idempotent: marking twice keeps the first time,
     * unmarking a non-favorite does nothing; only a change is published. Errors: `*_not_found`.
     */
    async setFavorite(viewer: Viewer, type: ItemType, id: string, favorite: boolean): Promise<void> {
      await requireVisible(viewer, type, id);
      const changed = favorite ? await repository.addFavorite(viewer.id, type, id, clock.now()) : await repository.removeFavorite(viewer.id, type, id, clock.now());
      if (changed) await publish(viewer.id, { change: 'favorite', type, id, favorite });
    },

    /** The viewer's favorites they may still see (of `type`, when given), most recently marked first. Errors: `invalid_cursor`. */
    async listFavorites(viewer: Viewer, type: ItemType | null, request: PageRequest): Promise<Page<FavoriteEntry>> {
      const limit = request.limit ?? DEFAULT_LIMIT;
      const listing = `favorites:${type ?? 'all'}`;
      const position = readCursor(request.cursor, listing, ['integer', 'itemType']);
      const after = position && { favoritedAt: position.values[0] as number, itemType: position.values[1] as ItemType, itemId: position.id };
      const rows = await repository.listFavorites(viewer.id, await visibleLibraryIds(viewer), type, after, limit + 1);
      const page = toPage(
        rows.map((row) => ({ ...row, id: row.itemId })),
        limit,
        listing,
        (row) => [Number(row.favoritedAt), row.itemType],
        (row) => row,
      );
      const types: ItemType[] = ['track', 'album', 'artist'];
      const found = await Promise.all(types.map((t) => objectsOf(viewer, t, page.items.filter((row) => row.itemType === t).map((row) => row.id))));
      const objects = new Map(types.map((t, i) => [t, found[i]!]));
      return {
        items: page.items.flatMap((row) => {
          const object = objects.get(row.itemType)!.get(row.id);
          return object ? [{ ...object, favoritedAt: Number(row.favoritedAt) }] : [];
        }),
        nextCursor: page.nextCursor,
      };
    },

    /**
     * Sets the viewer's 1–5 star rating of the item; 0 clears it. Idempotent; only a change is published.
     * Errors: `*_not_found`.
     */
    async setRating(viewer: Viewer, type: ItemType, id: string, rating: number): Promise<void> {
      await requireVisible(viewer, type, id);
      if (((await repository.findRating(viewer.id, type, id)) ?? 0) === rating) return;
      if (rating === 0) await repository.deleteRating(viewer.id, type, id);
      else await repository.saveRating(viewer.id, type, id, rating, clock.now());
      await publish(viewer.id, { change: 'rating', type, id, rating });
    },

    /**
     * Records a play (scrobble) of a track the user may see, when it meets the scrobbling rule (`judgePlay`: longer
     * than 30 s, and at least half of it or 4 minutes played). A play that does not is answered, not refused:
     * `{recorded: false, reason}`, so a client or the playback session can report every play and let this rule
     * decide. The same play submitted again (same user, track and start second — `playedAt` is rounded down to the
     * second) is recorded once: the repeat answers `{recorded: true, duplicate: true}` with the first. A new play is
     * queued for ListenBrainz when the user is connected, and published as a `collection` event.
     * Errors: `user_not_found`, `track_not_found`, `device_not_found` (not one of the user's devices),
     * `validation_failed` (`playedAt` more than a minute in the future or before October 2002, negative duration).
     */
    async recordPlay(input: PlayInput): Promise<PlayOutcome> {
      const viewer = await findViewer(input.userId);
      if (!viewer) throw new AppError('user_not_found');
      const now = clock.now();
      if (input.playedAt > now + MAX_CLOCK_SKEW_MS) throw new AppError('validation_failed', 'playedAt lies in the future.');
      if (input.playedAt < EARLIEST_PLAY_MS) throw new AppError('validation_failed', 'playedAt lies before October 2002.');
      if (!Number.isSafeInteger(input.durationPlayedMs) || input.durationPlayedMs < 0) {
        throw new AppError('validation_failed', 'durationPlayedMs must be a whole number of ms, at least 0.');
      }
      if (input.deviceId !== null && !HEX_ID.test(input.deviceId)) throw new AppError('device_not_found');
      if (input.deviceId !== null && !(await devices.findOwned(viewer.id, input.deviceId))) throw new AppError('device_not_found');
      const [track] = await catalog.tracksByIds(viewer, [input.trackId]);
      if (!track) throw new AppError('track_not_found');

      const verdict = judgePlay(track.durationMs, input.durationPlayedMs);
      if (!verdict.scrobble) return { recorded: false, duplicate: false, reason: verdict.reason, play: null };

      const playedAt = Math.floor(input.playedAt / 1000) * 1000;
      const { inserted, play } = await repository.insertPlay(
        { id: newId(), userId: viewer.id, trackId: track.id, playedAt, durationPlayedMs: input.durationPlayedMs, deviceId: input.deviceId, recordedAt: now },
        listenOf(track, playedAt),
      );
      if (inserted) {
        onPlayRecorded();
        await publish(viewer.id, { change: 'play', play: toPlay(play) });
      }
      return { recorded: true, duplicate: !inserted, reason: null, play: toPlay(play) };
    },

    /** The viewer's plays of tracks they may still see, newest first. Errors: `invalid_cursor`. */
    async history(viewer: Viewer, request: PageRequest): Promise<Page<HistoryEntry>> {
      const limit = request.limit ?? DEFAULT_LIMIT;
      const position = readCursor(request.cursor, 'history', ['integer']);
      const after = position && { playedAt: position.values[0] as number, id: position.id };
      const rows = await repository.listPlays(viewer.id, await visibleLibraryIds(viewer), after, limit + 1);
      const page = toPage(rows, limit, 'history', (row) => [Number(row.playedAt)], toPlay);
      const tracks = new Map((await catalog.tracksByIds(viewer, [...new Set(page.items.map((play) => play.trackId))])).map((t) => [t.id, t]));
      return {
        items: page.items.flatMap((play) => {
          const track = tracks.get(play.trackId);
          return track ? [{ ...play, track }] : [];
        }),
        nextCursor: page.nextCursor,
      };
    },

    /**
     * Items of `type` the viewer played most within the period (`week`, `month`, `year`: the last 7, 30, 365 days up
     * to now; `all`), by play count, then most recent play. Counts cover the period; the catalog object inside
     * carries the all-time figures. Errors: `invalid_cursor`.
     */
    async mostPlayed(viewer: Viewer, type: ItemType, period: Period, request: PageRequest): Promise<Page<RankedEntry>> {
      return ranked(viewer, 'top', type, period, request);
    },

    /** Items of `type` the viewer played within the period, most recently played first. Errors: `invalid_cursor`. */
    async recentlyPlayed(viewer: Viewer, type: ItemType, period: Period, request: PageRequest): Promise<Page<RankedEntry>> {
      return ranked(viewer, 'recent', type, period, request);
    },
  };
}

export type CollectionService = ReturnType<typeof createCollectionService>;
