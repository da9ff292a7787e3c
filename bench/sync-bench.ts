/**
 * `npm run bench:sync [-- --tracks N --runs R]`: the sync protocol's costs on loopback. Writes a generated library of
 * N tracks (default 100 000, realistic names from bench/synthetic, every track hashed) straight into a temporary
 * SQLite database, starts `omnisonic serve` on it in a process of its own, and measures with raw HTTP (wire bytes as
 * they arrive, `Accept-Encoding: gzip`):
 * - bootstrap: every snapshot page (limit 1 000) from the first to the last — ms, records, body bytes;
 * - an empty changes poll — ms and body bytes (median of 20);
 * - 1 000 changed tracks: their titles are edited in one transaction that appends their `library_events` like the
 *   catalog writers do, then one `/sync/changes?limit=1000` — ms, body bytes, and the body gzipped (level 6) when the
 *   server does not compress.
 * Prints the JSON report on stdout and writes it to bench-results/sync.json; progress goes to stderr. Figures are
 * medians over the runs. Targets: empty poll ≤ 200 bytes, 1 000 changes ≤ 150 KB gzipped, bootstrap ≤ 10 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import SQLite from 'better-sqlite3';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../src/db/database.js';
import { newId } from '../src/shared/ids.js';
import { artistSortKey, foldKey } from '../src/shared/text.js';
import { appendLibraryEvents } from '../src/sync/library-events-repository.js';
import { median, positiveInteger, round } from './bench-math.js';
import { checkUpperBounds, writeBenchReport } from './bench-report.js';
import { machineInfo } from './machine-info.js';
import { ArtistNamer, albumTitle, trackTitle } from './synthetic/names.js';
import { Random } from './synthetic/random.js';

const SEED = 11;
const CHANGED = 1000;
const PASSWORD = 'bench password 123';
const START_MS = Date.UTC(2023, 0, 1);
const TARGETS = [
  { metric: 'emptyPollBytes', comparison: '<=', threshold: 200 },
  { metric: 'changes1000GzipBytes', comparison: '<=', threshold: 150 * 1024 },
  { metric: 'bootstrapMs', comparison: '<=', threshold: 10_000 },
] as const;

interface Fetched {
  status: number;
  ms: number;
  /** Body bytes as they came over the wire (compressed when the server compressed). */
  wireBytes: number;
  /** Body bytes decoded. */
  rawBytes: number;
  /** The decoded body gzipped at level 6: what compression would make of it. */
  gzipBytes: number;
  compressed: boolean;
  json: unknown;
}

