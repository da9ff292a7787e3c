import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../auth/routes.js';
import type { Db } from '../db/database.js';
import { createLibraryAccessRepository } from '../library/access-repository.js';
import { nodeArtworkFiles } from './artwork-files.js';
import { createArtworkRepository } from './artwork-repository.js';
import { createArtworkAccess, createArtworkService } from './artwork-service.js';
import { sharpResizer } from './image-resizer.js';

const DESCRIPTION = [
  'Cover art by id (the SHA-256 hex of the original image, as albums and tracks reference it).',
  '',
  'Without `size`: the original bytes with their recorded media type (types other than common raster images are sent',
  'as application/octet-stream). With `size=N` (16..2048): the image fitted within N×N pixels, aspect ratio kept and',
  'never enlarged, encoded as JPEG — or PNG when the image has real transparency. Renditions are made once and cached.',
  '',
  'Strong `ETag` `"<id>"` or `"<id>-<N>"`; `Cache-Control: private, max-age=31536000, immutable` (the bytes behind a',
  'URL never change; private because artwork is filtered by library access). `If-None-Match` → 304.',
  '',
  'Errors: 404 `artwork_not_found` (unknown id, artwork used by no track or album in a library you may see, an id',
  'that is not 64 lower-case hex digits, a missing file, or an image that cannot be decoded for resizing); 400',
  '`validation_failed` (size not an integer in 16..2048).',
].join('\n');

/**
 * `GET|HEAD /api/v1/artwork/{id}?size=N`: artwork originals and cached resized renditions, for artwork used by a
 * track (or its album) in a library the caller may see.
 */
export async function artworkPlugin(fastify: FastifyInstance, { db, dataDir }: { db: Db; dataDir: string }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const artworks = createArtworkRepository(db);
  const libraries = createLibraryAccessRepository(db);
  const access = createArtworkAccess({
    artworks,
    visibleLibraryIds: (viewer) => libraries.visibleLibraryIds(viewer.id, viewer.role === 'admin'),
  });
  const service = createArtworkService({
    artworks,
    files: nodeArtworkFiles,
    resizer: sharpResizer,
    dataDir,
    log: app.log,
  });

  app.route({
    // HEAD is explicit: Fastify's automatic HEAD would read the whole file just to discard it.
    method: ['GET', 'HEAD'],
    url: '/api/v1/artwork/:id',
    schema: {
      summary: 'Get artwork',
      description: DESCRIPTION,
      tags: ['artwork'],
      params: Type.Object({ id: Type.String() }),
      querystring: Type.Object({
        size: Type.Optional(Type.Integer({ minimum: 16, maximum: 2048, description: 'Longest edge in pixels' })),
      }),
      headers: Type.Object({ 'if-none-match': Type.Optional(Type.String()) }),
    },
    handler: async (request, reply) => {
      await access.assertVisible(request.params.id, requireUser(request));
      const result = await service.get(request.params.id, {
        method: request.method === 'HEAD' ? 'HEAD' : 'GET',
        size: request.query.size,
        ifNoneMatch: request.headers['if-none-match'],
      });
      reply.code(result.status).headers(result.headers);
      return reply.send(result.body ?? undefined);
    },
  });
}
