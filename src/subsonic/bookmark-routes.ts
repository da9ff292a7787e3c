import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../auth/routes.js';
import { TrackSchema } from '../catalog/schemas.js';
import { ErrorResponseSchema } from '../shared/errors.js';
import { MAX_BOOKMARK_COMMENT, type BookmarksService } from './bookmarks-service.js';

const BookmarkSchema = Type.Object(
  {
    trackId: Type.String(),
    positionMs: Type.Integer({ description: 'Position in the track, ms.' }),
    comment: Type.String(),
    createdAt: Type.Integer({ description: 'epoch ms' }),
    updatedAt: Type.Integer({ description: 'Last change, epoch ms.' }),
    track: TrackSchema,
  },
  { title: 'Bookmark' },
);
const TrackParams = Type.Object({ trackId: Type.String({ maxLength: 64 }) });

/**
 * Your bookmarks (positions within tracks) under `/api/v1/me/bookmarks` — the same ones Subsonic apps see through
 * getBookmarks/createBookmark/deleteBookmark. Routes: `GET /me/bookmarks`, `PUT|DELETE /me/bookmarks/{trackId}`.
 */
export async function bookmarksPlugin(fastify: FastifyInstance, { bookmarks }: { bookmarks: BookmarksService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/v1/me/bookmarks',
    {
      schema: {
        summary: 'Your bookmarks',
        description: 'Most recently changed first; only bookmarks of tracks you can see (all of them: no paging).',
        tags: ['collection'],
        response: { 200: Type.Object({ items: Type.Array(BookmarkSchema), nextCursor: Type.Null() }) },
      },
    },
    async (request) => ({ items: await bookmarks.list(requireUser(request)), nextCursor: null }),
  );

  app.put(
    '/api/v1/me/bookmarks/:trackId',
    {
      schema: {
        summary: 'Bookmark a position in a track',
        description: 'Creates or replaces your bookmark of the track. Errors: 404 `track_not_found` (unknown or not yours to see).',
        tags: ['collection'],
        params: TrackParams,
        body: Type.Object({
          positionMs: Type.Integer({ minimum: 0, description: 'Position in the track, ms.' }),
          comment: Type.Optional(Type.String({ maxLength: MAX_BOOKMARK_COMMENT })),
        }),
        response: { 200: BookmarkSchema, 404: ErrorResponseSchema },
      },
    },
    async (request) => bookmarks.save(requireUser(request), request.params.trackId, request.body),
  );

  app.delete(
    '/api/v1/me/bookmarks/:trackId',
    {
      schema: {
        summary: 'Delete a bookmark',
        description: 'Errors: 404 `bookmark_not_found` (you have no bookmark of that track).',
        tags: ['collection'],
        params: TrackParams,
        response: { 204: Type.Null(), 404: ErrorResponseSchema },
      },
    },
    async (request, reply) => {
      await bookmarks.remove(requireUser(request), request.params.trackId);
      return reply.code(204).send(null);
    },
  );
}
