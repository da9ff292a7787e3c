import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateLibrary } from '../../bench/synthetic-library.js';
import { openDatabase } from '../../src/db/database.js';
import { dumpCatalog } from '../support/catalog-dump.js';
import { describeEachDatabase, dropSchema, uniqueSchemaName, type DatabaseKind } from '../support/databases.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-kill-'));
const music = path.join(work, 'music');
const schemas: string[] = [];

beforeAll(async () => {
  await generateLibrary(music, { files: 700, seed: 7 });
}, 120_000);
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
  rmSync(work, { recursive: true, force: true });
});

type ProgressLine = { phase?: string; processed?: number; summary?: unknown };

/**
 * Runs the scanner in a child process. `killWhen` sees each progress line; when it says yes the process gets
 * SIGKILL on the spot. Resolves with whether the scan ran to its end.
 */
function runScanner(data: string, env: Record<string, string>, killWhen?: (line: ProgressLine) => boolean): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/scan-process.ts', music, data], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffered = '';
    let finished = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const parsed = JSON.parse(line) as ProgressLine;
        if (parsed.summary) finished = true;
        if (killWhen?.(parsed)) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve(finished);
      else reject(new Error(`scanner exited with ${code}`));
    });
  });
}

async function dump(kind: DatabaseKind, data: string, schema: string | undefined): Promise<string[]> {
  const handle = await openDatabase({ dataDir: data, databaseUrl: kind === 'postgres' ? process.env.TEST_DATABASE_URL : undefined, pgSchema: schema });
  try {
    return await dumpCatalog(handle.db);
  } finally {
    await handle.close();
  }
}

describeEachDatabase('a scan killed at any moment', (kind) => {
  function target() {
    const schema = kind === 'postgres' ? uniqueSchemaName() : undefined;
    if (schema) schemas.push(schema);
    const env: Record<string, string> = schema ? { DATABASE_URL: process.env.TEST_DATABASE_URL!, DATABASE_SCHEMA: schema } : {};
    return { data: mkdtempSync(path.join(work, 'data-')), schema, env };
  }

  it('leaves a database that the next run completes into the catalog of a clean scan', async () => {
    const clean = target();
    expect(await runScanner(clean.data, clean.env)).toBe(true);
    const expected = await dump(kind, clean.data, clean.schema);
    expect(expected.filter((l) => l.includes(' | ok | ')).length).toBe(700);

    const killed = target();
    const killPoints: ((line: ProgressLine) => boolean)[] = [
      (l) => l.phase === 'walk',
      (l) => l.phase === 'read-tags' && (l.processed ?? 0) >= 1,
      (l) => l.phase === 'read-tags' && (l.processed ?? 0) >= 300,
      (l) => l.phase === 'group' || l.phase === 'artwork',
    ];
    const completed: boolean[] = [];
    for (const killPoint of killPoints) completed.push(await runScanner(killed.data, killed.env, killPoint));
    expect(completed.filter((done) => !done).length).toBeGreaterThanOrEqual(3);
    expect(await runScanner(killed.data, killed.env)).toBe(true);
    expect(await dump(kind, killed.data, killed.schema)).toEqual(expected);
  }, 240_000);
});
