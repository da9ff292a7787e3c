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

/** Catalog lookups for hydrating results: items among `ids` the viewer may see, in the order of `ids`. */
export interface ResultCatalog {
  tracksByIds(viewer: Viewer, ids: string[]): Promise<Track[]>;
  albumsByIds(viewer: Viewer, ids: string[]): Promise<Album[]>;
  artistsByIds(viewer: Viewer, ids: string[]): Promise<Artist[]>;
}

export interface SearchServiceDeps {
  repository: SearchRepository;
  bus: EventBus;
  /**
   * The catalog scoped to libraries already resolved for the request (`libraryIds`: the viewer's visible ones), so
   * one search asks for the viewer's libraries once instead of once per list.
   */
  catalogFor(libraryIds: string[]): ResultCatalog;
  visibleLibraryIds(viewer: Viewer): Promise<string[]>;
  log: { error(data: object, message: string): void };
  /** Wait after a `library` event before re-reading, so a scan's bursts are read in few queries; ms. */
  debounceMs?: number;
  /** Longest wait between retries of a failed index update (they back off from `debounceMs`, doubling); ms. */
  maxRetryDelayMs?: number;
}

/**
 * Which tracks a smart playlist holds: the search filters, optionally words to match, an order (`sort`, default
 * `relevance` with `q`, else `title`) and at most `limit` tracks.
 */
export interface TrackSelection extends SearchFilters {
  q?: string;
  sort?: TrackSort;
  limit: number;
}

/** What `selectTracks` finds for one selection: track ids in order and their total duration (ms). */
export interface SelectedTracks {
  trackIds: string[];
  durationMs: number;
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

/**
 * The `k` smallest items by `compare` (a total order), sorted: O(n log k), so a filter over 100 000 tracks need not
 * sort them all, and a smart playlist's limit of thousands stays cheap too.
 */
function smallest<T>(items: T[], k: number, compare: (a: T, b: T) => number): T[] {
  if (items.length <= k * 4) return items.sort(compare).slice(0, k);
  // A max-heap of the best k so far: an item no better than the worst kept costs one comparison.
  const heap: T[] = [];
  const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j]!, heap[i]!]);
  for (const item of items) {
    if (heap.length < k) {
      heap.push(item);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (compare(heap[i]!, heap[parent]!) <= 0) break;
        swap(i, parent);
        i = parent;
      }
    } else if (compare(item, heap[0]!) < 0) {
      heap[0] = item;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let largest = i;
        if (left < k && compare(heap[left]!, heap[largest]!) > 0) largest = left;
        if (right < k && compare(heap[right]!, heap[largest]!) > 0) largest = right;
        if (largest === i) break;
        swap(i, largest);
        i = largest;
      }
    }
  }
  return heap.sort(compare);
}

/** Whether any filter is set (`favorites: false` is no filter; `lossless: false` is one). */
function hasFilters(filters: SearchFilters): boolean {
  return (Object.keys(filters) as (keyof SearchFilters)[]).some((key) => filters[key] !== undefined && !(key === 'favorites' && !filters.favorites));
}

/**
 * The track predicate of `filters` (`favorites` is applied by the caller, with the user's favorites): only the set
 * filters are tested, since it runs for every track of the viewer's libraries.
 */
