import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../shared/errors.js';

/** Hashed build output: its name changes with its content, so browsers may keep it for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** `index.html` and unhashed files (favicon): always revalidated, so a new build shows on the next load. */
const REVALIDATE = 'no-cache';

/** Paths the web app never owns: the JSON API and the Subsonic API answer their own 404s. */
const API_PREFIXES = ['/api/', '/rest/'];

/**
 * The folder `npm run build` writes the web app into (`dist/web`), found from this module whether it runs from
 * `src/web` (tsx, tests) or `dist/src/web` (the built server): the first ancestor holding `package.json`.
 */
export function defaultWebRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.join(dir, 'dist', 'web');
}

function isApiPath(url: string): boolean {
  return url === '/api' || url === '/rest' || API_PREFIXES.some((prefix) => url.startsWith(prefix));
}

/** A last path segment with a dot (`/assets/x.js`, `/robots.txt`) names a file, not a page of the app. */
function looksLikeFile(url: string): boolean {
  const pathname = url.split('?')[0]!;
  return /\.[A-Za-z0-9]+$/.test(pathname.slice(pathname.lastIndexOf('/') + 1));
}

/**
 * Serves the single-page web app (`dist/web`, built by Vite) at `/`: its files with long-lived caching for hashed
 * assets, and `index.html` for every other GET/HEAD path that is not under `/api/` or `/rest/` (the app routes on
 * the client). Missing files answer 404 instead of HTML, so a stale tab asking for an old chunk fails clearly.
 * When the app has not been built, `/` says how to build it (503) and the API works as usual.
 */
export async function webPlugin(app: FastifyInstance, options: { root?: string }): Promise<void> {
  const root = options.root ?? defaultWebRoot();
  const indexFile = path.join(root, 'index.html');
  if (!existsSync(indexFile)) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The Omnisonic web app has not been built. Run `npm run build` (or `npm ci`), then restart the server.\n'),
    );
    return;
  }

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: false,
    cacheControl: false,
    schemaHide: true,
    setHeaders: (reply: FastifyReply, filePath: string) => {
      const relative = path.relative(root, filePath);
      reply.header('cache-control', relative.startsWith(`assets${path.sep}`) ? IMMUTABLE : REVALIDATE);
    },
  });

  const sendIndex = async (request: FastifyRequest, reply: FastifyReply) => {
    if (isApiPath(request.url)) throw new AppError('not_found');
    if (looksLikeFile(request.url)) {
      return reply.code(404).type('text/plain; charset=utf-8').send('Not found.\n');
    }
    return reply.header('cache-control', REVALIDATE).sendFile('index.html', root);
  };
  app.route({ method: ['GET', 'HEAD'], url: '/', schema: { hide: true }, handler: sendIndex });
  app.route({ method: ['GET', 'HEAD'], url: '/*', schema: { hide: true }, handler: sendIndex });
}
