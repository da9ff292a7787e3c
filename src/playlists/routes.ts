import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../auth/routes.js';
import { AppError, ErrorResponseSchema } from '../shared/errors.js';
import { pageQuerySchema, pageSchema } from '../shared/pagination.js';
import type { M3uEncoding } from './m3u.js';
import type { PlaylistsService } from './playlists-service.js';
import {
  AddItemsBodySchema,
  AddItemsResponseSchema,
  CreatePlaylistBodySchema,
  ExpectedRevisionQuerySchema,
  ImportReportSchema,
  MAX_PLAYLIST_ITEMS,
  MAX_TRACKS_PER_ADD,
  MoveItemBodySchema,
  PlaylistItemSchema,
  PlaylistSchema,
  UpdatePlaylistBodySchema,
} from './schemas.js';

/** Content types an M3U upload may come as (players and browsers disagree); `text/plain` and raw bytes too. */
const M3U_TYPES = ['audio/x-mpegurl', 'audio/mpegurl', 'application/x-mpegurl', 'application/vnd.apple.mpegurl', 'text/plain', 'application/octet-stream'];

/** Room for a playlist of the longest allowed length with `#EXTINF` lines and long paths. */
const IMPORT_BODY_LIMIT = 8 * 1024 * 1024;

const PlaylistParams = Type.Object({ id: Type.String({ description: 'Playlist id (hex).' }) });
const ItemParams = Type.Object({ id: Type.String({ description: 'Playlist id (hex).' }), itemId: Type.String({ description: 'Item id (hex).' }) });

const NOT_VISIBLE = '404 `playlist_not_found` (unknown, or another user\'s playlist not shared with you)';
const EDIT_ERRORS =
  `${NOT_VISIBLE}, 403 \`forbidden\` (shared with you: read-only), 409 \`revision_conflict\` (\`expectedRevision\` is not ` +
  'the current revision; nothing changed), 401 `unauthorized`';
const SMART_READ_ONLY = "409 `smart_playlist_read_only` (a smart playlist's tracks come from its rules)";
// 503 `not_ready`: reading a smart playlist needs the search index, which may not be built yet.
const readResponses = { 401: ErrorResponseSchema, 404: ErrorResponseSchema, 503: ErrorResponseSchema };
const editResponses = { 400: ErrorResponseSchema, 401: ErrorResponseSchema, 403: ErrorResponseSchema, 404: ErrorResponseSchema, 409: ErrorResponseSchema };

/** The encoding named by the upload's `charset` parameter; absent: detected. Errors: `validation_failed`. */
function encodingOf(contentType: string | undefined): M3uEncoding {
  const charset = /;\s*charset="?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset === undefined) return 'detect';
  if (charset === 'utf-8' || charset === 'utf8') return 'utf-8';
  if (['iso-8859-1', 'latin1', 'l1', 'windows-1252', 'cp1252', 'us-ascii'].includes(charset)) return 'latin1';
  throw new AppError('validation_failed', `Unsupported charset "${charset}": send UTF-8 or ISO-8859-1.`);
}

/** `Content-Disposition` naming the download after the playlist (non-ASCII names through RFC 6266 `filename*`). */
function attachment(name: string): string {
  const base = name.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, '_').trim() || 'playlist';
  const ascii = base.replace(/[^\u0020-\u007e]/g, '_').replace(/[%;]/g, '_');
  return `attachment; filename="${ascii}.m3u8"; filename*=UTF-8''${encodeURIComponent(`${base}.m3u8`)}`;
}

/**
 * Playlists under `/api/v1`: `GET|POST /playlists`, `POST /playlists/import`, `GET|PATCH|DELETE /playlists/{id}`,
 * `GET|POST /playlists/{id}/items`, `DELETE /playlists/{id}/items/{itemId}`, `POST /playlists/{id}/items/{itemId}/move`,
 * `GET /playlists/{id}/export`. Every route needs a signed-in user. Registered in its own (encapsulated) context:
 * the M3U body parsers it adds apply to its routes only.
 */
