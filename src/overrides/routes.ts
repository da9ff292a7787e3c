import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../auth/routes.js';
import { AlbumDetailSchema, TrackSchema } from '../catalog/schemas.js';
import { ErrorResponseSchema, isAppError } from '../shared/errors.js';
import { pageQuerySchema, pageSchema } from '../shared/pagination.js';
import type { OverridesService } from './overrides-service.js';
import { AlbumEditSchema, CatalogEditSchema, TrackEditSchema } from './schemas.js';

const IdParams = Type.Object({ id: Type.String({ description: 'Hex id.' }) });
const EditParams = Type.Object({ id: Type.String({ description: 'Hex id.' }), editId: Type.String({ description: 'Edit id (hex).' }) });

const WHO =
  'Admins only: the catalog is shared by every user of a library, so edits change it for all of them. A track or album ' +
  'you cannot see answers 404 whoever you are; one you can see answers 403 `forbidden` unless you are an admin.';
const OVERRIDES =
  'Edited values are stored as overrides that win over the file\'s tags: a rescan keeps them, also when the file ' +
  'changed; setting a field back to the file\'s value drops its override. Albums and artists regroup at once.';
const responses = { 400: ErrorResponseSchema, 401: ErrorResponseSchema, 403: ErrorResponseSchema, 404: ErrorResponseSchema, 409: ErrorResponseSchema };

/**
 * Catalog edits under `/api/v1` (admins): `PATCH /tracks/{id}`, `PATCH /albums/{id}`, their histories
 * `GET /tracks/{id}/edits`, `GET /albums/{id}/edits`, reverts `POST /tracks/{id}/edits/{editId}/revert`,
 * `POST /albums/{id}/edits/{editId}/revert`, and `POST /tracks/{id}/write-tags`.
 */
