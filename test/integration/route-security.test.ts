import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAudioFixtures, writeImage } from '../support/audio-fixtures.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

/**
 * Walks every operation of the served OpenAPI document, so routes added later are covered without editing this
 * file — except that a route with a path parameter must say below which resource of another user it takes;
 * an unmapped one fails the test until it does.
 */
type Operation = { method: string; path: string; public: boolean; bodySchema?: JsonSchema };
type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; format?: string; anyOf?: JsonSchema[]; minLength?: number; minimum?: number; items?: JsonSchema };

const work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-route-security-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A value that satisfies a (TypeBox-generated) JSON schema, so requests get past validation to the access check. */
function sample(schema: JsonSchema | undefined): unknown {
  if (!schema) return undefined;
  if (schema.anyOf) return sample(schema.anyOf[0]);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((key) => [key, sample(schema.properties?.[key])]));
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return Math.max(1, schema.minimum ?? 1);
    case 'boolean':
      return false;
    default:
      return schema.format === 'uuid' ? randomUUID() : 'x'.repeat(Math.max(8, schema.minLength ?? 0));
  }
}

describeEachDatabase('every route in the OpenAPI document', (kind) => {
  let t: TestApp;
  let operations: Operation[];
  let owner: { authorization: string };
  let other: { authorization: string };
  /** Resources that belong to `owner` (or live in a library `other` may not see), by path parameter pattern. */
  const ownedIds = new Map<string, string>();
  let revokedDeviceToken: string;

  beforeAll(async () => {
    const music = path.join(work, kind, 'music');
    const fixtures = createAudioFixtures(path.join(work, kind, 'bases'));
    const cover = await writeImage(path.join(work, kind, 'cover.jpg'), { r: 200, g: 30, b: 30 });
    await fixtures.track(path.join(music, 'Album', '01.mp3'), { title: 'Song', artist: 'Artist', album: 'Album' }, { cover });
    t = await createTestApp(kind, { musicDirs: [music] });
    owner = await signIn(t.app, 'owner', 'admin');
    other = await signIn(t.app, 'other', 'user');
    await t.app.omnisonic.library.scan();

    const document = (await t.app.inject('/api/v1/openapi.json')).json();
    operations = Object.entries(document.paths as Record<string, Record<string, { security?: unknown[]; requestBody?: { content: { 'application/json': { schema: JsonSchema } } } }>>).flatMap(
      ([route, methods]) =>
        Object.entries(methods).map(([method, op]) => ({
          method: method.toUpperCase(),
          path: route,
          public: Array.isArray(op.security) && op.security.length === 0,
          bodySchema: op.requestBody?.content['application/json']?.schema,
        })),
    );

    const track = (await t.app.inject({ url: '/api/v1/tracks', headers: owner })).json().items[0];
    const device = (await t.app.inject({ method: 'POST', url: '/api/v1/devices', headers: owner, payload: { name: 'd', platform: 'p', appVersion: '1', clientId: randomUUID() } })).json();
    const session = (await t.app.inject({ url: '/api/v1/me/sessions', headers: owner })).json().items[0];
    ownedIds.set('/api/v1/devices/{id}', device.device.id);
    ownedIds.set('/api/v1/tracks/{id}', track.id);
    ownedIds.set('/api/v1/albums/{id}', track.albumId);
    ownedIds.set('/api/v1/artists/{id}', track.artists[0].id);
    ownedIds.set('/api/v1/artwork/{id}', track.artworkId);
    ownedIds.set('/api/v1/me/sessions/{id}', session.id);
    ownedIds.set('/api/v1/me/api-keys/{id}', (await t.app.inject({ method: 'POST', url: '/api/v1/me/api-keys', headers: owner, payload: { name: 'k' } })).json().id);
    // Favorites and ratings take a catalog item: the owner's track, which `other` may not see.
    for (const route of ['/api/v1/favorites', '/api/v1/ratings']) {
      ownedIds.set(`${route}/{type}`, 'track');
      ownedIds.set(`${route}/{type}/{id}`, track.id);
    }
    await t.app.inject({ method: 'PATCH', url: `/api/v1/tracks/${track.id}`, headers: owner, payload: { bpm: 100 } });
    await t.app.inject({ method: 'PATCH', url: `/api/v1/albums/${track.albumId}`, headers: owner, payload: { year: 2001 } });
    ownedIds.set('/api/v1/tracks/{id}/edits/{editId}', (await t.app.inject({ url: `/api/v1/tracks/${track.id}/edits`, headers: owner })).json().items[0].id);
    ownedIds.set('/api/v1/albums/{id}/edits/{editId}', (await t.app.inject({ url: `/api/v1/albums/${track.albumId}/edits`, headers: owner })).json().items[0].id);
    const playlist = (await t.app.inject({ method: 'POST', url: '/api/v1/playlists', headers: owner, payload: { name: 'Mine', trackIds: [track.id] } })).json();
    const item = (await t.app.inject({ url: `/api/v1/playlists/${playlist.id}/items`, headers: owner })).json().items[0];
    ownedIds.set('/api/v1/playlists/{id}', playlist.id);
    ownedIds.set('/api/v1/playlists/{id}/items/{itemId}', item.id);
    const savedSearch = (await t.app.inject({ method: 'POST', url: '/api/v1/saved-searches', headers: owner, payload: { name: 'Mine', search: { q: 'x' } } })).json();
    ownedIds.set('/api/v1/saved-searches/{id}', savedSearch.id);
    // A bookmark of the owner's track, which `other` may not see.
    await t.app.inject({ method: 'PUT', url: `/api/v1/me/bookmarks/${track.id}`, headers: owner, payload: { positionMs: 1000 } });
    ownedIds.set('/api/v1/me/bookmarks/{trackId}', track.id);

    // An upload of the owner's (prepared only: finalize on it answers 409/404, never touches the bytes).
    const upload = (await t.app.inject({ method: 'POST', url: '/api/v1/uploads', headers: owner, payload: { fileName: 'a.mp3', size: 10, sha256: 'ab'.repeat(32) } })).json();
    ownedIds.set('/api/v1/uploads/{id}', upload.uploadId);

    const revoked = (await t.app.inject({ method: 'POST', url: '/api/v1/devices', headers: owner, payload: { name: 'lost', platform: 'p', appVersion: '1', clientId: randomUUID() } })).json();
    await t.app.inject({ method: 'DELETE', url: `/api/v1/devices/${revoked.device.id}`, headers: owner });
    revokedDeviceToken = revoked.accessToken;
  });
  afterAll(() => t.close());

  /** The request for an operation with every path parameter filled by `idFor(pattern)`. */
  function requestFor(op: Operation, idFor: (pattern: string) => string | undefined): InjectOptions | null {
    let url = op.path;
    for (const match of op.path.matchAll(/\{(\w+)\}/g)) {
      const pattern = op.path.slice(0, match.index + match[0].length);
      const id = idFor(pattern);
      if (id === undefined) return null;
      url = url.replace(match[0], encodeURIComponent(id));
    }
    return { method: op.method as InjectOptions['method'], url, ...(op.bodySchema ? { payload: sample(op.bodySchema) as object } : {}) };
  }
  const anyId = () => 'a'.repeat(32);
  const isAdminRoute = (op: Operation) => op.path.startsWith('/api/v1/admin/');
  const guarded = () => operations.filter((op) => !op.public && op.path.startsWith('/api/v1/'));

  it('answers 401 without credentials, and with a revoked device token, on every non-public route', async () => {
    expect(guarded().length).toBeGreaterThan(30);
    for (const op of guarded()) {
      const request = requestFor(op, anyId)!;
      const anonymous = await t.app.inject(request);
      expect(anonymous.statusCode, `${op.method} ${op.path}`).toBe(401);
      const revoked = await t.app.inject({ ...request, headers: { authorization: `Bearer ${revokedDeviceToken}` } });
      expect(revoked.statusCode, `${op.method} ${op.path} (revoked device)`).toBe(401);
    }
  });

  it("answers 404 for another user's resources and 403 for admin routes, on every route with an id", async () => {
    const unmapped: string[] = [];
    for (const op of guarded().filter((candidate) => candidate.path.includes('{'))) {
      if (isAdminRoute(op)) {
        const response = await t.app.inject({ ...requestFor(op, anyId)!, headers: other });
        expect(response.statusCode, `${op.method} ${op.path}`).toBe(403);
        continue;
      }
      const request = requestFor(op, (pattern) => ownedIds.get(pattern));
      if (!request) {
        unmapped.push(`${op.method} ${op.path}`);
        continue;
      }
      const response = await t.app.inject({ ...request, headers: other });
      expect(response.statusCode, `${op.method} ${op.path}`).toBe(404);
      if (op.method === 'GET' && !op.path.endsWith('/lyrics')) {
        const own = await t.app.inject({ ...request, headers: owner });
        expect(own.statusCode, `${op.method} ${op.path} as its owner`).toBeLessThan(400);
      }
    }
    expect(unmapped, 'routes whose ids this test does not know how to own yet').toEqual([]);
  });

  it('answers 403 to a regular user on every admin route', async () => {
    for (const op of guarded().filter(isAdminRoute)) {
      const response = await t.app.inject({ ...requestFor(op, anyId)!, headers: other });
      expect(response.statusCode, `${op.method} ${op.path}`).toBe(403);
    }
  });

  it('never streams for a tampered or expired stream token', async () => {
    const trackId = ownedIds.get('/api/v1/tracks/{id}')!;
    const { url } = (await t.app.inject({ url: `/api/v1/tracks/${trackId}/stream-url`, headers: owner })).json();
    const [payload, signature] = new URL(url, 'http://x').searchParams.get('token')!.split('.');
    const forgedPayload = Buffer.from(JSON.stringify(['x', null, trackId, Date.now() + 60_000])).toString('base64url');
    for (const token of [`${payload}.${signature}x`, `${forgedPayload}.${signature}`, `${payload}`, '']) {
      const response = await t.app.inject({ url: `/api/v1/tracks/${trackId}/stream?token=${token}` });
      expect(response.statusCode, token).toBe(401);
    }
  });

  it('rejects hostile ids and paths on every route that takes one without a 500', async () => {
    const hostile = ['../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', "' OR 1=1 --", '%00', 'x'.repeat(300), '\u0000'];
    for (const op of guarded().filter((candidate) => candidate.path.includes('{'))) {
      for (const value of hostile) {
        const response = await t.app.inject({ ...requestFor(op, () => value)!, headers: owner });
        expect(response.statusCode, `${op.method} ${op.path} ${JSON.stringify(value)}`).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, `${op.method} ${op.path} ${JSON.stringify(value)}`).toBeLessThan(500);
      }
    }
  });
});
