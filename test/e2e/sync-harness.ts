/**
 * Shared pieces of the end-to-end tests that run the server as a process they kill and restart: the server process
 * (SQLite in a temp data dir, or a PostgreSQL schema of its own), signing in, device tokens, a direct database handle
 * for checking invariants, and the sync client as a process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { dropSchema, uniqueSchemaName, type DatabaseKind } from '../support/databases.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const corpusDir = path.resolve(repoRoot, '../shared/corpus/music-metadata-samples');
export const ADMIN_PASSWORD = 'e2e password 123';

/** Where one server keeps its state: a data dir, and for PostgreSQL a schema (dropped by `dropTargets`). */
export interface ServerTarget {
  kind: DatabaseKind;
  data: string;
  schema?: string;
  env: Record<string, string>;
}

const schemas: string[] = [];

export function serverTarget(kind: DatabaseKind, parent: string): ServerTarget {
  const schema = kind === 'postgres' ? uniqueSchemaName() : undefined;
  if (schema) schemas.push(schema);
  const env: Record<string, string> = schema ? { DATABASE_URL: process.env.TEST_DATABASE_URL!, DATABASE_SCHEMA: schema } : {};
  return { kind, data: mkdtempSync(path.join(parent, 'data-')), schema, env };
}

/** Drops the PostgreSQL schemas `serverTarget` made. */
export async function dropTargets(): Promise<void> {
  for (const schema of schemas.splice(0)) await dropSchema(schema);
}

export interface RunningServer {
  child: ChildProcess;
  url: string;
  port: number;
  log: () => string;
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful close); resolves once the process is gone. */
  stop(): Promise<void>;
}

/**
 * Starts the server on `target` (admin `admin` / ADMIN_PASSWORD, no watcher). `port` 0 picks a free one; pass the
 * previous port to restart at the same address. Resolves once it listens (start-up recovery has run by then).
 */
export function startServer(
  target: ServerTarget,
  options: { music?: string[]; port?: number; env?: Record<string, string> } = {},
): Promise<RunningServer> {
  const args = ['--import', 'tsx', 'test/e2e/sync-server-process.ts', '--data', target.data, '--port', String(options.port ?? 0)];
  for (const dir of options.music ?? []) args.push('--music', dir);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: {
        ...process.env,
        OMNISONIC_WATCH: 'false',
        OMNISONIC_LOG_LEVEL: 'warn',
        OMNISONIC_ADMIN_PASSWORD: ADMIN_PASSWORD,
        ...target.env,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let started = false;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match && !started) {
        started = true;
        const url = match[1]!;
        resolve({
          child,
          url,
          port: Number(new URL(url).port),
          log: () => output,
          async kill() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await exited;
          },
          async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      if (!started) reject(new Error(`server exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

/** Signs in as `username` and returns the session token. */
export async function login(url: string, username = 'admin', password = ADMIN_PASSWORD): Promise<string> {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/** Registers a device for the signed-in user and returns its id and `omd_…` access token. */
export async function registerDevice(url: string, sessionToken: string, name: string): Promise<{ id: string; token: string }> {
  const response = await fetch(`${url}/api/v1/devices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${sessionToken}` },
    body: JSON.stringify({ name, platform: 'linux', appVersion: 'e2e', clientId: randomUUID() }),
  });
  if (response.status !== 201) throw new Error(`device registration failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { device: { id: string }; accessToken: string };
  return { id: body.device.id, token: body.accessToken };
}

/** A JSON request with a bearer token; throws on a non-2xx answer unless `allow` lists the status. */
export async function api<T>(
  url: string,
  token: string,
  method: string,
  route: string,
  body?: unknown,
  allow: number[] = [],
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${url}/api/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok && !allow.includes(response.status)) throw new Error(`${method} ${route}: ${response.status} ${text}`);
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** The server's database, opened next to the running process (SQLite WAL readers do not block it). */
export function openTargetDatabase(target: ServerTarget): Promise<DatabaseHandle> {
  return openDatabase({
    dataDir: target.data,
    databaseUrl: target.kind === 'postgres' ? process.env.TEST_DATABASE_URL : undefined,
    pgSchema: target.schema,
  });
}

export interface ClientRun {
  child: ChildProcess;
  /** Resolves when the client exits: its exit code, its last `--json` summary and its stderr. */
  done: Promise<{ code: number | null; summary: Record<string, unknown> & { refused: unknown[]; failed: unknown[] }; stderr: string }>;
}

/** Runs `omnisonic sync --json` (from the sources, through tsx) as a process; `--once` unless `continuous`. */
export function runSyncClient(options: { server: string; token: string; dir: string; args?: string[]; continuous?: boolean }): ClientRun {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'sync', '--server', options.server, '--dir', options.dir, ...(options.continuous ? [] : ['--once']), '--json', ...(options.args ?? [])],
    { cwd: repoRoot, env: { ...process.env, OMNISONIC_TOKEN: options.token }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<Awaited<ClientRun['done']>>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      let summary;
      try {
        summary = JSON.parse(last);
      } catch {
        summary = { refused: [], failed: [], unparsed: stdout };
      }
      resolve({ code, summary, stderr });
    });
  });
  return { child, done };
}

/** `runSyncClient` to its end; throws with its stderr unless it exits 0. */
export async function syncOnce(options: { server: string; token: string; dir: string; args?: string[] }) {
  const result = await runSyncClient(options).done;
  if (result.code !== 0) throw new Error(`sync client exited ${result.code}:\n${result.stderr}`);
  return result.summary;
}

/** Waits until no scan runs, a scan has finished, and every available track is hashed (sync records carry sha256). */
export async function waitForSettledLibrary(url: string, token: string): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    const status = (await api<{ state: string; lastScan: unknown; hashing?: { pending: number } }>(url, token, 'GET', '/library/status')).body;
    if (status.state === 'idle' && status.lastScan && (status.hashing?.pending ?? 0) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the library did not settle');
}
