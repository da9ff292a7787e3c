import type { AuditLog } from '../audit/audit-log.js';
import { validatePassword, type AuthUser } from '../auth/auth-service.js';
import type { PasswordHasher } from '../auth/password-hasher.js';
import type { SessionsRepository } from '../auth/sessions-repository.js';
import type { UserRow, UsersRepository } from '../auth/users-repository.js';
import type { Role } from '../db/schema.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';

/** A user as admins see them. */
export interface UserSummary {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
}

export interface UserChanges {
  role?: Role;
  disabled?: boolean;
  /** A new password set by an admin (a reset). */
  password?: string;
}

const toSummary = (row: UserRow): UserSummary => ({
  id: row.id,
  username: row.username,
  role: row.role,
  disabled: row.disabled === 1,
  createdAt: row.createdAt,
});

/**
 * Account administration and self-service. The last enabled admin can be neither demoted, disabled nor deleted
 * (409 `last_admin`), so a server always has someone who can manage it. Privilege and password changes end the
 * user's other sessions, so the change takes effect everywhere at once.
 */
export function createUsersService(deps: {
  users: UsersRepository;
  sessions: SessionsRepository;
  hasher: PasswordHasher;
  audit: AuditLog;
  clock: Clock;
}) {
  const { users, sessions, hasher, audit, clock } = deps;

  async function existing(id: string): Promise<UserRow> {
    const row = await users.findById(id);
    if (!row) throw new AppError('user_not_found');
    return row;
  }

  async function guardLastAdmin(row: UserRow): Promise<void> {
    if (row.role === 'admin' && row.disabled === 0 && (await users.countActiveByRole('admin')) <= 1) {
      throw new AppError('last_admin');
    }
  }

  return {
    async list(): Promise<UserSummary[]> {
      return (await users.listAll()).map(toSummary);
    },

    async get(id: string): Promise<UserSummary> {
      return toSummary(await existing(id));
    },

    /** Errors: 404 `user_not_found`. */
    async findByUsername(username: string): Promise<UserSummary> {
      const row = await users.findByUsernameKey(username.trim().toLowerCase());
      if (!row) throw new AppError('user_not_found');
      return toSummary(row);
    },

    /**
     * `actor` is the admin making the change, null for the server's own CLI. Errors: 404 `user_not_found`,
     * 409 `last_admin`, 400 `validation_failed` (short password).
     */
    async update(actor: AuthUser | null, id: string, changes: UserChanges, ip: string | null): Promise<UserSummary> {
      const row = await existing(id);
      const demotes = changes.role !== undefined && changes.role !== row.role && row.role === 'admin';
      const disables = changes.disabled === true && row.disabled === 0;
      if (demotes || disables) await guardLastAdmin(row);
      if (changes.password !== undefined) validatePassword(changes.password);

      const update: Parameters<UsersRepository['update']>[1] = {};
      if (changes.role !== undefined && changes.role !== row.role) update.role = changes.role;
      if (changes.disabled !== undefined && (changes.disabled ? 1 : 0) !== row.disabled) update.disabled = changes.disabled ? 1 : 0;
      if (changes.password !== undefined) update.passwordHash = await hasher.hash(changes.password);
      if (Object.keys(update).length === 0) return toSummary(row);

      await users.update(id, update);
      await sessions.deleteAllForUser(id);
      if (update.role) await audit.record({ action: 'user.role_changed', actorUserId: actor?.id ?? null, target: id, ip, details: { role: update.role } });
      if (update.disabled !== undefined) {
        await audit.record({ action: update.disabled ? 'user.disabled' : 'user.enabled', actorUserId: actor?.id ?? null, target: id, ip });
      }
      if (update.passwordHash) await audit.record({ action: 'user.password_reset', actorUserId: actor?.id ?? null, target: id, ip });
      return toSummary({ ...row, ...update });
    },

    /** Deletes a user and everything they own. Errors: 404 `user_not_found`, 409 `last_admin`. */
    async delete(actor: AuthUser | null, id: string, ip: string | null): Promise<void> {
      const row = await existing(id);
      await guardLastAdmin(row);
      await users.delete(id);
      await audit.record({ action: 'user.deleted', actorUserId: actor?.id ?? null, target: id, ip, details: { username: row.username } });
    },

    /**
     * Changes the caller's own password; the current one is required (403 `current_password_wrong`). Every other
     * session of the user ends; the one making the change stays signed in.
     */
    async changeOwnPassword(actor: AuthUser, currentPassword: string, newPassword: string, ip: string | null): Promise<void> {
      const row = await existing(actor.id);
      if (!(await hasher.verify(row.passwordHash, currentPassword))) throw new AppError('current_password_wrong');
      validatePassword(newPassword);
      await users.update(actor.id, { passwordHash: await hasher.hash(newPassword) });
      await sessions.deleteAllForUser(actor.id, actor.sessionId);
      await audit.record({ action: 'user.password_changed', actorUserId: actor.id, target: actor.id, ip });
    },

    /** The caller's unexpired login sessions, newest first; `current` marks the one making the request. */
    async listOwnSessions(actor: AuthUser) {
      return (await sessions.listForUser(actor.id, clock.now())).map((session) => ({
        id: session.id,
        createdAt: session.createdAt,
        lastSeenAt: session.lastSeenAt,
        expiresAt: session.expiresAt,
        ip: session.ip,
        userAgent: session.userAgent,
        current: session.id === actor.sessionId,
      }));
    },

    /** Ends one of the caller's sessions. Errors: 404 `not_found`. */
    async endOwnSession(actor: AuthUser, sessionId: string): Promise<void> {
      if ((await sessions.deleteOwned(actor.id, sessionId)) === 0) throw new AppError('not_found', 'No such session.');
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
