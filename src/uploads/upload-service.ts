import { link, mkdir, open, readdir, rename, rm, stat, truncate, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Db } from '../db/database.js';
import type { UploadStatus, UploadsTable } from '../db/schema.js';
import { createLibraryRepository, emptyBatch } from '../library/library-repository.js';
import { refreshAlbums } from '../library/scanner/album-refresh.js';
import type { ArtworkStore } from '../library/scanner/artwork-store.js';
import { resolveTrackEntities, type CatalogKeys, type CreatedIds } from '../library/scanner/batch-builder.js';
import { sha256Bytes, sha256File, trackFingerprint } from '../library/scanner/content-hash.js';
import { trackCredits } from '../library/scanner/grouping.js';
import type { TrackFileReadResult } from '../library/scanner/track-file.js';
import { trackFieldsFromTags } from '../library/scanner/track-fields.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { EventBus } from '../shared/events.js';
import { newId } from '../shared/ids.js';
import { foldKey } from '../shared/text.js';
import type { ChunkRange } from './content-range.js';
import { candidateName, safeStem, targetPath } from './file-names.js';
import { sniffAudioFile } from './sniff.js';

/** The signed-in user an upload belongs to. */
export interface Uploader {
  id: string;
  role: 'admin' | 'user';
}

/**
 * Points of `finalize` where a test can stop the process (kill -9) or inject a failure; production passes none.
 * `renamed-for-read`: the bytes renamed for the tag reader, the upload still `receiving`;
 * `before-move`: checks passed, `finalizing` recorded; `after-move`: the file is in the library, no track yet;
 * `after-commit`: the track exists, the upload row still says `finalizing`.
 */
export type UploadCheckpoint = 'renamed-for-read' | 'before-move' | 'after-move' | 'after-commit';

export interface UploadServiceDeps {
  db: Db;
  dataDir: string;
  clock: Clock;
  bus: EventBus;
  readTrackFile: (absPath: string) => Promise<TrackFileReadResult>;
  artworkStore: ArtworkStore;
  ensureUploadLibrary: (userId: string) => Promise<{ id: string; rootPath: string }>;
  visibleLibraryIds: (user: Uploader) => Promise<string[]>;
  maxBytes: number;
  /** 0 = no quota. */
  quotaBytes: number;
  expiryMs: number;
  checkpoint?: (point: UploadCheckpoint) => Promise<void>;
  log: { error(details: object, message: string): void };
}

/** What the API says about an upload. */
export interface UploadView {
  uploadId: string;
  status: Exclude<UploadStatus, 'finalizing'> | 'finalizing';
  fileName: string;
  size: number;
  received: number;
  trackId: string | null;
  error: string | null;
  expiresAt: number;
}

const LIVE: UploadStatus[] = ['pending', 'receiving'];
const SHA256 = /^[0-9a-f]{64}$/;

function view(row: UploadsTable): UploadView {
  return {
    uploadId: row.id,
    status: row.status,
    fileName: row.fileName,
    size: Number(row.size),
    received: Number(row.received),
    trackId: row.trackId,
    error: row.error,
    expiresAt: Number(row.expiresAt),
  };
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '');
}

/**
 * Uploads into a user's private upload library (`<data>/uploads/<userId>`): prepare, resumable chunked transfer into
 * `<data>/upload-staging/<uploadId>/`, and finalize, which checks size and SHA-256, sniffs the format from the bytes,
 * reads the tags with the scanner's reader and catalogues the file with the scanner's batch writer.
 *
 * "Already owned" (prepare and finalize answer `duplicate`) means an available track with the same content hash in
 * any library the user can see: their upload library and music libraries granted to them (admins: every music
 * library). Tracks the background hashing has not reached yet are not found.
 *
 * Crash safety of finalize: the target path and the new track id are recorded (`finalizing`) before the file is
 * linked into the library; the track, album, artists and artwork are inserted in one transaction (`applyBatch`);
 * only then does the upload become `complete`. `recover()` (run at start-up) settles every `finalizing` upload: track
 * present → complete; file in the library but no track → catalogued from that file; neither → back to `receiving`
 * when the staged bytes are still there, else failed.
 */
