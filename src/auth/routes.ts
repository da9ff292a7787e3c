import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../shared/errors.js';
import type { AuthService, AuthUser } from './auth-service.js';

export const SESSION_COOKIE = 'omnisonic_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every non-public `/api/v1` route. */
    user: AuthUser | null;
  }
  interface FastifyContextConfig {
    /** Routes that answer without credentials (health, login, the OpenAPI document). */
    public?: boolean;
    /** `optional`: credentials are read when present but not required (the route decides). */
    auth?: 'optional';
  }
}

export const UserSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  role: Type.Union([Type.Literal('admin'), Type.Literal('user')]),
});

function credentialOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return request.cookies[SESSION_COOKIE];
}

/** Sets the HttpOnly, SameSite=Lax session cookie (Secure over https) that browsers authenticate with. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, sessionTtlMs: number): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: request.protocol === 'https',
    maxAge: Math.floor(sessionTtlMs / 1000),
  });
}

/** The signed-in user of a route that the authentication hook guards. */
export function requireUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw new AppError('unauthorized');
  return request.user;
}

/** The signed-in user, who must be an admin (403 `forbidden` otherwise). */
export function requireAdmin(request: FastifyRequest): AuthUser {
  const user = requireUser(request);
  if (user.role !== 'admin') throw new AppError('forbidden', 'Only an admin can do this.');
  return user;
}

/**
 * Authentication for `/api/v1`: a bearer token (`Authorization: Bearer oms_…`) or the session cookie. Every route
 * under `/api/v1` answers 401 `unauthorized` without one, except those whose route config says `public: true`.
 * Routes: `POST /auth/login`, `POST /auth/logout`, `GET /me`.
 */
export const authPlugin = fp<{ auth: AuthService; sessionTtlMs: number }>(async (fastify, { auth, sessionTtlMs }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const config = request.routeOptions.config;
    if (!request.url.startsWith('/api/v1/') || config?.public) return;
    const credential = credentialOf(request);
    request.user = credential ? await auth.authenticate(credential) : null;
    if (!request.user && config?.auth !== 'optional') throw new AppError('unauthorized');
  });

  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true },
      schema: {
        summary: 'Sign in',
        description:
          'Checks the password (argon2id) and opens a session: sets an HttpOnly SameSite=Lax cookie and returns the same ' +
          'token for `Authorization: Bearer`. Errors: 401 `invalid_credentials` (never says whether the user exists).',
        tags: ['auth'],
        body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }),
        response: { 200: Type.Object({ token: Type.String(), expiresAt: Type.Integer({ description: 'epoch ms' }), user: UserSchema }) },
      },
    },
    async (request, reply) => {
      const session = await auth.login(request.body.username, request.body.password, {
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      });
      setSessionCookie(request, reply, session.token, sessionTtlMs);
      return session;
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      schema: {
        summary: 'Sign out',
        description: 'Ends the session server-side; the token stops working at once.',
        tags: ['auth'],
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const credential = credentialOf(request);
      if (credential) await auth.logout(credential, { ip: request.ip });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/me',
    { schema: { summary: 'The signed-in user', tags: ['auth'], response: { 200: UserSchema } } },
    async (request) => {
      const { id, username, role } = requireUser(request);
      return { id, username, role };
    },
  );
});
