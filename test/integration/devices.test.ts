import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

describeEachDatabase('devices', (kind) => {
  let t: TestApp;
  let alice: { authorization: string };
  let bob: { authorization: string };
  beforeAll(async () => {
    t = await createTestApp(kind);
    alice = await signIn(t.app, 'alice', 'user');
    bob = await signIn(t.app, 'bob', 'user');
  });
  afterAll(() => t.close());

  const register = (headers: Record<string, string>, clientId: string, name = 'Pixel 9') =>
    t.app.inject({ method: 'POST', url: '/api/v1/devices', headers, payload: { name, platform: 'android', appVersion: '1.0.0', clientId } });

  it('relaunching an app with the same clientId keeps one device and rotates its token', async () => {
    const clientId = randomUUID();
    const first = await register(alice, clientId);
    expect(first.statusCode).toBe(201);
    expect(first.json().accessToken).toMatch(/^omd_/);
    const second = await register(alice, clientId, 'Pixel 9 (renamed)');
    expect(second.json().device.id).toBe(first.json().device.id);
    expect(second.json().accessToken).not.toBe(first.json().accessToken);

    const oldToken = { authorization: `Bearer ${first.json().accessToken}` };
    const newToken = { authorization: `Bearer ${second.json().accessToken}` };
    expect((await t.app.inject({ url: '/api/v1/me', headers: oldToken })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/me', headers: newToken })).json().username).toBe('alice');
    const list = (await t.app.inject({ url: '/api/v1/devices', headers: alice })).json();
    expect(list.items.filter((d: { clientId: string }) => d.clientId === clientId)).toHaveLength(1);
  });

  it('a revoked device token stops working on the very next request', async () => {
    const { device, accessToken } = (await register(alice, randomUUID())).json();
    const headers = { authorization: `Bearer ${accessToken}` };
    expect((await t.app.inject({ url: '/api/v1/me', headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/devices/${device.id}`, headers: alice })).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/me', headers })).statusCode).toBe(401);
  });

  it("another user's device answers 404, not 403", async () => {
    const { device } = (await register(alice, randomUUID())).json();
    for (const request of [
      { method: 'GET' as const, url: `/api/v1/devices/${device.id}` },
      { method: 'PATCH' as const, url: `/api/v1/devices/${device.id}`, payload: { name: 'mine now' } },
      { method: 'DELETE' as const, url: `/api/v1/devices/${device.id}` },
      { method: 'POST' as const, url: `/api/v1/devices/${device.id}/heartbeat` },
    ]) {
      const response = await t.app.inject({ ...request, headers: bob });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('device_not_found');
    }
  });

  it('an app can register with a username and password instead of a session', async () => {
    const response = await register({}, randomUUID());
    expect(response.statusCode).toBe(401);
    const byPassword = await t.app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      payload: { name: 'Desktop', platform: 'linux', appVersion: '2.0', clientId: randomUUID(), username: 'bob', password: 'correct horse battery staple' },
    });
    expect(byPassword.statusCode).toBe(201);
    const me = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${byPassword.json().accessToken}` } });
    expect(me.json().username).toBe('bob');
  });

  it('heartbeat and rename show in the device list', async () => {
    const { device } = (await register(alice, randomUUID())).json();
    const renamed = await t.app.inject({ method: 'PATCH', url: `/api/v1/devices/${device.id}`, headers: alice, payload: { name: 'Kitchen' } });
    expect(renamed.json().name).toBe('Kitchen');
    const beat = await t.app.inject({ method: 'POST', url: `/api/v1/devices/${device.id}/heartbeat`, headers: alice });
    expect(beat.json().lastSeenAt).toBeGreaterThanOrEqual(device.lastSeenAt);
  });
});
