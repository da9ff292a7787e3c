import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

describeEachDatabase('browser security', (kind) => {
  let t: TestApp;
  let cookie: string;
  beforeAll(async () => {
    t = await createTestApp(kind, { env: { OMNISONIC_CORS_ORIGINS: 'https://friend.example' } });
    await t.app.omnisonic.auth.createUser({ username: 'alice', password: 'wonderland!', role: 'user' });
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'alice', password: 'wonderland!' } });
    cookie = login.cookies.find((c) => c.name === 'omnisonic_session')!.value;
  });
  afterAll(() => t.close());

  const logout = (headers: Record<string, string>) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { host: 'music.local', ...headers }, cookies: { omnisonic_session: cookie } });

  it('refuses a cookie-authenticated change coming from another site', async () => {
    const forged = await logout({ origin: 'https://evil.example' });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error.code).toBe('csrf_rejected');
    const fetchMetadata = await logout({ 'sec-fetch-site': 'cross-site' });
    expect(fetchMetadata.statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/v1/me', cookies: { omnisonic_session: cookie } })).statusCode).toBe(200);
  });

  it('accepts the same change from this server\'s own pages and from allowed origins', async () => {
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'alice', password: 'wonderland!' } });
    cookie = login.cookies.find((c) => c.name === 'omnisonic_session')!.value;
    expect((await logout({ origin: 'https://friend.example' })).statusCode).toBe(204);
  });

  it('sends security headers and CORS only for listed origins', async () => {
    const allowed = await t.app.inject({ url: '/healthz', headers: { origin: 'https://friend.example' } });
    expect(allowed.headers['x-content-type-options']).toBe('nosniff');
    expect(allowed.headers['content-security-policy']).toContain("default-src 'self'");
    expect(allowed.headers['access-control-allow-origin']).toBe('https://friend.example');
    const other = await t.app.inject({ url: '/healthz', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses request bodies over the size limit', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'a', password: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('payload_too_large');
  });
});
