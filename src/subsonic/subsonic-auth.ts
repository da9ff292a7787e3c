import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuthUser } from '../auth/auth-service.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { PasswordHasher } from '../auth/password-hasher.js';
import { hashToken } from '../auth/tokens.js';
import type { UsersRepository } from '../auth/users-repository.js';
import type { TokenCipher } from '../collection/token-cipher.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { SubsonicCredentialsRepository } from './credentials-repository.js';
import { missingParameter, SubsonicError } from './errors.js';

/** API keys carry a recognisable prefix (secret scanners, logs), like the REST API's `oms_`/`omd_` tokens. */
export const API_KEY_PREFIX = 'oss_';
const MAX_API_KEYS = 50;
/** Writing last-used on every request would turn reads into writes; once a minute is enough. */
const TOUCH_INTERVAL_MS = 60_000;

/** The authentication parameters of a request (API reference, "Parameters"; apiKeyAuthentication). */
export interface SubsonicCredentials {
  u?: string;
  p?: string;
  t?: string;
  s?: string;
  apiKey?: string;
}

export interface SubsonicAuthDeps {
  users: Pick<UsersRepository, 'findByUsernameKey'>;
  credentials: SubsonicCredentialsRepository;
  hasher: PasswordHasher;
  /** The login throttle (same counters as `POST /auth/login`), so Subsonic cannot be used to guess passwords faster. */
  throttle: LoginThrottle;
  cipher: TokenCipher;
  clock: Clock;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `p` in clear or `enc:<hex of the UTF-8 bytes>` (API reference, "Authentication"). Bad hex is a wrong password. */
export function decodePassword(p: string): string | null {
  if (!p.startsWith('enc:')) return p;
  const hex = p.slice(4);
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) return null;
  return Buffer.from(hex, 'hex').toString('utf8');
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * Subsonic authentication and the credentials behind it.
 *
 * Modes (API reference "Authentication"; Extensions/apiKeyAuth):
 * - `apiKey`: alone. With `u` → 43; with `p`/`t`/`s` as well → 43; unknown, revoked or the owner disabled → 44.
 * - `u` + `p` (clear or `enc:` hex): the user's Subsonic password, or else their main password (argon2 verify).
 * - `u` + `t` + `s`: `t` = md5(Subsonic password + s). Only the Subsonic password can do this: the main password is
 *   kept only as an argon2 hash. A user without one gets 40, like a wrong token (no 41: it would reveal whether the
 *   account exists; 41 is for servers that never support tokens).
 * - `p` together with `t`/`s` → 43; `t` without `s` (or the reverse), or no credentials at all → 10.
 * Password and token failures count towards the login throttle (per username and per IP); a locked account or
 * source answers 40 with a message saying to wait, since Subsonic has no code for it.
 */
export function createSubsonicAuth(deps: SubsonicAuthDeps) {
  const { users, credentials, hasher, throttle, cipher, clock } = deps;

  async function subsonicPassword(userId: string): Promise<string | null> {
    const sealed = await credentials.findSealedPassword(userId);
    if (sealed === undefined) return null;
    try {
      return cipher.open(sealed);
    } catch {
      // Sealed under another server secret (the secret was replaced): unusable until the user sets it again.
      return null;
    }
  }

  async function byApiKey(apiKey: string): Promise<AuthUser> {
    const owner = await credentials.findApiKeyOwner(hashToken(apiKey));
    if (!owner || owner.disabled) throw new SubsonicError(44);
    const now = clock.now();
    if (now - (owner.lastUsedAt ?? 0) > TOUCH_INTERVAL_MS) await credentials.touchApiKey(owner.keyId, now);
    return { id: owner.id, username: owner.username, role: owner.role };
  }

  async function byPassword(username: string, check: (stored: string | null, passwordHash: string) => Promise<boolean>, ip?: string) {
    try {
      await throttle.before(username, ip);
    } catch (error) {
      if (error instanceof AppError && error.code === 'too_many_attempts') {
        throw new SubsonicError(40, 'Too many failed sign-in attempts; wait and try again.');
      }
      throw error;
    }
    const row = await users.findByUsernameKey(username.trim().toLowerCase());
    const valid = row !== undefined && !row.disabled && (await check(await subsonicPassword(row.id), row.passwordHash));
    if (!row || !valid) {
      await throttle.failed(username, ip);
      throw new SubsonicError(40);
    }
    await throttle.succeeded(username);
    return { id: row.id, username: row.username, role: row.role } satisfies AuthUser;
  }

  return {
    /** The user the parameters authenticate; throws `SubsonicError` 10, 40, 43 or 44. */
    async authenticate(params: SubsonicCredentials, ip?: string): Promise<AuthUser> {
      const { u, p, t, s, apiKey } = params;
      if (apiKey !== undefined) {
        if (u !== undefined || p !== undefined || t !== undefined || s !== undefined) throw new SubsonicError(43);
        return byApiKey(apiKey);
      }
      if (u === undefined || u === '') throw missingParameter('u');
      if (p !== undefined && (t !== undefined || s !== undefined)) throw new SubsonicError(43);
      if (p !== undefined) {
        const password = decodePassword(p);
        return byPassword(
          u,
          async (stored, passwordHash) => password !== null && ((stored !== null && safeEqual(stored, password)) || (await hasher.verify(passwordHash, password))),
          ip,
        );
      }
      if (t === undefined) throw missingParameter(s === undefined ? 'p or t and s' : 't');
      if (s === undefined) throw missingParameter('s');
      const token = t.toLowerCase();
      return byPassword(u, async (stored) => stored !== null && safeEqual(md5(stored + s), token), ip);
    },

    /** Sets (replaces) the user's Subsonic password; `validation_failed` unless 8–256 characters. */
    async setPassword(userId: string, password: string): Promise<void> {
      if (password.length < 8 || password.length > 256) throw new AppError('validation_failed', 'A Subsonic password has 8–256 characters.');
      await credentials.savePassword(userId, cipher.seal(password), clock.now());
    },

    async clearPassword(userId: string): Promise<void> {
      await credentials.deletePassword(userId);
    },

    async hasPassword(userId: string): Promise<boolean> {
      return (await credentials.findSealedPassword(userId)) !== undefined;
    },

    /** Creates an API key; the key itself is returned only here. `conflict` past 50 keys per user. */
    async createApiKey(userId: string, name: string) {
      if ((await credentials.listApiKeys(userId)).length >= MAX_API_KEYS) {
        throw new AppError('conflict', `A user can hold at most ${MAX_API_KEYS} API keys; revoke one first.`);
      }
      const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
      const row = { id: newId(), userId, name, keyHash: hashToken(key), createdAt: clock.now() };
      await credentials.insertApiKey(row);
      return { id: row.id, name, createdAt: row.createdAt, lastUsedAt: null, key };
    },

    async listApiKeys(userId: string) {
      return (await credentials.listApiKeys(userId)).map((row) => ({
        id: row.id,
        name: row.name,
        createdAt: Number(row.createdAt),
        lastUsedAt: row.lastUsedAt === null ? null : Number(row.lastUsedAt),
      }));
    },

    /** Revokes at once. `api_key_not_found` for an id that is not one of the user's keys. */
    async revokeApiKey(userId: string, id: string): Promise<void> {
      if (!(await credentials.deleteApiKey(userId, id))) throw new AppError('api_key_not_found');
    },
  };
}

export type SubsonicAuth = ReturnType<typeof createSubsonicAuth>;