export async function overridesPlugin(fastify: FastifyInstance, { edits }: { edits: OverridesService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.patch(
    '/api/v1/tracks/:id',
    {
      schema: {
        summary: 'Edit a track',
        description:
          `Sets the given fields of the track (any status but broken) and answers the track. ${OVERRIDES} ${WHO} ` +
          'Errors: 400 `validation_failed` (unknown field, blank text), 404 `track_not_found`, 404 `track_unavailable` ' +
          '(broken file), 403 `forbidden`, 409 `scan_in_progress` (retry after the scan), 401 `unauthorized`.',
        tags: ['edits'],
        params: IdParams,
        body: TrackEditSchema,
        response: { 200: TrackSchema, ...responses },
      },
    },
    async (request) => edits.editTrack(requireUser(request), request.params.id, request.body),
  );

  app.patch(
    '/api/v1/albums/:id',
    {
      schema: {
        summary: 'Edit an album',
        description:
          'Sets the given fields on every track of the album in your libraries and answers the album they are on now: ' +
          'the same id when they all move together (a rename), else the album they joined (a merge, the old one is ' +
          `deleted when left empty). ${OVERRIDES} ${WHO} Errors: 400 \`validation_failed\`, 404 \`album_not_found\`, ` +
          '403 `forbidden`, 409 `scan_in_progress`, 401 `unauthorized`.',
        tags: ['edits'],
        params: IdParams,
        body: AlbumEditSchema,
        response: { 200: AlbumDetailSchema, ...responses },
      },
    },
    async (request) => edits.editAlbum(requireUser(request), request.params.id, request.body),
  );

  app.get(
    '/api/v1/tracks/:id/edits',
    {
      schema: {
        summary: "A track's edit history",
        description:
          "Every edit that changed the track, its own and its album's, newest first, with the track's old and new value. " +
          `${WHO} Errors: 400 \`invalid_cursor\`, 404 \`track_not_found\`, 403 \`forbidden\`, 401 \`unauthorized\`.`,
        tags: ['edits'],
        params: IdParams,
        querystring: Type.Object(pageQuerySchema),
        response: { 200: pageSchema(CatalogEditSchema), ...responses },
      },
    },
    async (request) => edits.trackEdits(requireUser(request), request.params.id, request.query),
  );

  app.get(
    '/api/v1/albums/:id/edits',
    {
      schema: {
        summary: "An album's edit history",
        description:
          `Edits made on the album (\`PATCH /albums/{id}\` and their reverts), newest first. ${WHO} Errors: ` +
          '400 `invalid_cursor`, 404 `album_not_found`, 403 `forbidden`, 401 `unauthorized`.',
        tags: ['edits'],
        params: IdParams,
        querystring: Type.Object(pageQuerySchema),
        response: { 200: pageSchema(CatalogEditSchema), ...responses },
      },
    },
    async (request) => edits.albumEdits(requireUser(request), request.params.id, request.query),
  );

  app.post(
    '/api/v1/tracks/:id/edits/:editId/revert',
    {
      schema: {
        summary: 'Revert an edit on a track',
        description:
          'Puts the field the edit changed back as it was before it (for an album edit, on this track only), recorded as ' +
          'a new edit: a value that came from the file comes from the file again (its override is dropped, so a file ' +
          're-tagged since shows its new tags), else the earlier edited value is set again. Answers the track. ' +
          `${WHO} Errors: 404 \`track_not_found\`, 404 \`edit_not_found\` (unknown, or it did not change this track), ` +
          '404 `track_unavailable` (broken file), 403 `forbidden`, 409 `scan_in_progress`, 401 `unauthorized`.',
        tags: ['edits'],
        params: EditParams,
        response: { 200: TrackSchema, ...responses },
      },
    },
    async (request) => edits.revertTrackEdit(requireUser(request), request.params.id, request.params.editId),
  );

  app.post(
    '/api/v1/albums/:id/edits/:editId/revert',
    {
      schema: {
        summary: 'Revert an edit on an album',
        description:
          'Gives every track the edit changed (in your libraries) its value from before it back, as the track revert does, ' +
          'recorded as a new edit, ' +
          `and answers the album they are on now. ${WHO} Errors: 404 \`album_not_found\`, 404 \`edit_not_found\` ` +
          '(unknown, or not made on this album), 403 `forbidden`, 409 `scan_in_progress`, 401 `unauthorized`.',
        tags: ['edits'],
        params: EditParams,
        response: { 200: AlbumDetailSchema, ...responses },
      },
    },
    async (request) => edits.revertAlbumEdit(requireUser(request), request.params.id, request.params.editId),
  );

  app.post(
    '/api/v1/tracks/:id/write-tags',
    {
      schema: {
        summary: "Write a track's edits into its file",
        description:
          "Writes the track's overrides into the file's tags (MP3: ID3v2 in the file's version; FLAC: Vorbis comments), " +
          'then drops them: the file now says the same. Off unless the server runs with `OMNISONIC_ALLOW_TAG_WRITES=true`. ' +
          'The tags are written into a temporary copy in the same folder, which is flushed and verified (tags read back ' +
          'as edited, every other tag and the audio bytes unchanged) before it replaces the file by rename; on any ' +
          'failure the file is left byte-for-byte as it was. A track without overrides is left alone (`written: []`). ' +
          `${WHO} Errors: 404 \`track_not_found\`, 404 \`track_unavailable\` (file missing or unreadable), 403 \`forbidden\`, ` +
          '403 `tag_writes_disabled`, 409 `scan_in_progress`, 422 `tag_write_unsupported`, 500 `tag_write_failed`, ' +
          '401 `unauthorized`.',
        tags: ['edits'],
        params: IdParams,
        response: {
          200: Type.Object({
            track: TrackSchema,
            written: Type.Array(Type.String(), { description: 'Fields written (the album artist goes with the artists or the compilation flag).' }),
          }),
          ...responses,
          422: ErrorResponseSchema,
          500: ErrorResponseSchema,
        },
      },
    },
    async (request) => {
      const user = requireUser(request);
      try {
        const result = await edits.writeTags(user, request.params.id);
        if (result.written.length > 0) request.log.info({ trackId: request.params.id, written: result.written, userId: user.id }, 'tags written into the file');
        return result;
      } catch (error) {
        // The error handler logs only unexpected errors; a refused write is worth a line for whoever runs the server.
        if (isAppError(error) && error.code === 'tag_write_failed') request.log.warn({ trackId: request.params.id, reason: error.message }, 'tag write failed');
        throw error;
      }
    },
  );
}
