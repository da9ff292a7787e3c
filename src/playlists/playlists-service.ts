import { createHash } from 'node:crypto';
import path from 'node:path';
import type { PageRequest, Viewer } from '../catalog/catalog-service.js';
import type { Track } from '../catalog/schemas.js';
import type { UserEventPublisher } from '../events/contracts.js';
import type { SelectedTracks, TrackSelection } from '../search/search-service.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { DEFAULT_LIMIT, decodeCursor, encodeCursor, toPage, type Page } from '../shared/pagination.js';
import { foldKey } from '../shared/text.js';
import { decodeM3u, encodingOfFileName, parseM3u, renderM3u8, type M3uEncoding } from './m3u.js';
import type { EditOutcome, PlaylistRow, PlaylistsRepository } from './playlists-repository.js';
import {
  MAX_PLAYLIST_ITEMS,
  type CreatePlaylistBody,
  type ImportReport,
  type Playlist,
  type PlaylistItem,
  type SmartRules,
  type UpdatePlaylistBody,
} from './schemas.js';
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
  /**
   * Evaluates smart playlists' rules (the search feature): per selection, the viewer's playable tracks it picks, in
   * order. Without it smart playlists cannot be created, and reading one answers 503 `not_ready`.
   */
  selectTracks?(viewer: Viewer, selections: TrackSelection[]): Promise<SelectedTracks[]>;
  /**
   * Whether `selectTracks` can answer now: false while the search index is being built at start-up (or could not
   * be). Summaries then show smart playlists with null counts instead of waiting or failing. Absent: always.
   */
  selectionReady?(): boolean;
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

const DAY_MS = 86_400_000;

/** Tracks whose artwork a smart playlist's mosaic is picked from: the first ones, enough to find four pictures. */
const ARTWORK_CANDIDATES = 100;

/** The stored rules of a smart playlist; null for an ordinary one. */
function rulesOf(row: PlaylistRow): SmartRules | null {
  return row.rules === null ? null : (JSON.parse(row.rules) as SmartRules);
}

/** Rules as a search selection at `now`: "added in the last N days" becomes a date, the stricter of it and `addedSince`. */
function selectionOf(rules: SmartRules, now: number): TrackSelection {
  const { addedInLastDays, limit = MAX_PLAYLIST_ITEMS, ...filters } = rules;
  const since = [filters.addedSince, addedInLastDays === undefined ? undefined : now - addedInLastDays * DAY_MS].filter((at) => at !== undefined);
  return { ...filters, ...(since.length > 0 ? { addedSince: Math.max(...since) } : {}), limit };
}

