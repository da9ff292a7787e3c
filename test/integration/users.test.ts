import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

const PASSWORD = 'correct horse battery staple';

describeEachDatabase('user administration', (kind) => {
  let t: TestApp;
  let admin: { authorization: string };
  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await signIn(t.app, 'root', 'admin');
  });
  afterAll(() => t.close());

  const createUser = (username: string, role = 'user') =>
    t.app.inject({ method: 'POST', url: '/api/v1/admin/users', headers: admin, payload: { username, password: PASSWORD, role } });
  const login = async (username: string, password = PASSWORD) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  const bearer = async (username: string) => ({ authorization: `Bearer ${(await login(username)).json().token}` });

  it('an admin creates, lists, disables and deletes users; a disabled user cannot sign in', async () => {
    const created = await createUser('dave');
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ username: 'dave', role: 'user', disabled: false });
    expect((await createUser('DAVE')).json().error.code).toBe('username_taken');
    const list = (await t.app.inject({ url: '/api/v1/admin/users', headers: admin })).json();
    expect(list.items.map((u: { username: string }) => u.username)).toContain('dave');

    const session = await bearer('dave');
    await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${created.json().id}`, headers: admin, payload: { disabled: true } });
    expect((await t.app.inject({ url: '/api/v1/me', headers: session })).statusCode).toBe(401);
    expect((await login('dave')).statusCode).toBe(401);

    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/admin/users/${created.json().id}`, headers: admin })).statusCode).toBe(204);
    expect((await t.app.inject({ url: `/api/v1/admin/users/${created.json().id}`, headers: admin })).json().error.code).toBe('user_not_found');
  });

  it('a regular user cannot use admin routes', async () => {
    await createUser('erin');
    const erin = await bearer('erin');
    expect((await t.app.inject({ url: '/api/v1/admin/users', headers: erin })).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/v1/admin/audit', headers: erin })).statusCode).toBe(403);
  });

  it('the last admin cannot be demoted, disabled or deleted', async () => {
    const me = (await t.app.inject({ url: '/api/v1/me', headers: admin })).json();
    for (const payload of [{ role: 'user' }, { disabled: true }]) {
      const response = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${me.id}`, headers: admin, payload });
      expect(response.statusCode).toBe(409);
      expect(response.json().error.code).toBe('last_admin');
    }
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/admin/users/${me.id}`, headers: admin })).json().error.code).toBe('last_admin');

    const second = (await createUser('frank', 'admin')).json();
    const demoted = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${second.id}`, headers: admin, payload: { role: 'user' } });
    expect(demoted.json().role).toBe('user');
  });

  it('a role change ends the user\'s sessions, so the new privileges apply at once', async () => {
    const gina = (await createUser('gina', 'admin')).json();
    const session = await bearer('gina');
    await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${gina.id}`, headers: admin, payload: { role: 'user' } });
    expect((await t.app.inject({ url: '/api/v1/me', headers: session })).statusCode).toBe(401);
  });

  it('changing your own password needs the current one and signs out your other sessions', async () => {
    await createUser('hank');
    const laptop = await bearer('hank');
    const phone = await bearer('hank');
    const wrong = await t.app.inject({ method: 'PUT', url: '/api/v1/me/password', headers: laptop, payload: { currentPassword: 'nope-nope', newPassword: 'a brand new secret' } });
    expect(wrong.json().error.code).toBe('current_password_wrong');
    const changed = await t.app.inject({ method: 'PUT', url: '/api/v1/me/password', headers: laptop, payload: { currentPassword: PASSWORD, newPassword: 'a brand new secret' } });
    expect(changed.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/me', headers: laptop })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/me', headers: phone })).statusCode).toBe(401);
    expect((await login('hank', 'a brand new secret')).statusCode).toBe(200);
  });

  it('a user sees their own sessions and can end one', async () => {
    await createUser('iris');
    const first = await bearer('iris');
    const second = await bearer('iris');
    const sessions = (await t.app.inject({ url: '/api/v1/me/sessions', headers: first })).json().items;
    expect(sessions).toHaveLength(2);
    const other = sessions.find((s: { current: boolean }) => !s.current);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/me/sessions/${other.id}`, headers: first })).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/me', headers: second })).statusCode).toBe(401);
  });

  it('the audit log records logins, failures and role changes, and never a password', async () => {
    await login('root', 'wrong password!');
    const entries: { action: string; id: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { action: string; id: string }[]; nextCursor: string | null } = (await t.app.inject({ url: `/api/v1/admin/audit?limit=5${cursor ? `&cursor=${cursor}` : ''}`, headers: admin })).json();
      entries.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const actions = entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['login.success', 'login.failure', 'user.role_changed', 'user.created', 'user.deleted']));
    expect(JSON.stringify(entries)).not.toContain(PASSWORD);
    expect(JSON.stringify(entries)).not.toContain('wrong password!');
    expect(new Set(entries.map((e: { id: string }) => e.id)).size).toBe(entries.length);
  });
});
