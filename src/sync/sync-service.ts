import type { AuthUser } from '../auth/auth-service.js';
import type { LibraryAccessRepository } from '../library/access-repository.js';
import type { SyncEntityType } from '../db/schema.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { accessTag, BOOTSTRAP_PHASES, decodeAnyCursor, decodeCursor, encodeCursor } from './cursors.js';
import {
  albumRecord,
  artistRecord,
  artworkRecord,
  favoriteKey,
  favoriteRecord,
  playlistRecord,
  trackRecord,
  type SyncRecord,
} from './sync-records.js';
import type { EntitySelection, LogRow, SyncRepository } from './sync-repository.js';

export type Viewer = Pick<AuthUser, 'id' | 'role' | 'deviceId'>;

export interface BootstrapPage {
  items: SyncRecord[];
  /** Null when the snapshot is complete. */
  nextCursor: string | null;
  /** Where `/sync/changes` continues once the snapshot is complete (the same on every page of one bootstrap). */
  changesCursor: string;
}

export interface ChangesPage {
  changes: SyncRecord[];
  nextCursor: string;
  hasMore: boolean;
}

export interface SyncDeviceView {
  deviceId: string;
  name: string;
  platform: string;
  /** The cursor the device last acknowledged (`POST /sync/ack`), or null. */
  ackedCursor: string | null;
  /** Epoch ms. */
  ackedAt: number | null;
  /** An admin asked the device to bootstrap again and it has not acknowledged a cursor of a new bootstrap since. */
  resyncPending: boolean;
  /** Epoch ms of the last forced resync, or null. */
  resyncRequestedAt: number | null;
}

/** Log rows read per changes page for each record it may return: room to fold repeated changes of one entity. */
const ROWS_PER_RECORD = 4;

/** What the viewer may see now: their libraries and the access tag their cursors must carry. */
interface Scope {
  viewer: Viewer;
  libraryIds: string[];
  access: string;
}

/**
 * The sync protocol (issue 7; `docs/sync-protocol.md`, summarised in the README): a paged snapshot of
 * everything the user may see, then the changes since, read from the `library_events` log that every catalog,
 * playlist and favorite writer appends to in its own transaction.
 *
 * Rules:
 * - Records always carry the entity as it is when read (or `delete` when the user can no longer see it), so the
 *   latest change of an entity wins and a snapshot page that saw a newer state than its pinned log position is
 *   simply confirmed by the changes read after it.
 * - A snapshot is pinned at the committed log position of its first page; replaying the log from there makes the
 *   client equal to the server whatever was written between pages.
 * - Reads never go past the committed counter (`logState().lastSeq`), under which every row has committed (see
 *   `appendLibraryEvents`): a reader never moves a cursor past a change still in flight.
 * - 410 `cursor_expired`: the log was compacted past the cursor, the cursor is ahead of the log (another database),
 *   the user's libraries changed since the chain began (its access tag), or an admin forced the device to resync.
 */
