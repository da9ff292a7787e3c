import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../shared/errors.js';
import { isCrossSiteForgery } from './csrf.js';

/**
 * Security headers (helmet), strict CORS (off unless origins are listed) and the CSRF origin check for
 * cookie-authenticated requests. Applies to every route.
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
});