function trackFilter(filters: SearchFilters): (doc: TrackDoc) => boolean {
  const checks: ((doc: TrackDoc) => boolean)[] = [];
  const range = (min: number | undefined, max: number | undefined, valueOf: (doc: TrackDoc) => number | null) => {
    if (min === undefined && max === undefined) return;
    const low = min ?? -Infinity;
    const high = max ?? Infinity;
    checks.push((doc) => {
      const value = valueOf(doc);
      return value !== null && value >= low && value <= high;
    });
  };
  if (filters.genre !== undefined) {
    const genre = foldKey(filters.genre);
    checks.push((doc) => doc.genreKeys.includes(genre));
  }
  range(filters.yearFrom, filters.yearTo, (doc) => doc.year);
  const seconds = (value: number | undefined) => (value === undefined ? undefined : value * 1000);
  range(seconds(filters.durationMin), seconds(filters.durationMax), (doc) => doc.durationMs);
  range(filters.bpmMin, filters.bpmMax, (doc) => doc.bpm);
  if (filters.key !== undefined) {
    const key = foldKey(filters.key);
    checks.push((doc) => doc.musicalKey === key);
  }
  if (filters.codec !== undefined) {
    const codec = foldKey(filters.codec);
    checks.push((doc) => doc.codec === codec);
  }
  if (filters.lossless !== undefined) {
    const lossless = filters.lossless;
    checks.push((doc) => doc.lossless === lossless);
  }
  if (filters.addedSince !== undefined) {
    const since = filters.addedSince;
    checks.push((doc) => doc.addedAt >= since);
  }
  if (checks.length === 1) return checks[0]!;
  return (doc) => {
    for (const check of checks) if (!check(doc)) return false;
    return true;
  };
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
 * searchable well within a second without a rebuild; a re-read that fails is retried with backoff (the ids stay
 * pending, so no change is lost). Results are hydrated through the catalog (`*ByIds`), which applies the access
 * rules once more and adds the caller's plays and favorites.
 */
export function createSearchService(deps: SearchServiceDeps) {
  const { repository, bus, catalogFor, visibleLibraryIds, log } = deps;
  const debounceMs = deps.debounceMs ?? 50;
  const maxRetryDelayMs = deps.maxRetryDelayMs ?? 30_000;
  const index = new SearchIndex();
  const pending: Record<'artist' | 'album' | 'track', Set<string>> = { artist: new Set(), album: new Set(), track: new Set() };
  let timer: NodeJS.Timeout | null = null;
  let applying: Promise<void> = Promise.resolve();
  let ready: Promise<void> | null = null;
  /** Whether the build has succeeded (`ready` resolved). */
  let built = false;
  let unsubscribe: (() => void) | null = null;
  /** Failed updates in a row; decides the next retry's delay. */
  let failures = 0;

  async function build(): Promise<void> {
    const [artists, albums, tracks] = await Promise.all([repository.artists(null), repository.albums(null), repository.tracks(null)]);
    for (const doc of artists) index.putArtist(doc);
    for (const doc of albums) index.putAlbum(doc);
    for (const doc of tracks) index.putTrack(doc);
  }

  /**
   * Re-reads the ids in `batch`; ids that no longer read back (deleted, unplayable) leave the index. Every read
   * happens before the index changes, so a failed read leaves the index as it was.
   */
  async function flush(batch: typeof pending): Promise<void> {
    const artistIds = [...batch.artist];
    const albumIds = [...batch.album];
    const trackIds = new Set(batch.track);
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

  /** Takes every pending id for one flush. */
  function takePending(): typeof pending {
    const batch = { artist: new Set(pending.artist), album: new Set(pending.album), track: new Set(pending.track) };
    for (const set of Object.values(pending)) set.clear();
    return batch;
  }

  function schedule(delayMs: number): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      // Flushes run one after another and only after the build, whose snapshot may predate these events.
      applying = applying.then(async () => {
        try {
          await ready;
        } catch {
          // Never built: requests answer not_ready, and there is no index to keep current.
          return;
        }
        const batch = takePending();
        try {
          await flush(batch);
          failures = 0;
        } catch (error) {
          // Put the ids back (with any that arrived meanwhile) and try again later, waiting longer each time.
          for (const type of ['artist', 'album', 'track'] as const) for (const id of batch[type]) pending[type].add(id);
          failures++;
          const retryInMs = Math.min(maxRetryDelayMs, debounceMs * 2 ** failures);
          log.error({ err: error, failures, retryInMs }, 'search index update failed; retrying');
          schedule(retryInMs);
        }
      });
    }, delayMs);
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

  /**
   * The caller's plays per slot of `type`: a track's own; an album's or artist's the sum over its indexed tracks
   * (once per artist of a track). Straight into slots: a search ranks with it, and building maps by id first cost
   * more than the rest of ranking (2 ms of 5 for 1 000 played tracks).
   */
  function playsBySlot(type: EntityType, signals: UserSignals): Uint32Array {
    const plays = new Uint32Array(index.table(type).docs.length);
    const { tracks, albums, artists } = index;
    for (const [trackId, count] of signals.trackPlays) {
      const trackSlot = tracks.slotOf.get(trackId);
      if (trackSlot === undefined) continue;
      if (type === 'track') {
        plays[trackSlot] = count;
        continue;
      }
      const doc = tracks.docs[trackSlot]!;
      if (type === 'album') {
        const slot = doc.albumId === null ? undefined : albums.slotOf.get(doc.albumId);
        if (slot !== undefined) plays[slot]! += count;
      } else {
        for (const id of doc.artistIds) {
          const slot = artists.slotOf.get(id);
          if (slot !== undefined) plays[slot]! += count;
        }
      }
    }
    return plays;
  }

  /** Waits for the index. Errors: `not_ready` (not started, or the build failed). */
  async function indexReady(): Promise<void> {
    if (!ready) throw new AppError('not_ready');
    await ready.catch(() => {
      throw new AppError('not_ready', 'The search index could not be built; see the server log.');
    });
  }

  /** What one request ranks with: the viewer's visible libraries and their plays and favorites. */
  interface Scope {
    libraryIds: string[];
    signals: UserSignals;
  }

  async function scopeOf(viewer: Viewer): Promise<Scope> {
    const [libraryIds, signals] = await Promise.all([visibleLibraryIds(viewer), repository.userSignals(viewer.id)]);
    return { libraryIds, signals };
  }

  /**
   * Per type, which slots the viewer may see that pass `filters`; with filters also the accepted track slots
   * (ascending), which a search without words lists as they are.
   */
  function acceptersOf(scope: Scope, filters: SearchFilters, types: EntityType[]) {
    const { signals } = scope;
    const mask = index.libraryMask(filters.library === undefined ? scope.libraryIds : scope.libraryIds.filter((id) => id === filters.library));
    const trackLibrary = index.trackLibrary;
    let acceptTrack = (slot: number) => mask[trackLibrary[slot]!] === 1;
    let trackSlots: number[] | null = null;
    if (hasFilters(filters)) {
      // Decided once per track: the scans below and the index would otherwise test a track many times.
      const passes = trackFilter(filters);
      const trackDocs = index.tracks.docs;
      const accepted = new Uint8Array(trackDocs.length);
      const favorites = filters.favorites ? signals.favorites.track : null;
      trackSlots = [];
      for (let slot = 0; slot < trackDocs.length; slot++) {
        if (mask[trackLibrary[slot]!] !== 1) continue;
        const doc = trackDocs[slot]!;
        if ((favorites === null || favorites.has(doc.id)) && passes(doc)) {
          accepted[slot] = 1;
          trackSlots.push(slot);
        }
      }
      acceptTrack = (slot) => accepted[slot] === 1;
    }
    // Favorites apply to each type on its own; every other filter limits albums and artists to a matching track's.
    const owners =
      (types.includes('album') || types.includes('artist')) && hasFilters({ ...filters, favorites: undefined }) ? ownersOf(acceptTrack) : null;
    const accepts: Record<EntityType, (slot: number) => boolean> = {
      track: acceptTrack,
      album: (slot) => {
        const id = index.albums.docs[slot]!.id;
        return index.albumVisible(id, mask) && (!owners || owners.album.has(id)) && (!filters.favorites || signals.favorites.album.has(id));
      },
      artist: (slot) => {
        const id = index.artists.docs[slot]!.id;
        return index.artistVisible(id, mask) && (!owners || owners.artist.has(id)) && (!filters.favorites || signals.favorites.artist.has(id));
      },
    };
    return { accepts, trackSlots };
  }

  /**
   * The first `window` slots of `type` in ranking order: matches of `query` (every item without one) that `accept`
   * lets through, tracks in `trackSort` order unless by relevance; `matched` counts all matches.
   */
  function rank(
    type: EntityType,
    query: ParsedQuery | null,
    accept: (slot: number) => boolean,
    acceptedSlots: number[] | null,
    trackSort: TrackSort | null,
    window: number,
    signals: UserSignals,
  ): { slots: number[]; matched: number } {
    const table = index.table(type);
    const trackDocs = index.tracks.docs;
    const browse = () => acceptedSlots?.slice() ?? allSlots(table.docs, accept);
    if (trackSort && trackSort !== 'relevance') {
      const found = query ? index.match(type, query, accept).map((candidate) => candidate % SLOTS) : browse();
      const order = trackOrder(trackSort, (id) => signals.trackPlays.get(id) ?? 0);
      return { slots: smallest(found, window, (a, b) => order(trackDocs[a]!, trackDocs[b]!)), matched: found.length };
    }
    const found = query ? index.match(type, query, accept) : browse().map((slot) => NO_RANK * SLOTS + slot);
    const { docs, sortKeys } = table;
    const byName = (a: number, b: number) => compareText(sortKeys[a]!, sortKeys[b]!) || compareText(docs[a]!.id, docs[b]!.id);
    const favorites = signals.favorites[type];
    let tieBreak = byName;
    if (signals.trackPlays.size > 0 || favorites.size > 0) {
      // The viewer's plays and favorites by slot: tie-breaks compare thousands of candidates, each without hashing ids.
      const plays = playsBySlot(type, signals);
      const favorite = new Uint8Array(docs.length);
      for (const id of favorites) {
        const slot = table.slotOf.get(id);
        if (slot !== undefined) favorite[slot] = 1;
      }
      tieBreak = (a, b) => plays[b]! - plays[a]! || favorite[b]! - favorite[a]! || byName(a, b);
    }
    return { slots: smallest(found, window, byRank(tieBreak)).map((candidate) => candidate % SLOTS), matched: found.length };
  }

  return {
    /** Subscribes to `library` events and builds the index in the background. */
    start(): void {
      unsubscribe = bus.subscribe((event) => {
        if (event.type !== 'library' || event.entity === 'artwork') return;
        for (const id of event.ids) pending[event.entity].add(id);
        schedule(debounceMs);
      });
      ready = build().then(() => {
        built = true;
      });
      ready = ready.catch((error: unknown) => {
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

    /**
     * Whether the index is built, so `search` and `selectTracks` answer without waiting; false before `start`, while
     * building, and after a failed build. For answers that can do without the index for now (playlist listings).
     */
    isReady(): boolean {
      return built;
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
      await indexReady();
      const { q, types = ALL_TYPES, sort, limit = DEFAULT_LIMIT, cursor, ...filters } = request;
      const query: ParsedQuery | null = q !== undefined && q.trim() !== '' ? parseQuery(q) : null;
      const listing = `search:${createHash('sha256')
        .update(JSON.stringify([query?.form ?? null, [...types].sort(), sort ?? null, Object.entries(filters).sort()]))
        .digest('base64url')
        .slice(0, 16)}`;
      const offset = cursor === undefined ? 0 : readOffset(cursor, listing);
      const empty: SearchResult = { artists: [], albums: [], tracks: [], nextCursor: null };
      if (query && query.words.length === 0) return empty;

      const scope = await scopeOf(viewer);
      const { signals } = scope;
      const { accepts, trackSlots } = acceptersOf(scope, filters, types);
      const window = offset + limit + 1;
      const pages: Record<EntityType, string[]> = { artist: [], album: [], track: [] };
      let more = false;
      let matched = 0;
      for (const type of types) {
        const trackSort = type === 'track' ? (sort ?? (query ? 'relevance' : 'title')) : null;
        const ranked = rank(type, query, accepts[type], type === 'track' ? trackSlots : null, trackSort, window, signals);
        matched += ranked.matched;
        more ||= ranked.slots.length > offset + limit;
        const docs = index.table(type).docs;
        pages[type] = ranked.slots.slice(offset, offset + limit).map((slot) => docs[slot]!.id);
      }

      const catalog = catalogFor(scope.libraryIds);
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

    /**
     * For smart playlists: per selection, the playable tracks it picks from the viewer's libraries (by the viewer's
     * plays and favorites), in its order, at most `limit`, as ids with their total duration (ms). Filters and sorts
     * are those of `search`, evaluated on the index as it is now, so new matching tracks appear at once.
     * Errors: `not_ready`.
     */
    async selectTracks(viewer: Viewer, selections: TrackSelection[]): Promise<SelectedTracks[]> {
      if (selections.length === 0) return [];
      await indexReady();
      const scope = await scopeOf(viewer);
      const docs = index.tracks.docs;
      return selections.map(({ q, sort, limit, ...filters }) => {
        const query = q !== undefined && q.trim() !== '' ? parseQuery(q) : null;
        if (query && query.words.length === 0) return { trackIds: [], durationMs: 0 };
        const { accepts, trackSlots } = acceptersOf(scope, filters, ['track']);
        const trackSort = sort ?? (query ? 'relevance' : 'title');
        const { slots } = rank('track', query, accepts.track, trackSlots, trackSort, limit, scope.signals);
        let durationMs = 0;
        for (const slot of slots) durationMs += docs[slot]!.durationMs ?? 0;
        return { trackIds: slots.map((slot) => docs[slot]!.id), durationMs };
      });
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
