import type { FastifyRequest } from 'fastify';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Decides whether a request may change state, per the OWASP CSRF cheat sheet's "verify origin with standard
 * headers": requests that carry an `Authorization` header cannot be forged cross-site, so only cookie-carrying
 * unsafe requests are checked. Their `Origin` must be this server's own origin or in the CORS allow-list; without
 * `Origin`, `Sec-Fetch-Site` must say same-origin (or `none`, a user-typed navigation). A request with neither
 * header comes from a non-browser client, which cannot be driven by another site, and passes.
 */
export function isCrossSiteForgery(request: FastifyRequest, allowedOrigins: ReadonlySet<string>): boolean {
  if (SAFE_METHODS.has(request.method) || request.headers.authorization || !request.headers.cookie) return false;
  const origin = request.headers.origin;
  if (origin !== undefined) {
    if (origin === `${request.protocol}://${request.host}`) return false;
    return !allowedOrigins.has(origin);
  }
  const site = request.headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}
