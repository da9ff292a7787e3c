import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

describeEachDatabase('admin: devices of a user', (kind) => {
  let t: TestApp;
  let admin: { authorization: string };
  let alice: { authorization: string };
  let aliceId: string;
  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await signIn(t.app, 'root', 'admin');
    alice = await signIn(t.app, 'alice', 'user');
    aliceId = (await t.app.inject({ url: '/api/v1/me', headers: alice })).json().id;
  });
  afterAll(() => t.close());

  const register = (name: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/devices', headers: alice, payload: { name, platform: 'web', appVersion: '1', clientId: randomUUID() } });

  it("an admin sees a user's devices and revokes one, whose token stops working at once", async () => {
    const phone = (await register('Phone')).json();
    await register('Laptop');
    const listed = await t.app.inject({ url: `/api/v1/admin/users/${aliceId}/devices`, headers: admin });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.map((d: { name: string }) => d.name).sort()).toEqual(['Laptop', 'Phone']);

    const revoked = await t.app.inject({ method: 'DELETE', url: `/api/v1/admin/users/${aliceId}/devices/${phone.device.id}`, headers: admin });
    expect(revoked.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${phone.accessToken}` } })).statusCode).toBe(401);
    const after = (await t.app.inject({ url: '/api/v1/devices', headers: alice })).json();
    expect(after.items.map((d: { name: string }) => d.name)).toEqual(['Laptop']);

    const audit = (await t.app.inject({ url: '/api/v1/admin/audit', headers: admin })).json();
    const entry = audit.items.find((e: { action: string; target: string }) => e.action === 'device.revoked' && e.target === phone.device.id);
    const adminId = (await t.app.inject({ url: '/api/v1/me', headers: admin })).json().id;
    expect(entry.actorUserId).toBe(adminId);
  });

  it("answers 404 for a device that is not that user's or a user that does not exist, and 403 to a user who is not an admin", async () => {
    const laptop = (await t.app.inject({ url: '/api/v1/devices', headers: alice })).json().items[0];
    const adminId = (await t.app.inject({ url: '/api/v1/me', headers: admin })).json().id;
    const wrongOwner = await t.app.inject({ method: 'DELETE', url: `/api/v1/admin/users/${adminId}/devices/${laptop.id}`, headers: admin });
    expect(wrongOwner.statusCode).toBe(404);
    expect(wrongOwner.json().error.code).toBe('device_not_found');
    const unknown = await t.app.inject({ url: `/api/v1/admin/users/${'f'.repeat(32)}/devices`, headers: admin });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('user_not_found');
    expect((await t.app.inject({ url: `/api/v1/admin/users/${aliceId}/devices`, headers: alice })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/admin/users/${aliceId}/devices/${laptop.id}`, headers: alice })).statusCode).toBe(403);
  });
});
