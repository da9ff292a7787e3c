import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../auth/routes.js';
import { ErrorResponseSchema } from '../shared/errors.js';
import { pageQuerySchema, pageSchema } from '../shared/pagination.js';
import type { CatalogService } from './catalog-service.js';
import {
  AlbumDetailSchema,
  AlbumSchema,
  AlbumSortSchema,
  ArtistDetailSchema,
  ArtistSchema,
  LyricsSchema,
  TrackSchema,
  TrackStatusFilterSchema,
} from './schemas.js';

const IdParams = Type.Object({ id: Type.String({ description: 'Hex id.' }) });

const LIST_ERRORS = '400 `validation_failed` (limit outside 1–500, unknown option), 400 `invalid_cursor` (malformed, or from another listing), 401 `unauthorized`.';
const listResponses = { 400: ErrorResponseSchema, 401: ErrorResponseSchema };
const itemResponses = { 401: ErrorResponseSchema, 404: ErrorResponseSchema };

/**
 * Browsing the catalog under `/api/v1`: `GET /artists`, `/artists/{id}`, `/albums`, `/albums/{id}`, `/tracks`,
 * `/tracks/{id}`, `/tracks/{id}/lyrics`. Every route needs a signed-in user and shows only what is in their
 * libraries.
 */
export async function catalogPlugin(fastify: FastifyInstance, { catalog }: { catalog: CatalogService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/v1/artists',
    {
      schema: {
        summary: 'List artists',
        description:
          'Artists with at least one playable track in a library you may see, as track artist or album artist, by ' +
          `sort name (folded, without a leading article: "The Beatles" under B). Errors: ${LIST_ERRORS}`,
        tags: ['catalog'],
        querystring: Type.Object(pageQuerySchema),
        response: { 200: pageSchema(ArtistSchema), ...listResponses },
      },
    },
    async (request) => catalog.listArtists(requireUser(request), request.query),
  );

  app.get(
    '/api/v1/artists/:id',
    {
      schema: {
        summary: 'An artist and their albums',
        description:
          'The artist with `albums` (they are album artist) and `appearsOn` (albums of others with a track crediting ' +
          'them), counting only tracks in libraries you may see. Errors: 404 `artist_not_found` (unknown, or no playable ' +
          'track in a library you may see), 401 `unauthorized`.',
        tags: ['catalog'],
        params: IdParams,
        response: { 200: ArtistDetailSchema, ...itemResponses },
      },
    },
    async (request) => catalog.getArtist(requireUser(request), request.params.id),
  );

  app.get(
    '/api/v1/albums',
    {
      schema: {
        summary: 'List albums',
        description: `Albums with at least one playable track in a library you may see, in the chosen order. Errors: ${LIST_ERRORS}`,
        tags: ['catalog'],
        querystring: Type.Object({ sort: Type.Optional(AlbumSortSchema), ...pageQuerySchema }),
        response: { 200: pageSchema(AlbumSchema), ...listResponses },
      },
    },
    async (request) => catalog.listAlbums(requireUser(request), request.query.sort ?? 'name', request.query),
  );

  app.get(
    '/api/v1/albums/:id',
    {
      schema: {
        summary: 'An album and its tracks',
        description:
          'The album with its playable tracks by disc, then track number (unnumbered last), then title; `durationMs` ' +
          'is their total; only tracks in libraries you may see. Errors: 404 `album_not_found` (unknown, or no playable ' +
          'track in a library you may see), 401 `unauthorized`.',
        tags: ['catalog'],
        params: IdParams,
        response: { 200: AlbumDetailSchema, ...itemResponses },
      },
    },
    async (request) => catalog.getAlbum(requireUser(request), request.params.id),
  );

  app.get(
    '/api/v1/tracks',
    {
      schema: {
        summary: 'List tracks',
        description: `Tracks in libraries you may see with the given status (default \`ok\`), by folded title. Errors: ${LIST_ERRORS}`,
        tags: ['catalog'],
        querystring: Type.Object({ status: Type.Optional(TrackStatusFilterSchema), ...pageQuerySchema }),
        response: { 200: pageSchema(TrackSchema), ...listResponses },
      },
    },
    async (request) => catalog.listTracks(requireUser(request), request.query.status ?? 'ok', request.query),
  );

  app.get(
    '/api/v1/tracks/:id',
    {
      schema: {
        summary: 'A track',
        description:
          'The track whatever its status (missing and broken files included). Errors: 404 `track_not_found` (unknown, ' +
          'or in a library you may not see), 401 `unauthorized`.',
        tags: ['catalog'],
        params: IdParams,
        response: { 200: TrackSchema, ...itemResponses },
      },
    },
    async (request) => catalog.getTrack(requireUser(request), request.params.id),
  );

  app.get(
    '/api/v1/tracks/:id/lyrics',
    {
      schema: {
        summary: 'Lyrics of a track',
        description:
          'Plain and time-synced lyrics from the tags. Errors: 404 `track_not_found` (unknown, or in a library you may ' +
          'not see), 404 `lyrics_not_found` (the track has none), 401 `unauthorized`.',
        tags: ['catalog'],
        params: IdParams,
        response: { 200: LyricsSchema, ...itemResponses },
      },
    },
    async (request) => catalog.getLyrics(requireUser(request), request.params.id),
  );
}
