import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TrackDoc } from '../../src/search/search-index.js';
import type { SearchRepository } from '../../src/search/search-repository.js';
import { createSearchService } from '../../src/search/search-service.js';
import { createInProcessEventBus } from '../../src/shared/events.js';

const viewer = { id: 'u1', role: 'user' as const };

/** A seeded generator, so a failing run can be repeated. */
function prng(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % below;
  };
}

const random = prng(42);
const tracks: TrackDoc[] = Array.from({ length: 600 }, (_, i) => {
  const title = `Song ${random(50)}`;
  return {
    id: `t${String(i).padStart(4, '0')}`,
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
    libraryId: i % 5 === 0 ? 'hidden' : 'lib',
    year: null,
    durationMs: 60_000 + random(20) * 1000,
    bpm: null,
    musicalKey: null,
    codec: 'flac',
    lossless: random(2) === 0,
    addedAt: random(1000),
    artistIds: [],
  };
});
const plays = new Map(tracks.filter(() => random(3) === 0).map((track) => [track.id, 1 + random(6)]));

const search = createSearchService({
  repository: {
    artists: async () => [],
    albums: async () => [],
    trackIdsOfAlbums: async () => [],
    tracks: async (ids) => (ids === null ? tracks : tracks.filter((track) => ids.includes(track.id))),
    userSignals: async () => ({ trackPlays: plays, favorites: { track: new Set(), album: new Set(), artist: new Set() } }),
  } satisfies SearchRepository,
  bus: createInProcessEventBus(),
  catalogFor: () => ({ tracksByIds: async () => [], albumsByIds: async () => [], artistsByIds: async () => [] }),
  visibleLibraryIds: async () => ['lib'],
  log: { error: () => undefined },
});
beforeAll(async () => {
  search.start();
  await search.settled();
});
afterAll(() => search.stop());

/** What a selection should hold: every visible track `keep` lets through, sorted by `order` then title then id. */
function expected(keep: (track: TrackDoc) => boolean, order: (a: TrackDoc, b: TrackDoc) => number, limit: number): string[] {
  return tracks
    .filter((track) => track.libraryId === 'lib' && keep(track))
    .sort((a, b) => order(a, b) || (a.titleKey < b.titleKey ? -1 : a.titleKey > b.titleKey ? 1 : 0) || (a.id < b.id ? -1 : 1))
    .slice(0, limit)
    .map((track) => track.id);
}

it('picks the first tracks of a long filtered list in exactly the order a full sort gives', async () => {
  const [longest, mostPlayed, newest, all] = await search.selectTracks(viewer, [
    { lossless: true, sort: 'duration', limit: 7 },
    { sort: 'plays', limit: 25 },
    { lossless: false, sort: 'added', limit: 60 },
    { sort: 'title', limit: 10_000 },
  ]);
  expect(longest!.trackIds).toEqual(expected((t) => t.lossless, (a, b) => b.durationMs! - a.durationMs!, 7));
  expect(mostPlayed!.trackIds).toEqual(expected(() => true, (a, b) => (plays.get(b.id) ?? 0) - (plays.get(a.id) ?? 0), 25));
  expect(newest!.trackIds).toEqual(expected((t) => !t.lossless, (a, b) => b.addedAt - a.addedAt, 60));
  expect(all!.trackIds).toEqual(expected(() => true, () => 0, 10_000));
  expect(longest!.durationMs).toBe(tracks.filter((t) => longest!.trackIds.includes(t.id)).reduce((sum, t) => sum + t.durationMs!, 0));
});
