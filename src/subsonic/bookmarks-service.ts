import type { Viewer } from '../catalog/catalog-service.js';
import type { Track } from '../catalog/schemas.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { SubsonicBookmarksRepository } from './bookmarks-repository.js';

const HEX_ID = /^[0-9a-f]{1,128}$/i;

/** Longest bookmark comment kept, characters. */
export const MAX_BOOKMARK_COMMENT = 2000;

/** A bookmark with its track as the catalog shows it to the owner. Times epoch ms, position ms. */
export interface Bookmark {
  trackId: string;
  positionMs: number;
  comment: string;
  createdAt: number;
  updatedAt: number;
  track: Track;
}

/**
 * Bookmarks: one position (ms) and comment per user and track, personal (Subsonic's createBookmark/getBookmarks,
 * and `/api/v1/me/bookmarks`). Only tracks the user can see may be bookmarked, and only those are listed: a bookmark
 * of a track whose library the user lost stays, hidden, until access returns.
 */
export function createBookmarksService(deps: {
  repository: Pick<SubsonicBookmarksRepository, 'listBookmarks' | 'findBookmark' | 'saveBookmark' | 'deleteBookmark'>;
  tracksByIds(viewer: Viewer, ids: string[]): Promise<Track[]>;
  clock: Clock;
}) {
  const { repository, clock } = deps;

  return {
    /** The viewer's bookmarks of tracks they can see, most recently changed first. */
    async list(viewer: Viewer): Promise<Bookmark[]> {
      const rows = await repository.listBookmarks(viewer.id);
      const tracks = new Map((await deps.tracksByIds(viewer, rows.map((row) => row.trackId))).map((track) => [track.id, track]));
      return rows.flatMap((row) => {
        const track = tracks.get(row.trackId);
        if (!track) return [];
        return [{ trackId: row.trackId, positionMs: Number(row.positionMs), comment: row.comment, createdAt: Number(row.createdAt), updatedAt: Number(row.updatedAt), track }];
      });
    },

    /**
     * Creates or overwrites the viewer's bookmark of a track (the creation time stays). Errors: 404
     * `track_not_found` (unknown or not visible), 400 `validation_failed` (negative position, comment too long).
     */
    async save(viewer: Viewer, trackId: string, input: { positionMs: number; comment?: string }): Promise<Bookmark> {
      if (!Number.isSafeInteger(input.positionMs) || input.positionMs < 0) throw new AppError('validation_failed', 'The position is ms from the start (0 or more).');
      const comment = input.comment ?? '';
      if (comment.length > MAX_BOOKMARK_COMMENT) throw new AppError('validation_failed', `A bookmark comment has at most ${MAX_BOOKMARK_COMMENT} characters.`);
      const [track] = await deps.tracksByIds(viewer, [trackId]);
      if (!track) throw new AppError('track_not_found');
      await repository.saveBookmark({ userId: viewer.id, trackId: track.id, positionMs: input.positionMs, comment }, clock.now());
      const row = await repository.findBookmark(viewer.id, track.id);
      // Deleted again by a concurrent request of the same user.
      if (!row) throw new AppError('bookmark_not_found');
      return { trackId: track.id, positionMs: Number(row.positionMs), comment: row.comment, createdAt: Number(row.createdAt), updatedAt: Number(row.updatedAt), track };
    },

    /** Errors: 404 `bookmark_not_found`. */
    async remove(viewer: Viewer, trackId: string): Promise<void> {
      // Track ids are hex; PostgreSQL would answer some other strings (NUL) with an error instead of "no row".
      if (!HEX_ID.test(trackId) || !(await repository.deleteBookmark(viewer.id, trackId))) throw new AppError('bookmark_not_found');
    },
  };
}

export type BookmarksService = ReturnType<typeof createBookmarksService>;
