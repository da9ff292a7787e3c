/**
 * `npm run bench:search [-- --tracks N --queries Q --runs R]`: writes a generated library of N tracks (default
 * 100 000, realistic names from bench/synthetic) straight into a temporary SQLite database, then per run builds the
 * search index from it (time, heap it holds) and answers Q queries (default 1 000) through the search service,
 * hydration included, 20 per list: one-word, prefix-as-you-type, multi-word, typo (all three lists) and filter-only
 * (tracks, with a sort), as an admin; `--plays N` gives them N plays (over N/3 tracks) and 270 favorites, so the
 * user-statistics side of ranking and hydration is measured too. `--tracks 20000` is a quicker run for iterating.
 * Prints the JSON report on
 * stdout and writes it to bench-results/search.json; progress goes to stderr. Figures are medians over the runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { checkUpperBounds, writeBenchReport } from './bench-report.js';
import { machineInfo } from './machine-info.js';
import { median, positiveInteger, round } from './bench-math.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import SQLite from 'better-sqlite3';
import { createCatalogRepository } from '../src/catalog/catalog-repository.js';
import { createCatalogService } from '../src/catalog/catalog-service.js';
import { createCollectionRepository } from '../src/collection/collection-repository.js';
import { createUserItemStats } from '../src/collection/collection-service.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../src/db/database.js';
import { createLibraryAccessRepository } from '../src/library/access-repository.js';
import type { SearchIndex } from '../src/search/search-index.js';
import { createSearchRepository } from '../src/search/search-repository.js';
import { createSearchService, type SearchRequest } from '../src/search/search-service.js';
import { createInProcessEventBus } from '../src/shared/events.js';
import { newId } from '../src/shared/ids.js';
import { artistSortKey, foldKey } from '../src/shared/text.js';
import { ArtistNamer, GENRES, albumTitle, trackTitle } from './synthetic/names.js';
import { Random } from './synthetic/random.js';

const SEED = 7;
const MB = 1024 * 1024;
const TARGETS = [
  { metric: 'p95Ms', comparison: '<=', threshold: 20 },
  { metric: 'p99Ms', comparison: '<=', threshold: 50 },
  { metric: 'indexHeapMB', comparison: '<=', threshold: 200 },
] as const;
const KINDS = ['one-word', 'prefix', 'multi-word', 'typo', 'filter-only'] as const;
type Kind = (typeof KINDS)[number];
const KEYS = ['C', 'Am', 'G', 'Em', 'D', 'Bm', 'A', 'F#m', 'E', 'C#m', 'F', 'Dm'];
const START_MS = Date.UTC(2023, 0, 1);
const DAY = 86_400_000;

/** One run's figures: ms and MB; `byKind` splits the latencies by query kind. */
interface Run extends Percentiles {
  run: number;
  buildMs: number;
  indexHeapMB: number;
  rssMB: number;
  byKind: Record<string, Percentiles & { queries: number }>;
  /**
   * Where a query's time goes (ms per query, p50 and p95 of each): reading the user's plays and favorites
   * (`signals`), hydrating the results through the catalog (`hydration`: SQL for the objects, their statistics and
   * the user's), and the rest (`index`: matching, filtering and ranking in memory).
   */
  spans: Record<keyof Spans | 'index', { p50Ms: number; p95Ms: number }>;
  /** Queries that found nothing (typos beyond reach, filters matching no track). */
  emptyResults: number;
  index: ReturnType<SearchIndex['stats']>;
}

interface Percentiles {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
}

interface Generated {
  tracks: { title: string; artist: string; album: string }[];
  counts: { tracks: number; albums: number; artists: number; genres: number; plays: number; favorites: number };
  /** The listener whose searches are timed: an admin, with the play history and favorites `--plays` asks for. */
  listenerId: string;
}

/** Time spent per query in the parts `Run.spans` reports; reset before each timed query. */
interface Spans {
  signals: number;
  hydration: number;
}
const spans: Spans = { signals: 0, hydration: 0 };

const active: Record<keyof Spans, { calls: number; since: number }> = { signals: { calls: 0, since: 0 }, hydration: { calls: 0, since: 0 } };

/**
 * `fn` with its calls' time added to `spans[span]`: the wall time while at least one call of the span is under way,
 * so concurrent calls (the three hydrations) are not counted twice.
 */
function timed<A extends unknown[], R>(span: keyof Spans, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    if (active[span].calls++ === 0) active[span].since = performance.now();
    try {
      return await fn(...args);
    } finally {
      if (--active[span].calls === 0) spans[span] += performance.now() - active[span].since;
    }
  };
}

/** With `--plays N`: favorites of each type the listener also has (their N plays go to N/3 distinct tracks). */
const FAVORITES = { track: 200, album: 50, artist: 20 };

