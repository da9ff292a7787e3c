import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireAdmin } from '../auth/routes.js';
import type { LibraryAccessService } from './access-service.js';

const LibrarySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.Union([Type.Literal('music'), Type.Literal('upload')]),
  rootPath: Type.String(),
  ownerUserId: Type.Union([Type.String(), Type.Null()]),
  userIds: Type.Array(Type.String(), { description: 'Users granted access (music libraries).' }),
  createdAt: Type.Integer({ description: 'epoch ms' }),
});

/**
 * Library administration: `GET|POST /api/v1/admin/libraries`, `PUT /api/v1/admin/libraries/{id}/users`.
 * `onCreated` runs after a library is added (the server scans it).
 */
export async function libraryAdminPlugin(
  fastify: FastifyInstance,
  { access, onCreated }: { access: LibraryAccessService; onCreated: (libraryId: string) => void },
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/v1/admin/libraries',
    {
      schema: {
        summary: 'All libraries with their grants',
        description: 'Admins only (403 `forbidden`).',
        tags: ['admin'],
        response: { 200: Type.Object({ items: Type.Array(LibrarySchema), nextCursor: Type.Null() }) },
      },
    },
    async (request) => {
      requireAdmin(request);
      return { items: await access.list(), nextCursor: null };
    },
  );

  app.post(
    '/api/v1/admin/libraries',
    {
      schema: {
        summary: 'Add a music folder as a library',
        description:
          'Admins only. The folder must exist on the server and not overlap another library or the data directory ' +
          '(400 `validation_failed`, 409 `conflict`). New libraries are visible to admins; grant users explicitly. ' +
          'A scan of the new library starts at once.',
        tags: ['admin'],
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), rootPath: Type.String({ minLength: 1, maxLength: 4096 }) }),
        response: { 201: LibrarySchema },
      },
    },
    async (request, reply) => {
      const library = await access.create(requireAdmin(request), request.body, request.ip);
      onCreated(library.id);
      return reply.code(201).send(library);
    },
  );

  app.put(
    '/api/v1/admin/libraries/:id/users',
    {
      schema: {
        summary: 'Set which users may see a library',
        description: 'Admins only. Replaces the grant list. Errors: 404 `library_not_found`, 400 `validation_failed` (unknown user ids).',
        tags: ['admin'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: Type.Object({ userIds: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 10_000 }) }),
        response: { 200: LibrarySchema },
      },
    },
    async (request) => access.setUsers(requireAdmin(request), request.params.id, request.body.userIds, request.ip),
  );
}
