import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOverrides } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './databases.js';

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  /** Closes the app and drops its database. */
  close(): Promise<void>;
}

/**
 * A built app on a fresh database of `kind` (migrated), with watching and start-up scans off so tests decide when
 * to scan. `env` adds settings as the environment would.
 */
export async function createTestApp(
  kind: DatabaseKind,
  options: { musicDirs?: string[]; env?: Record<string, string>; overrides?: AppOverrides } = {},
): Promise<TestApp> {
  const database = await createTestDatabase(kind);
  const config = loadConfig(
    { music: options.musicDirs ?? [], data: database.dataDir },
    { OMNISONIC_WATCH: 'false', OMNISONIC_SCAN_ON_START: 'false', OMNISONIC_LOG_LEVEL: 'silent', ...options.env },
  );
  const app = await buildApp({ ...config, databaseUrl: database.databaseUrl, databaseSchema: database.databaseSchema }, options.overrides);
  return {
    app,
    database,
    async close() {
      await app.close();
      await database.destroy();
    },
  };
}

/** Creates a user (admin by default) and signs in; returns headers that authenticate as them. */
export async function signIn(
  app: FastifyInstance,
  username = 'admin',
  role: 'admin' | 'user' = 'admin',
): Promise<{ authorization: string }> {
  const password = 'correct horse battery staple';
  await app.omnisonic.auth.createUser({ username, password, role });
  const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`);
  return { authorization: `Bearer ${response.json().token}` };
}
