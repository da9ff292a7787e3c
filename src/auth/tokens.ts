import { createHash, randomBytes } from 'node:crypto';

/** Session tokens start with this prefix so a leaked one is recognisable (e.g. by secret scanners). */
export const SESSION_TOKEN_PREFIX = 'oms_';

/** A new session token: the prefix plus 32 random bytes, base64url. Shown to the client once. */
export function newSessionToken(): string {
  return SESSION_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** SHA-256 (hex) of a token: what the database keeps instead of the token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
