import { createHash } from 'node:crypto';
import type { Viewer } from '../catalog/catalog-service.js';
import type { Album, Artist, Track } from '../catalog/schemas.js';
import { AppError } from '../shared/errors.js';
import type { EventBus } from '../shared/events.js';
import { DEFAULT_LIMIT, decodeCursor, encodeCursor } from '../shared/pagination.js';
import { foldKey } from '../shared/text.js';
import { NO_RANK, parseQuery, SearchIndex, SLOTS, type Candidate, type EntityType, type ParsedQuery, type TrackDoc } from './search-index.js';
import type { SearchRepository, UserSignals } from './search-repository.js';

/**
 * Filters on tracks; albums and artists are then limited to those with a matching track. All optional, combinable
 * with or without a query. Ranges are inclusive.
 */
export interface SearchFilters {
  /** Genre name, folded comparison ("hip hop" ≠ "hip-hop": genres are compared as names, not searched). */
  genre?: string;
  yearFrom?: number;
  yearTo?: number;
  /** Seconds. */
  durationMin?: number;
  /** Seconds. */
  durationMax?: number;
  bpmMin?: number;
  bpmMax?: number;
  /** Musical key as tagged ("Am", "F#"), folded comparison. */
  key?: string;
  /** Codec as detected ("FLAC", "MPEG 1 Layer 3"), folded comparison. */
  codec?: string;
  lossless?: boolean;
  /** Only the caller's favorites (tracks, albums, artists each among their own favorites). */
  favorites?: boolean;
  /** Added at or after, epoch ms. */
  addedSince?: number;
  /** Only this library (it must also be one the caller may see). */
  library?: string;
}

/**
 * Orders of the track list: `relevance` (the default with `q`; without it, `title`), `title`, `artist`, `album`
 * (A→Z), `year`, `added` (newest first), `duration` (longest first), `bpm` (fastest first), `plays` (the caller's
 * most played first). Ties: title, then id. Albums and artists are by relevance with `q`, else by name.
 */
export const TRACK_SORTS = ['relevance', 'title', 'artist', 'album', 'year', 'added', 'duration', 'bpm', 'plays'] as const;
export type TrackSort = (typeof TRACK_SORTS)[number];

export interface SearchRequest extends SearchFilters {
  q?: string;
  /** Which lists to fill; all three when absent. */
  types?: EntityType[];
  sort?: TrackSort;
  limit?: number;
  cursor?: string;
}

/** `{artists, albums, tracks}` ranked; `didYouMean` only when nothing matched and a close term exists. */
export interface SearchResult {
  artists: Artist[];
  albums: Album[];
  tracks: Track[];
  didYouMean?: string;
  /** One cursor for the next page of every list; null when no list has more. */
  nextCursor: string | null;
}

export interface SearchServiceDeps {
  repository: SearchRepository;
  bus: EventBus;
  catalog: {
    tracksByIds(viewer: Viewer, ids: string[]): Promise<Track[]>;
    albumsByIds(viewer: Viewer, ids: string[]): Promise<Album[]>;
    artistsByIds(viewer: Viewer, ids: string[]): Promise<Artist[]>;
  };
  visibleLibraryIds(viewer: Viewer): Promise<string[]>;
  log: { error(data: object, message: string): void };
  /** Wait after a `library` event before re-reading, so a scan's bursts are read in few queries; ms. */
  debounceMs?: number;
}

const ALL_TYPES: EntityType[] = ['artist', 'album', 'track'];

/** Candidates in ranking order: the index's rank (tier, quality), then `tieBreak` on their slots. */
function byRank(tieBreak: (a: number, b: number) => number): (a: Candidate, b: Candidate) => number {
  return (a, b) => Math.floor(a / SLOTS) - Math.floor(b / SLOTS) || tieBreak(a % SLOTS, b % SLOTS);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Nulls after every number, whichever the direction. */
function compareNumber(a: number | null, b: number | null, descending: boolean): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return descending ? b - a : a - b;
}

