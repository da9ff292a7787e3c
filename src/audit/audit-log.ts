import type { Clock } from '../shared/clock.js';
import { newId } from '../shared/ids.js';
import type { AuditRepository } from './audit-repository.js';

export type AuditAction =
  | 'login.success'
  | 'login.failure'
  | 'login.locked'
  | 'logout'
  | 'device.registered'
  | 'device.revoked'
  | 'user.created'
  | 'user.deleted'
  | 'user.disabled'
  | 'user.enabled'
  | 'user.role_changed'
  | 'user.password_changed'
  | 'user.password_reset'
  | 'library.created'
  | 'library.access_changed';

export interface AuditEntry {
  action: AuditAction;
  actorUserId?: string | null;
  /** What was acted on, e.g. a user or device id, or a username for failed logins. */
  target?: string | null;
  ip?: string | null;
  /** Small facts (new role, device name); never passwords, tokens or secrets. */
  details?: Record<string, string | number | boolean | string[]>;
}

/** Records security-relevant events for admins (`GET /api/v1/admin/audit`). */
export function createAuditLog(deps: { repository: AuditRepository; clock: Clock }) {
  return {
    async record(entry: AuditEntry): Promise<void> {
      await deps.repository.insert({
        id: newId(),
        at: deps.clock.now(),
        action: entry.action,
        actorUserId: entry.actorUserId ?? null,
        target: entry.target ?? null,
        ip: entry.ip ?? null,
        details: entry.details ? JSON.stringify(entry.details) : null,
      });
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
