import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../auth/routes.js';
import { CatalogItemTypeSchema } from '../catalog/schemas.js';
import { ErrorResponseSchema } from '../shared/errors.js';
import { pageQuerySchema, pageSchema } from '../shared/pagination.js';
import type { CollectionService } from './collection-service.js';
import type { ListenBrainzService } from './listenbrainz-service.js';
import {
  FavoriteEntrySchema,
  HistoryEntrySchema,
  ItemParams,
  ListenBrainzStatusSchema,
  ListenBrainzTokenSchema,
  PeriodSchema,
  PlayOutcomeSchema,
  PlaySubmissionSchema,
  RankedEntrySchema,
  RatingBodySchema,
} from './schemas.js';

const LIST_ERRORS = '400 `validation_failed` (limit outside 1–500, unknown option), 400 `invalid_cursor` (malformed, or from another listing), 401 `unauthorized`.';
const ITEM_ERRORS =
  '404 `track_not_found`, `album_not_found` or `artist_not_found` (unknown, or not in a library you may see), ' +
  '400 `validation_failed` (unknown type), 401 `unauthorized`.';
const listResponses = { 400: ErrorResponseSchema, 401: ErrorResponseSchema };
const itemResponses = { 400: ErrorResponseSchema, 401: ErrorResponseSchema, 404: ErrorResponseSchema };
const RankingQuery = Type.Object({ type: CatalogItemTypeSchema, period: Type.Optional(PeriodSchema), ...pageQuerySchema });

/**
 * The signed-in user's collection under `/api/v1`: `PUT|DELETE /favorites/{type}/{id}`, `GET /favorites`,
 * `PUT /ratings/{type}/{id}`, `POST|GET /history`, `GET /history/top`, `GET /history/recent` and
 * `GET|PUT|DELETE /me/listenbrainz`. Everything is the caller's own; items they may not see answer 404.
 */
