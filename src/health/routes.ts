import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../db/database.js';
import { AppError } from '../shared/errors.js';

/**
 * `GET /healthz`: the process answers. `GET /readyz`: migrations ran (the app is only built after them) and the
 * database answers a query; 503 `not_ready` otherwise.
 */
export async function healthPlugin(fastify: FastifyInstance, { database }: { database: DatabaseHandle }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const Status = Type.Object({ status: Type.Literal('ok') });
  app.get('/healthz', { config: { public: true }, schema: { tags: ['health'], response: { 200: Status } } }, async () => ({
    status: 'ok' as const,
  }));
  app.get('/readyz', { config: { public: true }, schema: { tags: ['health'], response: { 200: Status } } }, async () => {
    try {
      await sql`select 1`.execute(database.db);
    } catch {
      throw new AppError('not_ready', 'The database does not answer.');
    }
    return { status: 'ok' as const };
  });
}
