import path from 'node:path';
import type { TracksTable } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import type { BusEvent } from '../../shared/events.js';
import { newId } from '../../shared/ids.js';
import type { KnownDuplicate, KnownTrack, LibraryRepository, LibraryRow, ScanBatch } from '../library-repository.js';
import { batchIsEmpty, emptyBatch } from '../library-repository.js';
import type { ArtworkStore, StoredArtwork } from './artwork-store.js';
import { resolveTrackEntities, type CatalogKeys, type CreatedIds } from './batch-builder.js';
import { brokenFingerprint, sha256Bytes, trackFingerprint } from './content-hash.js';
import { refreshAlbums } from './album-refresh.js';
import type { TrackFileReadResult } from './track-file.js';
import { brokenTrackFields, trackFieldsFromTags } from './track-fields.js';
import type { WalkedFile, WalkResult } from './walker.js';

/** A folder to scan: `dir` relative to the library root, '' for the whole library. */
export interface ScanScope {
  libraryId: string;
  dir: string;
}

/** A file or folder the scan could not catalogue as audio. `path` as described on `ScanSummary`. */
export interface BrokenEntry {
  path: string;
  reason: string;
}

/**
 * What a scan did. Paths are relative to the library root, prefixed by the library name ("Music/a/b.mp3") when
 * several libraries are configured. Counts are files: `added` new tracks (broken ones included), `updated` changed
 * files re-read in place, `moved` tracks found at a new path (same id), `missing` tracks whose file is gone
 * (soft-deleted), `reactivated` missing tracks whose file is back, `unchanged` files left alone, `duplicates`
 * new locations of content already catalogued. `broken` lists every broken file and unreadable folder seen.
 */
export interface ScanSummary {
  added: number;
  updated: number;
  moved: number;
  missing: number;
  reactivated: number;
  unchanged: number;
  duplicates: number;
  broken: BrokenEntry[];
  /** Folders scanned (displayed like paths), or null for a full scan of every library. */
  scope: string[] | null;
  /** Epoch ms. */
  startedAt: number;
  finishedAt: number;
  durationMs: number;
}

export type ReadTrackFile = (absPath: string, options: { timeoutMs: number; size?: number }) => Promise<TrackFileReadResult>;

/** File access the scan needs beyond the walk; behind an interface so rules are testable without a disk. */
export interface ScannerFileSystem {
  walk(root: string, dir: string, onProgress?: (found: number) => void): Promise<WalkResult>;
  /** Null when the path does not exist (or cannot be stat'ed). */
  stat(absPath: string): Promise<{ size: number; mtimeMs: number } | null>;
  readFile(absPath: string): Promise<Uint8Array>;
  sha256File(absPath: string): Promise<string>;
}

export interface ScannerDeps {
  repository: LibraryRepository;
  files: ScannerFileSystem;
  readTrackFile: ReadTrackFile;
  artworkStore: ArtworkStore;
  clock: Clock;
  publish: (event: BusEvent) => void;
  /** Tag reads in flight. Default 8: reading is half I/O, half parsing on the main thread. */
  readConcurrency?: number;
  /**
   * Files per transaction. Default 1000: track ids are random, so a commit rewrites most index pages whatever its
   * size, and fewer, bigger transactions write several times less to the database.
   */
  batchSize?: number;
  /** Aborting stops the scan between transactions; the unfinished scan is completed by the next one. */
  signal?: AbortSignal;
}

export interface ScanRequest {
  /** Every library the catalog knows (to find files that moved between libraries). */
  libraries: LibraryRow[];
  /** Folders to scan; each library's root when the scan is a full one. */
  scopes: ScanScope[];
  full: boolean;
  /** Recompute every album (after an interrupted scan, whose album work may not have happened). */
  refreshAllAlbums: boolean;
}

