import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../src/db/database.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** The database kinds this run can use: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const databaseKinds: DatabaseKind[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/** A unique PostgreSQL schema name, so test files running in parallel never share tables. */
export function uniqueSchemaName(): string {
  return `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}

/** Drops a schema made by a test. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  await client.query(`drop schema if exists "${schema}" cascade`);
  await client.end();
}

export interface TestDatabase extends DatabaseHandle {
  dataDir: string;
  /** Settings to hand to `loadConfig`/`buildApp` so the app opens this same database. */
  databaseUrl?: string;
  databaseSchema?: string;
  destroy(): Promise<void>;
}

/** A fresh, migrated database of `kind`: SQLite in a temp dir, or a new PostgreSQL schema. */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-test-'));
  const databaseUrl = kind === 'postgres' ? process.env.TEST_DATABASE_URL : undefined;
  const databaseSchema = kind === 'postgres' ? uniqueSchemaName() : undefined;
  const handle = await openDatabase({ dataDir, databaseUrl, pgSchema: databaseSchema });
  await migrateToLatest(handle);
  return {
    ...handle,
    dataDir,
    databaseUrl,
    databaseSchema,
    async destroy() {
      await handle.close();
      if (databaseSchema) await dropSchema(databaseSchema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `body` once per available database kind, inside a `describe` named after it. */
export function describeEachDatabase(name: string, body: (kind: DatabaseKind) => void): void {
  for (const kind of databaseKinds) describe(`${name} [${kind}]`, () => body(kind));
}
