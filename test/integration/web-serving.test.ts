import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors.js';
import { securityPlugin } from '../../src/security/plugin.js';
import { webPlugin } from '../../src/web/plugin.js';

const INDEX = '<!doctype html><title>Omnisonic</title><script type="module" src="/assets/index-abc123.js"></script>';

describe('serving the web app', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-web-'));
  let app: FastifyInstance;
  beforeAll(async () => {
    mkdirSync(path.join(root, 'assets'));
    writeFileSync(path.join(root, 'index.html'), INDEX);
    writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log("app")');
    writeFileSync(path.join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    app = Fastify();
    // As `buildApp` answers AppErrors.
    app.setErrorHandler((error, _request, reply) =>
      error instanceof AppError ? reply.code(error.status).send({ error: { code: error.code, message: error.message } }) : reply.send(error),
    );
    await app.register(securityPlugin, { corsOrigins: [] });
    app.get('/api/v1/ping', async () => ({ pong: true }));
    await app.register(webPlugin, { root });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers the app at / and at any page path, revalidated on every load', async () => {
    for (const url of ['/', '/albums/01HXYZ', '/library/artists?sort=name']) {
      const response = await app.inject(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toMatch(/text\/html/);
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toBe(INDEX);
    }
  });

  it('caches hashed assets for a year and other files not at all', async () => {
    const asset = await app.inject('/assets/index-abc123.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject('/favicon.svg')).headers['cache-control']).toBe('no-cache');
  });

  it('answers 404 for a missing file and for unknown API paths instead of the app', async () => {
    const chunk = await app.inject('/assets/index-old999.js');
    expect(chunk.statusCode).toBe(404);
    expect(chunk.headers['content-type']).not.toMatch(/html/);
    const api = await app.inject('/api/v1/nothing-here');
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe('not_found');
    expect((await app.inject('/api/v1/ping')).json()).toEqual({ pong: true });
  });

  it('sends a content security policy that lets the app run from this origin and play its audio', async () => {
    const csp = (await app.inject('/')).headers['content-security-policy'] as string;
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['media-src']).toContain("'self'");
    expect(directives['img-src']).toEqual(expect.arrayContaining(["'self'", 'data:', 'blob:']));
    expect(directives['connect-src']).toEqual(["'self'"]);
    expect(csp).not.toContain('upgrade-insecure-requests');
  });
});

describe('serving a server whose web app was not built', () => {
  it('explains how to build it at / and keeps the API working', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-web-empty-'));
    const app = Fastify();
    app.get('/api/v1/ping', async () => ({ pong: true }));
    await app.register(webPlugin, { root });
    const response = await app.inject('/');
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('npm run build');
    expect((await app.inject('/api/v1/ping')).statusCode).toBe(200);
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });
});
