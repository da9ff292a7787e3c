/**
 * `omnisonic serve` for end-to-end tests that kill and restart the server: `node --import tsx
 * test/e2e/sync-server-process.ts --data DIR [--music DIR] [--port N]`. The same `buildApp` + `listen` as the CLI,
 * plus `DATABASE_SCHEMA` from the environment so PostgreSQL runs can isolate themselves in a schema (the CLI has no
 * such setting). Prints `listening on URL` once it accepts connections.
 */
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { listen } from '../../src/server.js';

const args = process.argv.slice(2);
const value = (flag: string) => {
  const index = args.indexOf(flag);
  return index >= 0 ? args[index + 1] : undefined;
};
const music = args.flatMap((arg, i) => (arg === '--music' && args[i + 1] ? [args[i + 1]!] : []));
const config = {
  ...loadConfig({ data: value('--data'), music, port: value('--port') ?? '0' }),
  databaseSchema: process.env.DATABASE_SCHEMA || undefined,
};
const app = await buildApp(config);
const url = await listen(app, config);
process.stdout.write(`listening on ${url}\n`);
