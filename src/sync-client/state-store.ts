import type { SyncFileSystem } from './file-system.js';

/** The copy of a track the client wrote into DIR, as it was when written (to notice later changes cheaply). */
export interface LocalCopy {
  fileName: string;
  sha256: string;
  /** Bytes. */
  size: number;
  /** Epoch ms, as the file system reported right after the write. */
  mtimeMs: number;
}

/** A track of the server's library as last seen, and the local copy if there is one. */
export interface KnownTrack {
  fileName: string;
  sha256: string | null;
  size: number;
  local: LocalCopy | null;
}

/**
 * What the client remembers between runs. `phase` `bootstrapping`: `cursor` is the next snapshot page (null = the
 * first) and `bootstrapSeen` the track ids the snapshot held so far; `incremental`: `cursor` is the change feed
 * position. Saved after every page of records, so a crash replays at most one page (records are idempotent).
 */
export interface SyncState {
  version: 1;
  /** The server this folder mirrors. */
  server: string;
  phase: 'bootstrapping' | 'incremental';
  cursor: string | null;
  bootstrapSeen: string[];
  tracks: Record<string, KnownTrack>;
}

export function freshState(server: string): SyncState {
  return { version: 1, server, phase: 'bootstrapping', cursor: null, bootstrapSeen: [], tracks: {} };
}

/** A state file this client cannot use; the message says what to do. */
export class StateFileError extends Error {}

function isState(value: unknown): value is SyncState {
  const s = value as SyncState | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    s.version === 1 &&
    typeof s.server === 'string' &&
    (s.phase === 'bootstrapping' || s.phase === 'incremental') &&
    (s.cursor === null || typeof s.cursor === 'string') &&
    Array.isArray(s.bootstrapSeen) &&
    typeof s.tracks === 'object' &&
    s.tracks !== null
  );
}

/**
 * The state file (JSON) through the file-system adapter; every save is atomic (temp file, fsync, rename, folder
 * fsync), so a crash leaves the previous or the new state, never a torn one.
 */
export function createStateStore(fs: SyncFileSystem, file: string) {
  return {
    file,
    /**
     * The saved state, or a fresh one when there is none. Throws `StateFileError` when the file is unreadable JSON or
     * belongs to another server (mirroring two servers into one folder would delete each other's files).
     */
    async load(server: string): Promise<SyncState> {
      const text = await fs.readText(file);
      if (text === null) return freshState(server);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
      if (!isState(parsed)) throw new StateFileError(`${file} is not a sync state file of this version; delete it to sync from scratch (local files are kept and reused)`);
      if (parsed.server !== server) {
        throw new StateFileError(`${file} mirrors ${parsed.server}, not ${server}; use another folder, or delete the state file to switch servers`);
      }
      return parsed;
    },
    save: (state: SyncState) => fs.writeAtomic(file, JSON.stringify(state)),
  };
}

export type StateStore = ReturnType<typeof createStateStore>;