export function createUploadService(deps: UploadServiceDeps) {
  const { db, clock, bus } = deps;
  const repository = createLibraryRepository(db);
  const stagingRoot = path.join(path.resolve(deps.dataDir), 'upload-staging');
  const busy = new Set<string>();
  let finalizeTail: Promise<unknown> = Promise.resolve();

  const stagingDir = (id: string) => path.join(stagingRoot, id);
  const partPath = (id: string) => path.join(stagingDir(id), 'data.part');
  const checkpoint = async (point: UploadCheckpoint) => {
    if (deps.checkpoint) await deps.checkpoint(point);
  };

  async function find(user: Uploader, id: string): Promise<UploadsTable> {
    if (!/^[0-9a-f]{32}$/.test(id)) throw new AppError('upload_not_found');
    const row = await db.selectFrom('uploads').selectAll().where('id', '=', id).where('userId', '=', user.id).executeTakeFirst();
    if (!row) throw new AppError('upload_not_found');
    return row;
  }

  async function update(id: string, fields: Partial<UploadsTable>): Promise<void> {
    await db.updateTable('uploads').set({ ...fields, updatedAt: clock.now() }).where('id', '=', id).execute();
  }

  async function heldBytes(id: string): Promise<number> {
    return stat(partPath(id)).then(
      (s) => s.size,
      () => 0,
    );
  }

  /** Moves an upload's staged bytes back to `data.part` whatever name finalize gave them; false when none are staged. */
  async function restageBytes(id: string): Promise<boolean> {
    const staged = (await readdir(stagingDir(id)).catch(() => [] as string[]))[0];
    if (staged === undefined) return false;
    if (staged !== 'data.part') await rename(path.join(stagingDir(id), staged), partPath(id));
    return true;
  }

  /** Runs `work` while holding the upload; a second request on it meanwhile gets 409 `upload_busy`. */
  async function exclusive<T>(id: string, work: () => Promise<T>): Promise<T> {
    if (busy.has(id)) throw new AppError('upload_busy');
    busy.add(id);
    try {
      return await work();
    } finally {
      busy.delete(id);
    }
  }

  async function ownedTrackWithHash(user: Uploader, sha256: string): Promise<string | null> {
    const libraries = await deps.visibleLibraryIds(user);
    if (libraries.length === 0) return null;
    const row = await db
      .selectFrom('tracks')
      .select('id')
      .where('contentHash', '=', sha256)
      .where('status', '=', 'ok')
      .where('libraryId', 'in', libraries)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    return row?.id ?? null;
  }

  /** Fails the upload: recorded first, then its staging is deleted (recovery deletes it if the process dies between). */
  async function fail(row: UploadsTable, code: ConstructorParameters<typeof AppError>[0], reason: string): Promise<never> {
    await update(row.id, { status: 'failed', error: reason, received: 0 });
    await rm(stagingDir(row.id), { recursive: true, force: true });
    throw new AppError(code, reason);
  }

  /** Only the names of the catalog this track needs, so a finalize does not load every artist and album. */
  async function keysFor(tags: Extract<TrackFileReadResult, { ok: true }>['tags']): Promise<CatalogKeys> {
    const credits = trackCredits(tags);
    const artistKeys = [...new Set([...credits.artists, ...credits.albumArtists].map(foldKey))];
    const genreKeys = [...new Set(credits.genres.map(foldKey))];
    const [artists, albums, genres] = await Promise.all([
      artistKeys.length ? db.selectFrom('artists').select(['id', 'nameKey']).where('nameKey', 'in', artistKeys).execute() : [],
      db.selectFrom('albums').select(['id', 'groupKey']).where('groupKey', '=', credits.album.groupKey).execute(),
      genreKeys.length ? db.selectFrom('genres').select(['id', 'nameKey']).where('nameKey', 'in', genreKeys).execute() : [],
    ]);
    return {
      artists: new Map(artists.map((a) => [a.nameKey, a.id])),
      albums: new Map(albums.map((a) => [a.groupKey, a.id])),
      genres: new Map(genres.map((g) => [g.nameKey, g.id])),
      artworks: new Set(),
      overrides: new Map(),
    };
  }

  /**
   * Catalogues the file at `relPath` of the library as track `trackId` in one transaction and announces it.
   * A unique-key race (a scan catalogued the file first, or created the same artist) is retried once with fresh keys;
   * if the path is then catalogued, that track is the result.
   */
  async function catalogue(
    libraryId: string,
    rootPath: string,
    relPath: string,
    trackId: string,
    sha256: string,
    result: Extract<TrackFileReadResult, { ok: true }>,
  ): Promise<string> {
    const absPath = path.join(rootPath, ...relPath.split('/'));
    const info = await stat(absPath);
    let artwork: { id: string; mime: string; width: number; height: number; size: number } | null = null;
    if (result.picture) artwork = await deps.artworkStore.store(sha256Bytes(result.picture.data), result.picture.data).catch(() => null);
    for (let attempt = 0; ; attempt += 1) {
      const now = clock.now();
      const batch = emptyBatch();
      const created: CreatedIds = { artists: [], albums: [] };
      const { albumId, links } = resolveTrackEntities(await keysFor(result.tags), batch, created, trackId, result.tags, now);
      if (artwork) batch.artworks.push({ ...artwork, createdAt: now });
      batch.inserts.push({
        track: {
          ...trackFieldsFromTags(result),
          id: trackId,
          libraryId,
          path: relPath,
          status: 'ok',
          brokenReason: null,
          size: info.size,
          mtimeMs: Math.floor(info.mtimeMs),
          fingerprint: trackFingerprint(info.size, result),
          contentHash: sha256,
          albumId,
          artworkId: artwork?.id ?? null,
          addedAt: now,
          updatedAt: now,
          missingSince: null,
        },
        links,
      });
      let libraryIds: string[];
      try {
        libraryIds = await repository.applyBatch(batch, now);
      } catch (error) {
        if (attempt === 0 && isUniqueViolation(error)) {
          const existing = await db.selectFrom('tracks').select('id').where('libraryId', '=', libraryId).where('path', '=', relPath).executeTakeFirst();
          if (existing) return existing.id;
          continue;
        }
        throw error;
      }
      const refreshed = await refreshAlbums(repository, [albumId], now).catch(() => ({ ids: [], libraryIds: [] }));
      if (artwork) bus.publish({ type: 'library', change: 'upsert', entity: 'artwork', ids: [artwork.id], libraryIds });
      if (created.artists.length) bus.publish({ type: 'library', change: 'upsert', entity: 'artist', ids: created.artists, libraryIds });
      const albums = [...new Set([...created.albums, ...refreshed.ids])];
      if (albums.length) bus.publish({ type: 'library', change: 'upsert', entity: 'album', ids: albums, libraryIds: [...new Set([...libraryIds, ...refreshed.libraryIds])] });
      bus.publish({ type: 'library', change: 'upsert', entity: 'track', ids: [trackId], libraryIds });
      return trackId;
    }
  }

  /** A free relative path for the track: on neither the disk nor in the catalog, " (2)", " (3)", … on collision. */
  async function freePath(libraryId: string, rootPath: string, dir: string, stem: string, ext: string): Promise<string> {
    for (let n = 1; n < 10_000; n += 1) {
      const relPath = `${dir}/${candidateName(stem, ext, n)}`;
      const onDisk = await stat(path.join(rootPath, ...relPath.split('/'))).then(
        () => true,
        () => false,
      );
      if (onDisk) continue;
      const [inCatalog, reserved] = await Promise.all([
        db.selectFrom('tracks').select('id').where('libraryId', '=', libraryId).where('path', '=', relPath).executeTakeFirst(),
        db.selectFrom('uploads').select('id').where('libraryId', '=', libraryId).where('finalPath', '=', relPath).where('status', '=', 'finalizing').executeTakeFirst(),
      ]);
      if (!inCatalog && !reserved) return relPath;
    }
    throw new AppError('conflict', 'No free file name for the upload.');
  }

  async function finalizeLocked(user: Uploader, row: UploadsTable): Promise<UploadView> {
    const held = await heldBytes(row.id);
    if (held < Number(row.size)) {
      throw new AppError('upload_incomplete', `The server holds ${held} of ${row.size} bytes.`, { 'Upload-Offset': String(held) });
    }
    if (held !== Number(row.size)) await fail(row, 'upload_size_mismatch', `The upload holds ${held} bytes, ${row.size} were declared.`);
    const hash = await sha256File(partPath(row.id));
    if (hash !== row.sha256) await fail(row, 'upload_checksum_mismatch', `The SHA-256 of the bytes is ${hash}, not the declared ${row.sha256}.`);
    const type = await sniffAudioFile(partPath(row.id));
    if (!type) await fail(row, 'upload_unsupported_type', 'The bytes are not an audio format the server knows (checked from the content, not the name).');
    const duplicate = await ownedTrackWithHash(user, row.sha256);
    if (duplicate) {
      await update(row.id, { status: 'duplicate', trackId: duplicate, received: 0 });
      await rm(stagingDir(row.id), { recursive: true, force: true });
      return view({ ...row, status: 'duplicate', trackId: duplicate, received: 0 });
    }
    // Read under the client's (cleaned) name with the sniffed extension: a missing title falls back to that name.
    const readPath = path.join(stagingDir(row.id), `${safeStem(row.fileName)}.${type!.ext}`);
    await rename(partPath(row.id), readPath);
    await checkpoint('renamed-for-read');
    const result = await deps.readTrackFile(readPath);
    if (!result.ok) await fail(row, 'upload_unreadable', `The audio file could not be read: ${result.reason}.`);
    const ok = result as Extract<TrackFileReadResult, { ok: true }>;

    const library = await deps.ensureUploadLibrary(user.id);
    const target = targetPath({ ...ok.tags, ext: type!.ext });
    const trackId = newId();
    const relPath = await freePath(library.id, library.rootPath, target.dir, target.stem, target.ext);
    const finalAbs = path.join(library.rootPath, ...relPath.split('/'));
    await update(row.id, { status: 'finalizing', libraryId: library.id, finalPath: relPath, trackId });
    await checkpoint('before-move');
    await mkdir(path.dirname(finalAbs), { recursive: true });
    try {
      // link fails when the name was taken meanwhile, where rename would silently replace that file.
      await link(readPath, finalAbs);
      await unlink(readPath);
    } catch (error) {
      await update(row.id, { status: 'receiving', libraryId: null, finalPath: null, trackId: null });
      await rename(readPath, partPath(row.id)).catch(() => undefined);
      throw error;
    }
    let catalogued: string;
    try {
      await checkpoint('after-move');
      catalogued = await catalogue(library.id, library.rootPath, relPath, trackId, row.sha256, ok);
    } catch (error) {
      // Nothing in the catalog: take the file back out of the library so the upload can be finalized again.
      await mkdir(stagingDir(row.id), { recursive: true });
      await rename(finalAbs, partPath(row.id)).catch(() => unlink(finalAbs).catch(() => undefined));
      await update(row.id, { status: 'receiving', libraryId: null, finalPath: null, trackId: null });
      throw error;
    }
    await checkpoint('after-commit');
    await update(row.id, { status: 'complete', trackId: catalogued, received: Number(row.size) });
    await rm(stagingDir(row.id), { recursive: true, force: true });
    return view({ ...row, status: 'complete', trackId: catalogued, received: Number(row.size) });
  }

  async function sweep(): Promise<number> {
    const now = clock.now();
    const expired = await db.selectFrom('uploads').select('id').where('status', 'in', LIVE).where('expiresAt', '<=', now).execute();
    for (const { id } of expired) {
      const changed = await db
        .updateTable('uploads')
        .set({ status: 'expired', received: 0, updatedAt: now })
        .where('id', '=', id)
        .where('status', 'in', LIVE)
        .where('expiresAt', '<=', now)
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) > 0 && !busy.has(id)) await rm(stagingDir(id), { recursive: true, force: true });
    }
    return expired.length;
  }

  return {
    /**
     * Starts an upload, or answers `duplicate` (with the track) when the user already owns the content; then no
     * bytes are taken. Errors: 413 `upload_too_large`, 413 `upload_quota_exceeded`.
     */
    async prepare(user: Uploader, input: { fileName: string; size: number; sha256: string; mimeType?: string }): Promise<UploadView> {
      const sha256 = input.sha256.toLowerCase();
      if (!SHA256.test(sha256)) throw new AppError('validation_failed', 'sha256 must be 64 hex characters.');
      if (input.size > deps.maxBytes) throw new AppError('upload_too_large', `Uploads may be at most ${deps.maxBytes} bytes.`);
      const now = clock.now();
      const duplicate = await ownedTrackWithHash(user, sha256);
      const base = {
        id: newId(),
        userId: user.id,
        fileName: input.fileName,
        size: input.size,
        sha256,
        mimeType: input.mimeType ?? null,
        received: 0,
        libraryId: null,
        finalPath: null,
        error: null,
        createdAt: now,
        updatedAt: now,
        expiresAt: now + deps.expiryMs,
      };
      if (duplicate) {
        const row: UploadsTable = { ...base, status: 'duplicate', trackId: duplicate };
        await db.insertInto('uploads').values(row).execute();
        return view(row);
      }
      if (deps.quotaBytes > 0) {
        const library = await deps.ensureUploadLibrary(user.id);
        const [stored, inFlight] = await Promise.all([
          db.selectFrom('tracks').select((eb) => eb.fn.sum<number>('size').as('n')).where('libraryId', '=', library.id).where('status', '!=', 'missing').executeTakeFirst(),
          db.selectFrom('uploads').select((eb) => eb.fn.sum<number>('size').as('n')).where('userId', '=', user.id).where('status', 'in', [...LIVE, 'finalizing']).executeTakeFirst(),
        ]);
        const used = Number(stored?.n ?? 0) + Number(inFlight?.n ?? 0);
        if (used + input.size > deps.quotaBytes) {
          throw new AppError('upload_quota_exceeded', `The upload needs ${input.size} bytes; ${Math.max(0, deps.quotaBytes - used)} of your quota are left.`);
        }
      }
      const row: UploadsTable = { ...base, status: 'pending', trackId: null };
      await db.insertInto('uploads').values(row).execute();
      return view(row);
    },

    /** The upload as the server sees it; `received` is the offset the next chunk must start at. */
    async get(user: Uploader, id: string): Promise<UploadView> {
      const row = await find(user, id);
      return LIVE.includes(row.status) ? view({ ...row, received: await heldBytes(id) }) : view(row);
    },

    /**
     * Appends one chunk, streamed to disk and fsynced. `range` null = the whole file from offset 0. The chunk must
     * start at the held offset (409 `upload_offset_mismatch`, `Upload-Offset` header) and its total must be the
     * declared size (400 `upload_size_mismatch`). A body shorter than its range keeps what arrived (resume from the
     * new offset); a longer one is cut back and refused.
     */
    async receive(user: Uploader, id: string, range: ChunkRange | null, body: Readable, contentLength: number | null): Promise<UploadView> {
      const row = await find(user, id);
      return exclusive(id, async () => {
        if (!LIVE.includes(row.status)) throw new AppError('upload_not_receiving', `The upload is ${row.status}.`);
        const size = Number(row.size);
        const held = await heldBytes(id);
        const first = range?.first ?? 0;
        const expected = range ? range.last - range.first + 1 : size;
        if (range && range.total !== size) throw new AppError('upload_size_mismatch', `Content-Range total ${range.total} is not the declared size ${size}.`);
        if (first !== held) {
          throw new AppError('upload_offset_mismatch', `The server holds ${held} bytes; send the chunk starting there.`, { 'Upload-Offset': String(held) });
        }
        if (contentLength !== null && contentLength > expected) throw new AppError('upload_size_mismatch', `The body has more than the ${expected} bytes of its range.`);
        await mkdir(stagingDir(id), { recursive: true });
        const file = await open(partPath(id), 'a');
        let written = 0;
        let tooLong = false;
        try {
          for await (const chunk of body as AsyncIterable<Buffer>) {
            if (written + chunk.length > expected) {
              tooLong = true;
              break;
            }
            await file.write(chunk);
            written += chunk.length;
          }
        } catch {
          // The client went away: keep what arrived, it is resumable from the new offset.
        } finally {
          await file.sync().catch(() => undefined);
          await file.close();
        }
        if (tooLong) {
          await truncate(partPath(id), held);
          throw new AppError('upload_size_mismatch', `The body has more than the ${expected} bytes of its range.`);
        }
        const now = clock.now();
        await db
          .updateTable('uploads')
          .set({ status: 'receiving', received: held + written, updatedAt: now, expiresAt: now + deps.expiryMs })
          .where('id', '=', id)
          .where('status', 'in', LIVE)
          .execute();
        if (written < expected) {
          throw new AppError('upload_incomplete', `The chunk ended after ${written} of ${expected} bytes; resume at ${held + written}.`, {
            'Upload-Offset': String(held + written),
          });
        }
        return view({ ...row, status: 'receiving', received: held + written, expiresAt: now + deps.expiryMs });
      });
    },

    /**
     * Checks and catalogues a fully received upload (see the service description). Idempotent once `complete` or
     * `duplicate`. Failed checks delete the bytes and mark the upload `failed`: 400 `upload_size_mismatch`, 422
     * `upload_checksum_mismatch`, 415 `upload_unsupported_type`, 422 `upload_unreadable`. 409 `upload_incomplete`
     * when bytes are missing (resumable), 409 `upload_not_receiving` when failed or expired.
     */
    async finalize(user: Uploader, id: string): Promise<UploadView> {
      const row = await find(user, id);
      if (row.status === 'complete' || row.status === 'duplicate') return view(row);
      return exclusive(id, async () => {
        const fresh = await find(user, id);
        if (!LIVE.includes(fresh.status)) throw new AppError('upload_not_receiving', `The upload is ${fresh.status}.`);
        // One finalize at a time per process: free-name choice and catalog keys do not race each other.
        const run = finalizeTail.then(() => finalizeLocked(user, fresh));
        finalizeTail = run.catch(() => undefined);
        return run;
      });
    },

    /** Marks unfinished uploads past their expiry `expired` and deletes their bytes. Returns how many expired. */
    sweep,

    /**
     * Start-up reconciliation after a crash (see the service description), then deletion of staging folders that
     * no live upload owns. Run before serving requests.
     */
    async recover(): Promise<void> {
      const stuck = await db.selectFrom('uploads').selectAll().where('status', '=', 'finalizing').execute();
      for (const row of stuck) {
        try {
          const track = row.trackId ? await db.selectFrom('tracks').select('id').where('id', '=', row.trackId).executeTakeFirst() : undefined;
          if (track) {
            await update(row.id, { status: 'complete', received: Number(row.size) });
            continue;
          }
          const library = row.libraryId ? await db.selectFrom('libraries').select(['id', 'rootPath']).where('id', '=', row.libraryId).executeTakeFirst() : undefined;
          const finalAbs = library && row.finalPath ? path.join(library.rootPath, ...row.finalPath.split('/')) : null;
          const inLibrary = finalAbs ? await stat(finalAbs).then((s) => s.isFile(), () => false) : false;
          if (library && finalAbs && inLibrary && row.trackId && row.finalPath) {
            const result = await deps.readTrackFile(finalAbs);
            if (result.ok && (await sha256File(finalAbs)) === row.sha256) {
              const trackId = await catalogue(library.id, library.rootPath, row.finalPath, row.trackId, row.sha256, result);
              await update(row.id, { status: 'complete', trackId, received: Number(row.size) });
              continue;
            }
            await unlink(finalAbs).catch(() => undefined);
            await update(row.id, { status: 'failed', error: 'The upload was interrupted; upload the file again.' });
            continue;
          }
          // Not moved yet: the bytes are still staged under some name; put them back for another finalize.
          if (await restageBytes(row.id)) {
            await update(row.id, { status: 'receiving', libraryId: null, finalPath: null, trackId: null, received: await heldBytes(row.id) });
          } else {
            await update(row.id, { status: 'failed', error: 'The upload was interrupted; upload the file again.' });
          }
        } catch (error) {
          deps.log.error({ err: error, uploadId: row.id }, 'upload recovery failed');
        }
      }
      const live = new Set(
        (await db.selectFrom('uploads').select('id').where('status', 'in', LIVE).execute()).map((r) => r.id),
      );
      // A finalize killed after renaming the bytes for the tag reader but before recording `finalizing` leaves a
      // live upload whose bytes sit under the read name: restage them so the client resumes instead of resending.
      for (const id of live) await restageBytes(id).catch((error) => deps.log.error({ err: error, uploadId: id }, 'upload recovery failed'));
      for (const entry of await readdir(stagingRoot).catch(() => [] as string[])) {
        if (!live.has(entry)) await rm(path.join(stagingRoot, entry), { recursive: true, force: true });
      }
    },
  };
}

export type UploadService = ReturnType<typeof createUploadService>;
