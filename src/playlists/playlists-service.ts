import { createHash } from 'node:crypto';
import path from 'node:path';
import type { PageRequest, Viewer } from '../catalog/catalog-service.js';
import type { Track } from '../catalog/schemas.js';
import type { UserEventPublisher } from '../events/contracts.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { DEFAULT_LIMIT, decodeCursor, toPage, type Page } from '../shared/pagination.js';
import { foldKey } from '../shared/text.js';
import { decodeM3u, encodingOfFileName, parseM3u, renderM3u8, type M3uEncoding } from './m3u.js';
import type { EditOutcome, PlaylistRow, PlaylistsRepository } from './playlists-repository.js';
import { MAX_PLAYLIST_ITEMS, type CreatePlaylistBody, type ImportReport, type Playlist, type PlaylistItem, type UpdatePlaylistBody } from './schemas.js';
import { createTrackMatcher } from './track-matcher.js';

export interface PlaylistsServiceDeps {
  repository: PlaylistsRepository;
  /** The libraries a viewer may see (the one library-access rule). */
  visibleLibraryIds(viewer: Viewer): Promise<string[]>;
  /** Tracks as the catalog shows them to the viewer, in the order of `ids`; those the viewer may not see are left out. */
  tracksByIds(viewer: Viewer, ids: string[]): Promise<Track[]>;
  /** Where `collection` events about playlists go (to the owner's devices). */
  events: UserEventPublisher;
  clock: Clock;
  log: { error(details: object, message: string): void };
}

/** A playlist file a scan found in a music library. */
export interface ScannedPlaylistFile {
  libraryId: string;
  /** Relative to the library root, '/'-separated. */
  path: string;
  bytes: Uint8Array;
}

// Ids are hex (see `newId`); anything else cannot exist, and PostgreSQL would reject some strings (NUL bytes) with an
// error instead of "no row".
const HEX_ID = /^[0-9a-f]{1,128}$/i;

function requireHexId(id: string, notFound: 'playlist_not_found' | 'playlist_item_not_found'): void {
  if (!HEX_ID.test(id)) throw new AppError(notFound);
}

/** A name as stored: trimmed, at most 200 characters, never empty. Errors: `validation_failed`. */
function cleanName(name: string): string {
  const clean = name.trim().slice(0, 200);
  if (clean === '') throw new AppError('validation_failed', 'The name must not be blank.');
  return clean;
}

function settle<T>(outcome: EditOutcome<T>): T {
  switch (outcome.kind) {
    case 'done':
      return outcome.value;
    case 'conflict':
      throw conflict(outcome.revision);
    case 'not_found':
      throw new AppError('playlist_not_found');
    case 'item_not_found':
      throw new AppError('playlist_item_not_found');
    case 'full':
      throw new AppError('playlist_too_long');
  }
}

