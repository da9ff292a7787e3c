import type { Role } from '../db/schema.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { PasswordHasher } from './password-hasher.js';
import type { SessionsRepository } from './sessions-repository.js';
import { hashToken, newSessionToken } from './tokens.js';
import type { UsersRepository } from './users-repository.js';

/** The signed-in user as routes see it. */
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
}

export interface AuthServiceDeps {
  users: UsersRepository;
  sessions: SessionsRepository;
  hasher: PasswordHasher;
  clock: Clock;
  /** Session lifetime, ms. */
  sessionTtlMs: number;
}

/** Usernames: 1–64 letters, digits, '.', '_', '-' or '@'; compared case-insensitively. */
const USERNAME = /^[\p{L}\p{N}._@-]{1,64}$/u;
export const MIN_PASSWORD_LENGTH = 8;

/** Accounts and login sessions. */
export function createAuthService(deps: AuthServiceDeps) {
  const { users, sessions, hasher, clock } = deps;
  // Verifying against a real hash when the username is unknown keeps the response time the same either way.
  let dummyHash: Promise<string> | undefined;

  return {
    /**
     * Creates an account. Errors: `validation_failed` (bad username, password shorter than 8 characters),
     * `username_taken` (409).
     */
    async createUser(input: { username: string; password: string; role: Role }): Promise<AuthUser> {
      const username = input.username.trim();
      if (!USERNAME.test(username)) {
        throw new AppError('validation_failed', 'A username is 1–64 letters, digits, ".", "_", "-" or "@".');
      }
      if (input.password.length < MIN_PASSWORD_LENGTH) {
        throw new AppError('validation_failed', `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
      }
      const usernameKey = username.toLowerCase();
      if (await users.findByUsernameKey(usernameKey)) throw new AppError('username_taken');
      const user = { id: newId(), username, role: input.role };
      await users.insert({
        ...user,
        usernameKey,
        passwordHash: await hasher.hash(input.password),
        disabled: 0,
        createdAt: clock.now(),
      });
      return user;
    },

    async countUsers(): Promise<number> {
      return users.count();
    },

    /**
     * Checks the password and opens a session. Returns the token (shown once; only its SHA-256 is stored).
     * Errors: `invalid_credentials` (401), the same whether the username exists or not.
     */
    async login(
      username: string,
      password: string,
      client: { ip?: string; userAgent?: string } = {},
    ): Promise<{ token: string; user: AuthUser; expiresAt: number }> {
      const row = await users.findByUsernameKey(username.trim().toLowerCase());
      if (!row || row.disabled) {
        dummyHash ??= hasher.hash('not-a-real-password');
        await hasher.verify(await dummyHash, password);
        throw new AppError('invalid_credentials');
      }
      if (!(await hasher.verify(row.passwordHash, password))) throw new AppError('invalid_credentials');
      const token = newSessionToken();
      const now = clock.now();
      const expiresAt = now + deps.sessionTtlMs;
      await sessions.deleteExpired(now);
      await sessions.insert({
        id: hashToken(token),
        userId: row.id,
        createdAt: now,
        expiresAt,
        lastSeenAt: now,
        ip: client.ip ?? null,
        userAgent: client.userAgent ?? null,
      });
      return { token, user: { id: row.id, username: row.username, role: row.role }, expiresAt };
    },

    /** The user a session token belongs to, or null when it is unknown, expired or the user is disabled. */
    async authenticate(token: string): Promise<AuthUser | null> {
      const now = clock.now();
      const session = await sessions.findActive(hashToken(token), now);
      if (!session) return null;
      // Writing last-seen on every request would turn reads into writes; once a minute is enough.
      if (now - session.lastSeenAt > 60_000) await sessions.touch(session.sessionId, now);
      return { id: session.id, username: session.username, role: session.role };
    },

    async logout(token: string): Promise<void> {
      await sessions.delete(hashToken(token));
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
