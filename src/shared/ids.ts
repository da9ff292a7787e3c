import { randomBytes } from 'node:crypto';

/**
 * A new random id: 32 lower-case hex characters. Hex only, so keyset cursors order ids the same way on SQLite
 * (byte order) and PostgreSQL (any collation).
 */
export function newId(): string {
  return randomBytes(16).toString('hex');
}
