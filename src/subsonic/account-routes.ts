import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../auth/routes.js';
import { ErrorResponseSchema } from '../shared/errors.js';
import type { SubsonicAuth } from './subsonic-auth.js';

const ApiKeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.Integer({ description: 'epoch ms' }),
  lastUsedAt: Type.Union([Type.Integer({ description: 'epoch ms' }), Type.Null()]),
});

/**
 * The caller's Subsonic credentials under `/api/v1/me`: the Subsonic password (for `u`+`p` and `u`+`t`+`s`) and
 * OpenSubsonic API keys (`apiKey`). Routes: `PUT|DELETE /me/subsonic-password`, `POST|GET /me/api-keys`,
 * `DELETE /me/api-keys/{id}`.
 */
export async function subsonicAccountPlugin(fastify: FastifyInstance, { auth }: { auth: SubsonicAuth }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.put(
    '/api/v1/me/subsonic-password',
    {
      schema: {
        summary: 'Set your Subsonic password',
        description:
          'The password Subsonic apps send (`p`, or `t` = md5(password + salt)). Token authentication needs the password ' +
          'itself, so it is stored encrypted (AES-256-GCM, key derived from the server secret) and kept apart from your ' +
          'login password, which stays an argon2 hash. `p` also accepts your login password. Errors: 400 `validation_failed` ' +
          '(not 8–256 characters).',
        tags: ['subsonic'],
        body: Type.Object({ password: Type.String({ maxLength: 1024 }) }),
        response: { 204: Type.Null(), 400: ErrorResponseSchema },
      },
    },
    async (request, reply) => {
      await auth.setPassword(requireUser(request).id, request.body.password);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/v1/me/subsonic-password',
    { schema: { summary: 'Remove your Subsonic password', tags: ['subsonic'], response: { 204: Type.Null() } } },
    async (request, reply) => {
      await auth.clearPassword(requireUser(request).id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/me/api-keys',
    {
      schema: {
        summary: 'Create a Subsonic API key',
        description:
          'For OpenSubsonic `apiKey` authentication. The key is in this response only; the server keeps its SHA-256. ' +
          'Keys do not expire; revoke them with `DELETE /api/v1/me/api-keys/{id}`. Errors: 409 `conflict` (50 keys already).',
        tags: ['subsonic'],
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 201: Type.Composite([ApiKeySchema, Type.Object({ key: Type.String() })]), 409: ErrorResponseSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await auth.createApiKey(requireUser(request).id, request.body.name)),
  );

  app.get(
    '/api/v1/me/api-keys',
    {
      schema: {
        summary: 'Your Subsonic API keys',
        description: 'Newest first; the keys themselves are never shown again.',
        tags: ['subsonic'],
        response: { 200: Type.Object({ items: Type.Array(ApiKeySchema) }) },
      },
    },
    async (request) => ({ items: await auth.listApiKeys(requireUser(request).id) }),
  );

  app.delete(
    '/api/v1/me/api-keys/:id',
    {
      schema: {
        summary: 'Revoke a Subsonic API key',
        description: 'It stops working at once. Errors: 404 `api_key_not_found` (not one of your keys).',
        tags: ['subsonic'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null(), 404: ErrorResponseSchema },
      },
    },
    async (request, reply) => {
      await auth.revokeApiKey(requireUser(request).id, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
