/**
 * `npm run bench:subsonic [-- --tracks N --page P --runs R]`: writes a generated library of N tracks (default
 * 100 000, realistic names from bench/synthetic) straight into a temporary SQLite database, starts the server on
 * loopback and syncs the whole library as Symfonium does on first start: `search3` with an empty query, songs,
 * albums and artists paged P at a time (default 500) with offsets, over HTTP (JSON, token auth), until every list
 * comes back short. Reports the total time and bytes, request count and page latencies, and checks that the counts
 * equal the catalog. Prints the JSON report on stdout and writes it to bench-results/subsonic.json; progress goes
 * to stderr. Figures are medians over the runs.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import SQLite from 'better-sqlite3';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrateToLatest, openDatabase } from '../src/db/database.js';
import { newId } from '../src/shared/ids.js';
import { artistSortKey, foldKey } from '../src/shared/text.js';
import { median, positiveInteger, round } from './bench-math.js';
import { checkUpperBounds, writeBenchReport } from './bench-report.js';
import { machineInfo } from './machine-info.js';
import { ArtistNamer, GENRES, albumTitle, trackTitle } from './synthetic/names.js';
import { Random } from './synthetic/random.js';

const SEED = 11;
const START_MS = Date.UTC(2023, 0, 1);
const DAY = 86_400_000;
const TARGETS = [{ metric: 'totalMs', comparison: '<=', threshold: 20_000 }] as const;
const USER = 'bench';
const PASSWORD = 'bench-subsonic-password';

interface Counts {
  tracks: number;
  albums: number;
  artists: number;
}

interface Run {
  run: number;
  totalMs: number;
  bytes: number;
  requests: number;
  seen: Counts;
  pageP50Ms: number;
  pageP95Ms: number;
  pageMaxMs: number;
  /** Latency of the first and the last song page: paging must not slow down towards the end. */
  firstPageMs: number;
  lastPageMs: number;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const dataDir = await mkdtemp(join(tmpdir(), 'omnisonic-subsonic-bench-'));
  try {
    const started = performance.now();
    const database = await openDatabase({ dataDir });
    await migrateToLatest(database);
    await database.close();
    const counts = generate(join(dataDir, 'omnisonic.db'), options.tracks);
    const generateMs = performance.now() - started;
    log(`generated ${counts.tracks} tracks, ${counts.albums} albums, ${counts.artists} artists in ${Math.round(generateMs)} ms`);

    const config = {
      ...loadConfig({ data: dataDir }, { OMNISONIC_LOG_LEVEL: 'silent' }),
      watch: false,
      scanOnStart: false,
      scanIntervalMinutes: 0,
      backgroundIndexing: false,
    };
    const app = await buildApp(config);
    try {
      await app.omnisonic.auth.createUser({ username: USER, password: PASSWORD, role: 'admin' });
      const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: USER, password: PASSWORD } });
      const authorization = `Bearer ${login.json().token}`;
      const set = await app.inject({ method: 'PUT', url: '/api/v1/me/subsonic-password', headers: { authorization }, payload: { password: PASSWORD } });
      if (set.statusCode !== 204) throw new Error(`could not set the Subsonic password: ${set.body}`);
      await app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

      const runs: Run[] = [];
      for (let run = 1; run <= options.runs; run++) {
        const result = await sync(base, options.page, run);
        log(`run ${run}: ${result.requests} requests, ${(result.bytes / 1e6).toFixed(1)} MB in ${result.totalMs} ms`);
        for (const key of ['tracks', 'albums', 'artists'] as const) {
          if (result.seen[key] !== counts[key]) throw new Error(`run ${run}: saw ${result.seen[key]} ${key}, the catalog has ${counts[key]}`);
        }
        runs.push(result);
      }
      const medianOf = (key: 'totalMs' | 'bytes' | 'pageP50Ms' | 'pageP95Ms') => round(median(runs.map((r) => r[key])), 2);
      const summary = { totalMs: medianOf('totalMs'), bytes: medianOf('bytes'), pageP50Ms: medianOf('pageP50Ms'), pageP95Ms: medianOf('pageP95Ms') };
      const report = {
        benchmark: 'subsonic',
        date: new Date().toISOString(),
        machine: machineInfo(),
        library: { ...counts, generateMs: Math.round(generateMs) },
        sync: { method: 'search3', query: '', pageSize: options.page, format: 'json', auth: 'u+t+s', transport: 'HTTP/1.1 loopback, keep-alive' },
        median: summary,
        targets: checkUpperBounds(TARGETS, summary),
        runs,
      };
      await writeBenchReport('subsonic', report);
    } finally {
      await app.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * One full sync: search3 pages with the same offset for the three lists, each list left out (count 0) once it came
 * back short, as a client stops asking for what it has.
 */
async function sync(base: string, page: number, run: number): Promise<Run> {
  const salt = `s${run}${Date.now()}`;
  const auth = { u: USER, t: createHash('md5').update(PASSWORD + salt).digest('hex'), s: salt, v: '1.16.1', c: 'bench', f: 'json' };
  const seen: Counts = { tracks: 0, albums: 0, artists: 0 };
  const open = { song: true, album: true, artist: true };
  const latencies: number[] = [];
  let bytes = 0;
  let requests = 0;
  const started = performance.now();
  for (let offset = 0; open.song || open.album || open.artist; offset += page) {
    const query = new URLSearchParams({ ...auth, query: '' });
    for (const kind of ['song', 'album', 'artist'] as const) {
      query.set(`${kind}Count`, open[kind] ? String(page) : '0');
      query.set(`${kind}Offset`, String(offset));
    }
    const t0 = performance.now();
    const response = await fetch(`${base}/rest/search3?${query}`);
    const body = await response.arrayBuffer();
    latencies.push(performance.now() - t0);
    bytes += body.byteLength;
    requests++;
    const result = JSON.parse(Buffer.from(body).toString('utf8'))['subsonic-response'];
    if (result.status !== 'ok') throw new Error(`search3 failed: ${JSON.stringify(result.error)}`);
    const lists = result.searchResult3 as { song?: unknown[]; album?: unknown[]; artist?: unknown[] };
    const got = { song: lists.song?.length ?? 0, album: lists.album?.length ?? 0, artist: lists.artist?.length ?? 0 };
    seen.tracks += got.song;
    seen.albums += got.album;
    seen.artists += got.artist;
    for (const kind of ['song', 'album', 'artist'] as const) if (open[kind] && got[kind] < page) open[kind] = false;
  }
  const totalMs = performance.now() - started;
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  return {
    run,
    totalMs: round(totalMs, 0),
    bytes,
    requests,
    seen,
    pageP50Ms: round(at(50), 1),
    pageP95Ms: round(at(95), 1),
    pageMaxMs: round(sorted.at(-1) ?? 0, 1),
    firstPageMs: round(latencies[0] ?? 0, 1),
    lastPageMs: round(latencies.at(-1) ?? 0, 1),
  };
}

/**
 * Writes the library with one prepared statement per table in one transaction: artists with 3–7 albums of 6–14
 * tracks, a genre per album, 60% FLAC and 40% MP3, with the audio fields a Subsonic `Child` carries.
 */
function generate(file: string, trackCount: number): Counts {
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
        track_number, disc_number, year, duration_ms, bitrate, sample_rate, bit_depth, channels, codec, container, lossless, compilation, added_at, updated_at)
       values (?, ?, ?, 'ok', ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, 44100, ?, 2, ?, ?, ?, 0, ?, ?)`,
    ),
    credit: sqlite.prepare('insert into track_artists (track_id, artist_id, role, position) values (?, ?, ?, 0)'),
    tag: sqlite.prepare('insert into track_genres (track_id, genre_id, position) values (?, ?, 0)'),
  };
  const counts: Counts = { tracks: 0, albums: 0, artists: 0 };
  sqlite.transaction(() => {
    const libraryId = newId();
    insert.library.run(libraryId, 'Music', '/music', START_MS);
    const genreIds = GENRES.map((name) => {
      const id = newId();
      insert.genre.run(id, name, foldKey(name));
      return id;
    });
    const namer = new ArtistNamer(random);
    const artists = new Map<string, string>();
    while (counts.tracks < trackCount) {
      const name = namer.next();
      let artistId = artists.get(foldKey(name));
      if (!artistId) {
        artistId = newId();
        artists.set(foldKey(name), artistId);
        insert.artist.run(artistId, name, foldKey(name), artistSortKey(name), START_MS);
      }
      for (let a = random.int(3, 7); a > 0 && counts.tracks < trackCount; a--) {
        const album = { id: newId(), title: albumTitle(random), year: random.int(1960, 2024) };
        insert.album.run(album.id, album.title, foldKey(album.title), artistId, name, album.id, album.year, START_MS, START_MS);
        counts.albums++;
        const genre = genreIds[random.int(0, genreIds.length - 1)];
        for (let n = 1, total = random.int(6, 14); n <= total && counts.tracks < trackCount; n++) {
          const id = newId();
          const title = trackTitle(random);
          const lossless = random.chance(0.6);
          const durationMs = random.int(120, 480) * 1000;
          const bitrate = lossless ? random.int(700, 1100) * 1000 : 320_000;
          const addedAt = START_MS + random.int(0, 730) * DAY;
          insert.track.run(
            id, libraryId, `${name}/${album.title} [${album.id}]/${n} ${title}.${lossless ? 'flac' : 'mp3'}`, Math.round((durationMs / 1000) * (bitrate / 8)),
            addedAt, id, title, foldKey(title), name, album.id, name, n, album.year, durationMs, bitrate, lossless ? 16 : null,
            lossless ? 'FLAC' : 'MPEG 1 Layer 3', lossless ? 'FLAC' : 'MPEG', lossless ? 1 : 0, addedAt, addedAt,
          );
          insert.credit.run(id, artistId, 'artist');
          insert.credit.run(id, artistId, 'album_artist');
          insert.tag.run(id, genre);
          counts.tracks++;
        }
      }
    }
    counts.artists = artists.size;
  })();
  sqlite.close();
  return counts;
}

function parseOptions(): { tracks: number; page: number; runs: number } {
  const { values } = parseArgs({
    options: {
      tracks: { type: 'string', default: '100000' },
      page: { type: 'string', default: '500' },
      runs: { type: 'string', default: '1' },
    },
  });
  return { tracks: positiveInteger('--tracks', values.tracks), page: positiveInteger('--page', values.page), runs: positiveInteger('--runs', values.runs) };
}

function log(message: string): void {
  process.stderr.write(`bench:subsonic: ${message}\n`);
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
