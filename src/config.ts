import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Everything the server needs to start, validated once. */
export interface Config {
  /** Absolute paths of the music folders; each becomes a library. */
  musicDirs: string[];
  /** Absolute path of the data directory (SQLite database, artwork, secrets). */
  dataDir: string;
  host: string;
  port: number;
  /** PostgreSQL connection string; SQLite in `dataDir` when absent. */
  databaseUrl?: string;
  /** PostgreSQL schema (tests isolate themselves with it). */
  databaseSchema?: string;
  /** Watch the music folders and apply changes without a full rescan. */
  watch: boolean;
  /** Minutes between periodic full scans; 0 turns them off. */
  scanIntervalMinutes: number;
  /** Scan the music folders when the server starts. */
  scanOnStart: boolean;
  /**
   * Keep derived data current in the background: tracks' whole-file content hashes (after start-up and every scan) and
   * the in-memory search index. One-shot CLI commands turn it off: they exit after their own work, which this would
   * only slow down and swell (a scan would also index every track it adds).
   */
  backgroundIndexing: boolean;
  /** Let admins write catalog edits into the files' tags (`POST /tracks/{id}/write-tags`); off by default. */
  allowTagWrites: boolean;
  /** Import `.m3u`/`.m3u8` files found in the music folders as playlists of the first admin. */
  importM3u: boolean;
  /** Created as the first admin when no user exists. */
  adminUser: string;
  adminPassword?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Session lifetime in ms. */
  sessionTtlMs: number;
  /** Trust `X-Forwarded-*` from a reverse proxy for the client address (throttling, audit). */
  trustProxy: boolean;
  /** Lifetime of header-less stream URLs, ms. */
  streamUrlTtlMs: number;
  /** Hex signing secret shared by several instances; by default one is generated in the data directory. */
  secret?: string;
  /** Origins (e.g. `https://music.example.com`) allowed to call the API from a browser; empty turns CORS off. */
  corsOrigins: string[];
  /** ListenBrainz API root that users' plays are forwarded to (tests point it at a local stub). */
  listenBrainzUrl: string;
  /** Redis URL: the event bus then spans every instance sharing it (in-process otherwise). */
  redisUrl?: string;
  /** Prefix of this deployment's Redis keys and channels, so several deployments can share one Redis. */
  redisPrefix: string;
  /** Largest file `POST /uploads` accepts, bytes (OMNISONIC_UPLOAD_MAX_BYTES, default 1 GiB). */
  uploadMaxBytes: number;
  /** Bytes each user may hold in their upload library plus unfinished uploads; 0 = no quota (OMNISONIC_UPLOAD_QUOTA_BYTES). */
  uploadQuotaBytes: number;
  /** Unfinished uploads untouched this long (ms) expire and their bytes are deleted (OMNISONIC_UPLOAD_EXPIRY_HOURS, default 24). */
  uploadExpiryMs: number;
  /** Sync change-log rows older than this (ms) are deleted; cursors before them answer 410 (OMNISONIC_SYNC_RETENTION_DAYS, default 90). */
  syncRetentionMs: number;
}

/** A setting with a bad value; the CLI prints `message` as one line and exits non-zero. */
export class ConfigError extends Error {}

/** Raw settings as given on the command line; anything absent falls back to the environment, then the default. */
export interface ConfigInput {
  music?: string[];
  data?: string;
  host?: string;
  port?: string | number;
  databaseUrl?: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_DATA_HOME || path.join(env.HOME || os.homedir(), '.local', 'share');
  return path.join(base, 'omnisonic');
}

function parseBoolean(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function parseInteger(name: string, raw: string | number | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function parseSecret(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^([0-9a-fA-F]{2}){32,}$/.test(raw)) throw new ConfigError('OMNISONIC_SECRET must be at least 64 hex characters (32 bytes)');
  return raw;
}

function parseOrigins(raw: string | undefined): string[] {
  const origins = (raw ?? '').split(',').map((o) => o.trim()).filter((o) => o !== '');
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || url.origin !== origin) {
      throw new ConfigError(`OMNISONIC_CORS_ORIGINS must be comma-separated origins like https://music.example.com, got "${origin}"`);
    }
  }
  return origins;
}

/**
 * Builds the config from CLI flags, then environment variables (`OMNISONIC_MUSIC` is a list separated by the
 * platform's path delimiter, ':' on Linux), then defaults. Music folders must exist and be directories.
 * Throws `ConfigError` naming the first bad setting.
 */
