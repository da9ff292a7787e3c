import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a stream token grants: one track, to one user (and device), until `expiresAt` (epoch ms). */
export interface StreamGrant {
  userId: string;
  deviceId: string | null;
  trackId: string;
  expiresAt: number;
}

function sign(secret: Buffer, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** `base64url(JSON payload).base64url(HMAC-SHA256(secret, payload))`: self-contained, so URLs need no lookup table. */
export function createStreamToken(secret: Buffer, grant: StreamGrant): string {
  const payload = Buffer.from(JSON.stringify([grant.userId, grant.deviceId, grant.trackId, grant.expiresAt])).toString('base64url');
  return `${payload}.${sign(secret, payload)}`;
}

/**
 * Checks a stream token's signature (constant-time) and expiry; returns the grant, or null when tampered,
 * malformed or expired. The caller still checks the track id and that the device and user are still allowed.
 */
export function verifyStreamToken(secret: Buffer, token: string, now: number): StreamGrant | null {
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length > 0) return null;
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(fields) || fields.length !== 4) return null;
  const [userId, deviceId, trackId, expiresAt] = fields;
  if (typeof userId !== 'string' || (deviceId !== null && typeof deviceId !== 'string') || typeof trackId !== 'string' || typeof expiresAt !== 'number') {
    return null;
  }
  if (expiresAt <= now) return null;
  return { userId, deviceId, trackId, expiresAt };
}
