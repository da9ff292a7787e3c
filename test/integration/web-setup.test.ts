import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

describeEachDatabase('first-run setup from the browser', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  it('says setup is needed, refuses a short password, then creates the admin and signs them in with a cookie', async () => {
    expect((await t.app.inject('/api/v1/setup')).json()).toEqual({ needsSetup: true });

    const weak = await t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { username: 'root', password: 'short' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.code).toBe('validation_failed');
    expect((await t.app.inject('/api/v1/setup')).json()).toEqual({ needsSetup: true });

    const created = await t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { username: 'Root', password: 'a long password' } });
    expect(created.statusCode).toBe(201);
    expect(created.json().user).toMatchObject({ username: 'Root', role: 'admin' });
    const cookie = created.cookies.find((c) => c.name === 'omnisonic_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const me = await t.app.inject({ url: '/api/v1/me', cookies: { omnisonic_session: cookie!.value } });
    expect(me.json()).toMatchObject({ username: 'Root', role: 'admin' });
    expect((await t.app.inject('/api/v1/setup')).json()).toEqual({ needsSetup: false });
  });

  it('refuses a second setup once a user exists, so nobody can claim another admin later', async () => {
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { username: 'intruder', password: 'a long password' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('already_set_up');
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'intruder', password: 'a long password' } });
    expect(login.statusCode).toBe(401);
  });
});

describeEachDatabase('racing first-run setups', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  it('creates exactly one admin when several setups arrive at once', async () => {
    const attempts = await Promise.all(
      ['ann', 'ben', 'cat', 'dan'].map((username) =>
        t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { username, password: 'a long password' } }),
      ),
    );
    expect(attempts.map((a) => a.statusCode).sort()).toEqual([201, 409, 409, 409]);
    expect(await t.app.omnisonic.auth.countUsers()).toBe(1);
  });
});
