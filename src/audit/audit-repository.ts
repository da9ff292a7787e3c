import type { Db } from '../db/database.js';
import type { AuditLogTable } from '../db/schema.js';

/** SQL for the append-only audit log. */
export function createAuditRepository(db: Db) {
  return {
    async insert(entry: AuditLogTable): Promise<void> {
      await db.insertInto('auditLog').values(entry).execute();
    },
    /** Newest first; `after` is the (at, id) of the last row of the previous page. */
    async listNewestFirst(limit: number, after?: { at: number; id: string }): Promise<AuditLogTable[]> {
      let query = db.selectFrom('auditLog').selectAll();
      if (after) {
        query = query.where((eb) =>
          eb.or([eb('at', '<', after.at), eb.and([eb('at', '=', after.at), eb('id', '<', after.id)])]),
        );
      }
      return query.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
