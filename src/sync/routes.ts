import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { requireAdmin, requireUser } from '../auth/routes.js';
import type { SyncService } from './sync-service.js';

const SyncRecordSchema = Type.Object(
  {
    type: Type.Union(['artist', 'album', 'track', 'artwork', 'playlist', 'favorite'].map((t) => Type.Literal(t))),
    id: Type.String({ description: "The entity's id; a favorite's is `<itemType>:<itemId>`." }),
    op: Type.Union([Type.Literal('upsert'), Type.Literal('delete')]),
    data: Type.Optional(
      Type.Object(
        {},
        {
          additionalProperties: true,
          description:
            'The entity as it is now (upserts only). track: `{id, title, albumId, albumTitle, albumArtist, artistName, ' +
            'discNumber, trackNumber, durationMs, size (bytes), sha256 (null until hashed), codec, fileName, ' +
            'artworkId}`; album: `{id, title, albumArtistId, albumArtist, year, compilation, artworkId}`; ' +
            'artist: `{id, name, sortName, mbid}`; artwork: `{id, mime, width, height, size}`; playlist: `{id, name, ' +
            'description, shared, revision, createdAt, updatedAt, trackIds}`; favorite: `{id, itemType, itemId, favoritedAt}`.',
        },
      ),
    ),
  },
  { description: 'One sync record: an entity as it is now, or `delete` when it is gone or no longer visible to you.' },
);

const gzipAsync = promisify(gzip);
/** Bodies smaller than this go uncompressed (an empty poll is ~70 bytes; gzip would only add its header). */
const COMPRESS_FROM_BYTES = 1024;

/** True when the client takes gzip (`Accept-Encoding: gzip`, not `gzip;q=0`). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return value.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return coding.trim() === 'gzip' && (q === undefined || Number(q.slice(2)) > 0);
  });
}

const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 500 }));
const CursorErrors = 'Errors: 400 `invalid_cursor` (malformed), 410 `cursor_expired` (bootstrap again).';

/**
 * The sync API for offline clients (issue 7): `GET /api/v1/sync/bootstrap`, `GET /api/v1/sync/changes`,
 * `POST /api/v1/sync/ack`, `GET /api/v1/sync/devices`, admin `POST /api/v1/admin/devices/{id}/resync`.
 */
export async function syncPlugin(fastify: FastifyInstance, { sync }: { sync: SyncService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  // Snapshot and change pages are JSON of ids and names (hundreds of KB a page): gzip them for clients that take it,
  // off the event loop. The hook is this plugin's own: no other route is affected.
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode !== 200 || typeof payload !== 'string') return payload;
    reply.header('vary', 'accept-encoding');
    if (Buffer.byteLength(payload) < COMPRESS_FROM_BYTES || !acceptsGzip(request.headers['accept-encoding'])) return payload;
    reply.header('content-encoding', 'gzip');
    return gzipAsync(payload, { level: 6 });
  });

  app.get(
    '/api/v1/sync/bootstrap',
    {
      schema: {
        summary: 'A page of the snapshot of everything you may see',
        description:
          'Pages, in this order, the covers, artists, albums, playable tracks of your libraries, your own playlists ' +
          '(with their track ids in order) and your favorites. The first page (no `cursor`) pins the snapshot at the ' +
          'current position of the change log; follow `nextCursor` until it is null, then continue with ' +
          '`GET /sync/changes?cursor=<changesCursor>`: changes written while you paged are delivered there, so the ' +
          'result is consistent whatever happens between pages. `limit` 1..1000 records (default 500). ' +
          CursorErrors,
        tags: ['sync'],
        querystring: Type.Object({ cursor: Type.Optional(Type.String({ maxLength: 200 })), limit: Limit }),
        response: {
          200: Type.Object({
            items: Type.Array(SyncRecordSchema),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
            changesCursor: Type.String(),
          }),
        },
      },
    },
    async (request) => sync.bootstrap(requireUser(request), request.query.cursor, request.query.limit ?? 500),
  );

  app.get(
    '/api/v1/sync/changes',
    {
      schema: {
        summary: 'What changed since a cursor',
        description:
          'Records for every entity that changed after `cursor`, each once with its state now (only the latest change ' +
          'counts) or `delete` when it is gone or you may no longer see it; only entities of your libraries and your ' +
          'own playlists and favorites. `hasMore`: call again at once with `nextCursor`; otherwise poll later with it. ' +
          'Never moves past a change whose transaction is still in flight. A grant of a library to you added or ' +
          'removed (or your role changed) expires your cursors, as does an admin forcing this device to resync, or ' +
          `the retention window (OMNISONIC_SYNC_RETENTION_DAYS). \`limit\` 1..1000 records (default 500). ${CursorErrors}`,
        tags: ['sync'],
        querystring: Type.Object({ cursor: Type.String({ maxLength: 200 }), limit: Limit }),
        response: {
          200: Type.Object({ changes: Type.Array(SyncRecordSchema), nextCursor: Type.String(), hasMore: Type.Boolean() }),
        },
      },
    },
    async (request) => sync.changes(requireUser(request), request.query.cursor, request.query.limit ?? 500),
  );

  app.post(
    '/api/v1/sync/ack',
    {
      schema: {
        summary: "Store this device's sync cursor",
        description:
          'Keeps the cursor (from `/sync/changes` or `/sync/bootstrap`) as this device\'s position, shown by ' +
          '`GET /sync/devices`. Needs a device token. Errors: 403 `forbidden` (no device token), 400 `invalid_cursor`.',
        tags: ['sync'],
        body: Type.Object({ cursor: Type.String({ maxLength: 200 }) }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await sync.ack(requireUser(request), request.body.cursor);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/sync/devices',
    {
      schema: {
        summary: 'Your devices and their sync positions',
        description: '`resyncPending`: an admin forced the device to bootstrap again and it has not acknowledged a new cursor since.',
        tags: ['sync'],
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                deviceId: Type.String(),
                name: Type.String(),
                platform: Type.String(),
                ackedCursor: Type.Union([Type.String(), Type.Null()]),
                ackedAt: Type.Union([Type.Integer({ description: 'epoch ms' }), Type.Null()]),
                resyncPending: Type.Boolean(),
                resyncRequestedAt: Type.Union([Type.Integer({ description: 'epoch ms' }), Type.Null()]),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({ items: await sync.devices(requireUser(request)) }),
  );

  app.post(
    '/api/v1/admin/devices/:id/resync',
    {
      schema: {
        summary: 'Make a device bootstrap again (admin)',
        description:
          "Every sync cursor the device holds answers 410 `cursor_expired` from now on, so its next `/sync/changes` " +
          'makes it bootstrap again. Errors: 403 `forbidden` (not an admin), 404 `device_not_found`.',
        tags: ['sync', 'admin'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      await sync.forceResync(request.params.id);
      return reply.code(204).send(null);
    },
  );
}