/** The `k` smallest items by `compare`, sorted: O(n log k), so a filter over 100 000 tracks need not sort them all. */
function smallest<T>(items: T[], k: number, compare: (a: T, b: T) => number): T[] {
  if (items.length <= k * 4) return items.sort(compare).slice(0, k);
  const best: T[] = [];
  for (const item of items) {
    if (best.length === k && compare(item, best[k - 1]!) >= 0) continue;
    let low = 0;
    let high = best.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compare(best[mid]!, item) <= 0) low = mid + 1;
      else high = mid;
    }
    best.splice(low, 0, item);
    if (best.length > k) best.pop();
  }
  return best;
}

/** Whether any filter is set (`favorites: false` is no filter; `lossless: false` is one). */
function hasFilters(filters: SearchFilters): boolean {
  return (Object.keys(filters) as (keyof SearchFilters)[]).some((key) => filters[key] !== undefined && !(key === 'favorites' && !filters.favorites));
}

/** The track predicate of `filters` (`favorites` is applied by the caller, with the user's favorites). */
function trackFilter(filters: SearchFilters): (doc: TrackDoc) => boolean {
  const genre = filters.genre === undefined ? undefined : foldKey(filters.genre);
  const key = filters.key === undefined ? undefined : foldKey(filters.key);
  const codec = filters.codec === undefined ? undefined : foldKey(filters.codec);
  const inRange = (value: number | null, min: number | undefined, max: number | undefined) =>
    (min === undefined && max === undefined) || (value !== null && (min === undefined || value >= min) && (max === undefined || value <= max));
  return (doc) =>
    (genre === undefined || doc.genreKeys.includes(genre)) &&
    inRange(doc.year, filters.yearFrom, filters.yearTo) &&
    inRange(doc.durationMs, filters.durationMin === undefined ? undefined : filters.durationMin * 1000, filters.durationMax === undefined ? undefined : filters.durationMax * 1000) &&
    inRange(doc.bpm, filters.bpmMin, filters.bpmMax) &&
    (key === undefined || doc.musicalKey === key) &&
    (codec === undefined || doc.codec === codec) &&
    (filters.lossless === undefined || doc.lossless === filters.lossless) &&
    (filters.addedSince === undefined || doc.addedAt >= filters.addedSince);
}

function trackOrder(sort: Exclude<TrackSort, 'relevance'>, plays: (id: string) => number): (a: TrackDoc, b: TrackDoc) => number {
  const byTitle = (a: TrackDoc, b: TrackDoc) => compareText(a.titleKey, b.titleKey) || compareText(a.id, b.id);
  const first: Record<typeof sort, (a: TrackDoc, b: TrackDoc) => number> = {
    title: () => 0,
    artist: (a, b) => compareText(a.artistKey, b.artistKey),
    album: (a, b) => compareText(a.albumKey, b.albumKey),
    year: (a, b) => compareNumber(a.year, b.year, true),
    added: (a, b) => b.addedAt - a.addedAt,
    duration: (a, b) => compareNumber(a.durationMs, b.durationMs, true),
    bpm: (a, b) => compareNumber(a.bpm, b.bpm, true),
    plays: (a, b) => plays(b.id) - plays(a.id),
  };
  const primary = first[sort];
  return (a, b) => primary(a, b) || byTitle(a, b);
}

/**
 * Search over the caller's libraries with an in-process `SearchIndex` per server instance. The index is built from
 * the database in the background at start; requests wait for it. Every instance follows `library` bus events (the
 * bus is Redis-backed across instances) by re-reading the changed ids after a short debounce, so catalog changes are
 * searchable well within a second without a rebuild. Results are hydrated through the catalog (`*ByIds`), which
 * applies the access rules once more and adds the caller's plays and favorites.
 */
