/**
 * The sync protocol as the client sees it (`docs/sync-protocol.md`, issue 7): records of the bootstrap snapshot and
 * the change feed. Only tracks become local files; the other record types are counted and otherwise ignored.
 */

export type SyncRecordType = 'artist' | 'album' | 'track' | 'artwork' | 'playlist' | 'favorite';

/** One entity's state: `data` is present for `upsert`. */
export interface SyncRecord {
  type: SyncRecordType;
  id: string;
  op: 'upsert' | 'delete';
  data?: Record<string, unknown>;
}

/** The fields of a track upsert the client uses. `fileName` is the server's suggested path relative to DIR. */
export interface TrackData {
  id: string;
  fileName: string;
  /** Bytes. */
  size: number;
  /** Hex SHA-256 of the file; null until the server has hashed it (a later upsert brings it). */
  sha256: string | null;
}

/** `GET /api/v1/sync/bootstrap`: one page of the snapshot; `nextCursor` null = the snapshot is complete. */
export interface BootstrapPage {
  items: SyncRecord[];
  nextCursor: string | null;
  changesCursor: string;
}

/** `GET /api/v1/sync/changes`. */
export interface ChangesPage {
  changes: SyncRecord[];
  nextCursor: string;
  hasMore: boolean;
}

/** Reads the client's fields out of a track record's `data`; null when they are missing or of the wrong type. */
export function trackData(record: SyncRecord): TrackData | null {
  const data = record.data;
  if (!data) return null;
  const { fileName, size, sha256 } = data as { fileName?: unknown; size?: unknown; sha256?: unknown };
  if (typeof fileName !== 'string' || typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return null;
  if (sha256 !== null && (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(sha256))) return null;
  return { id: record.id, fileName, size, sha256: sha256 === null ? null : sha256.toLowerCase() };
}