/** Errors: `smart_playlist_read_only`. */
function requireOrdinary(row: PlaylistRow): void {
  if (row.rules !== null) throw new AppError('smart_playlist_read_only');
}

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
 *
 * Smart playlists hold rules instead of items (the "lossless, added in the last 30 days, most played first,
 * 50 tracks"): their tracks are picked by the search index whenever they are read, played or exported, for whoever
 * reads them (their libraries, plays and favorites), with relative dates counted from the clock's now. Having no
 * items, a shared one is visible to every user, each seeing their own matches. Their items cannot be edited (409
 * `smart_playlist_read_only`); their rules can.
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

  /** The tracks each smart playlist among `rows` picks for the viewer now, by playlist id. Errors: `not_ready`. */
  async function evaluate(viewer: Viewer, rows: PlaylistRow[]): Promise<Map<string, SelectedTracks>> {
    const smart = rows.filter((row) => row.rules !== null);
    if (smart.length === 0) return new Map();
    if (!deps.selectTracks) throw new AppError('not_ready', 'Smart playlists are not available on this server.');
    const now = clock.now();
    const selected = await deps.selectTracks(viewer, smart.map((row) => selectionOf(rulesOf(row)!, now)));
    return new Map(smart.map((row, i) => [row.id, selected[i]!]));
  }

  /**
   * `evaluate` for summaries, which must not wait or fail while smart playlists cannot be evaluated yet (the search
   * index is still being built, or this server has none): null then, and their counts are shown as unknown.
   */
  async function evaluateIfReady(viewer: Viewer, rows: PlaylistRow[]): Promise<Map<string, SelectedTracks> | null> {
    if (!rows.some((row) => row.rules !== null)) return new Map();
    if (!deps.selectTracks || deps.selectionReady?.() === false) return null;
    return evaluate(viewer, rows);
  }

  /** The first four distinct artworks of each smart playlist's first tracks, by playlist id. */
  async function smartArtwork(selected: Map<string, SelectedTracks>): Promise<Map<string, string[]>> {
    const firsts = [...selected.values()].flatMap(({ trackIds }) => trackIds.slice(0, ARTWORK_CANDIDATES));
    const artworkOf = firsts.length > 0 ? await repository.trackArtwork(firsts) : new Map<string, string>();
    const mosaics = new Map<string, string[]>();
    for (const [playlistId, { trackIds }] of selected) {
      const mosaic = new Set<string>();
      for (const id of trackIds.slice(0, ARTWORK_CANDIDATES)) {
        const artworkId = artworkOf.get(id);
        if (artworkId !== undefined) mosaic.add(artworkId);
        if (mosaic.size === 4) break;
      }
      mosaics.set(playlistId, [...mosaic]);
    }
    return mosaics;
  }

  async function summarize(viewer: Viewer, libraryIds: string[], rows: PlaylistRow[]): Promise<Playlist[]> {
    const ids = rows.filter((row) => row.rules === null).map((row) => row.id);
    const [stats, artwork, selected] = await Promise.all([
      repository.itemStats(ids, libraryIds),
      repository.itemArtwork(ids, libraryIds),
      evaluateIfReady(viewer, rows),
    ]);
    const statsOf = new Map(stats.map((s) => [s.playlistId, s]));
    const artworkOf = await smartArtwork(selected ?? new Map());
    for (const a of artwork) {
      const list = artworkOf.get(a.playlistId);
      if (list) list.push(a.artworkId);
      else artworkOf.set(a.playlistId, [a.artworkId]);
    }
    return rows.map((row) => {
      const smart = selected?.get(row.id);
      const s = smart ? { itemCount: smart.trackIds.length, availableCount: smart.trackIds.length, durationMs: smart.durationMs } : statsOf.get(row.id);
      const unknown = row.rules !== null && selected === null;
      const count = (value: number | undefined) => (unknown ? null : Number(value ?? 0));
      const artworkIds = (artworkOf.get(row.id) ?? []).slice(0, 4);
      return {
        id: row.id,
        name: row.name,
        description: row.description,
        owner: { id: row.ownerUserId, username: row.ownerName },
        shared: row.shared === 1,
        editable: row.ownerUserId === viewer.id,
        revision: row.revision,
        itemCount: count(s?.itemCount),
        availableCount: count(s?.availableCount),
        durationMs: count(s?.durationMs),
        artworkId: artworkIds[0] ?? null,
        artworkIds,
        createdAt: Number(row.createdAt),
        updatedAt: Number(row.updatedAt),
        smart: row.rules !== null,
        rules: rulesOf(row),
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

  /**
   * Creates a playlist owned by `ownerId` holding `trackIds` in order (already checked), or a smart one choosing its
   * tracks by `rules`, and announces it.
   */
  async function createFor(
    ownerId: string,
    fields: { name: string; description: string; shared: boolean; rules?: SmartRules },
    trackIds: string[],
  ): Promise<string> {
    const now = clock.now();
    const id = newId();
    const name = cleanName(fields.name);
    const rules = fields.rules === undefined ? null : JSON.stringify(fields.rules);
    await repository.createPlaylist(
      { id, ownerUserId: ownerId, name, nameKey: foldKey(name), description: fields.description, shared: fields.shared ? 1 : 0, revision: 1, createdAt: now, updatedAt: now, rules },
      trackIds.map((trackId) => ({ id: newId(), trackId })),
    );
    await announce(ownerId, id, 'created');
    return id;
  }

  /** A page of a smart playlist's items after position `after`: the tracks its rules pick for the viewer now. */
  async function smartItems(viewer: Viewer, row: PlaylistRow, after: number | null, limit: number, listing: string): Promise<Page<PlaylistItem>> {
    const { trackIds } = (await evaluate(viewer, [row])).get(row.id)!;
    const from = after === null ? 0 : after + 1;
    const ids = trackIds.slice(from, from + limit);
    const tracks = new Map((await deps.tracksByIds(viewer, ids)).map((track) => [track.id, track]));
    const items = ids.map((trackId, i): PlaylistItem => {
      const track = tracks.get(trackId) ?? null;
      return { id: trackId, position: from + i, trackId, available: track?.status === 'ok', track, addedAt: track?.addedAt ?? 0 };
    });
    const more = from + limit < trackIds.length;
    return { items, nextCursor: more ? encodeCursor({ listing, values: [row.revision, from + limit - 1], id: row.id }) : null };
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

    /**
     * A new playlist of the viewer, with `trackIds` as its first items, or a smart playlist when `rules` are given.
     * Errors: `track_not_found`, `validation_failed` (also `rules` with `trackIds`), `not_ready` (smart playlists
     * unavailable).
     */
    async create(viewer: Viewer, body: CreatePlaylistBody): Promise<Playlist> {
      const libraryIds = await visibleLibraryIds(viewer);
      const trackIds = body.trackIds ?? [];
      if (body.rules !== undefined && trackIds.length > 0) {
        throw new AppError('validation_failed', "A smart playlist's tracks come from its rules: send rules or trackIds, not both.");
      }
      if (body.rules !== undefined && !deps.selectTracks) throw new AppError('not_ready', 'Smart playlists are not available on this server.');
      await requireTracks(libraryIds, trackIds);
      const id = await createFor(viewer.id, { name: body.name, description: body.description ?? '', shared: body.shared ?? false, rules: body.rules }, trackIds);
      return current(viewer, id, libraryIds);
    },

    /**
     * Renames, describes, shares or unshares; replaces a smart playlist's rules. Errors: `playlist_not_found`,
     * `forbidden`, `revision_conflict`, `validation_failed` (also rules for an ordinary playlist).
     */
    async update(viewer: Viewer, id: string, body: UpdatePlaylistBody): Promise<Playlist> {
      const { row, libraryIds } = await writable(viewer, id);
      if (body.rules !== undefined && row.rules === null) {
        throw new AppError('validation_failed', 'Only a smart playlist has rules; create a smart playlist instead.');
      }
      const name = body.name === undefined ? undefined : cleanName(body.name);
      settle(
        await repository.updatePlaylist(
          id,
          body.expectedRevision,
          {
            ...(name === undefined ? {} : { name, nameKey: foldKey(name) }),
            ...(body.description === undefined ? {} : { description: body.description }),
            ...(body.shared === undefined ? {} : { shared: body.shared ? 1 : 0 }),
            ...(body.rules === undefined ? {} : { rules: JSON.stringify(body.rules) }),
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
      const outcome = await repository.deletePlaylist(id, expectedRevision, clock.now());
      if (outcome !== 'deleted') settle(outcome);
      await announce(viewer.id, id, 'deleted');
    },

    /**
     * Items in order. The cursor holds the revision it was made at: paging on after an edit answers 409
     * `revision_conflict` rather than skipping or repeating items. A smart playlist's items are the tracks its rules
     * pick now (each item's id is its track's, `addedAt` when the track was added). Errors: `playlist_not_found`,
     * `invalid_cursor`, `not_ready`.
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
      if (row.rules !== null) return smartItems(viewer, row, after, limit, listing);
      const page = toPage(await repository.listItems(id, after, limit + 1), limit, listing, (item) => [row.revision, item.position], (item) => item);
      return { items: await toItems(viewer, libraryIds, page.items), nextCursor: page.nextCursor };
    },

    /**
     * Adds tracks (duplicates allowed) before `position`, or at the end. An empty list changes nothing. Errors:
     * `playlist_not_found`, `forbidden`, `track_not_found` (a track the owner may not see), `revision_conflict`,
     * `playlist_too_long`, `smart_playlist_read_only`.
     */
    async addItems(
      viewer: Viewer,
      id: string,
      body: { trackIds: string[]; position?: number; expectedRevision?: number },
    ): Promise<{ playlist: Playlist; items: PlaylistItem[] }> {
      const { row, libraryIds } = await writable(viewer, id);
      requireOrdinary(row);
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

    /** Errors: `playlist_not_found`, `playlist_item_not_found`, `forbidden`, `revision_conflict`, `smart_playlist_read_only`. */
    async removeItem(viewer: Viewer, id: string, itemId: string, expectedRevision: number | undefined): Promise<Playlist> {
      const { row, libraryIds } = await writable(viewer, id);
      requireOrdinary(row);
      requireHexId(itemId, 'playlist_item_not_found');
      settle(await repository.removeItem(id, expectedRevision, itemId, clock.now()));
      await announce(viewer.id, id, 'updated');
      return current(viewer, id, libraryIds);
    },

    /** Moves an item to `position` (past the end: last). Errors as `removeItem`. */
    async moveItem(viewer: Viewer, id: string, itemId: string, body: { position: number; expectedRevision?: number }): Promise<Playlist> {
      const { row, libraryIds } = await writable(viewer, id);
      requireOrdinary(row);
      requireHexId(itemId, 'playlist_item_not_found');
      settle(await repository.moveItem(id, body.expectedRevision, itemId, body.position, clock.now()));
      await announce(viewer.id, id, 'updated');
      return current(viewer, id, libraryIds);
    },

    /**
     * Replaces every item with `trackIds` (in order, duplicates allowed) in one edit — the Subsonic `createPlaylist`
     * with a `playlistId`. Errors: `playlist_not_found`, `forbidden`, `track_not_found`, `playlist_too_long`,
     * `smart_playlist_read_only`.
     */
    async replaceItems(viewer: Viewer, id: string, trackIds: string[]): Promise<Playlist> {
      const { row, libraryIds } = await writable(viewer, id);
      requireOrdinary(row);
      if (trackIds.length > MAX_PLAYLIST_ITEMS) throw new AppError('playlist_too_long');
      await requireTracks(libraryIds, trackIds);
      settle(await repository.replaceItems(id, trackIds.map((trackId) => ({ id: newId(), trackId })), clock.now()));
      await announce(viewer.id, id, 'updated');
      return current(viewer, id, libraryIds);
    },

    /**
     * The playlist as extended M3U in UTF-8, paths relative to their library's root (see `renderM3u8`); items whose
     * track the viewer may not see are left out; a smart playlist lists the tracks its rules pick now. Errors:
     * `playlist_not_found`, `not_ready`.
     */
    async exportM3u8(viewer: Viewer, id: string): Promise<{ name: string; text: string }> {
      const { row, libraryIds } = await readable(viewer, id);
      const smart = (await evaluate(viewer, [row])).get(id);
      const entries = smart ? await repository.exportTracks(smart.trackIds) : await repository.exportEntries(id, libraryIds);
      return { name: row.name, text: renderM3u8(row.name, entries) };
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
     * or broken files, tracks outside the user's libraries); of a smart playlist, the tracks its rules pick for the
     * user now. Errors: `playlist_not_found` (also for an unknown or disabled user), `not_ready`.
     */
    async resolvePlaylistTrackIds(userId: string, playlistId: string): Promise<string[]> {
      const role = await repository.roleOf(userId);
      if (!role) throw new AppError('playlist_not_found');
      const viewer = { id: userId, role };
      const { row, libraryIds } = await readable(viewer, playlistId);
      const smart = (await evaluate(viewer, [row])).get(playlistId);
      return smart ? smart.trackIds : repository.availableTrackIds(playlistId, libraryIds);
    },
  };
}

export type PlaylistsService = ReturnType<typeof createPlaylistsService>;