export function loadConfig(input: ConfigInput = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const musicRaw = input.music?.length
    ? input.music
    : (env.OMNISONIC_MUSIC ?? '').split(path.delimiter).filter((p) => p.trim() !== '');
  const musicDirs = [...new Set(musicRaw.map((dir) => path.resolve(dir)))];
  for (const dir of musicDirs) {
    let isDirectory = false;
    try {
      isDirectory = statSync(dir).isDirectory();
    } catch {
      throw new ConfigError(`--music / OMNISONIC_MUSIC: folder "${dir}" does not exist or cannot be read`);
    }
    if (!isDirectory) throw new ConfigError(`--music / OMNISONIC_MUSIC: "${dir}" is not a folder`);
  }

  const logLevel = (env.OMNISONIC_LOG_LEVEL || 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`OMNISONIC_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const databaseUrl = input.databaseUrl ?? (env.DATABASE_URL || undefined);
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must be a postgres:// or postgresql:// URL`);
  }

  const redisUrl = env.REDIS_URL || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL');
  const redisPrefix = env.OMNISONIC_REDIS_PREFIX || 'omnisonic';
  if (!/^[\w.:-]{1,64}$/.test(redisPrefix)) {
    throw new ConfigError(`OMNISONIC_REDIS_PREFIX must be 1–64 letters, digits, '.', ':', '_' or '-', got "${redisPrefix}"`);
  }

  const listenBrainzUrl = env.OMNISONIC_LISTENBRAINZ_URL || 'https://api.listenbrainz.org';
  if (!/^https?:\/\/[^/]/.test(listenBrainzUrl) || !URL.canParse(listenBrainzUrl)) {
    throw new ConfigError(`OMNISONIC_LISTENBRAINZ_URL must be an http:// or https:// URL, got "${listenBrainzUrl}"`);
  }

  const adminUser = env.OMNISONIC_ADMIN_USER || 'admin';
  return {
    musicDirs,
    dataDir: path.resolve(input.data ?? (env.OMNISONIC_DATA || defaultDataDir(env))),
    host: input.host ?? (env.OMNISONIC_HOST || '127.0.0.1'),
    port: parseInteger('--port / OMNISONIC_PORT', input.port ?? env.OMNISONIC_PORT, 4747, 0, 65535),
    databaseUrl,
    watch: parseBoolean('OMNISONIC_WATCH', env.OMNISONIC_WATCH, true),
    scanIntervalMinutes: parseInteger('OMNISONIC_SCAN_INTERVAL', env.OMNISONIC_SCAN_INTERVAL, 0, 0, 7 * 24 * 60),
    scanOnStart: parseBoolean('OMNISONIC_SCAN_ON_START', env.OMNISONIC_SCAN_ON_START, true),
    backgroundIndexing: true,
    allowTagWrites: parseBoolean('OMNISONIC_ALLOW_TAG_WRITES', env.OMNISONIC_ALLOW_TAG_WRITES, false),
    importM3u: parseBoolean('OMNISONIC_IMPORT_M3U', env.OMNISONIC_IMPORT_M3U, true),
    adminUser,
    adminPassword: env.OMNISONIC_ADMIN_PASSWORD || undefined,
    logLevel,
    corsOrigins: parseOrigins(env.OMNISONIC_CORS_ORIGINS),
    listenBrainzUrl,
    streamUrlTtlMs: parseInteger('OMNISONIC_STREAM_URL_TTL_HOURS', env.OMNISONIC_STREAM_URL_TTL_HOURS, 6, 1, 24 * 365) * 3_600_000,
    secret: parseSecret(env.OMNISONIC_SECRET),
    trustProxy: parseBoolean('OMNISONIC_TRUST_PROXY', env.OMNISONIC_TRUST_PROXY, false),
    sessionTtlMs: parseInteger('OMNISONIC_SESSION_TTL_DAYS', env.OMNISONIC_SESSION_TTL_DAYS, 30, 1, 3650) * 86_400_000,
    redisUrl,
    redisPrefix,
    uploadMaxBytes: parseInteger('OMNISONIC_UPLOAD_MAX_BYTES', env.OMNISONIC_UPLOAD_MAX_BYTES, 1024 ** 3, 1, Number.MAX_SAFE_INTEGER),
    uploadQuotaBytes: parseInteger('OMNISONIC_UPLOAD_QUOTA_BYTES', env.OMNISONIC_UPLOAD_QUOTA_BYTES, 0, 0, Number.MAX_SAFE_INTEGER),
    uploadExpiryMs: parseInteger('OMNISONIC_UPLOAD_EXPIRY_HOURS', env.OMNISONIC_UPLOAD_EXPIRY_HOURS, 24, 1, 24 * 365) * 3_600_000,
    syncRetentionMs: parseInteger('OMNISONIC_SYNC_RETENTION_DAYS', env.OMNISONIC_SYNC_RETENTION_DAYS, 90, 1, 3650) * 86_400_000,
  };
}
