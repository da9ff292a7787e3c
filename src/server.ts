import type { FastifyInstance } from 'fastify';
import { ensureFirstAdmin } from './auth/first-admin.js';
import type { Config } from './config.js';

/**
 * Starts listening on `config.host:config.port` after first-run set-up (the first admin). Returns the URL.
 * Kept apart from `buildApp` so tests never open a port they do not need.
 */
export async function listen(app: FastifyInstance, config: Config): Promise<string> {
  const outcome = await ensureFirstAdmin(app.omnisonic.auth, config);
  if ('created' in outcome) app.log.info(`created the first admin "${outcome.created}"`);
  if ('instructions' in outcome) app.log.warn(outcome.instructions);
  const url = await app.listen({ host: config.host, port: config.port });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.log.info(`${signal}: shutting down`);
      void app.close().then(() => process.exit(0));
    });
  }
  return url;
}
