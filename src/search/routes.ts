import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../auth/routes.js';
import { AlbumSchema, ArtistSchema, TrackSchema } from '../catalog/schemas.js';
import { ErrorResponseSchema } from '../shared/errors.js';
import { pageQuerySchema, pageSchema } from '../shared/pagination.js';
import type { SavedSearches } from './saved-searches.js';
import type { EntityType } from './search-index.js';
import { searchParams } from './schemas.js';
import type { SearchService } from './search-service.js';

const SearchQuery = Type.Object({ ...searchParams, ...pageQuerySchema });

const SavedSearchSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    search: Type.Object(searchParams, { description: 'Parameters to send to `GET /search` again.' }),
    createdAt: Type.Integer({ description: 'Epoch ms.' }),
  },
  { title: 'SavedSearch' },
);

const SearchResultSchema = Type.Object({
  artists: Type.Array(ArtistSchema),
  albums: Type.Array(AlbumSchema),
  tracks: Type.Array(TrackSchema),
  didYouMean: Type.Optional(Type.String({ description: 'When nothing matched: the query with unknown words replaced by the closest known ones.' })),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Next page of every list; null when none has more.' }),
});

/**
 * `GET /api/v1/search`: ranked artists, albums and tracks from the caller's libraries; `POST|GET /saved-searches`,
 * `DELETE /saved-searches/{id}`: the caller's named searches.
 */
export async function searchPlugin(fastify: FastifyInstance, { search, saved }: { search: SearchService; saved: SavedSearches }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/v1/search',
    {
      schema: {
        summary: 'Search the catalog',
        description:
          'Artists, albums and tracks from libraries you may see. Matching ignores case, diacritics and punctuation ' +
          '("acdc" finds "AC/DC"), takes every word as a prefix, looks in names, artists, albums and genres, and ' +
          'tolerates one typo in words of 4+ letters, two in 8+. Ranking: exact name (also without a leading "The"), ' +
          'name starting with the query, every word in the name, then words found in the artist, the album, elsewhere; ' +
          'ties by your plays, your favorites, then name. Filters apply to tracks, and limit albums and artists to those ' +
          'with a matching track; they work without `q`. `didYouMean` appears when nothing matched. Errors: 400 ' +
          '`validation_failed`, 400 `invalid_cursor`, 401 `unauthorized`, 503 `not_ready`.',
        tags: ['search'],
        querystring: SearchQuery,
        response: { 200: SearchResultSchema, 400: ErrorResponseSchema, 401: ErrorResponseSchema, 503: ErrorResponseSchema },
      },
    },
    async (request) => {
      const { types, ...rest } = request.query;
      return search.search(requireUser(request), { ...rest, types: types ? ([...new Set(types.split(','))] as EntityType[]) : undefined });
    },
  );

  app.post(
    '/api/v1/saved-searches',
    {
      schema: {
        summary: 'Save a search',
        description: 'Stores a name with search parameters (`q`, `types`, `sort`, filters) for you. Errors: 400 `validation_failed`, 401 `unauthorized`.',
        tags: ['search'],
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), search: Type.Object(searchParams, { additionalProperties: false }) }, { additionalProperties: false }),
        response: { 201: SavedSearchSchema, 400: ErrorResponseSchema, 401: ErrorResponseSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await saved.create(requireUser(request), request.body)),
  );

  app.get(
    '/api/v1/saved-searches',
    {
      schema: {
        summary: 'Your saved searches',
        description: 'By name. Errors: 400 `validation_failed`, 400 `invalid_cursor`, 401 `unauthorized`.',
        tags: ['search'],
        querystring: Type.Object(pageQuerySchema),
        response: { 200: pageSchema(SavedSearchSchema), 400: ErrorResponseSchema, 401: ErrorResponseSchema },
      },
    },
    async (request) => saved.list(requireUser(request), request.query),
  );

  app.delete(
    '/api/v1/saved-searches/:id',
    {
      schema: {
        summary: 'Delete a saved search',
        description: 'Errors: 404 `saved_search_not_found` (unknown, or another user\'s), 401 `unauthorized`.',
        tags: ['search'],
        params: Type.Object({ id: Type.String() }),
        response: { 204: Type.Null(), 401: ErrorResponseSchema, 404: ErrorResponseSchema },
      },
    },
    async (request, reply) => {
      await saved.remove(requireUser(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