export function createSyncService(deps: {
  repository: SyncRepository;
  /** The one library-access rule (grants, own uploads, admins every music library). */
  libraries: Pick<LibraryAccessRepository, 'visibleLibraries'>;
  clock: Clock;
}) {
  const { repository, clock } = deps;

  async function scopeOf(viewer: Viewer): Promise<Scope> {
    const libraries = await deps.libraries.visibleLibraries(viewer.id, viewer.role === 'admin');
    return { viewer, libraryIds: libraries.map((l) => l.id), access: accessTag(libraries, viewer.id) };
  }

  /** Throws 410 unless a cursor chain at log position `seq` with tag `access` can still be continued. */
  async function requireContinuable(scope: Scope, seq: number, access: string): Promise<number> {
    if (access !== scope.access) throw new AppError('cursor_expired', 'Your libraries changed since this sync began; bootstrap again.');
    const state = await repository.logState();
    if (seq < state.compactedSeq) throw new AppError('cursor_expired', 'The change log was compacted past this cursor; bootstrap again.');
    if (seq > state.lastSeq) throw new AppError('cursor_expired', 'The cursor is ahead of this server\'s change log; bootstrap again.');
    if (scope.viewer.deviceId && seq < (await repository.deviceResetSeq(scope.viewer.deviceId))) {
      throw new AppError('cursor_expired', 'An admin asked this device to sync again from scratch; bootstrap again.');
    }
    return state.lastSeq;
  }

  /** The records of `type` for `selection`, as the scope sees them now. */
  async function load(scope: Scope, type: SyncEntityType, selection: EntitySelection): Promise<{ key: string; record: SyncRecord }[]> {
    const { libraryIds, viewer } = scope;
    const keyed = <R extends { id: string }>(rows: R[], toRecord: (row: R) => SyncRecord) => rows.map((row) => ({ key: row.id, record: toRecord(row) }));
    switch (type) {
      case 'artwork':
        return keyed(await repository.artworks(libraryIds, selection), artworkRecord);
      case 'artist':
        return keyed(await repository.artists(libraryIds, selection), artistRecord);
      case 'album':
        return keyed(await repository.albums(libraryIds, selection), albumRecord);
      case 'track':
        return keyed(await repository.tracks(libraryIds, selection), trackRecord);
      case 'playlist':
        return keyed(await repository.playlists(viewer.id, selection), playlistRecord);
      case 'favorite':
        return (await repository.favorites(viewer.id, selection)).map((row) => ({ key: favoriteKey(row), record: favoriteRecord(row) }));
    }
  }

  /** The latest log row per entity among `rows` turned into records: the entity now, or a delete when not visible. */
  async function hydrate(scope: Scope, rows: LogRow[]): Promise<SyncRecord[]> {
    const latest = new Map<string, LogRow>();
    for (const row of rows) {
      const key = `${row.entityType}\u0000${row.entityId}`;
      latest.delete(key);
      latest.set(key, row);
    }
    const byType = new Map<SyncEntityType, string[]>();
    for (const row of latest.values()) {
      const ids = byType.get(row.entityType) ?? [];
      ids.push(row.entityId);
      byType.set(row.entityType, ids);
    }
    const found = new Map<string, SyncRecord>();
    for (const [type, ids] of byType) {
      for (const { key, record } of await load(scope, type, { ids })) found.set(`${type}\u0000${key}`, record);
    }
    return [...latest.entries()].map(([key, row]) => found.get(key) ?? { type: row.entityType, id: row.entityId, op: 'delete' });
  }

  return {
    /**
     * One page of the snapshot (`limit` records, 1..1000). Without a cursor a new snapshot starts, pinned at the
     * current committed log position. Errors: 400 `invalid_cursor`, 410 `cursor_expired`.
     */
    async bootstrap(viewer: Viewer, cursorText: string | undefined, limit: number): Promise<BootstrapPage> {
      const scope = await scopeOf(viewer);
      let position: { seq: number; phase: number; after: string };
      if (cursorText === undefined) {
        position = { seq: (await repository.logState()).lastSeq, phase: 0, after: '' };
      } else {
        const cursor = decodeCursor(cursorText, 'bootstrap');
        await requireContinuable(scope, cursor.seq, cursor.access);
        position = cursor;
      }
      const items: SyncRecord[] = [];
      let nextCursor: string | null = null;
      for (let phase = position.phase; phase < BOOTSTRAP_PHASES.length; phase++) {
        const after = phase === position.phase ? position.after : '';
        const room = limit - items.length;
        const rows = await load(scope, BOOTSTRAP_PHASES[phase], { after, limit: room + 1 });
        if (rows.length > room) {
          const page = rows.slice(0, room);
          items.push(...page.map((r) => r.record));
          // room is at least 1 here: a full page stops the loop before the next phase.
          nextCursor = encodeCursor({ kind: 'bootstrap', seq: position.seq, access: scope.access, phase, after: page[page.length - 1].key });
          break;
        }
        items.push(...rows.map((r) => r.record));
        if (items.length === limit && phase + 1 < BOOTSTRAP_PHASES.length) {
          nextCursor = encodeCursor({ kind: 'bootstrap', seq: position.seq, access: scope.access, phase: phase + 1, after: '' });
          break;
        }
      }
      return { items, nextCursor, changesCursor: encodeCursor({ kind: 'changes', seq: position.seq, access: scope.access }) };
    },

    /**
     * The changes after the cursor, at most `limit` records (1..1000), each entity once with its state now.
     * `hasMore` says to call again at once with `nextCursor`; otherwise poll later with it. Errors: 400
     * `invalid_cursor`, 410 `cursor_expired`.
     */
    async changes(viewer: Viewer, cursorText: string, limit: number): Promise<ChangesPage> {
      const cursor = decodeCursor(cursorText, 'changes');
      const scope = await scopeOf(viewer);
      const upTo = await requireContinuable(scope, cursor.seq, cursor.access);
      const budget = limit * ROWS_PER_RECORD;
      const rows = await repository.logRows(cursor.seq, upTo, scope.libraryIds, viewer.id, budget);
      // The retention job may have deleted rows after the check above: then what was read may have holes.
      if ((await repository.logState()).compactedSeq > cursor.seq) {
        throw new AppError('cursor_expired', 'The change log was compacted past this cursor; bootstrap again.');
      }
      // Take rows in log order until a further row would make one entity too many.
      const taken: LogRow[] = [];
      const entities = new Set<string>();
      let cutShort = false;
      for (const row of rows) {
        const key = `${row.entityType}\u0000${row.entityId}`;
        if (!entities.has(key) && entities.size === limit) {
          cutShort = true;
          break;
        }
        entities.add(key);
        taken.push(row);
      }
      const hasMore = cutShort || rows.length === budget;
      // Nothing left to read: the cursor moves to the watermark, past rows of other users' libraries too.
      const seq = hasMore ? taken[taken.length - 1].seq : upTo;
      return {
        changes: await hydrate(scope, taken),
        nextCursor: encodeCursor({ kind: 'changes', seq, access: scope.access }),
        hasMore,
      };
    },

    /** Stores the device's cursor. Errors: 403 `forbidden` without a device token, 400 `invalid_cursor`. */
    async ack(viewer: Viewer, cursorText: string): Promise<void> {
      if (!viewer.deviceId) throw new AppError('forbidden', 'Only a device (signed in with its device token) keeps a sync cursor.');
      const cursor = decodeAnyCursor(cursorText);
      await repository.saveAck(viewer.deviceId, viewer.id, cursorText, cursor.seq, clock.now());
    },

    /** The viewer's devices and their sync state. */
    async devices(viewer: Viewer): Promise<SyncDeviceView[]> {
      return (await repository.devices(viewer.id)).map((row) => ({
        deviceId: row.id,
        name: row.name,
        platform: row.platform,
        ackedCursor: row.ackedCursor,
        ackedAt: row.ackedAt,
        resyncPending: row.resetSeq > 0 && (row.ackedSeq === null || row.ackedSeq < row.resetSeq),
        resyncRequestedAt: row.resetAt,
      }));
    },

    /** Admin: the device's cursors all answer 410 from now on, so it bootstraps again. Errors: 404 `device_not_found`. */
    async forceResync(deviceId: string): Promise<void> {
      const device = await repository.deviceOwner(deviceId);
      if (!device) throw new AppError('device_not_found');
      await repository.resetDevice(device.id, device.userId, clock.now());
    },

    /** Deletes log rows older than `retentionMs` (see `compaction.ts`); resolves with the number deleted. */
    async compact(retentionMs: number): Promise<number> {
      return repository.compact(clock.now() - retentionMs);
    },
  };
}

export type SyncService = ReturnType<typeof createSyncService>;
