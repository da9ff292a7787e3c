import { Stream } from 'node:stream';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../shared/errors.js';
import { isCrossSiteForgery } from './csrf.js';

/**
 * Parsed params, query, JSON and form values; not a streamed body (uploads get the raw request, whose socket and
 * parser fields form cycles) nor raw bytes.
 */
function isParsedObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !(value instanceof Stream) && !ArrayBuffer.isView(value);
}

function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (isParsedObject(value)) return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item));
  return false;
}

/**
 * Security headers (helmet), strict CORS (off unless origins are listed), the CSRF origin check for
 * cookie-authenticated requests, and refusal of NUL characters in any parameter or body. Applies to every route.
 */
export const securityPlugin = fp<{ corsOrigins: string[] }>(async (app: FastifyInstance, { corsOrigins }) => {
  const allowed = new Set(corsOrigins);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        manifestSrc: ["'self'"],
        // Helmet's default would make browsers rewrite every request of a plain-HTTP LAN server to https, which fails.
        upgradeInsecureRequests: null,
      },
    },
    // Audio and artwork are fetched by <audio>/<img> from this origin and by other apps; do not block embedding them.
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  if (allowed.size > 0) {
    await app.register(cors, { origin: [...allowed], credentials: true, exposedHeaders: ['Content-Range', 'Accept-Ranges', 'ETag'] });
  }
  app.addHook('onRequest', async (request) => {
    if (isCrossSiteForgery(request, allowed)) throw new AppError('csrf_rejected');
  });
  // No legitimate name, id or path holds a NUL, and PostgreSQL refuses one in text with an error.
  app.addHook('preValidation', async (request) => {
    if (containsNul(request.params) || containsNul(request.query) || containsNul(request.body)) {
      throw new AppError('validation_failed', 'Text may not contain NUL characters.');
    }
  });
});
