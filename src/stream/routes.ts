import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireUser } from '../auth/routes.js';
import type { Db } from '../db/database.js';
import { createLibraryAccessRepository } from '../library/access-repository.js';
import type { Clock } from '../shared/clock.js';
import { createStreamRepository } from './stream-repository.js';
import { createStreamService, type StreamRequest } from './stream-service.js';
import { createStreamUrls } from './stream-urls.js';
import { nodeTrackFiles } from './track-files.js';

const DESCRIPTION = [
  'The original file bytes, unchanged and streamed from disk (no transcoding). `Content-Type` follows the format',
  '(e.g. audio/mpeg, audio/flac, audio/ogg, audio/mp4); `Accept-Ranges: bytes`; `Content-Length` in bytes;',
  '`Last-Modified` from the file mtime; `Cache-Control: private, no-cache` (revalidate with the validators).',
  '',
  '**ETag** (strong): `"<SHA-256 hex of the file>"` once background hashing has run and the file is unchanged since,',
  'otherwise `"<size hex>-<mtime ms hex>"` of the file on disk. It changes form once when hashing completes.',
  '',
  '**Range** (RFC 9110 §14): `bytes=a-b`, `bytes=a-`, `bytes=-n` → 206 with `Content-Range`. Ranges that overlap or',
  'touch are merged; if that leaves one range it is served as 206. Several disjoint ranges (or more than 16',
  'range-specs) get the whole file as 200: `multipart/byteranges` is never sent. An end past the file is clamped; a',
  'range starting past the end, or `bytes=-0`, alone → 416 `range_not_satisfiable` with `Content-Range: bytes */SIZE`.',
  'An invalid Range header (e.g. `bytes=5-2`, another unit) is ignored → 200. HEAD ignores Range (only GET has',
  'range semantics) and answers the 200 headers without a body.',
  '',
  '**Conditional** (RFC 9110 §13): `If-None-Match` (weak comparison, `*` allowed) or, when it is absent,',
  '`If-Modified-Since` → 304. `If-Range` with our strong ETag or exactly our `Last-Modified` date → the range; any',
  'other value → the whole file as 200.',
  '',
  '**Auth**: a bearer token / session cookie, or `?token=` from `GET /api/v1/tracks/{id}/stream-url` (401',
  '`unauthorized` when that token is tampered with, expired or revoked; 404 `track_not_found` for another track).',
  '',
  'Errors: 404 `track_not_found` (unknown id, or in a library the caller may not see); 404 `track_unavailable`',
  '(track missing/broken, or its file is gone, changed size, or resolves outside its library folder; a',
  'byte-identical duplicate path is used when the primary file is gone); 416 `range_not_satisfiable`.',
].join('\n');

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The method and the range and conditional headers of a request, as the stream service evaluates them. */
function streamRequestOf(request: FastifyRequest): StreamRequest {
  const { headers } = request;
  return {
    method: request.method === 'HEAD' ? 'HEAD' : 'GET',
    range: headerValue(headers.range),
    ifRange: headerValue(headers['if-range']),
    ifNoneMatch: headerValue(headers['if-none-match']),
    ifModifiedSince: headerValue(headers['if-modified-since']),
  };
}

const DOWNLOAD_DESCRIPTION = [
  'The original file for offline use (sync clients): the same bytes, Range, conditional and error rules as',
  '`GET /api/v1/tracks/{id}/stream`, plus `Content-Disposition: attachment` with the file\'s own name. A download',
  'interrupted part-way resumes with `Range: bytes=<held>-` and `If-Range: <ETag>`; the strong ETag is',
  '`"<SHA-256 hex>"` once the track is hashed (sync records carry `sha256`: download once it is set and compare).',
  'Auth: a bearer token or session cookie only. Errors: 404 `track_not_found` (also for ids you may not see), 404',
  '`track_unavailable`, 416 `range_not_satisfiable`.',
].join('\n');

/** `GET|HEAD /api/v1/tracks/{id}/stream`: a track's original bytes with Range and conditional requests (RFC 9110). */
export async function streamPlugin(
  fastify: FastifyInstance,
  { db, clock, secret, streamUrlTtlMs }: { db: Db; clock: Clock; secret: Buffer; streamUrlTtlMs: number },
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const access = createLibraryAccessRepository(db);
  const tracks = createStreamRepository(db);
  const urls = createStreamUrls({ secret, clock, ttlMs: streamUrlTtlMs, tracks });
  const service = createStreamService({
    tracks,
    files: nodeTrackFiles,
    clock,
    visibleLibraryIds: (viewer) => access.visibleLibraryIds(viewer.id, viewer.role === 'admin'),
  });

  app.get(
    '/api/v1/tracks/:id/stream-url',
    {
      schema: {
        summary: 'A stream URL that needs no Authorization header',
        description:
          'For `<audio src>`, casting and other apps: a URL path with a token bound to you, your device (when a device ' +
          'token made the request), this track and an expiry (default 6 h, `OMNISONIC_STREAM_URL_TTL_HOURS`). Revoking ' +
          'the device or disabling the user voids it. Errors: 404 `track_not_found`.',
        tags: ['stream'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: Type.Object({ url: Type.String(), expiresAt: Type.Integer({ description: 'epoch ms' }) }) },
      },
    },
    async (request) => {
      const user = requireUser(request);
      await service.assertVisible(request.params.id, user);
      return urls.issue(user, request.params.id);
    },
  );

  app.route({
    method: ['GET', 'HEAD'],
    url: '/api/v1/tracks/:id/stream',
    config: { auth: 'optional' },
    schema: {
      summary: 'Stream a track',
      description: DESCRIPTION,
      tags: ['stream'],
      params: Type.Object({ id: Type.String() }),
      querystring: Type.Object({
        token: Type.Optional(Type.String({ maxLength: 2048, description: 'From `GET /api/v1/tracks/{id}/stream-url`; replaces the Authorization header.' })),
      }),
      headers: Type.Object({
        range: Type.Optional(Type.String({ description: 'e.g. `bytes=0-1023`, `bytes=1024-`, `bytes=-4096`' })),
        'if-range': Type.Optional(Type.String()),
        'if-none-match': Type.Optional(Type.String()),
        'if-modified-since': Type.Optional(Type.String()),
      }),
    },
    handler: async (request, reply) => {
      const viewer =
        request.user ?? (request.query.token ? await urls.viewerFor(request.query.token, request.params.id) : requireUser(request));
      const result = await service.stream(request.params.id, viewer, streamRequestOf(request));
      reply.code(result.status).headers(result.headers);
      // Fastify keeps our Content-Length on HEAD and 304 when no payload is given.
      return reply.send(result.body ?? undefined);
    },
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/api/v1/tracks/:id/download',
    schema: {
      summary: 'Download a track (original file, resumable)',
      description: DOWNLOAD_DESCRIPTION,
      tags: ['stream', 'sync'],
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      headers: Type.Object({
        range: Type.Optional(Type.String({ description: 'e.g. `bytes=1048576-` to resume' })),
        'if-range': Type.Optional(Type.String()),
        'if-none-match': Type.Optional(Type.String()),
        'if-modified-since': Type.Optional(Type.String()),
      }),
    },
    handler: async (request, reply) => {
      const result = await service.stream(request.params.id, requireUser(request), { ...streamRequestOf(request), disposition: 'attachment' });
      reply.code(result.status).headers(result.headers);
      return reply.send(result.body ?? undefined);
    },
  });
}
