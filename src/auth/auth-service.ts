import type { AuditLog } from '../audit/audit-log.js';
import type { Role } from '../db/schema.js';
import type { DevicesRepository } from '../devices/devices-repository.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { LoginThrottle } from './login-throttle.js';
import type { PasswordHasher } from './password-hasher.js';
import type { SessionsRepository } from './sessions-repository.js';
import { DEVICE_TOKEN_PREFIX, hashToken, newToken, SESSION_TOKEN_PREFIX } from './tokens.js';
import type { UserRow, UsersRepository } from './users-repository.js';

/**
 * The caller as routes see it; `deviceId` is set when a device token authenticated the request, `sessionId` (the
 * SHA-256 of the session token) when a login session did.
 */
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
  deviceId?: string;
  sessionId?: string;
}

/** Where a request came from, for throttling and the audit log. */
export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

export interface AuthServiceDeps {
  users: UsersRepository;
  sessions: SessionsRepository;
  devices: DevicesRepository;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  audit: AuditLog;
  /** Every account gets a private upload library when it is created. */
  uploadLibraries: { ensureUploadLibrary(userId: string): Promise<unknown> };
  clock: Clock;
  /** Session lifetime, ms. */
  sessionTtlMs: number;
}

/** Usernames: 1–64 letters, digits, '.', '_', '-' or '@'; compared case-insensitively. */
const USERNAME = /^[\p{L}\p{N}._@-]{1,64}$/u;
export const MIN_PASSWORD_LENGTH = 8;

/** Writing last-seen/last-used on every request would turn reads into writes; once a minute is enough. */
const TOUCH_INTERVAL_MS = 60_000;

export function validateUsername(raw: string): string {
  const username = raw.trim();
  if (!USERNAME.test(username)) {
    throw new AppError('validation_failed', 'A username is 1–64 letters, digits, ".", "_", "-" or "@".');
  }
  return username;
}

export function validatePassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError('validation_failed', `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
}

const toAuthUser = (row: Pick<UserRow, 'id' | 'username' | 'role'>): AuthUser => ({ id: row.id, username: row.username, role: row.role });

/** Accounts' credentials: password checks (throttled, audited), login sessions and bearer-token authentication. */
export function createAuthService(deps: AuthServiceDeps) {
  const { users, sessions, devices, hasher, throttle, audit, uploadLibraries, clock } = deps;
  // Verifying against a real hash when the username is unknown keeps the response time the same either way.
  let dummyHash: Promise<string> | undefined;

  async function verifyPassword(username: string, password: string, client: ClientInfo): Promise<AuthUser> {
    await throttle.before(username, client.ip);
    const row = await users.findByUsernameKey(username.trim().toLowerCase());
    let valid = false;
    if (row && !row.disabled) {
      valid = await hasher.verify(row.passwordHash, password);
    } else {
      dummyHash ??= hasher.hash('not-a-real-password');
      await hasher.verify(await dummyHash, password);
    }
    if (!row || !valid || row.disabled) {
      const locked = await throttle.failed(username, client.ip);
      await audit.record({ action: locked ? 'login.locked' : 'login.failure', target: username.slice(0, 64), ip: client.ip });
      throw new AppError('invalid_credentials');
    }
    await throttle.succeeded(username);
    return toAuthUser(row);
  }

  return {
    /**
     * Creates an account. Errors: `validation_failed` (bad username, password shorter than 8 characters),
     * `username_taken` (409).
     */
    async createUser(input: { username: string; password: string; role: Role }, actorUserId: string | null = null): Promise<AuthUser> {
      const username = validateUsername(input.username);
      validatePassword(input.password);
      const usernameKey = username.toLowerCase();
      if (await users.findByUsernameKey(usernameKey)) throw new AppError('username_taken');
      const user = { id: newId(), username, role: input.role };
      await users.insert({ ...user, usernameKey, passwordHash: await hasher.hash(input.password), disabled: 0, createdAt: clock.now() });
      await uploadLibraries.ensureUploadLibrary(user.id);
      await audit.record({ action: 'user.created', actorUserId, target: user.id, details: { username, role: input.role } });
      return user;
    },

    async countUsers(): Promise<number> {
      return users.count();
    },

    /**
     * Checks a username and password without opening a session (device registration by password).
     * Errors: 401 `invalid_credentials`, 429 `too_many_attempts`; identical for unknown and existing usernames.
     */
    verifyPassword,

    /**
     * Checks the password and opens a new session (a fresh token on every login). Returns the token (shown once;
     * only its SHA-256 is stored). Errors: as `verifyPassword`.
     */
    async login(username: string, password: string, client: ClientInfo = {}): Promise<{ token: string; user: AuthUser; expiresAt: number }> {
      const user = await verifyPassword(username, password, client);
      const token = newToken(SESSION_TOKEN_PREFIX);
      const now = clock.now();
      const expiresAt = now + deps.sessionTtlMs;
      await sessions.deleteExpired(now);
      await sessions.insert({
        id: hashToken(token),
        userId: user.id,
        createdAt: now,
        expiresAt,
        lastSeenAt: now,
        ip: client.ip ?? null,
        userAgent: client.userAgent ?? null,
      });
      await audit.record({ action: 'login.success', actorUserId: user.id, target: user.id, ip: client.ip });
      return { token, user, expiresAt };
    },

    /**
     * The user behind a bearer token or session cookie: `oms_…` session tokens (unexpired), `omd_…` device tokens
     * (not revoked). Null when unknown, expired, revoked or the user is disabled.
     */
    async authenticate(token: string): Promise<AuthUser | null> {
      const now = clock.now();
      if (token.startsWith(DEVICE_TOKEN_PREFIX)) {
        const device = await devices.findByTokenHash(hashToken(token));
        if (!device) return null;
        if (now - (device.lastUsedAt ?? 0) > TOUCH_INTERVAL_MS) await devices.update(device.deviceId, { lastUsedAt: now });
        return { ...toAuthUser(device), deviceId: device.deviceId };
      }
      const session = await sessions.findActive(hashToken(token), now);
      if (!session) return null;
      if (now - session.lastSeenAt > TOUCH_INTERVAL_MS) await sessions.touch(session.sessionId, now);
      return { ...toAuthUser(session), sessionId: session.sessionId };
    },

    async logout(token: string, client: ClientInfo = {}): Promise<void> {
      const session = await sessions.findActive(hashToken(token), clock.now());
      await sessions.delete(hashToken(token));
      if (session) await audit.record({ action: 'logout', actorUserId: session.id, target: session.id, ip: client.ip });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