/** Folder images bigger than this are not covers. */
const MAX_FOLDER_IMAGE_BYTES = 32 * 1024 * 1024;
const READ_TIMEOUT_MS = 30_000;
/** Files read between two progress events inside a transaction's batch. */
const READ_PROGRESS_EVERY = 250;
/** Distinct embedded pictures remembered to recognise an album's cover on its next tracks without hashing it. */
const RECENT_PICTURES = 4;

interface WalkedScope {
  scope: ScanScope;
  library: LibraryRow;
  walk: WalkResult;
  known: Map<string, KnownTrack>;
  knownDuplicates: Map<string, KnownDuplicate>;
}

/** A file whose tags must be read: new, changed, or a duplicate location whose bytes changed. */
interface PendingRead {
  library: LibraryRow;
  relPath: string;
  absPath: string;
  dir: string;
  size: number;
  mtimeMs: number;
  /** The track at this path, when it is one. */
  known: KnownTrack | null;
  folderImage: { absPath: string; size: number } | null;
}

type ReadOutcome =
  | { kind: 'ok'; result: Extract<TrackFileReadResult, { ok: true }>; fingerprint: string; artworkId: string | null }
  | { kind: 'broken'; reason: string }
  | { kind: 'vanished' };

/** A track another file may be a move or a copy of. */
interface Candidate {
  id: string;
  libraryId: string;
  path: string;
  size: number;
  status: KnownTrack['status'];
  albumId: string | null;
  contentHash: string | null;
}

const locationKey = (libraryId: string, relPath: string) => `${libraryId}\u0000${relPath}`;

function isUnder(relPath: string, dir: string): boolean {
  return dir === '' || relPath.startsWith(`${dir}/`);
}

/** Runs `task` over `items` with at most `limit` in flight; results keep the order of `items`. */
async function mapConcurrent<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * One scan, in named phases: `walk` (list folders, stat files) → `read-tags` (read new and changed files in batched
 * transactions, storing embedded covers; a new file whose fingerprint matches a track whose file is gone is that
 * track moved, one matching a track still present and byte-identical is a duplicate location) → `detect-moves`
 * (tracks not seen anywhere: promoted to a surviving duplicate location, else marked missing — only now, after
 * every walk completed) → `group` (orphaned albums/artists removed) → `artwork` (album year, compilation flag and
 * cover from its tracks) → `finish`. Files whose size and mtime match the catalog are neither read nor written.
 * Every write is part of a transaction that leaves the catalog consistent, so a process killed at any point is
 * finished by the next scan.
 */
