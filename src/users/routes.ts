import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AuditRepository } from '../audit/audit-repository.js';
import type { AuthService } from '../auth/auth-service.js';
import { requireAdmin, requireUser } from '../auth/routes.js';
import { decodeCursor, pageQuerySchema, pageSchema, toPage, DEFAULT_LIMIT } from '../shared/pagination.js';
import type { UsersService } from './users-service.js';

const Role = Type.Union([Type.Literal('admin'), Type.Literal('user')]);
const UserSummarySchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  role: Role,
  disabled: Type.Boolean(),
  createdAt: Type.Integer({ description: 'epoch ms' }),
});
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const SessionSchema = Type.Object({
  id: Type.String(),
  createdAt: Type.Integer(),
  lastSeenAt: Type.Integer(),
  expiresAt: Type.Integer(),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean(),
});
const AuditEntrySchema = Type.Object({
  id: Type.String(),
  at: Type.Integer({ description: 'epoch ms' }),
  actorUserId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});
const ADMIN_ONLY = 'Admins only (403 `forbidden`).';

/**
 * Accounts: admin user management (`/api/v1/admin/users…`), the audit log (`/api/v1/admin/audit`), and the caller's
 * own password and sessions (`/api/v1/me/password`, `/api/v1/me/sessions…`).
 */
export async function usersPlugin(
  fastify: FastifyInstance,
  { users, auth, auditRepository }: { users: UsersService; auth: AuthService; auditRepository: AuditRepository },
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/v1/admin/users',
    { schema: { summary: 'All users', description: ADMIN_ONLY, tags: ['admin'], response: { 200: Type.Object({ items: Type.Array(UserSummarySchema), nextCursor: Type.Null() }) } } },
    async (request) => {
      requireAdmin(request);
      return { items: await users.list(), nextCursor: null };
    },
  );

  app.post(
    '/api/v1/admin/users',
    {
      schema: {
        summary: 'Create a user',
        description: `${ADMIN_ONLY} New users see no library until granted. Errors: 409 \`username_taken\`, 400 \`validation_failed\`.`,
        tags: ['admin'],
        body: Type.Object({ username: Type.String({ maxLength: 64 }), password: Type.String({ maxLength: 1024 }), role: Type.Optional(Role) }),
        response: { 201: UserSummarySchema },
      },
    },
    async (request, reply) => {
      const admin = requireAdmin(request);
      const created = await auth.createUser({ ...request.body, role: request.body.role ?? 'user' }, admin.id);
      return reply.code(201).send(await users.get(created.id));
    },
  );

  app.get(
    '/api/v1/admin/users/:id',
    { schema: { summary: 'One user', description: `${ADMIN_ONLY} 404 \`user_not_found\`.`, tags: ['admin'], params: IdParams, response: { 200: UserSummarySchema } } },
    async (request) => {
      requireAdmin(request);
      return users.get(request.params.id);
    },
  );

  app.patch(
    '/api/v1/admin/users/:id',
    {
      schema: {
        summary: 'Change a user: role, disabled, or reset the password',
        description: `${ADMIN_ONLY} Ends the user's sessions. Errors: 404 \`user_not_found\`, 409 \`last_admin\`.`,
        tags: ['admin'],
        params: IdParams,
        body: Type.Object({ role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()), password: Type.Optional(Type.String({ maxLength: 1024 })) }),
        response: { 200: UserSummarySchema },
      },
    },
    async (request) => users.update(requireAdmin(request), request.params.id, request.body, request.ip),
  );

  app.delete(
    '/api/v1/admin/users/:id',
    {
      schema: {
        summary: 'Delete a user and everything they own',
        description: `${ADMIN_ONLY} Errors: 404 \`user_not_found\`, 409 \`last_admin\`.`,
        tags: ['admin'],
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await users.delete(requireAdmin(request), request.params.id, request.ip);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/admin/audit',
    {
      schema: {
        summary: 'The audit log, newest first',
        description: `${ADMIN_ONLY} Logins, device and account changes; never secrets.`,
        tags: ['admin'],
        querystring: Type.Object(pageQuerySchema),
        response: { 200: pageSchema(AuditEntrySchema) },
      },
    },
    async (request) => {
      requireAdmin(request);
      const limit = request.query.limit ?? DEFAULT_LIMIT;
      const after = request.query.cursor ? decodeCursor(request.query.cursor, 'audit') : undefined;
      const rows = await auditRepository.listNewestFirst(limit + 1, after ? { at: Number(after.values[0]), id: after.id } : undefined);
      return toPage(rows, limit, 'audit', (row) => [row.at], (row) => ({ ...row, details: row.details ? JSON.parse(row.details) : null }));
    },
  );

  app.put(
    '/api/v1/me/password',
    {
      schema: {
        summary: 'Change your password',
        description: 'Needs the current password (403 `current_password_wrong`). Your other sessions end.',
        tags: ['auth'],
        body: Type.Object({ currentPassword: Type.String({ maxLength: 1024 }), newPassword: Type.String({ maxLength: 1024 }) }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await users.changeOwnPassword(requireUser(request), request.body.currentPassword, request.body.newPassword, request.ip);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/me/sessions',
    { schema: { summary: 'Your login sessions', tags: ['auth'], response: { 200: Type.Object({ items: Type.Array(SessionSchema), nextCursor: Type.Null() }) } } },
    async (request) => ({ items: await users.listOwnSessions(requireUser(request)), nextCursor: null }),
  );

  app.delete(
    '/api/v1/me/sessions/:id',
    { schema: { summary: 'End one of your sessions', description: '404 `not_found` for unknown ids.', tags: ['auth'], params: IdParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await users.endOwnSession(requireUser(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