function conflict(revision: number): AppError {
  return new AppError('revision_conflict', `The playlist is at revision ${revision} now; reload it and try again.`);
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((id, i) => id === b[i]);

/** A playlist the viewer may see, and the viewer's libraries. */
interface Access {
  row: PlaylistRow;
  libraryIds: string[];
}

/**
 * Playlists: a user's ordered lists of tracks, optionally shared read-only with every user who may see all of their
 * tracks, imported from and exported to M3U.
 *
 * Visibility: a playlist is visible to its owner, and — when shared — to users whose libraries hold every one of its
 * tracks (whatever their status). Anything else answers as an unknown id does (404 `playlist_not_found`); a visible
 * playlist of someone else answers edits with 403 `forbidden`. Items keep referencing their tracks when files go
 * missing (the catalog never deletes a track): they show as unavailable and come back with the file. Only tracks the
 * owner may see can be added. Each edit is atomic, bumps `revision` and, given `expectedRevision`, happens only if
 * the playlist is still at that revision (409 `revision_conflict` otherwise). Edits are announced to the owner as
 * `collection` events `{entity: 'playlist', id, change: 'created' | 'updated' | 'deleted'}`.
 */
export function createPlaylistsService(deps: PlaylistsServiceDeps) {
  const { repository, visibleLibraryIds, clock, log } = deps;
  const match = createTrackMatcher(repository);

  async function announce(ownerId: string, id: string, change: 'created' | 'updated' | 'deleted'): Promise<void> {
    try {
      await deps.events.publish(ownerId, 'collection', { entity: 'playlist', id, change });
    } catch (error) {
      // The edit is committed; a lost notification only delays other devices until they reload.
      log.error({ err: error, playlistId: id }, 'announcing a playlist change failed');
    }
  }

  /** The playlist if the viewer may see it. Errors: `playlist_not_found`. */
  async function readable(viewer: Viewer, id: string): Promise<Access> {
    requireHexId(id, 'playlist_not_found');
    const [row, libraryIds] = await Promise.all([repository.findPlaylist(id), visibleLibraryIds(viewer)]);
    if (!row) throw new AppError('playlist_not_found');
    if (row.ownerUserId === viewer.id) return { row, libraryIds };
    if (row.shared === 1 && !(await repository.hasItemOutside(id, libraryIds))) return { row, libraryIds };
    throw new AppError('playlist_not_found');
  }

  /** The playlist if the viewer owns it. Errors: `playlist_not_found`, `forbidden` (shared with them, read-only). */
  async function writable(viewer: Viewer, id: string): Promise<Access> {
    const access = await readable(viewer, id);
    if (access.row.ownerUserId !== viewer.id) throw new AppError('forbidden', 'Only its owner can change a playlist.');
    return access;
  }

  async function summarize(viewer: Viewer, libraryIds: string[], rows: PlaylistRow[]): Promise<Playlist[]> {
    const ids = rows.map((row) => row.id);
    const [stats, artwork] = await Promise.all([repository.itemStats(ids, libraryIds), repository.itemArtwork(ids, libraryIds)]);
    const statsOf = new Map(stats.map((s) => [s.playlistId, s]));
    const artworkOf = new Map<string, string[]>();
    for (const a of artwork) {
      const list = artworkOf.get(a.playlistId);
      if (list) list.push(a.artworkId);
      else artworkOf.set(a.playlistId, [a.artworkId]);
    }
    return rows.map((row) => {
      const s = statsOf.get(row.id);
      const artworkIds = (artworkOf.get(row.id) ?? []).slice(0, 4);
      return {
        id: row.id,
        name: row.name,
        description: row.description,
        owner: { id: row.ownerUserId, username: row.ownerName },
        shared: row.shared === 1,
        editable: row.ownerUserId === viewer.id,
        revision: row.revision,
        itemCount: Number(s?.itemCount ?? 0),
        availableCount: Number(s?.availableCount ?? 0),
        durationMs: Number(s?.durationMs ?? 0),
        artworkId: artworkIds[0] ?? null,
        artworkIds,
        createdAt: Number(row.createdAt),
        updatedAt: Number(row.updatedAt),
      };
    });
  }

  /** The playlist as it is now (after an edit). */
  async function current(viewer: Viewer, id: string, libraryIds: string[]): Promise<Playlist> {
    const row = await repository.findPlaylist(id);
    // Deleted by a concurrent request between the edit and this read.
    if (!row) throw new AppError('playlist_not_found');
    const [playlist] = await summarize(viewer, libraryIds, [row]);
    return playlist!;
  }

  async function toItems(viewer: Viewer, libraryIds: string[], rows: Awaited<ReturnType<PlaylistsRepository['listItems']>>): Promise<PlaylistItem[]> {
    const visible = new Set(libraryIds);
    const ids = [...new Set(rows.filter((row) => visible.has(row.libraryId)).map((row) => row.trackId))];
    const tracks = new Map((await deps.tracksByIds(viewer, ids)).map((track) => [track.id, track]));
    return rows.map((row) => {
      const track = tracks.get(row.trackId) ?? null;
      return { id: row.id, position: row.position, trackId: row.trackId, available: track?.status === 'ok', track, addedAt: Number(row.addedAt) };
    });
  }

  /** Errors: `track_not_found` naming the first of `trackIds` outside `libraryIds`. */
  async function requireTracks(libraryIds: string[], trackIds: string[]): Promise<void> {
    const found = new Set(await repository.tracksInLibraries(libraryIds, trackIds.filter((id) => HEX_ID.test(id))));
    const unknown = trackIds.find((id) => !found.has(id));
    if (unknown !== undefined) throw new AppError('track_not_found', `No such track: ${unknown}.`);
  }

  /** Creates a playlist owned by `ownerId` holding `trackIds` in order (already checked), and announces it. */
  async function createFor(ownerId: string, fields: { name: string; description: string; shared: boolean }, trackIds: string[]): Promise<string> {
    const now = clock.now();
    const id = newId();
    const name = cleanName(fields.name);
    await repository.createPlaylist(
      { id, ownerUserId: ownerId, name, nameKey: foldKey(name), description: fields.description, shared: fields.shared ? 1 : 0, revision: 1, createdAt: now, updatedAt: now },
      trackIds.map((trackId) => ({ id: newId(), trackId })),
    );
    await announce(ownerId, id, 'created');
    return id;
  }

  return {
    /** Own playlists and those shared with the viewer, by folded name. Errors: `invalid_cursor`. */
    async list(viewer: Viewer, request: PageRequest): Promise<Page<Playlist>> {
      const limit = request.limit ?? DEFAULT_LIMIT;
      let after: { nameKey: string; id: string } | null = null;
      if (request.cursor !== undefined) {
        const position = decodeCursor(request.cursor, 'playlists');
        const [nameKey] = position.values;
        if (position.values.length !== 1 || typeof nameKey !== 'string' || nameKey.includes('\u0000') || !HEX_ID.test(position.id)) {
          throw new AppError('invalid_cursor');
        }
        after = { nameKey, id: position.id };
      }
      const libraryIds = await visibleLibraryIds(viewer);
      const page = toPage(await repository.listVisible(viewer.id, libraryIds, after, limit + 1), limit, 'playlists', (row) => [row.nameKey], (row) => row);
      return { items: await summarize(viewer, libraryIds, page.items), nextCursor: page.nextCursor };
    },

    /** Errors: `playlist_not_found`. */
    async get(viewer: Viewer, id: string): Promise<Playlist> {
      const { row, libraryIds } = await readable(viewer, id);
      const [playlist] = await summarize(viewer, libraryIds, [row]);
      return playlist!;
    },

    /** A new playlist of the viewer, with `trackIds` as its first items. Errors: `track_not_found`, `validation_failed`. */
    async create(viewer: Viewer, body: CreatePlaylistBody): Promise<Playlist> {
      const libraryIds = await visibleLibraryIds(viewer);
      const trackIds = body.trackIds ?? [];
      await requireTracks(libraryIds, trackIds);
      const id = await createFor(viewer.id, { name: body.name, description: body.description ?? '', shared: body.shared ?? false }, trackIds);
      return current(viewer, id, libraryIds);
    },

    /**
     * Renames, describes, shares or unshares. Errors: `playlist_not_found`, `forbidden`, `revision_conflict`,
     * `validation_failed`.
     */
    async update(viewer: Viewer, id: string, body: UpdatePlaylistBody): Promise<Playlist> {
      const { libraryIds } = await writable(viewer, id);
      const name = body.name === undefined ? undefined : cleanName(body.name);
      settle(
        await repository.updatePlaylist(
          id,
          body.expectedRevision,
          {
            ...(name === undefined ? {} : { name, nameKey: foldKey(name) }),
            ...(body.description === undefined ? {} : { description: body.description }),
            ...(body.shared === undefined ? {} : { shared: body.shared ? 1 : 0 }),
          },
          clock.now(),
        ),
      );
      await announce(viewer.id, id, 'updated');
      return current(viewer, id, libraryIds);
    },

    /** Errors: `playlist_not_found`, `forbidden`, `revision_conflict`. */
    async remove(viewer: Viewer, id: string, expectedRevision: number | undefined): Promise<void> {
      await writable(viewer, id);
      const outcome = await repository.deletePlaylist(id, expectedRevision);
      if (outcome !== 'deleted') settle(outcome);
      await announce(viewer.id, id, 'deleted');
    },

    /**
     * Items in order. The cursor holds the revision it was made at: paging on after an edit answers 409
     * `revision_conflict` rather than skipping or repeating items. Errors: `playlist_not_found`, `invalid_cursor`.
     */
    async listItems(viewer: Viewer, id: string, request: PageRequest): Promise<Page<PlaylistItem>> {
      const limit = request.limit ?? DEFAULT_LIMIT;
      const { row, libraryIds } = await readable(viewer, id);
      const listing = `playlist-items:${id}`;
      let after: number | null = null;
      if (request.cursor !== undefined) {
        const position = decodeCursor(request.cursor, listing);
        const [revision, at] = position.values;
        if (position.values.length !== 2 || !Number.isSafeInteger(revision) || !Number.isSafeInteger(at)) throw new AppError('invalid_cursor');
        if (revision !== row.revision) {
          throw new AppError('revision_conflict', `The playlist changed while you paged through it (revision ${row.revision} now); start again.`);
        }
        after = at as number;
      }
      const page = toPage(await repository.listItems(id, after, limit + 1), limit, listing, (item) => [row.revision, item.position], (item) => item);
      return { items: await toItems(viewer, libraryIds, page.items), nextCursor: page.nextCursor };
    },

    /**
     * Adds tracks (duplicates allowed) before `position`, or at the end. An empty list changes nothing. Errors:
     * `playlist_not_found`, `forbidden`, `track_not_found` (a track the owner may not see), `revision_conflict`,
     * `playlist_too_long`.
     */
    async addItems(
      viewer: Viewer,
      id: string,
      body: { trackIds: string[]; position?: number; expectedRevision?: number },
    ): Promise<{ playlist: Playlist; items: PlaylistItem[] }> {
      const { row, libraryIds } = await writable(viewer, id);
      if (body.trackIds.length === 0) {
        if (body.expectedRevision !== undefined && body.expectedRevision !== row.revision) throw conflict(row.revision);
        return { playlist: await current(viewer, id, libraryIds), items: [] };
      }
      await requireTracks(libraryIds, body.trackIds);
      const items = body.trackIds.map((trackId) => ({ id: newId(), trackId }));
      settle(await repository.addItems(id, body.expectedRevision, items, body.position ?? null, MAX_PLAYLIST_ITEMS, clock.now()));
      await announce(viewer.id, id, 'updated');
      const rows = await repository.itemsByIds(id, items.map((item) => item.id));
      return { playlist: await current(viewer, id, libraryIds), items: await toItems(viewer, libraryIds, rows) };
    },

    /** Errors: `playlist_not_found`, `playlist_item_not_found`, `forbidden`, `revision_conflict`. */
    async removeItem(viewer: Viewer, id: string, itemId: string, expectedRevision: number | undefined): Promise<Playlist> {
      const { libraryIds } = await writable(viewer, id);
      requireHexId(itemId, 'playlist_item_not_found');
      settle(await repository.removeItem(id, expectedRevision, itemId, clock.now()));
      await announce(viewer.id, id, 'updated');
      return current(viewer, id, libraryIds);
    },

    /** Moves an item to `position` (past the end: last). Errors as `removeItem`. */
    async moveItem(viewer: Viewer, id: string, itemId: string, body: { position: number; expectedRevision?: number }): Promise<Playlist> {
      const { libraryIds } = await writable(viewer, id);
      requireHexId(itemId, 'playlist_item_not_found');
      settle(await repository.moveItem(id, body.expectedRevision, itemId, body.position, clock.now()));
      await announce(viewer.id, id, 'updated');
      return current(viewer, id, libraryIds);
    },

    /**
     * The playlist as extended M3U in UTF-8, paths relative to their library's root (see `renderM3u8`); items whose
     * track the viewer may not see are left out. Errors: `playlist_not_found`.
     */
    async exportM3u8(viewer: Viewer, id: string): Promise<{ name: string; text: string }> {
      const { row, libraryIds } = await readable(viewer, id);
      return { name: row.name, text: renderM3u8(row.name, await repository.exportEntries(id, libraryIds)) };
    },

    /**
     * A new playlist of the viewer from an uploaded M3U/M3U8 file; relative entries are relative to a library root
     * (as exported). Named `name`, else by the file's `#PLAYLIST:`, else "Imported playlist". Errors:
     * `playlist_too_long`, `validation_failed` (no entries).
     */
    async importUpload(viewer: Viewer, bytes: Uint8Array, options: { name?: string; encoding: M3uEncoding }): Promise<ImportReport> {
      const parsed = parseM3u(decodeM3u(bytes, options.encoding));
      if (parsed.entries.length === 0) throw new AppError('validation_failed', 'The file lists no entries.');
      const libraryIds = await visibleLibraryIds(viewer);
      const result = await match(parsed.entries, { libraries: await repository.libraryRoots(libraryIds), base: null });
      if (result.trackIds.length > MAX_PLAYLIST_ITEMS) throw new AppError('playlist_too_long');
      const name = options.name ?? parsed.name ?? 'Imported playlist';
      const id = await createFor(viewer.id, { name, description: '', shared: false }, result.trackIds);
      return { playlist: await current(viewer, id, libraryIds), matched: result.trackIds.length, unmatched: result.unmatched };
    },

    /**
     * Imports a playlist file found by a scan: the first time as a new playlist of the first admin (named by its
     * `#PLAYLIST:`, else its file name), afterwards into the same playlist, whose items then follow the file (edits of
     * the playlist are overwritten when the file changes). Relative entries are relative to the file's folder.
     * Unchanged files are skipped unless some of their entries matched nothing last time (their tracks may have
     * arrived since); a playlist its owner deleted comes back only when the file changes.
     */
    async importPlaylistFile(file: ScannedPlaylistFile): Promise<void> {
      const contentHash = createHash('sha256').update(file.bytes).digest('hex');
      const known = await repository.findPlaylistFile(file.libraryId, file.path);
      if (known && known.contentHash === contentHash && (known.unmatched === 0 || known.playlistId === null)) return;
      const existing = known?.playlistId ? await repository.findPlaylist(known.playlistId) : undefined;
      const ownerId = existing?.ownerUserId ?? (await repository.firstAdminId());
      const role = ownerId && (await repository.roleOf(ownerId));
      // No admin yet (the first start scans before one exists), or the owner was disabled: a later scan imports it.
      if (!ownerId || !role) return;
      const libraryIds = await visibleLibraryIds({ id: ownerId, role });
      const parsed = parseM3u(decodeM3u(file.bytes, encodingOfFileName(file.path)));
      const dir = path.posix.dirname(file.path);
      const result = await match(parsed.entries, {
        libraries: await repository.libraryRoots(libraryIds),
        base: { libraryId: file.libraryId, dir: dir === '.' ? '' : dir },
      });
      if (result.trackIds.length > MAX_PLAYLIST_ITEMS) {
        log.error({ libraryId: file.libraryId, path: file.path }, `playlist file not imported: more than ${MAX_PLAYLIST_ITEMS} entries`);
        return;
      }
      let playlistId: string;
      if (existing) {
        playlistId = existing.id;
        if (!sameList(await repository.trackIdsOf(playlistId), result.trackIds)) {
          settle(await repository.replaceItems(playlistId, result.trackIds.map((trackId) => ({ id: newId(), trackId })), clock.now()));
          await announce(existing.ownerUserId, playlistId, 'updated');
        }
      } else {
        const name = parsed.name ?? path.posix.basename(file.path).replace(/\.m3u8?$/i, '');
        playlistId = await createFor(ownerId, { name, description: '', shared: false }, result.trackIds);
      }
      await repository.savePlaylistFile({
        libraryId: file.libraryId,
        path: file.path,
        playlistId,
        contentHash,
        unmatched: result.unmatched.length,
        importedAt: clock.now(),
      });
    },

    /**
     * For playback: the track ids of a playlist the user may see, in item order, without unavailable items (missing
     * or broken files, tracks outside the user's libraries). Errors: `playlist_not_found` (also for an unknown or
     * disabled user).
     */
    async resolvePlaylistTrackIds(userId: string, playlistId: string): Promise<string[]> {
      const role = await repository.roleOf(userId);
      if (!role) throw new AppError('playlist_not_found');
      const { libraryIds } = await readable({ id: userId, role }, playlistId);
      return repository.availableTrackIds(playlistId, libraryIds);
    },
  };
}

export type PlaylistsService = ReturnType<typeof createPlaylistsService>;
