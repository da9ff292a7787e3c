import type { Db } from '../db/database.js';
import type { Role, TrackStatus } from '../db/schema.js';

/** One place a track's bytes were seen by the scanner, with what the scanner saw there. */
export interface TrackLocation {
  libraryId: string;
  /** Absolute path of the library root, as configured. */
  rootPath: string;
  /** Relative to `rootPath`, '/'-separated. */
  path: string;
  /** Bytes. */
  size: number;
  /** Epoch ms. */
  mtimeMs: number;
}

/** What streaming needs of a track: its primary file plus the fields that decide whether and how to serve it. */
export interface StreamableTrack extends TrackLocation {
  id: string;
  status: TrackStatus;
  /** SHA-256 hex of the whole file when the background hashing phase has run. */
  contentHash: string | null;
  container: string | null;
}

export interface StreamRepository {
  findTrack(trackId: string): Promise<StreamableTrack | null>;
  /**
   * The holder of a stream grant when they may still use it: the user exists and is enabled, and — for a grant made
   * through a device — that device has not been revoked. Null otherwise.
   */
  findGrantHolder(userId: string, deviceId: string | null): Promise<{ id: string; role: Role } | null>;
  /** Other paths holding byte-identical content of the track (`track_duplicates`), in a stable order. */
  findDuplicates(trackId: string): Promise<TrackLocation[]>;
}

/** Reads tracks and their duplicate paths joined with their library roots. */
export function createStreamRepository(db: Db): StreamRepository {
  return {
    async findTrack(trackId) {
      const row = await db
        .selectFrom('tracks')
        .innerJoin('libraries', 'libraries.id', 'tracks.libraryId')
        .select([
          'tracks.id',
          'tracks.libraryId',
          'tracks.status',
          'tracks.path',
          'tracks.size',
          'tracks.mtimeMs',
          'tracks.contentHash',
          'tracks.container',
          'libraries.rootPath',
        ])
        .where('tracks.id', '=', trackId)
        .executeTakeFirst();
      return row ?? null;
    },

    async findGrantHolder(userId, deviceId) {
      let query = db.selectFrom('users').select(['users.id', 'users.role']).where('users.id', '=', userId).where('users.disabled', '=', 0);
      if (deviceId !== null) {
        query = query.where((eb) =>
          eb.exists(eb.selectFrom('devices').select('devices.id').where('devices.id', '=', deviceId).where('devices.userId', '=', userId)),
        );
      }
      return (await query.executeTakeFirst()) ?? null;
    },

    async findDuplicates(trackId) {
      return db
        .selectFrom('trackDuplicates')
        .innerJoin('libraries', 'libraries.id', 'trackDuplicates.libraryId')
        .select(['trackDuplicates.libraryId', 'libraries.rootPath', 'trackDuplicates.path', 'trackDuplicates.size', 'trackDuplicates.mtimeMs'])
        .where('trackDuplicates.trackId', '=', trackId)
        .orderBy('trackDuplicates.libraryId')
        .orderBy('trackDuplicates.path')
        .execute();
    },
  };
}
