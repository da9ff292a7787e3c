import { afterEach, expect, it } from 'vitest';
import type { TrackDoc } from '../../src/search/search-index.js';
import type { SearchRepository } from '../../src/search/search-repository.js';
import { createSearchService } from '../../src/search/search-service.js';
import { createInProcessEventBus } from '../../src/shared/events.js';

const viewer = { id: 'u1', role: 'user' as const };

function trackDoc(id: string, title: string): TrackDoc {
  return {
    id,
    title,
    artist: 'Band',
    album: null,
    albumId: null,
    albumArtist: 'Band',
    genres: [],
    genreKeys: [],
    titleKey: title.toLowerCase(),
    artistKey: 'band',
    albumKey: '',
    libraryId: 'lib',
    year: null,
    durationMs: 1000,
    bpm: null,
    musicalKey: null,
    codec: 'flac',
    lossless: true,
    addedAt: 0,
    artistIds: [],
  };
}

/**
 * The catalog as search reads it, in memory: `failing` makes every read after the start-up build reject (as a lost
 * database connection would), and `reads` counts those reads.
 */
function fakeCatalog() {
  const tracks = new Map<string, TrackDoc>();
  const state = { failing: 0 as number | 'always', reads: 0 };
  const repository: SearchRepository = {
    artists: async () => [],
    albums: async () => [],
    trackIdsOfAlbums: async () => [],
    async tracks(ids) {
      if (ids === null) return [...tracks.values()];
      state.reads++;
      if (state.failing === 'always' || state.failing > 0) {
        if (state.failing !== 'always') state.failing--;
        throw new Error('connection lost');
      }
      return ids.flatMap((id) => tracks.get(id) ?? []);
    },
    userSignals: async () => ({ trackPlays: new Map(), favorites: { track: new Set(), album: new Set(), artist: new Set() } }),
  };
  return { tracks, state, repository };
}

const services: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) await service.stop();
});

function start(catalog: ReturnType<typeof fakeCatalog>, options: { maxRetryDelayMs?: number } = {}) {
  const bus = createInProcessEventBus();
  const errors: object[] = [];
  const search = createSearchService({
    repository: catalog.repository,
    bus,
    catalogFor: () => ({ tracksByIds: async () => [], albumsByIds: async () => [], artistsByIds: async () => [] }),
    visibleLibraryIds: async () => ['lib'],
    log: { error: (data) => errors.push(data) },
    debounceMs: 5,
    ...options,
  });
  search.start();
  services.push(search);
  const found = async (q: string) => (await search.selectTracks(viewer, [{ q, limit: 10 }]))[0]!.trackIds;
  const added = (id: string, title: string) => {
    catalog.tracks.set(id, trackDoc(id, title));
    bus.publish({ type: 'library', change: 'upsert', entity: 'track', ids: [id] });
  };
  return { search, errors, found, added };
}

it('retries an index update whose read failed, so the change still becomes searchable', async () => {
  const catalog = fakeCatalog();
  const { search, errors, found, added } = start(catalog);
  await search.settled();
  catalog.state.failing = 1;
  added('t1', 'Anthem');
  await search.settled();
  expect(await found('anthem')).toEqual(['t1']);
  expect(catalog.state.reads).toBe(2);
  expect(errors).toEqual([expect.objectContaining({ failures: 1, retryInMs: 10 })]);
});

it('backs off while reads keep failing, then applies every change made meanwhile', async () => {
  const catalog = fakeCatalog();
  const { search, errors, found, added } = start(catalog, { maxRetryDelayMs: 80 });
  await search.settled();
  catalog.state.failing = 'always';
  added('t1', 'First Song');
  await new Promise((resolve) => setTimeout(resolve, 100));
  added('t2', 'Second Song');
  await new Promise((resolve) => setTimeout(resolve, 200));
  // Delays of 10, 20, 40, 80, 80… ms after a 5 ms debounce: a handful of reads in 300 ms, not a hot loop.
  expect(catalog.state.reads).toBeGreaterThanOrEqual(3);
  expect(catalog.state.reads).toBeLessThanOrEqual(8);
  expect(errors.map((error) => (error as { retryInMs: number }).retryInMs).slice(0, 3)).toEqual([10, 20, 40]);
  expect(await found('song')).toEqual([]);

  catalog.state.failing = 0;
  await search.settled();
  expect(await found('song')).toEqual(['t1', 't2']);
});
