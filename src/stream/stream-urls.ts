import type { AuthUser } from '../auth/auth-service.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { Viewer } from './stream-service.js';
import type { StreamRepository } from './stream-repository.js';
import { createStreamToken, verifyStreamToken } from './stream-token.js';

/**
 * Stream URLs that need no header (for `<audio>`, casting, other apps): `…/stream?token=…`, where the token binds
 * user, device, track and expiry under the server's HMAC secret.
 */
export function createStreamUrls(deps: {
  secret: Buffer;
  clock: Clock;
  /** Lifetime of a stream URL, ms. */
  ttlMs: number;
  tracks: Pick<StreamRepository, 'findGrantHolder'>;
}) {
  const { secret, clock, ttlMs, tracks } = deps;
  return {
    /** A URL path (relative to the server) that streams `trackId` for `user` until `expiresAt` (epoch ms). */
    issue(user: AuthUser, trackId: string): { url: string; expiresAt: number } {
      const expiresAt = clock.now() + ttlMs;
      const token = createStreamToken(secret, { userId: user.id, deviceId: user.deviceId ?? null, trackId, expiresAt });
      return { url: `/api/v1/tracks/${encodeURIComponent(trackId)}/stream?token=${token}`, expiresAt };
    },

    /**
     * The viewer a token speaks for. Errors: 401 `unauthorized` when the token is tampered, expired, or its device
     * was revoked or its user disabled since; 404 `track_not_found` when it was issued for another track.
     */
    async viewerFor(token: string, trackId: string): Promise<Viewer> {
      const grant = verifyStreamToken(secret, token, clock.now());
      if (!grant) throw new AppError('unauthorized', 'The stream link is invalid or has expired.');
      if (grant.trackId !== trackId) throw new AppError('track_not_found');
      const holder = await tracks.findGrantHolder(grant.userId, grant.deviceId);
      if (!holder) throw new AppError('unauthorized', 'The stream link was revoked.');
      return holder;
    },
  };
}

export type StreamUrls = ReturnType<typeof createStreamUrls>;
