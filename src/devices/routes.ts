import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/auth-service.js';
import type { UsersService } from '../users/users-service.js';
import { requireAdmin, requireUser } from '../auth/routes.js';
import type { DevicesService } from './devices-service.js';

const DeviceSchema = Type.Object({
  id: Type.String(),
  clientId: Type.String(),
  name: Type.String(),
  platform: Type.String(),
  appVersion: Type.String(),
  createdAt: Type.Integer({ description: 'epoch ms' }),
  createdIp: Type.Union([Type.String(), Type.Null()]),
  lastSeenAt: Type.Union([Type.Integer({ description: 'epoch ms' }), Type.Null()]),
  lastUsedAt: Type.Union([Type.Integer({ description: 'epoch ms' }), Type.Null()]),
});
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const NotFound = 'Errors: 404 `device_not_found` (also for another user\'s device: existence is not revealed).';

/**
 * Devices: every client app registers once and then authenticates with its own revocable `omd_…` token.
 * Routes: `POST /api/v1/devices`, `GET /api/v1/devices`, `GET|PATCH|DELETE /api/v1/devices/{id}`,
 * `POST /api/v1/devices/{id}/heartbeat`; for admins `GET /api/v1/admin/users/{id}/devices` and
 * `DELETE /api/v1/admin/users/{id}/devices/{deviceId}`.
 */
export async function devicesPlugin(
  fastify: FastifyInstance,
  { devices, auth, users }: { devices: DevicesService; auth: AuthService; users: Pick<UsersService, 'get'> },
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/api/v1/devices',
    {
      config: { auth: 'optional' },
      schema: {
        summary: 'Register this app as a device',
        description:
          'Authenticated by a session/bearer token, or — for an app signing in for the first time — by `username` and ' +
          '`password` in the body (throttled like login). Registering again with the same `clientId` returns the same ' +
          'device with a rotated token, so relaunching an app never duplicates it. The `accessToken` is shown only here. ' +
          'Errors: 401 `unauthorized` / `invalid_credentials`, 429 `too_many_attempts`.',
        tags: ['devices'],
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 100 }),
          platform: Type.String({ minLength: 1, maxLength: 50 }),
          appVersion: Type.String({ minLength: 1, maxLength: 50 }),
          clientId: Type.String({ format: 'uuid' }),
          username: Type.Optional(Type.String({ maxLength: 64 })),
          password: Type.Optional(Type.String({ maxLength: 1024 })),
        }),
        response: { 201: Type.Object({ device: DeviceSchema, accessToken: Type.String() }) },
      },
    },
    async (request, reply) => {
      const { username, password, ...registration } = request.body;
      const user =
        request.user ??
        (username !== undefined && password !== undefined
          ? await auth.verifyPassword(username, password, { ip: request.ip, userAgent: request.headers['user-agent'] })
          : requireUser(request));
      return reply.code(201).send(await devices.register(user.id, registration, request.ip));
    },
  );

  app.get(
    '/api/v1/devices',
    { schema: { summary: 'Your devices', tags: ['devices'], response: { 200: Type.Object({ items: Type.Array(DeviceSchema), nextCursor: Type.Null() }) } } },
    async (request) => ({ items: await devices.list(requireUser(request).id), nextCursor: null }),
  );

  app.get(
    '/api/v1/devices/:id',
    { schema: { summary: 'One of your devices', description: NotFound, tags: ['devices'], params: IdParams, response: { 200: DeviceSchema } } },
    async (request) => devices.get(requireUser(request).id, request.params.id),
  );

  app.patch(
    '/api/v1/devices/:id',
    {
      schema: {
        summary: 'Rename a device',
        description: NotFound,
        tags: ['devices'],
        params: IdParams,
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 200: DeviceSchema },
      },
    },
    async (request) => devices.rename(requireUser(request).id, request.params.id, request.body.name),
  );

  app.delete(
    '/api/v1/devices/:id',
    {
      schema: {
        summary: 'Revoke a device',
        description: `Its token stops working on the very next request. ${NotFound}`,
        tags: ['devices'],
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await devices.revoke(requireUser(request).id, request.params.id, request.ip);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/admin/users/:id/devices',
    {
      schema: {
        summary: "A user's devices",
        description: 'Admins only (403 `forbidden`). Every device the user registered. Errors: 404 `user_not_found`.',
        tags: ['admin'],
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(DeviceSchema), nextCursor: Type.Null() }) },
      },
    },
    async (request) => {
      requireAdmin(request);
      await users.get(request.params.id);
      return { items: await devices.list(request.params.id), nextCursor: null };
    },
  );

  app.delete(
    '/api/v1/admin/users/:id/devices/:deviceId',
    {
      schema: {
        summary: "Revoke a user's device",
        description:
          'Admins only (403 `forbidden`). Like the owner revoking it: its token stops working on the very next request; ' +
          'the audit log names the admin. Errors: 404 `user_not_found`, 404 `device_not_found` (no such device of that user).',
        tags: ['admin'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }), deviceId: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const admin = requireAdmin(request);
      await users.get(request.params.id);
      await devices.revoke(request.params.id, request.params.deviceId, request.ip, admin.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/devices/:id/heartbeat',
    {
      schema: {
        summary: 'Tell the server a device is alive',
        description: `Updates \`lastSeenAt\`. ${NotFound}`,
        tags: ['devices'],
        params: IdParams,
        response: { 200: DeviceSchema },
      },
    },
    async (request) => devices.heartbeat(requireUser(request).id, request.params.id),
  );
}
