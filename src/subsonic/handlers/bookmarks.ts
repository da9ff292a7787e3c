import type { Handler, HandlerContext } from '../handler-kit.js';
import { toChild } from '../mapping.js';

/**
 * Bookmarks (Endpoints/getBookmarks, createBookmark, deleteBookmark; Responses/bookmark) through the bookmarks
 * service (`bookmarks-service.ts`: personal, only for songs the user can see). `position` is ms both ways, as
 * createBookmark takes it and the spec's examples answer it. Unknown or invisible songs → 70, as is deleting a
 * bookmark that does not exist; a negative position → 0.
 */
export function bookmarksHandlers(context: HandlerContext): Record<string, Handler> {
  const { deps } = context;
  const { bookmarks } = deps;

  return {
    getBookmarks: async (user) => {
      const list = await bookmarks.list(user);
      const stars = await deps.repository.starredAt(user.id, 'track', list.map((bookmark) => bookmark.trackId));
      return {
        bookmarks: {
          bookmark: list.map((bookmark) => ({
            position: bookmark.positionMs,
            username: user.username,
            comment: bookmark.comment,
            created: new Date(bookmark.createdAt).toISOString(),
            changed: new Date(bookmark.updatedAt).toISOString(),
            entry: { ...toChild(bookmark.track, stars.get(bookmark.trackId)), bookmarkPosition: bookmark.positionMs },
          })),
        },
      };
    },

    createBookmark: async (user, p) => {
      const id = p.required('id');
      await bookmarks.save(user, id, { positionMs: p.requiredInt('position'), comment: p.str('comment') });
      return {};
    },

    deleteBookmark: async (user, p) => {
      await bookmarks.remove(user, p.required('id'));
      return {};
    },
  };
}
