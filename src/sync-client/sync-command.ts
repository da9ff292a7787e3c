import { mkdir } from 'node:fs/promises';
import { ConfigError } from '../config.js';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createSyncApi, ServerUnavailableError, SyncRequestError } from './api-client.js';
import { nodeFileSystem } from './file-system.js';
import { watchLibraryEvents } from './library-events.js';
import { createProgressView, formatSummary } from './progress.js';
import { CLIENT_FOLDER } from './safe-paths.js';
import { createStateStore, StateFileError } from './state-store.js';
import { createSyncEngine, type SyncSummary } from './sync-engine.js';

export interface SyncCommandOptions {
  server: string;
  token: string;
  dir: string;
  once: boolean;
  /** Seconds between polls in continuous mode. */
  interval: number;
  json: boolean;
  verify: boolean;
  /** Listen to the server's `library` events to sync promptly (continuous mode). */
  events: boolean;
  /** Seconds to keep retrying an unreachable server before giving up; null = forever. */
  retryFor: number | null;
  pageSize: number;
}

/** Where the client keeps its state inside DIR. */
export const stateFilePath = (dir: string) => path.join(dir, CLIENT_FOLDER, 'state.json');

const sleep = (ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal });

/**
 * `omnisonic sync`: mirrors the library visible to the token into `dir` (see `createSyncEngine`). Progress goes to
 * stderr; the summary to stdout (one JSON line per sync with `--json`). `--once` syncs and returns the exit code: 0
 * when every track is in place or waiting for its hash, 2 when some download failed verification (retried next run).
 * Continuous mode syncs again every `interval` seconds and at once on a `library` event, until SIGINT/SIGTERM.
 */
export async function runSyncCommand(options: SyncCommandOptions): Promise<number> {
  const dir = path.resolve(options.dir);
  await mkdir(dir, { recursive: true });
  const api = createSyncApi({ server: options.server, token: options.token, fetch: (url, init) => fetch(url, init) });
  const view = createProgressView(process.stderr);
  const engine = createSyncEngine({
    api,
    fs: nodeFileSystem,
    store: createStateStore(nodeFileSystem, stateFilePath(dir)),
    dir,
    clock: { now: Date.now },
    sleep,
    random: Math.random,
    onEvent: (event) => view.onEvent(event),
    pageSize: options.pageSize,
    verify: options.verify,
    retryForMs: options.retryFor === null ? null : options.retryFor * 1000,
  });
  const report = (summary: SyncSummary) => {
    view.stop();
    process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
  };

  if (options.once) {
    const summary = await engine.sync();
    report(summary);
    return summary.failed.length > 0 ? 2 : 0;
  }

  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop.abort();
      view.stop();
      // State saves are atomic and partial downloads resumable: stopping anywhere loses nothing.
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  let wake: (() => void) | null = null;
  let changed = false;
  if (options.events) {
    void watchLibraryEvents(
      api,
      () => {
        changed = true;
        wake?.();
      },
      { signal: stop.signal, sleep, random: Math.random },
    );
  }
  for (;;) {
    changed = false;
    report(await engine.sync(stop.signal));
    if (changed) continue;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.interval * 1000);
      wake = () => {
        clearTimeout(timer);
        // A burst of library events (a scan) arrives over a moment: sync once after it.
        setTimeout(resolve, 500);
        wake = null;
      };
    });
    wake = null;
  }
}

/** The flags as commander hands them over (strings), before validation. */
export interface RawSyncFlags {
  server: string;
  token?: string;
  dir: string;
  once?: boolean;
  interval: string;
  events: boolean;
  json?: boolean;
  verify?: boolean;
  retryFor?: string;
  pageSize: string;
}

function integerFlag(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

/** Validates the flags (`--token` falls back to OMNISONIC_TOKEN); a bad one is a `ConfigError` naming it. */
export function parseSyncFlags(flags: RawSyncFlags, env: NodeJS.ProcessEnv = process.env): SyncCommandOptions {
  if (!/^https?:\/\/[^/]/.test(flags.server) || !URL.canParse(flags.server)) throw new ConfigError(`--server must be an http:// or https:// URL, got "${flags.server}"`);
  const token = flags.token ?? env.OMNISONIC_TOKEN;
  if (!token) throw new ConfigError('--token / OMNISONIC_TOKEN: give a device access token (POST /api/v1/devices returns one)');
  return {
    server: flags.server,
    token,
    dir: flags.dir,
    once: flags.once === true,
    interval: integerFlag('--interval', flags.interval, 1, 86_400),
    json: flags.json === true,
    verify: flags.verify === true,
    events: flags.events,
    retryFor: flags.retryFor === undefined ? null : integerFlag('--retry-for', flags.retryFor, 0, 31_536_000),
    pageSize: integerFlag('--page-size', flags.pageSize, 1, 1000),
  };
}

/**
 * The `sync` command's action: runs it and sets the exit code; failures the user can act on (refused token, state
 * file of another server, server gone for longer than `--retry-for`) are one line on stderr and exit code 1.
 */
export async function syncCommandAction(flags: RawSyncFlags): Promise<void> {
  const options = parseSyncFlags(flags);
  try {
    process.exitCode = await runSyncCommand(options);
  } catch (error) {
    if (error instanceof SyncRequestError || error instanceof StateFileError || error instanceof ServerUnavailableError) {
      process.stderr.write(`omnisonic sync: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}