interface Run {
  run: number;
  bootstrapMs: number;
  bootstrapRecords: number;
  bootstrapPages: number;
  bootstrapWireBytes: number;
  bootstrapGzipBytes: number;
  emptyPollMs: number;
  emptyPollBytes: number;
  changes1000Ms: number;
  changes1000Records: number;
  changes1000WireBytes: number;
  changes1000RawBytes: number;
  changes1000GzipBytes: number;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const dataDir = await mkdtemp(join(tmpdir(), 'omnisonic-sync-bench-'));
  let server: ChildProcess | null = null;
  try {
    const database = await openDatabase({ dataDir });
    await migrateToLatest(database);
    await database.close();
    const generateStarted = performance.now();
    const library = generate(join(dataDir, 'omnisonic.db'), options.tracks);
    const generateMs = Math.round(performance.now() - generateStarted);
    log(`generated ${library.trackIds.length} tracks in ${generateMs} ms`);

    const started = await startServer(dataDir);
    server = started.child;
    const token = await deviceToken(started.url);
    log(`server listening on ${started.url}`);

    const handle = await openDatabase({ dataDir });
    const random = new Random(SEED + 1);
    const runs: Run[] = [];
    try {
      for (let run = 1; run <= options.runs; run += 1) runs.push(await measureRun(run, started.url, token, handle, library, random));
    } finally {
      await handle.close();
    }

    const medianOf = (key: Exclude<keyof Run, 'run'>) => round(median(runs.map((r) => r[key])), 1);
    const summary = {
      bootstrapMs: medianOf('bootstrapMs'),
      bootstrapRecords: medianOf('bootstrapRecords'),
      bootstrapWireBytes: medianOf('bootstrapWireBytes'),
      bootstrapGzipBytes: medianOf('bootstrapGzipBytes'),
      emptyPollMs: medianOf('emptyPollMs'),
      emptyPollBytes: medianOf('emptyPollBytes'),
      changes1000Ms: medianOf('changes1000Ms'),
      changes1000WireBytes: medianOf('changes1000WireBytes'),
      changes1000RawBytes: medianOf('changes1000RawBytes'),
      changes1000GzipBytes: medianOf('changes1000GzipBytes'),
    };
    const report = {
      benchmark: 'sync',
      date: new Date().toISOString(),
      machine: machineInfo(),
      library: { tracks: library.trackIds.length, albums: library.albums, artists: library.artists, generateMs },
      median: summary,
      targets: checkUpperBounds(TARGETS, summary),
      runs,
    };
    await writeBenchReport('sync', report);
  } finally {
    server?.kill('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** One run: a full bootstrap, empty polls at its end, then 1 000 tracks changed and fetched as changes. */
async function measureRun(run: number, url: string, token: string, handle: DatabaseHandle, library: Library, random: Random): Promise<Run> {
  const started = performance.now();
  let cursor: string | null = null;
  let changesCursor = '';
  let records = 0;
  let pages = 0;
  let wireBytes = 0;
  let gzipBytes = 0;
  do {
    const page = await get(url, token, `/api/v1/sync/bootstrap?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    const body = page.json as { items: unknown[]; nextCursor: string | null; changesCursor: string };
    records += body.items.length;
    pages += 1;
    wireBytes += page.wireBytes;
    gzipBytes += page.gzipBytes;
    cursor = body.nextCursor;
    changesCursor = body.changesCursor;
  } while (cursor);
  const bootstrapMs = performance.now() - started;
  log(`run ${run}: bootstrap ${records} records in ${pages} pages, ${Math.round(bootstrapMs)} ms, ${(wireBytes / 1_048_576).toFixed(1)} MB`);

  // Catch up with whatever the snapshot left for the change feed, then poll with nothing new.
  for (;;) {
    const page = (await get(url, token, `/api/v1/sync/changes?limit=1000&cursor=${encodeURIComponent(changesCursor)}`)).json as { nextCursor: string; hasMore: boolean };
    changesCursor = page.nextCursor;
    if (!page.hasMore) break;
  }
  const polls: Fetched[] = [];
  for (let i = 0; i < 20; i += 1) polls.push(await get(url, token, `/api/v1/sync/changes?limit=1000&cursor=${encodeURIComponent(changesCursor)}`));
  const emptyPoll = polls.at(-1)!.json as { changes: unknown[] };
  if (emptyPoll.changes.length !== 0) throw new Error(`the empty poll returned ${emptyPoll.changes.length} changes`);

  const changed = new Set<string>();
  while (changed.size < CHANGED) changed.add(library.trackIds[random.int(0, library.trackIds.length - 1)]!);
  await editTitles(handle, [...changed], library.libraryId, run);
  const changes = await get(url, token, `/api/v1/sync/changes?limit=1000&cursor=${encodeURIComponent(changesCursor)}`);
  const changeBody = changes.json as { changes: { id: string }[]; hasMore: boolean };
  const trackChanges = changeBody.changes.filter((c) => changed.has(c.id)).length;
  if (trackChanges !== CHANGED || changeBody.hasMore) throw new Error(`expected the ${CHANGED} changed tracks in one page, got ${trackChanges} (hasMore ${changeBody.hasMore})`);
  log(`run ${run}: ${CHANGED} changes in ${changes.ms.toFixed(1)} ms, ${changes.rawBytes} bytes, ${changes.gzipBytes} gzipped`);

  return {
    run,
    bootstrapMs: round(bootstrapMs, 0),
    bootstrapRecords: records,
    bootstrapPages: pages,
    bootstrapWireBytes: wireBytes,
    bootstrapGzipBytes: gzipBytes,
    emptyPollMs: round(median(polls.map((p) => p.ms)), 2),
    emptyPollBytes: polls.at(-1)!.wireBytes,
    changes1000Ms: round(changes.ms, 1),
    changes1000Records: changeBody.changes.length,
    changes1000WireBytes: changes.wireBytes,
    changes1000RawBytes: changes.rawBytes,
    changes1000GzipBytes: changes.gzipBytes,
  };
}

/** Edits the titles of `trackIds` in one transaction that logs them as the catalog writers do. */
async function editTitles(handle: DatabaseHandle, trackIds: string[], libraryId: string, run: number): Promise<void> {
  const now = Date.now();
  await handle.db.transaction().execute(async (trx) => {
    for (const id of trackIds) {
      await trx.updateTable('tracks').set({ title: `Edited ${run} ${id.slice(0, 6)}`, titleKey: foldKey(`Edited ${run} ${id.slice(0, 6)}`), updatedAt: now }).where('id', '=', id).execute();
    }
    await appendLibraryEvents(
      trx,
      trackIds.map((id) => ({ entityType: 'track' as const, entityId: id, op: 'upsert' as const, libraryId, ownerUserId: null })),
      now,
    );
  });
}

/** GET with a bearer token over raw HTTP, so the body is counted as it arrives on the wire. */
function get(url: string, token: string, path: string): Promise<Fetched> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const request = http.get(`${url}${path}`, { headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const ms = performance.now() - started;
        const wire = Buffer.concat(chunks);
        const compressed = response.headers['content-encoding'] === 'gzip';
        const raw = compressed ? gunzipSync(wire) : wire;
        if ((response.statusCode ?? 0) >= 400) {
          reject(new Error(`GET ${path}: ${response.statusCode} ${raw.toString('utf8').slice(0, 300)}`));
          return;
        }
        resolvePromise({
          status: response.statusCode ?? 0,
          ms,
          wireBytes: wire.length,
          rawBytes: raw.length,
          gzipBytes: compressed ? wire.length : gzipSync(raw, { level: 6 }).length,
          compressed,
          json: JSON.parse(raw.toString('utf8')),
        });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

interface Library {
  libraryId: string;
  trackIds: string[];
  albums: number;
  artists: number;
}

/**
 * Writes the library with prepared statements in one transaction (the scanner's path would take minutes): artists
 * with 3–7 albums of 6–14 tracks, every track hashed (`content_hash` set) so all of them are in the snapshot.
 */
function generate(file: string, trackCount: number): Library {
  const random = new Random(SEED);
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = OFF');
  const insert = {
    library: sqlite.prepare("insert into libraries (id, name, root_path, kind, created_at) values (?, ?, ?, 'music', ?)"),
    artist: sqlite.prepare('insert into artists (id, name, name_key, sort_name, created_at) values (?, ?, ?, ?, ?)'),
    album: sqlite.prepare(
      'insert into albums (id, title, title_key, album_artist_id, album_artist_name, group_key, year, compilation, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)',
    ),
    track: sqlite.prepare(
      `insert into tracks (id, library_id, path, status, size, mtime_ms, fingerprint, content_hash, title, title_key, artist, album_id, album_artist,
        track_number, disc_number, year, duration_ms, codec, container, lossless, compilation, added_at, updated_at)
       values (?, ?, ?, 'ok', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, 0, ?, ?)`,
    ),
    credit: sqlite.prepare("insert into track_artists (track_id, artist_id, role, position) values (?, ?, 'artist', 0)"),
  };
  const library: Library = { libraryId: newId(), trackIds: [], albums: 0, artists: 0 };
  sqlite.transaction(() => {
    insert.library.run(library.libraryId, 'Music', '/nonexistent/omnisonic-sync-bench', START_MS);
    const namer = new ArtistNamer(random);
    const artists = new Map<string, string>();
    while (library.trackIds.length < trackCount) {
      const name = namer.next();
      let artistId = artists.get(foldKey(name));
      if (!artistId) {
        artistId = newId();
        artists.set(foldKey(name), artistId);
        insert.artist.run(artistId, name, foldKey(name), artistSortKey(name), START_MS);
      }
      for (let a = random.int(3, 7); a > 0 && library.trackIds.length < trackCount; a -= 1) {
        const album = { id: newId(), title: albumTitle(random), year: random.int(1960, 2024) };
        insert.album.run(album.id, album.title, foldKey(album.title), artistId, name, album.id, album.year, START_MS, START_MS);
        library.albums += 1;
        for (let n = 1, count = random.int(6, 14); n <= count && library.trackIds.length < trackCount; n += 1) {
          const id = newId();
          const title = trackTitle(random);
          const lossless = random.chance(0.6);
          insert.track.run(
            id, library.libraryId, `${name}/${album.title} [${album.id}]/${n} ${title}.${lossless ? 'flac' : 'mp3'}`, random.int(3, 40) * 1_000_000,
            START_MS, id, randomBytes(32).toString('hex'), title, foldKey(title), name, album.id, name, n, album.year, random.int(120, 480) * 1000,
            lossless ? 'FLAC' : 'MPEG 1 Layer 3', lossless ? 'FLAC' : 'MPEG', lossless ? 1 : 0, START_MS, START_MS,
          );
          insert.credit.run(id, artistId);
          library.trackIds.push(id);
        }
      }
    }
    library.artists = artists.size;
  })();
  sqlite.close();
  return library;
}

/** `omnisonic serve` on the data dir (no music folders, no scans, no watcher); resolves once it listens. */
function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [resolve('bin/omnisonic.js'), 'serve', '--data', dataDir, '--port', '0'], {
      env: { ...process.env, OMNISONIC_WATCH: 'false', OMNISONIC_SCAN_ON_START: 'false', OMNISONIC_LOG_LEVEL: 'info', OMNISONIC_ADMIN_PASSWORD: PASSWORD },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match) resolvePromise({ child, url: match[1]! });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

/** Signs in as the admin and registers a device: the sync API keeps per-device cursors. */
async function deviceToken(url: string): Promise<string> {
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
  const session = ((await login.json()) as { token: string }).token;
  const device = await fetch(`${url}/api/v1/devices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session}` },
    body: JSON.stringify({ name: 'bench', platform: 'bench', appVersion: '1', clientId: randomUUID() }),
  });
  return ((await device.json()) as { accessToken: string }).accessToken;
}

function parseOptions(): { tracks: number; runs: number } {
  const { values } = parseArgs({ options: { tracks: { type: 'string', default: '100000' }, runs: { type: 'string', default: '3' } } });
  return { tracks: positiveInteger('--tracks', values.tracks), runs: positiveInteger('--runs', values.runs) };
}

function log(message: string): void {
  process.stderr.write(`bench:sync: ${message}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:sync: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