export async function runScan(deps: ScannerDeps, request: ScanRequest): Promise<ScanSummary> {
  const { repository, files, clock, publish } = deps;
  const readConcurrency = deps.readConcurrency ?? 8;
  const batchSize = deps.batchSize ?? 1000;
  const startedAt = clock.now();
  const scanId = newId();
  await repository.insertScan(scanId, startedAt);
  publish({ type: 'scan', state: 'started' });

  const librariesById = new Map(request.libraries.map((l) => [l.id, l]));
  const scannedLibraryIds = new Set(request.scopes.map((s) => s.libraryId));
  const display = (libraryId: string, relPath: string) =>
    scannedLibraryIds.size > 1 || request.libraries.length > 1
      ? path.posix.join(librariesById.get(libraryId)?.name ?? libraryId, relPath)
      : relPath;

  const summary: ScanSummary = {
    added: 0,
    updated: 0,
    moved: 0,
    missing: 0,
    reactivated: 0,
    unchanged: 0,
    duplicates: 0,
    broken: [],
    scope: request.full ? null : request.scopes.map((s) => display(s.libraryId, s.dir) || '.'),
    startedAt,
    finishedAt: startedAt,
    durationMs: 0,
  };
  const progress = (phase: string, processed: number, total: number) =>
    publish({ type: 'scan', state: 'progress', phase, processed, total });

  // Phase: walk.
  const walked: WalkedScope[] = [];
  let found = 0;
  progress('walk', 0, 0);
  for (const scope of request.scopes) {
    const library = librariesById.get(scope.libraryId)!;
    const walk = await files.walk(library.rootPath, scope.dir, (n) => progress('walk', found + n, 0));
    found += walk.files.length;
    const [tracks, duplicates] = await Promise.all([
      repository.tracksUnder(library.id, scope.dir),
      repository.duplicatesUnder(library.id, scope.dir),
    ]);
    walked.push({
      scope,
      library,
      walk,
      known: new Map(tracks.map((t) => [t.path, t])),
      knownDuplicates: new Map(duplicates.map((d) => [d.path, d])),
    });
    for (const problem of walk.problems) summary.broken.push({ path: display(library.id, problem.relPath), reason: problem.reason });
  }
  const total = found;
  progress('walk', total, total);

  // Decide per file from its stat alone: unchanged, back from missing, or to be read.
  const seenTracks = new Set<string>();
  const reads: PendingRead[] = [];
  const batch0 = emptyBatch();
  const touchedTracks: string[] = [];
  /** Libraries whose tracks this scan changed (moves: both ends). */
  const changedLibraries = new Set<string>();
  const dirtyAlbums = new Set<string>();
  const now = startedAt;
  const toRead = (w: WalkedScope, file: WalkedFile, known: KnownTrack | null): PendingRead => ({
    library: w.library,
    ...file,
    known,
    folderImage: w.walk.folderImages.get(file.dir) ?? null,
  });
  for (const w of walked) {
    for (const file of w.walk.files) {
      const known = w.known.get(file.relPath);
      if (known) {
        seenTracks.add(known.id);
        if (known.size !== file.size || known.mtimeMs !== file.mtimeMs) {
          reads.push(toRead(w, file, known));
        } else if (known.status === 'missing') {
          batch0.updates.push({
            id: known.id,
            fields: { status: known.brokenReason ? 'broken' : 'ok', missingSince: null, updatedAt: now },
          });
          touchedTracks.push(known.id);
          if (known.albumId) dirtyAlbums.add(known.albumId);
          summary.reactivated++;
        } else {
          summary.unchanged++;
          if (known.status === 'broken') summary.broken.push({ path: display(w.library.id, file.relPath), reason: known.brokenReason ?? 'broken' });
        }
        continue;
      }
      const duplicate = w.knownDuplicates.get(file.relPath);
      if (duplicate && duplicate.size === file.size && duplicate.mtimeMs === file.mtimeMs) {
        summary.unchanged++;
        continue;
      }
      if (duplicate) batch0.removedDuplicates.push({ libraryId: w.library.id, path: file.relPath });
      reads.push(toRead(w, file, null));
    }
  }

  /** Locations the walks found, built on first use: a rescan that finds nothing new, gone or duplicated never asks. */
  let walkedLocations: Set<string> | null = null;
  const wasWalked = (libraryId: string, relPath: string): boolean => {
    walkedLocations ??= new Set(walked.flatMap((w) => w.walk.files.map((file) => locationKey(w.library.id, file.relPath))));
    return walkedLocations.has(locationKey(libraryId, relPath));
  };

  const batch0Libraries = batchIsEmpty(batch0) ? [] : await repository.applyBatch(batch0, now);

  // Phase: read-tags.
  const keys: CatalogKeys = await repository.catalogKeys();
  const storedArtworks = new Map<string, Promise<StoredArtwork | null>>();
  const folderArtworks = new Map<string, Promise<string | null>>();
  const fileHashes = new Map<string, Promise<string | null>>();
  /** Tracks created by this scan, by fingerprint: a second copy in the same scan is a duplicate of the first. */
  const createdByFingerprint = new Map<string, Candidate[]>();
  let processed = summary.unchanged + summary.reactivated;
  progress('read-tags', processed, total);

  const hashOf = (absPath: string): Promise<string | null> => {
    let hash = fileHashes.get(absPath);
    if (!hash) {
      hash = files.sha256File(absPath).catch(() => null);
      fileHashes.set(absPath, hash);
    }
    return hash;
  };

  /**
   * The last few distinct pictures with their ids, most recent first. An album's tracks are read one after another
   * and usually embed the same cover, so comparing bytes with these spares hashing that cover again for every track.
   */
  const recentPictures: { bytes: Buffer; id: string }[] = [];
  const pictureId = (bytes: Uint8Array): string => {
    const index = recentPictures.findIndex((recent) => recent.bytes.equals(bytes));
    if (index >= 0) {
      const [recent] = recentPictures.splice(index, 1);
      recentPictures.unshift(recent);
      return recent.id;
    }
    const id = sha256Bytes(bytes);
    // A copy: `bytes` may be a view that keeps a whole tag's buffer alive.
    recentPictures.unshift({ bytes: Buffer.from(bytes), id });
    if (recentPictures.length > RECENT_PICTURES) recentPictures.pop();
    return id;
  };

  const artworkFor = async (bytes: Uint8Array): Promise<string | null> => {
    const id = pictureId(bytes);
    if (keys.artworks.has(id)) return id;
    let stored = storedArtworks.get(id);
    if (!stored) {
      stored = deps.artworkStore.store(id, bytes).catch(() => null);
      storedArtworks.set(id, stored);
    }
    return (await stored)?.id ?? null;
  };

  const folderArtworkFor = (image: { absPath: string; size: number }): Promise<string | null> => {
    let artwork = folderArtworks.get(image.absPath);
    if (!artwork) {
      artwork =
        image.size > MAX_FOLDER_IMAGE_BYTES || image.size === 0
          ? Promise.resolve(null)
          : files.readFile(image.absPath).then(artworkFor, () => null);
      folderArtworks.set(image.absPath, artwork);
    }
    return artwork;
  };

  const readOne = async (item: PendingRead): Promise<ReadOutcome> => {
    if (item.size === 0) return { kind: 'broken', reason: 'empty file (0 bytes)' };
    let result: TrackFileReadResult;
    try {
      result = await deps.readTrackFile(item.absPath, { timeoutMs: READ_TIMEOUT_MS, size: item.size });
    } catch (error) {
      result = { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
    if (!result.ok) {
      if (!(await files.stat(item.absPath))) return { kind: 'vanished' };
      return { kind: 'broken', reason: result.reason };
    }
    const fingerprint = trackFingerprint(item.size, result);
    let artworkId = result.picture ? await artworkFor(result.picture.data) : null;
    if (!artworkId && item.folderImage) artworkId = await folderArtworkFor(item.folderImage);
    // The picture's bytes are stored (or refused) by now; dropping them keeps a batch's memory to its tags.
    return { kind: 'ok', result: { ...result, picture: null }, fingerprint, artworkId };
  };

  /** Is `candidate` a track this new file is a move (`move`) or a byte-identical copy (`duplicate`) of? */
  const matchCandidate = async (item: PendingRead, candidate: Candidate): Promise<'move' | 'duplicate' | null> => {
    if (candidate.size !== item.size) return null;
    const library = librariesById.get(candidate.libraryId);
    const stillThere =
      wasWalked(candidate.libraryId, candidate.path) ||
      (library !== undefined && (await files.stat(path.join(library.rootPath, candidate.path))) !== null);
    const newHash = await hashOf(item.absPath);
    if (!stillThere) {
      // The old bytes are gone: the stored content hash, when the background phase got to it, is the proof.
      return candidate.contentHash === null || candidate.contentHash === newHash ? 'move' : null;
    }
    const oldHash = candidate.contentHash ?? (library ? await hashOf(path.join(library.rootPath, candidate.path)) : null);
    return newHash !== null && oldHash === newHash ? 'duplicate' : null;
  };

  const trackRow = (item: PendingRead, id: string, fields: ReturnType<typeof trackFieldsFromTags>): TracksTable => ({
    id,
    libraryId: item.library.id,
    path: item.relPath,
    status: 'ok',
    brokenReason: null,
    size: item.size,
    mtimeMs: item.mtimeMs,
    fingerprint: '',
    contentHash: null,
    albumId: null,
    artworkId: null,
    addedAt: now,
    updatedAt: now,
    missingSince: null,
    ...fields,
  });

  for (let start = 0; start < reads.length; start += batchSize) {
    deps.signal?.throwIfAborted();
    const items = reads.slice(start, start + batchSize);
    let readInBatch = 0;
    const outcomes = await mapConcurrent(items, readConcurrency, async (item) => {
      const outcome = await readOne(item);
      if (++readInBatch % READ_PROGRESS_EVERY === 0) progress('read-tags', processed + readInBatch, total);
      return outcome;
    });
    const batch = emptyBatch();
    const created: CreatedIds = { artists: [], albums: [] };
    const upserted: string[] = [];

    const newFingerprints = outcomes.flatMap((o, i) => (o.kind === 'ok' && !items[i].known ? [o.fingerprint] : []));
    const candidatesByFingerprint = new Map<string, Candidate[]>();
    for (const track of newFingerprints.length ? await repository.tracksByFingerprint([...new Set(newFingerprints)]) : []) {
      const list = candidatesByFingerprint.get(track.fingerprint) ?? [];
      list.push(track);
      candidatesByFingerprint.set(track.fingerprint, list);
    }

    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const outcome = outcomes[i];
      processed++;
      if (outcome.kind === 'vanished') {
        summary.broken.push({ path: display(item.library.id, item.relPath), reason: 'vanished during the scan' });
        continue;
      }
      if (outcome.kind === 'broken') {
        summary.broken.push({ path: display(item.library.id, item.relPath), reason: outcome.reason });
        const fields = {
          ...brokenTrackFields(item.relPath),
          status: 'broken' as const,
          brokenReason: outcome.reason,
          size: item.size,
          mtimeMs: item.mtimeMs,
          fingerprint: brokenFingerprint(item.size, item.library.id, item.relPath),
          contentHash: null,
          albumId: null,
          artworkId: null,
          missingSince: null,
          updatedAt: now,
        };
        if (item.known) {
          if (item.known.albumId) dirtyAlbums.add(item.known.albumId);
          batch.updates.push({ id: item.known.id, fields, links: { artists: [], genres: [] } });
          upserted.push(item.known.id);
          if (item.known.status === 'missing') summary.reactivated++;
          else summary.updated++;
        } else {
          const id = newId();
          batch.inserts.push({ track: { ...fields, id, libraryId: item.library.id, path: item.relPath, addedAt: now }, links: { artists: [], genres: [] } });
          upserted.push(id);
          summary.added++;
        }
        continue;
      }

      const fields = trackFieldsFromTags(outcome.result);
      if (item.known) {
        const id = item.known.id;
        const { albumId, links } = resolveTrackEntities(keys, batch, created, id, outcome.result.tags, now);
        if (item.known.albumId) dirtyAlbums.add(item.known.albumId);
        dirtyAlbums.add(albumId);
        batch.updates.push({
          id,
          fields: {
            ...fields,
            status: 'ok',
            brokenReason: null,
            size: item.size,
            mtimeMs: item.mtimeMs,
            fingerprint: outcome.fingerprint,
            contentHash: null,
            albumId,
            artworkId: outcome.artworkId,
            missingSince: null,
            updatedAt: now,
          },
          links,
        });
        upserted.push(id);
        if (item.known.status === 'missing') summary.reactivated++;
        else summary.updated++;
        continue;
      }

      const candidates = [
        ...(createdByFingerprint.get(outcome.fingerprint) ?? []),
        ...(candidatesByFingerprint.get(outcome.fingerprint) ?? []),
      ];
      let matched = false;
      for (const candidate of candidates) {
        const match = await matchCandidate(item, candidate);
        if (match === 'move') {
          seenTracks.add(candidate.id);
          const contentHash = (await fileHashes.get(item.absPath)) ?? candidate.contentHash;
          // Later copies of the same content in this scan are duplicates of the track at its new place.
          Object.assign(candidate, { libraryId: item.library.id, path: item.relPath, status: 'ok', contentHash });
          batch.updates.push({
            id: candidate.id,
            fields: {
              libraryId: item.library.id,
              path: item.relPath,
              status: 'ok',
              size: item.size,
              mtimeMs: item.mtimeMs,
              contentHash,
              artworkId: outcome.artworkId,
              missingSince: null,
              updatedAt: now,
            },
          });
          if (candidate.albumId) dirtyAlbums.add(candidate.albumId);
          upserted.push(candidate.id);
          summary.moved++;
          matched = true;
          break;
        }
        if (match === 'duplicate') {
          batch.duplicates.push({ trackId: candidate.id, libraryId: item.library.id, path: item.relPath, size: item.size, mtimeMs: item.mtimeMs });
          summary.duplicates++;
          matched = true;
          break;
        }
      }
      if (matched) continue;

      const id = newId();
      const { albumId, links } = resolveTrackEntities(keys, batch, created, id, outcome.result.tags, now);
      dirtyAlbums.add(albumId);
      batch.inserts.push({
        track: { ...trackRow(item, id, fields), fingerprint: outcome.fingerprint, albumId, artworkId: outcome.artworkId },
        links,
      });
      const list = createdByFingerprint.get(outcome.fingerprint) ?? [];
      list.push({ id, libraryId: item.library.id, path: item.relPath, size: item.size, status: 'ok', albumId, contentHash: null });
      createdByFingerprint.set(outcome.fingerprint, list);
      upserted.push(id);
      summary.added++;
    }

    const newArtworks: string[] = [];
    const usedArtworks = new Set([
      ...batch.inserts.map((i) => i.track.artworkId),
      ...batch.updates.map((u) => u.fields.artworkId),
    ]);
    for (const artworkId of usedArtworks) {
      if (!artworkId || keys.artworks.has(artworkId)) continue;
      const stored = await storedArtworks.get(artworkId);
      if (!stored) continue;
      batch.artworks.push({ ...stored, createdAt: now });
      newArtworks.push(artworkId);
    }
    const libraryIds = await repository.applyBatch(batch, now);
    for (const id of newArtworks) keys.artworks.add(id);
    touchedTracks.push(...upserted);
    for (const libraryId of libraryIds) changedLibraries.add(libraryId);
    if (newArtworks.length) publish({ type: 'library', change: 'upsert', entity: 'artwork', ids: newArtworks, libraryIds });
    if (created.artists.length) publish({ type: 'library', change: 'upsert', entity: 'artist', ids: created.artists, libraryIds });
    if (created.albums.length) publish({ type: 'library', change: 'upsert', entity: 'album', ids: created.albums, libraryIds });
    if (upserted.length) publish({ type: 'library', change: 'upsert', entity: 'track', ids: upserted, libraryIds });
    progress('read-tags', processed, total);
  }
  if (batch0.updates.length) {
    publish({ type: 'library', change: 'upsert', entity: 'track', ids: batch0.updates.map((u) => u.id), libraryIds: batch0Libraries });
  }

  // Phase: detect-moves. Only now that every walk completed can "not seen" mean "gone".
  deps.signal?.throwIfAborted();
  progress('detect-moves', processed, total);
  const vanished: KnownTrack[] = [];
  const staleDuplicates = emptyBatch();
  for (const w of walked) {
    const unreadable = w.walk.unreadableDirs;
    const blocked = (relPath: string) => unreadable.some((dir) => isUnder(relPath, dir));
    for (const track of w.known.values()) {
      if (track.status !== 'missing' && !seenTracks.has(track.id) && !blocked(track.path)) vanished.push(track);
    }
    for (const duplicate of w.knownDuplicates.values()) {
      if (!wasWalked(w.library.id, duplicate.path) && !blocked(duplicate.path)) {
        staleDuplicates.removedDuplicates.push({ libraryId: w.library.id, path: duplicate.path });
      }
    }
  }
  const stale = new Set(staleDuplicates.removedDuplicates.map((d) => locationKey(d.libraryId, d.path)));
  const promotions = emptyBatch();
  const promotedIds = new Set<string>();
  for (const duplicate of vanished.length ? await repository.duplicatesOf(vanished.map((t) => t.id)) : []) {
    if (promotedIds.has(duplicate.trackId) || stale.has(locationKey(duplicate.libraryId, duplicate.path))) continue;
    const library = librariesById.get(duplicate.libraryId);
    const present =
      wasWalked(duplicate.libraryId, duplicate.path) ||
      (library !== undefined && (await files.stat(path.join(library.rootPath, duplicate.path))) !== null);
    if (!present) continue;
    promotedIds.add(duplicate.trackId);
    promotions.removedDuplicates.push({ libraryId: duplicate.libraryId, path: duplicate.path });
    promotions.updates.push({
      id: duplicate.trackId,
      fields: { libraryId: duplicate.libraryId, path: duplicate.path, size: duplicate.size, mtimeMs: duplicate.mtimeMs, updatedAt: now },
    });
    summary.moved++;
  }
  staleDuplicates.removedDuplicates = staleDuplicates.removedDuplicates.filter(
    (d) => !promotions.removedDuplicates.some((p) => p.libraryId === d.libraryId && p.path === d.path),
  );
  const promotedLibraries = batchIsEmpty(promotions) ? [] : await repository.applyBatch(promotions, now);
  if (!batchIsEmpty(staleDuplicates)) await repository.applyBatch(staleDuplicates, now);
  const missing = vanished.filter((t) => !promotedIds.has(t.id));
  if (missing.length) {
    const libraryIds = await repository.markMissing(missing.map((t) => t.id), now);
    for (const track of missing) if (track.albumId) dirtyAlbums.add(track.albumId);
    for (const libraryId of libraryIds) changedLibraries.add(libraryId);
    publish({ type: 'library', change: 'delete', entity: 'track', ids: missing.map((t) => t.id), libraryIds });
  }
  if (promotedIds.size) publish({ type: 'library', change: 'upsert', entity: 'track', ids: [...promotedIds], libraryIds: promotedLibraries });
  for (const libraryId of [...batch0Libraries, ...promotedLibraries]) changedLibraries.add(libraryId);
  summary.missing = missing.length;

  // Phases: group and artwork.
  const changed = touchedTracks.length > 0 || missing.length > 0 || promotedIds.size > 0 || request.refreshAllAlbums;
  if (changed) {
    progress('group', processed, total);
    // The libraries whose tracks changed are the ones whose viewers could have seen the albums left empty.
    const libraryIds = [...changedLibraries];
    const orphans = await repository.deleteOrphans(libraryIds, now);
    if (orphans.albums.length) publish({ type: 'library', change: 'delete', entity: 'album', ids: orphans.albums, libraryIds });
    if (orphans.artists.length) publish({ type: 'library', change: 'delete', entity: 'artist', ids: orphans.artists, libraryIds });
    for (const id of orphans.albums) dirtyAlbums.delete(id);
    progress('artwork', processed, total);
    const refreshed = await refreshAlbums(repository, request.refreshAllAlbums ? null : [...dirtyAlbums], now);
    if (refreshed.ids.length) publish({ type: 'library', change: 'upsert', entity: 'album', ids: refreshed.ids, libraryIds: refreshed.libraryIds });
  }

  // Phase: finish.
  summary.finishedAt = clock.now();
  summary.durationMs = summary.finishedAt - startedAt;
  progress('finish', processed, total);
  await repository.finishScan(scanId, summary.finishedAt, JSON.stringify(summary));
  publish({ type: 'scan', state: 'finished', processed, total });
  return summary;
}
