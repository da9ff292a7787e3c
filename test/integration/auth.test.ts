import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

describeEachDatabase('signing in', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  it('answers 401 on API routes without credentials but serves health and the OpenAPI document', async () => {
    expect((await t.app.inject('/api/v1/me')).statusCode).toBe(401);
    expect((await t.app.inject('/api/v1/me')).json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect((await t.app.inject('/healthz')).statusCode).toBe(200);
    expect((await t.app.inject('/readyz')).statusCode).toBe(200);
    expect((await t.app.inject('/api/v1/openapi.json')).json().openapi).toBe('3.1.0');
  });

  it('gives a bearer token and an HttpOnly SameSite=Lax cookie that both identify the user', async () => {
    await t.app.omnisonic.auth.createUser({ username: 'Alice', password: 'wonderland!', role: 'user' });
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'alice', password: 'wonderland!' } });
    expect(login.statusCode).toBe(200);
    const cookie = login.cookies.find((c) => c.name === 'omnisonic_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const { token } = login.json();
    expect(token).toMatch(/^oms_/);
    const byBearer = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    expect(byBearer.json()).toMatchObject({ username: 'Alice', role: 'user' });
    const byCookie = await t.app.inject({ url: '/api/v1/me', cookies: { omnisonic_session: cookie!.value } });
    expect(byCookie.statusCode).toBe(200);
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    await t.app.omnisonic.auth.createUser({ username: 'bob', password: 'builder-123', role: 'user' });
    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'bob', password: 'nope-nope' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'nobody', password: 'nope-nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
  });

  it('stops accepting the token right after logout', async () => {
    const headers = await signIn(t.app, 'carol', 'user');
    expect((await t.app.inject({ url: '/api/v1/me', headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers })).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/me', headers })).statusCode).toBe(401);
  });

  it('rejects a login body without a password as a validation error', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'x' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_failed');
  });
});
