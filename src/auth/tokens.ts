import { createHash, randomBytes } from 'node:crypto';

/**
 * Token prefixes make a leaked token recognisable (secret scanners, logs) and tell the server where to look it up:
 * `oms_` login sessions, `omd_` device access tokens.
 */
export const SESSION_TOKEN_PREFIX = 'oms_';
export const DEVICE_TOKEN_PREFIX = 'omd_';

/** A new bearer token: the prefix plus 32 random bytes, base64url. Shown to the client once. */
export function newToken(prefix: typeof SESSION_TOKEN_PREFIX | typeof DEVICE_TOKEN_PREFIX): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** SHA-256 (hex) of a token: what the database keeps instead of the token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