async function main(): Promise<void> {
  const options = parseOptions();
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const dataDir = await mkdtemp(join(tmpdir(), 'omnisonic-search-bench-'));
  try {
    const started = performance.now();
    const database = await openDatabase({ dataDir });
    await migrateToLatest(database);
    const generated = generate(join(dataDir, 'omnisonic.db'), options.tracks, options.plays);
    const generateMs = performance.now() - started;
    log(`generated ${generated.counts.tracks} tracks in ${Math.round(generateMs)} ms`);
    const admin = { id: generated.listenerId, role: 'admin' as const };
    const queries = makeQueries(new Random(SEED + 1), generated, options.queries);

    const runs: Run[] = [];
    for (let run = 1; run <= options.runs; run++) runs.push(await measureRun(run, database, queries, gc, admin));
    await database.close();

    const medianOf = (key: 'buildMs' | 'indexHeapMB' | 'p50Ms' | 'p95Ms' | 'p99Ms') => round(median(runs.map((r) => r[key])), 2);
    const summary = { p50Ms: medianOf('p50Ms'), p95Ms: medianOf('p95Ms'), p99Ms: medianOf('p99Ms'), buildMs: medianOf('buildMs'), indexHeapMB: medianOf('indexHeapMB') };
    const report = {
      benchmark: 'search',
      date: new Date().toISOString(),
      machine: machineInfo(),
      library: { ...generated.counts, generateMs: Math.round(generateMs) },
      queries: { total: queries.length, mix: Object.fromEntries(KINDS.map((kind) => [kind, queries.filter((q) => q.kind === kind).length])), limit: 20 },
      median: summary,
      targets: checkUpperBounds(TARGETS, summary),
      runs,
    };
    await writeBenchReport('search', report);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * One run: build the index from the database, then time the queries after 50 untimed ones. A function of its own so
 * that the previous run's index is unreachable (not held by a loop's locals) when the heap is measured.
 */
async function measureRun(
  run: number,
  database: DatabaseHandle,
  queries: { kind: Kind; request: SearchRequest }[],
  gc: () => void,
  viewer: { id: string; role: 'admin' },
): Promise<Run> {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const search = createService(database);
  search.start();
  await search.settled();
  const buildMs = performance.now() - started;
  gc();
  const indexHeapMB = (process.memoryUsage().heapUsed - heapBefore) / MB;
  const rssMB = process.memoryUsage().rss / MB;
  log(`run ${run}: index built in ${Math.round(buildMs)} ms, ${indexHeapMB.toFixed(1)} MB heap`);
  for (const { request } of queries.slice(0, 50)) await search.search(viewer, request);
  const timings: Record<Kind, number[]> = { 'one-word': [], prefix: [], 'multi-word': [], typo: [], 'filter-only': [] };
  const parts: Record<keyof Run['spans'], number[]> = { signals: [], hydration: [], index: [] };
  let empty = 0;
  for (const { kind, request } of queries) {
    spans.signals = 0;
    spans.hydration = 0;
    const t0 = performance.now();
    const result = await search.search(viewer, request);
    const ms = performance.now() - t0;
    timings[kind].push(ms);
    parts.signals.push(spans.signals);
    parts.hydration.push(spans.hydration);
    parts.index.push(ms - spans.signals - spans.hydration);
    if (result.tracks.length + result.albums.length + result.artists.length === 0) empty++;
  }
  await search.stop();
  return {
    run,
    buildMs: round(buildMs, 0),
    indexHeapMB: round(indexHeapMB, 1),
    rssMB: round(rssMB, 0),
    ...percentiles(Object.values(timings).flat()),
    byKind: Object.fromEntries(KINDS.map((kind) => [kind, { queries: timings[kind].length, ...percentiles(timings[kind]) }])),
    spans: Object.fromEntries(
      Object.entries(parts).map(([span, values]) => {
        const { p50Ms, p95Ms } = percentiles(values);
        return [span, { p50Ms, p95Ms }];
      }),
    ) as Run['spans'],
    emptyResults: empty,
    index: search.index.stats(),
  };
}

function createService(database: DatabaseHandle) {
  const access = createLibraryAccessRepository(database.db);
  const visibleLibraryIds = (viewer: { id: string; role: 'admin' | 'user' }) => access.visibleLibraryIds(viewer.id, viewer.role === 'admin');
  const catalog = createCatalogRepository(database.db);
  const itemStats = createUserItemStats(createCollectionRepository(database.db));
  const repository = createSearchRepository(database.db);
  return createSearchService({
    repository: { ...repository, userSignals: timed('signals', repository.userSignals) },
    bus: createInProcessEventBus(),
    catalogFor: (libraryIds) => {
      const service = createCatalogService({ catalog, visibleLibraryIds: async () => libraryIds, itemStats });
      return {
        tracksByIds: timed('hydration', service.tracksByIds),
        albumsByIds: timed('hydration', service.albumsByIds),
        artistsByIds: timed('hydration', service.artistsByIds),
      };
    },
    visibleLibraryIds,
    log: { error: (data, message) => log(`${message}: ${JSON.stringify(data)}`) },
  });
}

/**
 * Writes the library with one prepared statement per table in one transaction (the scanner's path would take
 * minutes): artists with about 5 albums of 6–14 tracks, a genre per track, 60% FLAC and 40% MP3, BPM and key on
 * most tracks, added over two years.
 */
function generate(file: string, trackCount: number, playCount: number): Generated {
  const random = new Random(SEED);
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = OFF');
  const insert = {
    library: sqlite.prepare('insert into libraries (id, name, root_path, created_at) values (?, ?, ?, ?)'),
    artist: sqlite.prepare('insert into artists (id, name, name_key, sort_name, created_at) values (?, ?, ?, ?, ?)'),
    genre: sqlite.prepare('insert into genres (id, name, name_key) values (?, ?, ?)'),
    album: sqlite.prepare(
      'insert into albums (id, title, title_key, album_artist_id, album_artist_name, group_key, year, compilation, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)',
    ),
    track: sqlite.prepare(
      `insert into tracks (id, library_id, path, status, size, mtime_ms, fingerprint, title, title_key, artist, album_id, album_artist,
        track_number, year, bpm, musical_key, duration_ms, codec, container, lossless, compilation, added_at, updated_at)
       values (?, ?, ?, 'ok', 5000000, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
    ),
    credit: sqlite.prepare('insert into track_artists (track_id, artist_id, role, position) values (?, ?, ?, 0)'),
    tag: sqlite.prepare('insert into track_genres (track_id, genre_id, position) values (?, ?, 0)'),
    user: sqlite.prepare("insert into users (id, username, username_key, password_hash, role, disabled, created_at) values (?, 'listener', 'listener', '!', 'admin', 0, ?)"),
    play: sqlite.prepare('insert into plays (id, user_id, track_id, played_at, duration_played_ms, device_id, recorded_at) values (?, ?, ?, ?, 120000, null, ?)'),
    favorite: sqlite.prepare('insert into favorites (user_id, item_type, item_id, favorited_at) values (?, ?, ?, ?)'),
  };
  const generated: Generated = {
    tracks: [],
    counts: { tracks: 0, albums: 0, artists: 0, genres: GENRES.length, plays: 0, favorites: 0 },
    listenerId: newId(),
  };
  const ids = { track: [] as string[], album: [] as string[], artist: [] as string[] };
  sqlite.transaction(() => {
    const libraryId = newId();
    insert.library.run(libraryId, 'Music', '/music', START_MS);
    const genreIds = GENRES.map((name) => {
      const id = newId();
      insert.genre.run(id, name, foldKey(name));
      return id;
    });
    const namer = new ArtistNamer(random);
    const artists = new Map<string, { id: string; name: string }>();
    while (generated.counts.tracks < trackCount) {
      const name = namer.next();
      let artist = artists.get(foldKey(name));
      if (!artist) {
        artist = { id: newId(), name };
        artists.set(foldKey(name), artist);
        ids.artist.push(artist.id);
        insert.artist.run(artist.id, name, foldKey(name), artistSortKey(name), START_MS);
      }
      for (let a = random.int(3, 7); a > 0 && generated.counts.tracks < trackCount; a--) {
        const album = { id: newId(), title: albumTitle(random), year: random.int(1960, 2024) };
        insert.album.run(album.id, album.title, foldKey(album.title), artist.id, artist.name, `${album.id}`, album.year, START_MS, START_MS);
        generated.counts.albums++;
        ids.album.push(album.id);
        const genre = random.int(0, genreIds.length - 1);
        for (let n = 1, count = random.int(6, 14); n <= count && generated.counts.tracks < trackCount; n++) {
          const id = newId();
          const title = trackTitle(random);
          const lossless = random.chance(0.6);
          const addedAt = START_MS + random.int(0, 730) * DAY;
          insert.track.run(
            id, libraryId, `${artist.name}/${album.title} [${album.id}]/${n} ${title}.${lossless ? 'flac' : 'mp3'}`, addedAt, id, title, foldKey(title), artist.name,
            album.id, artist.name, n, album.year, random.chance(0.7) ? random.int(60, 180) : null, random.chance(0.6) ? random.pick(KEYS) : null,
            random.int(120, 480) * 1000, lossless ? 'FLAC' : 'MPEG 1 Layer 3', lossless ? 'FLAC' : 'MPEG', lossless ? 1 : 0, addedAt, addedAt,
          );
          insert.credit.run(id, artist.id, 'artist');
          ids.track.push(id);
          insert.tag.run(id, genreIds[genre]);
          generated.tracks.push({ title, artist: artist.name, album: album.title });
          generated.counts.tracks++;
        }
      }
    }
    generated.counts.artists = artists.size;
    insert.user.run(generated.listenerId, START_MS);
    if (playCount === 0) return;
    const played = Array.from({ length: Math.max(1, Math.round(playCount / 3)) }, () => random.pick(ids.track));
    for (let n = 0; n < playCount; n++) {
      const at = START_MS + n * 60_000;
      insert.play.run(newId(), generated.listenerId, random.pick(played), at, at);
      generated.counts.plays++;
    }
    for (const type of ['track', 'album', 'artist'] as const) {
      for (const id of new Set(Array.from({ length: Math.min(FAVORITES[type], ids[type].length) }, () => random.pick(ids[type])))) {
        insert.favorite.run(generated.listenerId, type, id, START_MS);
        generated.counts.favorites++;
      }
    }
  })();
  sqlite.close();
  return generated;
}

/** Words of a name as a user would type them: letters only, lower-case, diacritics kept (search folds them). */
function wordsOf(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => !/^\d+$/.test(word));
}

/** One edit (substitute, delete, insert or swap) in the middle of a word of 5+ letters. */
function typo(random: Random, word: string): string {
  const at = random.int(1, word.length - 2);
  switch (random.int(0, 3)) {
    case 0:
      return word.slice(0, at) + 'x' + word.slice(at + 1);
    case 1:
      return word.slice(0, at) + word.slice(at + 1);
    case 2:
      return word.slice(0, at) + word[at] + word.slice(at);
    default:
      return word.slice(0, at - 1) + word[at] + word[at - 1] + word.slice(at + 1);
  }
}

function makeQueries(random: Random, generated: Generated, count: number): { kind: Kind; request: SearchRequest }[] {
  const queries: { kind: Kind; request: SearchRequest }[] = [];
  const pickTrack = () => generated.tracks[random.int(0, generated.tracks.length - 1)]!;
  for (let i = 0; i < count; i++) {
    const kind = KINDS[i % KINDS.length]!;
    const track = pickTrack();
    const field = random.pick([track.title, track.artist, track.album]);
    const words = wordsOf(field);
    let request: SearchRequest;
    switch (kind) {
      case 'one-word':
        request = { q: random.pick(words.length ? words : wordsOf(track.artist)) };
        break;
      case 'prefix': {
        // Typing the name: whole words so far, then part of the next one (at least 2 letters).
        const all = wordsOf(`${track.artist} ${track.title}`);
        const upTo = random.int(0, all.length - 1);
        const last = all[upTo]!;
        request = { q: [...all.slice(0, upTo), last.slice(0, random.int(Math.min(2, last.length), last.length))].join(' ') };
        break;
      }
      case 'multi-word':
        request = { q: `${random.pick(wordsOf(track.artist))} ${random.pick(wordsOf(track.title).length ? wordsOf(track.title) : wordsOf(track.album))}` };
        break;
      case 'typo': {
        const long = wordsOf(`${track.artist} ${track.title} ${track.album}`).filter((word) => word.length >= 5);
        request = { q: long.length ? typo(random, random.pick(long)) : track.title };
        break;
      }
      case 'filter-only': {
        const from = random.int(1960, 2020);
        request = random.pick<SearchRequest>([
          { genre: random.pick(GENRES), yearFrom: from, yearTo: from + 5 },
          { lossless: true, addedSince: START_MS + 700 * DAY, sort: 'added' },
          { bpmMin: 120, bpmMax: 128, key: random.pick(KEYS), sort: 'bpm' },
          { genre: random.pick(GENRES), sort: 'year' },
          { durationMin: 400, codec: 'FLAC', sort: 'duration' },
        ]);
        break;
      }
    }
    // Filters select tracks (albums and artists only follow them), so a filter UI lists tracks.
    queries.push({ kind, request: { ...request, ...(kind === 'filter-only' ? { types: ['track'] } : {}), limit: 20 } });
  }
  return queries;
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length);
  return { p50Ms: round(at(50), 2), p95Ms: round(at(95), 2), p99Ms: round(at(99), 2), meanMs: round(mean, 2) };
}

function parseOptions(): { tracks: number; queries: number; runs: number; plays: number } {
  const { values } = parseArgs({
    options: {
      tracks: { type: 'string', default: '100000' },
      queries: { type: 'string', default: '1000' },
      runs: { type: 'string', default: '3' },
      plays: { type: 'string', default: '0' },
    },
  });
  const plays = values.plays === '0' ? 0 : positiveInteger('--plays', values.plays);
  return { tracks: positiveInteger('--tracks', values.tracks), queries: positiveInteger('--queries', values.queries), runs: positiveInteger('--runs', values.runs), plays };
}

function log(message: string): void {
  process.stderr.write(`bench:search: ${message}\n`);
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