export async function playlistsPlugin(fastify: FastifyInstance, { playlists }: { playlists: PlaylistsService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // The upload is decoded by the service (BOM, charset, Latin-1 detection), so every type arrives as raw bytes.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(M3U_TYPES, { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (_request, body, done) => done(null, body));

  app.get(
    '/api/v1/playlists',
    {
      schema: {
        summary: 'List playlists',
        description:
          'Your playlists and those shared with you (shared playlists whose every track is in a library you may see), by ' +
          'name (case and accents folded), smart playlists among them (`smart: true`, with their `rules`; counts and duration ' +
          'of the tracks they pick for you now). Errors: 400 `validation_failed`, 400 `invalid_cursor`, 401 `unauthorized`, ' +
          '503 `not_ready` (the search index that evaluates smart playlists is not built).',
        tags: ['playlists'],
        querystring: Type.Object(pageQuerySchema),
        response: { 200: pageSchema(PlaylistSchema), 400: ErrorResponseSchema, 401: ErrorResponseSchema, 503: ErrorResponseSchema },
      },
    },
    async (request) => playlists.list(requireUser(request), request.query),
  );

  app.post(
    '/api/v1/playlists',
    {
      schema: {
        summary: 'Create a playlist',
        description:
          'A new playlist of yours, optionally with its first tracks (in order, duplicates allowed) and shared. Sharing ' +
          'makes it visible, read-only, to every user who may see all of its tracks. With `rules` instead of `trackIds` ' +
          'it is a smart playlist: its tracks are chosen live, whenever it is read or played, by the filters of ' +
          '`GET /search` (plus `addedInLastDays`), `sort` and `limit`, from the libraries, plays and favorites of whoever ' +
          'reads it (a shared one shows each user their own matches); its items cannot be edited, only its rules. ' +
          'Errors: 400 `validation_failed` (also `rules` with `trackIds`), 404 `track_not_found` (a track you may not see), ' +
          '401 `unauthorized`.',
        tags: ['playlists'],
        body: CreatePlaylistBodySchema,
        response: { 201: PlaylistSchema, 400: ErrorResponseSchema, 401: ErrorResponseSchema, 404: ErrorResponseSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await playlists.create(requireUser(request), request.body)),
  );

  app.post(
    '/api/v1/playlists/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        summary: 'Import an M3U playlist',
        description:
          'Creates a playlist of yours from an M3U or M3U8 file sent as the body (`audio/x-mpegurl`, `text/plain`, ' +
          '`application/octet-stream`…, up to 8 MiB). The text is UTF-8 when it has a byte-order mark or `charset=utf-8`, ' +
          'Latin-1 with `charset=iso-8859-1`, else UTF-8 if valid and Latin-1 (Windows-1252) otherwise. `#EXTINF:seconds,' +
          'Artist - Title` and `#PLAYLIST:name` are read; `\\` separators, `file://` URLs and %-escapes are understood. ' +
          'Each entry is matched to a track you may see: by path (relative to a library root, as `GET …/export` writes ' +
          'them, or absolute inside a library), then by its trailing folders and file name, then by `#EXTINF` artist, ' +
          'title and duration (±2 s). Entries that match nothing are listed in `unmatched` with their line numbers. ' +
          `Errors: 400 \`validation_failed\` (no entries, unknown charset), 409 \`playlist_too_long\` (more than ${MAX_PLAYLIST_ITEMS} ` +
          'matches), 413 `payload_too_large`, 415 `unsupported_media_type`, 401 `unauthorized`.',
        tags: ['playlists'],
        consumes: M3U_TYPES,
        querystring: Type.Object({
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "Default: the file's `#PLAYLIST:`, else \"Imported playlist\"." })),
        }),
        body: Type.Unsafe<Buffer>({ description: 'The M3U/M3U8 file.' }),
        response: {
          201: ImportReportSchema,
          400: ErrorResponseSchema,
          401: ErrorResponseSchema,
          409: ErrorResponseSchema,
          413: ErrorResponseSchema,
          415: ErrorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      // JSON and form bodies are parsed by the app-wide parsers before reaching here; only raw bytes are a file.
      if (request.body !== undefined && !Buffer.isBuffer(request.body)) throw new AppError('unsupported_media_type');
      const report = await playlists.importUpload(user, request.body ?? Buffer.alloc(0), {
        name: request.query.name,
        encoding: encodingOf(request.headers['content-type']),
      });
      return reply.code(201).send(report);
    },
  );

  app.get(
    '/api/v1/playlists/:id',
    {
      schema: {
        summary: 'A playlist',
        description: `Name, description, counts, duration and artwork (from its available tracks). Errors: ${NOT_VISIBLE}, 401 \`unauthorized\`.`,
        tags: ['playlists'],
        params: PlaylistParams,
        response: { 200: PlaylistSchema, ...readResponses },
      },
    },
    async (request) => playlists.get(requireUser(request), request.params.id),
  );

  app.patch(
    '/api/v1/playlists/:id',
    {
      schema: {
        summary: 'Rename, describe or share a playlist, or change its rules',
        description:
          'Changes the given fields and bumps the revision; `rules` replaces a smart playlist\'s rules whole. Errors: 400 ' +
          `\`validation_failed\` (also \`rules\` for an ordinary playlist), ${EDIT_ERRORS}.`,
        tags: ['playlists'],
        params: PlaylistParams,
        body: UpdatePlaylistBodySchema,
        response: { 200: PlaylistSchema, ...editResponses },
      },
    },
    async (request) => playlists.update(requireUser(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/playlists/:id',
    {
      schema: {
        summary: 'Delete a playlist',
        description:
          'Deletes the playlist and its items (never the tracks). A playlist imported from a file in a music folder ' +
          `is imported again only when the file changes. Errors: ${EDIT_ERRORS}.`,
        tags: ['playlists'],
        params: PlaylistParams,
        querystring: ExpectedRevisionQuerySchema,
        response: { 204: Type.Null(), ...editResponses },
      },
    },
    async (request, reply) => {
      await playlists.remove(requireUser(request), request.params.id, request.query.expectedRevision);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/playlists/:id/items',
    {
      schema: {
        summary: 'Items of a playlist',
        description:
          'Items in order. An item whose file went missing stays, with `available: false`, and is available again ' +
          'when the file returns. A smart playlist lists the tracks its rules pick for you now (item id = track id). ' +
          'The cursor is bound to the revision it was made at: after an edit, paging on answers ' +
          `409 \`revision_conflict\` (start again). Errors: ${NOT_VISIBLE}, 400 \`invalid_cursor\`, 409 \`revision_conflict\`, ` +
          '401 `unauthorized`.',
        tags: ['playlists'],
        params: PlaylistParams,
        querystring: Type.Object(pageQuerySchema),
        response: { 200: pageSchema(PlaylistItemSchema), 400: ErrorResponseSchema, 409: ErrorResponseSchema, ...readResponses },
      },
    },
    async (request) => playlists.listItems(requireUser(request), request.params.id, request.query),
  );

  app.post(
    '/api/v1/playlists/:id/items',
    {
      schema: {
        summary: 'Add tracks to a playlist',
        description:
          `Inserts up to ${MAX_TRACKS_PER_ADD} tracks (in order, duplicates allowed; each gets its own item id) before ` +
          '`position`, or at the end; an empty list changes nothing. Only tracks you may see can be added. Answers the ' +
          `playlist and the new items. Errors: 400 \`validation_failed\`, 404 \`track_not_found\`, 409 \`playlist_too_long\` ` +
          `(more than ${MAX_PLAYLIST_ITEMS} items), ${SMART_READ_ONLY}, ${EDIT_ERRORS}.`,
        tags: ['playlists'],
        params: PlaylistParams,
        body: AddItemsBodySchema,
        response: { 200: AddItemsResponseSchema, ...editResponses },
      },
    },
    async (request) => playlists.addItems(requireUser(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/playlists/:id/items/:itemId',
    {
      schema: {
        summary: 'Remove an item from a playlist',
        description: `Removes that one occurrence; later items move up. Errors: 404 \`playlist_item_not_found\`, ${SMART_READ_ONLY}, ${EDIT_ERRORS}.`,
        tags: ['playlists'],
        params: ItemParams,
        querystring: ExpectedRevisionQuerySchema,
        response: { 200: PlaylistSchema, ...editResponses },
      },
    },
    async (request) => playlists.removeItem(requireUser(request), request.params.id, request.params.itemId, request.query.expectedRevision),
  );

  app.post(
    '/api/v1/playlists/:id/items/:itemId/move',
    {
      schema: {
        summary: 'Move an item within a playlist',
        description:
          'Moves the item so that it ends up at `position` (0-based; past the end means last); the items in between ' +
          `close up. Errors: 404 \`playlist_item_not_found\`, ${SMART_READ_ONLY}, ${EDIT_ERRORS}.`,
        tags: ['playlists'],
        params: ItemParams,
        body: MoveItemBodySchema,
        response: { 200: PlaylistSchema, ...editResponses },
      },
    },
    async (request) => playlists.moveItem(requireUser(request), request.params.id, request.params.itemId, request.body),
  );

  app.get(
    '/api/v1/playlists/:id/export',
    {
      schema: {
        summary: 'Export a playlist as M3U8',
        description:
          'The playlist as an `.m3u8` download (UTF-8): `#EXTM3U`, `#PLAYLIST:name`, then per item `#EXTINF:seconds,' +
          'Artist - Title` and the file\'s path relative to its library\'s root, so importing it (`POST /playlists/import`, ' +
          'or as a file at the root of a music folder) gives the same playlist. Unavailable items are included; items ' +
          'in libraries you may not see, and paths with line breaks, are left out. A smart playlist exports the tracks its ' +
          `rules pick for you now. Errors: ${NOT_VISIBLE}, 401 \`unauthorized\`.`,
        tags: ['playlists'],
        params: PlaylistParams,
        querystring: Type.Object({ format: Type.Optional(Type.Literal('m3u8', { default: 'm3u8' })) }),
        produces: ['audio/x-mpegurl'],
        response: { 200: Type.String({ description: 'The M3U8 text.' }), ...readResponses },
      },
    },
    async (request, reply) => {
      const exported = await playlists.exportM3u8(requireUser(request), request.params.id);
      return reply.header('content-type', 'audio/x-mpegurl; charset=utf-8').header('content-disposition', attachment(exported.name)).send(exported.text);
    },
  );
}
