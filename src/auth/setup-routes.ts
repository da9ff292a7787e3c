import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../shared/errors.js';
import type { AuthService } from './auth-service.js';
import { setSessionCookie, UserSchema } from './routes.js';

/**
 * First run from the browser: while no user exists, anyone who can reach the server may create the first admin
 * (as with `OMNISONIC_ADMIN_PASSWORD` or `omnisonic user create`, which stay available). Routes:
 * `GET /api/v1/setup`, `POST /api/v1/setup`. Setups are serialised within the process, so of two racing requests
 * exactly one creates the admin and the other gets 409 `already_set_up`.
 */
export async function setupPlugin(fastify: FastifyInstance, { auth, sessionTtlMs }: { auth: AuthService; sessionTtlMs: number }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  app.get(
    '/api/v1/setup',
    {
      config: { public: true },
      schema: {
        summary: 'Whether the server still needs its first admin',
        description: '`needsSetup` is true while no user exists; the web app then shows its setup page instead of sign-in.',
        tags: ['auth'],
        response: { 200: Type.Object({ needsSetup: Type.Boolean() }) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return { needsSetup: (await auth.countUsers()) === 0 };
    },
  );

  app.post(
    '/api/v1/setup',
    {
      config: { public: true },
      schema: {
        summary: 'Create the first admin',
        description:
          'Only while no user exists: creates an admin with this username and password and signs them in (the session ' +
          'cookie and token, as `POST /auth/login`). Errors: 400 `validation_failed` (username 1–64 letters, digits, ' +
          '".", "_", "-" or "@"; password of at least 8 characters), 409 `already_set_up` once any user exists.',
        tags: ['auth'],
        body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }),
        response: { 201: Type.Object({ token: Type.String(), expiresAt: Type.Integer({ description: 'epoch ms' }), user: UserSchema }) },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      await oneAtATime(async () => {
        if ((await auth.countUsers()) > 0) throw new AppError('already_set_up');
        await auth.createUser({ username, password, role: 'admin' });
      });
      const session = await auth.login(username, password, { ip: request.ip, userAgent: request.headers['user-agent'] });
      setSessionCookie(request, reply, session.token, sessionTtlMs);
      return reply.code(201).send(session);
    },
  );
}