export function createSearchService(deps: SearchServiceDeps) {
  const { repository, bus, catalog, visibleLibraryIds, log } = deps;
  const debounceMs = deps.debounceMs ?? 50;
  const index = new SearchIndex();
  const pending: Record<'artist' | 'album' | 'track', Set<string>> = { artist: new Set(), album: new Set(), track: new Set() };
  let timer: NodeJS.Timeout | null = null;
  let applying: Promise<void> = Promise.resolve();
  let ready: Promise<void> | null = null;
  let unsubscribe: (() => void) | null = null;

  async function build(): Promise<void> {
    const [artists, albums, tracks] = await Promise.all([repository.artists(null), repository.albums(null), repository.tracks(null)]);
    for (const doc of artists) index.putArtist(doc);
    for (const doc of albums) index.putAlbum(doc);
    for (const doc of tracks) index.putTrack(doc);
  }

  /** Re-reads everything changed since the last flush; ids that no longer read back (deleted, unplayable) leave the index. */
  async function flush(): Promise<void> {
    const artistIds = [...pending.artist];
    const albumIds = [...pending.album];
    const trackIds = new Set(pending.track);
    for (const set of Object.values(pending)) set.clear();
    const artists = await repository.artists(artistIds);
    const albums = await repository.albums(albumIds);
    // An album's title and artist are also text of its tracks.
    for (const id of await repository.trackIdsOfAlbums(albumIds)) trackIds.add(id);
    const tracks = await repository.tracks([...trackIds]);
    for (const id of artistIds) index.removeArtist(id);
    for (const doc of artists) index.putArtist(doc);
    for (const id of albumIds) index.removeAlbum(id);
    for (const doc of albums) index.putAlbum(doc);
    for (const id of trackIds) index.removeTrack(id);
    for (const doc of tracks) index.putTrack(doc);
  }

  function schedule(): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      // Flushes run one after another and only after the build, whose snapshot may predate these events.
      applying = applying
        .then(() => ready)
        .then(flush)
        .catch((error: unknown) => log.error({ err: error }, 'search index update failed'));
    }, debounceMs);
  }

  /** Per type, the ids of albums and artists having a track `accept` lets through (for filtered searches). */
  function ownersOf(accept: (slot: number) => boolean): { album: Set<string>; artist: Set<string> } {
    const owners = { album: new Set<string>(), artist: new Set<string>() };
    index.tracks.docs.forEach((doc, slot) => {
      if (!doc || !accept(slot)) return;
      if (doc.albumId) owners.album.add(doc.albumId);
      for (const id of doc.artistIds) owners.artist.add(id);
    });
    return owners;
  }

  /** The caller's plays per album and artist: sums of their track plays over indexed tracks. */
  function groupPlays(signals: UserSignals): { album: Map<string, number>; artist: Map<string, number> } {
    const plays = { album: new Map<string, number>(), artist: new Map<string, number>() };
    for (const [trackId, count] of signals.trackPlays) {
      const slot = index.tracks.slotOf.get(trackId);
      const doc = slot === undefined ? undefined : index.tracks.docs[slot];
      if (!doc) continue;
      if (doc.albumId) plays.album.set(doc.albumId, (plays.album.get(doc.albumId) ?? 0) + count);
      for (const id of doc.artistIds) plays.artist.set(id, (plays.artist.get(id) ?? 0) + count);
    }
    return plays;
  }

  return {
    /** Subscribes to `library` events and builds the index in the background. */
    start(): void {
      unsubscribe = bus.subscribe((event) => {
        if (event.type !== 'library' || event.entity === 'artwork') return;
        for (const id of event.ids) pending[event.entity].add(id);
        schedule();
      });
      ready = build().catch((error: unknown) => {
        log.error({ err: error }, 'building the search index failed');
        throw error;
      });
      // Requests report the failure; this keeps it from also being an unhandled rejection.
      ready.catch(() => undefined);
    },

    /** Stops following events and waits for an update in progress (before the database closes). */
    async stop(): Promise<void> {
      unsubscribe?.();
      if (timer) clearTimeout(timer);
      timer = null;
      await applying;
      await ready?.catch(() => undefined);
    },

    /** Resolves when the index is built and every event received so far is applied (tests, the benchmark). */
    async settled(): Promise<void> {
      await ready;
      while (timer || pending.track.size || pending.album.size || pending.artist.size) {
        await new Promise((resolve) => setTimeout(resolve, debounceMs));
        await applying;
      }
      await applying;
    },

    index,

    /**
     * Ranked artists, albums and tracks for `request` from the viewer's libraries. Ranking: tier (exact name, name
     * starts with the query, every word in the name, then the worst-placed word in the artist, the album, elsewhere),
     * match quality (whole words before prefixes before typos), the viewer's plays, favorites, then name.
     * Errors: `invalid_cursor`, `not_ready` (the index could not be built).
     */
    async search(viewer: Viewer, request: SearchRequest): Promise<SearchResult> {
      if (!ready) throw new AppError('not_ready');
      await ready.catch(() => {
        throw new AppError('not_ready', 'The search index could not be built; see the server log.');
      });
      const { q, types = ALL_TYPES, sort, limit = DEFAULT_LIMIT, cursor, ...filters } = request;
      const query: ParsedQuery | null = q !== undefined && q.trim() !== '' ? parseQuery(q) : null;
      const listing = `search:${createHash('sha256')
        .update(JSON.stringify([query?.form ?? null, [...types].sort(), sort ?? null, Object.entries(filters).sort()]))
        .digest('base64url')
        .slice(0, 16)}`;
      const offset = cursor === undefined ? 0 : readOffset(cursor, listing);
      const empty: SearchResult = { artists: [], albums: [], tracks: [], nextCursor: null };
      if (query && query.words.length === 0) return empty;

      let libraries = new Set(await visibleLibraryIds(viewer));
      if (filters.library !== undefined) libraries = new Set([...libraries].filter((id) => id === filters.library));
      const signals = await repository.userSignals(viewer.id);
      const trackDocs = index.tracks.docs;
      let acceptTrack = (slot: number) => libraries.has(trackDocs[slot]!.libraryId);
      if (hasFilters(filters)) {
        // Decided once per track: the scans below and the index would otherwise test a track many times.
        const passes = trackFilter(filters);
        const accepted = new Uint8Array(trackDocs.length);
        trackDocs.forEach((doc, slot) => {
          if (doc && libraries.has(doc.libraryId) && (!filters.favorites || signals.favorites.track.has(doc.id)) && passes(doc)) accepted[slot] = 1;
        });
        acceptTrack = (slot) => accepted[slot] === 1;
      }
      // Favorites apply to each type on its own; every other filter limits albums and artists to a matching track's.
      const owners =
        (types.includes('album') || types.includes('artist')) && hasFilters({ ...filters, favorites: undefined }) ? ownersOf(acceptTrack) : null;
      const accepts: Record<EntityType, (slot: number) => boolean> = {
        track: acceptTrack,
        album: (slot) => {
          const id = index.albums.docs[slot]!.id;
          return index.albumVisible(id, libraries) && (!owners || owners.album.has(id)) && (!filters.favorites || signals.favorites.album.has(id));
        },
        artist: (slot) => {
          const id = index.artists.docs[slot]!.id;
          return index.artistVisible(id, libraries) && (!owners || owners.artist.has(id)) && (!filters.favorites || signals.favorites.artist.has(id));
        },
      };

      const window = offset + limit + 1;
      const groupedPlays = types.includes('album') || types.includes('artist') ? groupPlays(signals) : null;
      const playsOf: Record<EntityType, (id: string) => number> = {
        track: (id) => signals.trackPlays.get(id) ?? 0,
        album: (id) => groupedPlays?.album.get(id) ?? 0,
        artist: (id) => groupedPlays?.artist.get(id) ?? 0,
      };
      const pages: Record<EntityType, string[]> = { artist: [], album: [], track: [] };
      let more = false;
      let matched = 0;
      for (const type of types) {
        const table = index.table(type);
        const accept = accepts[type];
        const trackSort = type === 'track' ? (sort ?? (query ? 'relevance' : 'title')) : null;
        let slots: number[];
        if (trackSort && trackSort !== 'relevance') {
          const found = query ? index.match(type, query, accept).map((candidate) => candidate % SLOTS) : allSlots(table.docs, accept);
          matched += found.length;
          const order = trackOrder(trackSort, playsOf.track);
          slots = smallest(found, window, (a, b) => order(trackDocs[a]!, trackDocs[b]!));
        } else {
          const found = query ? index.match(type, query, accept) : allSlots(table.docs, accept).map((slot) => NO_RANK * SLOTS + slot);
          matched += found.length;
          const favorites = signals.favorites[type];
          const plays = playsOf[type];
          const { docs, sortKeys } = table;
          const tieBreak = (a: number, b: number) => {
            const idA = docs[a]!.id;
            const idB = docs[b]!.id;
            return (
              plays(idB) - plays(idA) ||
              Number(favorites.has(idB)) - Number(favorites.has(idA)) ||
              compareText(sortKeys[a]!, sortKeys[b]!) ||
              compareText(idA, idB)
            );
          };
          slots = smallest(found, window, byRank(tieBreak)).map((candidate) => candidate % SLOTS);
        }
        more ||= slots.length > offset + limit;
        pages[type] = slots.slice(offset, offset + limit).map((slot) => table.docs[slot]!.id);
      }

      const hydrate = <T>(ids: string[], byIds: (viewer: Viewer, ids: string[]) => Promise<T[]>) => (ids.length ? byIds(viewer, ids) : []);
      const [artists, albums, tracks] = await Promise.all([
        hydrate(pages.artist, catalog.artistsByIds),
        hydrate(pages.album, catalog.albumsByIds),
        hydrate(pages.track, catalog.tracksByIds),
      ]);
      const result: SearchResult = {
        artists,
        albums,
        tracks,
        nextCursor: more ? encodeCursor({ listing, values: [offset + limit], id: '0' }) : null,
      };
      if (query && matched === 0) {
        const suggestion = didYouMean(query, types.map((type) => ({ type, accept: accepts[type] })));
        if (suggestion) result.didYouMean = suggestion;
      }
      return result;
    },
  };

  /**
   * The query with each word that reaches nothing visible replaced by the closest visible term; null when no word
   * could be replaced.
   */
  function didYouMean(query: ParsedQuery, accepts: { type: EntityType; accept: (slot: number) => boolean }[]): string | null {
    let changed = false;
    const words = query.form.split(' ').map((word) => {
      const reaches = accepts.some(({ type, accept }) => index.match(type, { words: [word], form: word }, accept).length > 0);
      if (reaches) return word;
      const closest = index.closestTerm(word, accepts);
      if (closest === null) return word;
      changed = true;
      return closest;
    });
    return changed ? words.join(' ') : null;
  }
}

function allSlots(docs: readonly ({ id: string } | undefined)[], accept: (slot: number) => boolean): number[] {
  const slots: number[] = [];
  for (let slot = 0; slot < docs.length; slot++) if (docs[slot] && accept(slot)) slots.push(slot);
  return slots;
}

/** The offset a search cursor continues at; `invalid_cursor` when malformed or from another search. */
function readOffset(cursor: string, listing: string): number {
  const position = decodeCursor(cursor, listing);
  const offset = position.values[0];
  if (position.values.length !== 1 || typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new AppError('invalid_cursor');
  }
  return offset;
}

export type SearchService = ReturnType<typeof createSearchService>;