export async function collectionPlugin(
  fastify: FastifyInstance,
  { collection, listenBrainz }: { collection: CollectionService; listenBrainz: ListenBrainzService },
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.put(
    '/api/v1/favorites/:type/:id',
    {
      schema: {
        summary: 'Mark a favorite',
        description: `Marks the track, album or artist as one of your favorites. Idempotent: marking it again keeps the first time. Errors: ${ITEM_ERRORS}`,
        tags: ['collection'],
        params: ItemParams,
        response: { 204: Type.Null(), ...itemResponses },
      },
    },
    async (request, reply) => {
      await collection.setFavorite(requireUser(request), request.params.type, request.params.id, true);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/v1/favorites/:type/:id',
    {
      schema: {
        summary: 'Unmark a favorite',
        description: `Removes the item from your favorites. Idempotent: 204 also when it was not one. Errors: ${ITEM_ERRORS}`,
        tags: ['collection'],
        params: ItemParams,
        response: { 204: Type.Null(), ...itemResponses },
      },
    },
    async (request, reply) => {
      await collection.setFavorite(requireUser(request), request.params.type, request.params.id, false);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/favorites',
    {
      schema: {
        summary: 'List favorites',
        description:
          'Your favorites that are in libraries you may see, of one `type` or all, most recently marked first; each ' +
          `with the catalog object under its type's name. Errors: ${LIST_ERRORS}`,
        tags: ['collection'],
        querystring: Type.Object({ type: Type.Optional(CatalogItemTypeSchema), ...pageQuerySchema }),
        response: { 200: pageSchema(FavoriteEntrySchema), ...listResponses },
      },
    },
    async (request) => collection.listFavorites(requireUser(request), request.query.type ?? null, request.query),
  );

  app.put(
    '/api/v1/ratings/:type/:id',
    {
      schema: {
        summary: 'Rate an item',
        description: `Sets your 1–5 star rating of the track, album or artist; 0 clears it. Idempotent. Errors: ${ITEM_ERRORS}`,
        tags: ['collection'],
        params: ItemParams,
        body: RatingBodySchema,
        response: { 204: Type.Null(), ...itemResponses },
      },
    },
    async (request, reply) => {
      await collection.setRating(requireUser(request), request.params.type, request.params.id, request.body.rating);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/history',
    {
      schema: {
        summary: 'Record a play (scrobble)',
        description:
          "Records that a track played, when it meets Last.fm's scrobbling rule: the track is longer than 30 s and " +
          'at least half of it, or 4 minutes, played. Otherwise nothing is recorded and the answer says why (200, ' +
          '`recorded: false`, `reason`), so an app may report every play. `playedAt` (when playback started) is ' +
          'rounded down to the second; the same track with the same start second again is a duplicate, recorded once ' +
          '(200, `duplicate: true`, the first play). A new play answers 201 and is forwarded to ListenBrainz when you ' +
          'connected it. Errors: 404 `track_not_found` (unknown, or not in a library you may see), 404 ' +
          '`device_not_found` (`deviceId` is not one of your devices), 400 `validation_failed` (`playedAt` over a ' +
          'minute ahead of the server clock, or before October 2002), 401 `unauthorized`.',
        tags: ['collection'],
        body: PlaySubmissionSchema,
        response: { 200: PlayOutcomeSchema, 201: PlayOutcomeSchema, ...itemResponses },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const outcome = await collection.recordPlay({
        userId: user.id,
        trackId: request.body.trackId,
        playedAt: request.body.playedAt,
        durationPlayedMs: request.body.durationPlayedMs,
        deviceId: request.body.deviceId ?? user.deviceId ?? null,
      });
      return reply.code(outcome.recorded && !outcome.duplicate ? 201 : 200).send(outcome);
    },
  );

  app.get(
    '/api/v1/history',
    {
      schema: {
        summary: 'Play history',
        description: `Your recorded plays of tracks in libraries you may see, newest first, each with its track. Errors: ${LIST_ERRORS}`,
        tags: ['collection'],
        querystring: Type.Object(pageQuerySchema),
        response: { 200: pageSchema(HistoryEntrySchema), ...listResponses },
      },
    },
    async (request) => collection.history(requireUser(request), request.query),
  );

  app.get(
    '/api/v1/history/top',
    {
      schema: {
        summary: 'Most played',
        description:
          'The tracks, albums or artists you played most in the period, by play count, then most recent play. ' +
          "Album plays are its tracks' plays; artist plays are plays of tracks crediting them or on their albums. " +
          '`playCount` and `lastPlayedAt` cover the period; the catalog object carries all-time figures. Only items ' +
          `you may see are listed. Errors: ${LIST_ERRORS}`,
        tags: ['collection'],
        querystring: RankingQuery,
        response: { 200: pageSchema(RankedEntrySchema), ...listResponses },
      },
    },
    async (request) => collection.mostPlayed(requireUser(request), request.query.type, request.query.period ?? 'all', request.query),
  );

  app.get(
    '/api/v1/history/recent',
    {
      schema: {
        summary: 'Recently played',
        description:
          'The tracks, albums or artists you played in the period, most recently played first, each once; ' +
          `\`playCount\` and \`lastPlayedAt\` cover the period. Only items you may see are listed. Errors: ${LIST_ERRORS}`,
        tags: ['collection'],
        querystring: RankingQuery,
        response: { 200: pageSchema(RankedEntrySchema), ...listResponses },
      },
    },
    async (request) => collection.recentlyPlayed(requireUser(request), request.query.type, request.query.period ?? 'all', request.query),
  );

  app.get(
    '/api/v1/me/listenbrainz',
    {
      schema: {
        summary: 'ListenBrainz forwarding status',
        description: 'Whether your plays are forwarded to ListenBrainz, and how the queue of listens to send is doing. The token is never shown.',
        tags: ['collection'],
        response: { 200: ListenBrainzStatusSchema, 401: ErrorResponseSchema },
      },
    },
    async (request) => listenBrainz.status(requireUser(request).id),
  );

  app.put(
    '/api/v1/me/listenbrainz',
    {
      schema: {
        summary: 'Connect ListenBrainz',
        description:
          'Stores your ListenBrainz user token (encrypted with the server secret, never shown or logged) and forwards ' +
          'your plays recorded from now on. The token is checked with ListenBrainz; when ListenBrainz cannot be ' +
          'reached it is stored unchecked (`validatedAt` null). Listens are queued and retried with backoff while ' +
          'ListenBrainz is unreachable; listens it refuses are dropped and counted. Errors: 400 ' +
          '`listenbrainz_token_invalid` (ListenBrainz does not know the token), 400 `validation_failed`, 401 `unauthorized`.',
        tags: ['collection'],
        body: ListenBrainzTokenSchema,
        response: { 200: ListenBrainzStatusSchema, ...listResponses },
      },
    },
    async (request) => listenBrainz.connect(requireUser(request).id, request.body.token),
  );

  app.delete(
    '/api/v1/me/listenbrainz',
    {
      schema: {
        summary: 'Disconnect ListenBrainz',
        description: 'Forgets your token and the listens not sent yet. Idempotent.',
        tags: ['collection'],
        response: { 204: Type.Null(), 401: ErrorResponseSchema },
      },
    },
    async (request, reply) => {
      await listenBrainz.disconnect(requireUser(request).id);
      return reply.code(204).send(null);
    },
  );
}
