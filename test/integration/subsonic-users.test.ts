import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';
import { accountShapeErrors, subsonicClient, tokenAuth, writeSubsonicLibrary, type SubsonicClient } from '../support/subsonic-client.js';

const PASSWORD = 'correct horse battery staple';
const hex = (text: string) => `enc:${Buffer.from(text).toString('hex')}`;

describeEachDatabase('Subsonic user management', (kind) => {
  let t: TestApp;
  let workDir: string;
  let admin: SubsonicClient;
  let adminHeaders: { authorization: string };
  /** The music library: its id and its Subsonic music folder id. */
  let library: { id: string; folder: number };

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-subsonic-users-'));
    const music = await writeSubsonicLibrary(workDir, 2);
    t = await createTestApp(kind, { musicDirs: [music] });
    await t.app.omnisonic.library.scan();
    adminHeaders = await signIn(t.app);
    admin = subsonicClient(t.app, { u: 'admin', p: PASSWORD });
    const id = (await t.app.inject({ url: '/api/v1/admin/libraries', headers: adminHeaders })).json().items.find((l: { name: string }) => l.name === 'music').id;
    const folder = (await admin.json('getMusicFolders')).musicFolders.musicFolder.find((f: { name: string }) => f.name === 'music').id;
    library = { id, folder };
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  const login = (username: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } }).then((r) => r.statusCode);
  const ping = async (auth: Record<string, string>) => (await admin.json('ping', {}, { auth })).error?.code ?? 'ok';

  it('createUser makes an account that signs in with the password (clear or enc:), granted the folders asked for', async () => {
    expect((await admin.json('createUser', { username: 'carol', password: hex('carol-password'), email: 'carol@example.org', musicFolderId: String(library.folder) })).status).toBe('ok');
    expect(await ping({ u: 'carol', p: 'carol-password' })).toBe('ok');
    expect(await login('carol', 'carol-password')).toBe(200);
    const carolResponse = await admin.json('getUser', { username: 'carol' });
    expect(accountShapeErrors(carolResponse, 'user', 'User')).toEqual([]);
    const carol = carolResponse.user;
    expect(carol).toMatchObject({ username: 'carol', adminRole: false, streamRole: true, downloadRole: true, playlistRole: true, coverArtRole: false, jukeboxRole: false });
    expect(carol.folder).toContain(library.folder);
    const rest = (await t.app.inject({ url: '/api/v1/admin/users', headers: adminHeaders })).json().items.find((u: { username: string }) => u.username === 'carol');
    expect(rest).toMatchObject({ role: 'user', disabled: false });

    // Without musicFolderId: every music folder (the spec's default); adminRole makes an admin.
    await admin.json('createUser', { username: 'dave', password: 'dave-password', email: 'd@example.org', adminRole: 'true' });
    expect((await admin.json('getUser', { username: 'dave' })).user).toMatchObject({ adminRole: true, coverArtRole: true });
    await admin.json('createUser', { username: 'erin', password: 'erin-password', email: 'e@example.org' });
    expect((await admin.json('getUser', { username: 'erin' })).user.folder).toContain(library.folder);

    expect((await admin.json('createUser', { username: 'carol', password: 'another-pass', email: 'x@example.org' })).error.code).toBe(0);
    expect((await admin.json('createUser', { username: 'frank', password: 'frank-password' })).error.code).toBe(10);
    expect((await admin.json('createUser', { username: 'frank', email: 'f@example.org' })).error.code).toBe(10);
    expect((await admin.json('createUser', { username: 'frank', password: 'short', email: 'f@example.org' })).error.code).toBe(0);
    expect((await admin.json('createUser', { username: 'frank', password: 'frank-password', email: 'f@example.org', musicFolderId: '12345' })).error.code).toBe(70);
    expect((await admin.json('getUser', { username: 'frank' })).error.code).toBe(70);
  });

  it('a non-admin sees only themselves and cannot manage users (50)', async () => {
    await admin.json('createUser', { username: 'gina', password: 'gina-password', email: 'g@example.org', musicFolderId: library.id });
    const gina = subsonicClient(t.app, { u: 'gina', p: 'gina-password' });
    const self = (await gina.json('getUser', { username: 'gina' })).user;
    expect(self.username).toBe('gina');
    expect(self.folder).toContain(library.folder);
    expect((await gina.json('getUser', { username: 'admin' })).error.code).toBe(50);
    expect((await gina.json('getUsers')).error.code).toBe(50);
    expect((await gina.json('createUser', { username: 'x', password: 'x-password', email: 'x@example.org' })).error.code).toBe(50);
    expect((await gina.json('updateUser', { username: 'gina', adminRole: 'true' })).error.code).toBe(50);
    expect((await gina.json('deleteUser', { username: 'admin' })).error.code).toBe(50);
    expect((await gina.json('changePassword', { username: 'admin', password: 'taken-over' })).error.code).toBe(50);
    expect((await gina.json('getUser', {})).error.code).toBe(10);

    const users = await admin.json('getUsers');
    expect(accountShapeErrors(users, 'users', 'Users')).toEqual([]);
    const all = users.users.user.map((u: { username: string }) => u.username);
    expect(all).toEqual(expect.arrayContaining(['admin', 'gina']));
    const xml = await gina.xml('getUser', { username: 'gina' });
    expect(xml).toMatch(/<user username="gina" scrobblingEnabled="true" adminRole="false" [^>]*jukeboxRole="false"[^>]*>(<folder>\d+<\/folder>){2}<\/user>/);
  });

  it('updateUser changes role, login password and folders; the last admin stays an admin', async () => {
    await admin.json('createUser', { username: 'hank', password: 'hank-password', email: 'h@example.org', musicFolderId: String(library.folder) });
    const uploads = (await subsonicClient(t.app, { u: 'hank', p: 'hank-password' }).json('getMusicFolders')).musicFolders.musicFolder;
    expect(uploads).toHaveLength(2);

    expect((await admin.json('updateUser', { username: 'hank', password: hex('hank-new-password'), adminRole: 'true' })).status).toBe('ok');
    expect(await login('hank', 'hank-new-password')).toBe(200);
    expect(await login('hank', 'hank-password')).toBe(401);
    expect((await admin.json('getUser', { username: 'hank' })).user.adminRole).toBe(true);
    await admin.json('updateUser', { username: 'hank', adminRole: 'false' });

    // Folders: granting none of the music folders is not expressible (absent means "unchanged"); grant exactly one.
    await admin.json('createUser', { username: 'ivy', password: 'ivy-password', email: 'i@example.org', musicFolderId: String(library.folder) });
    const grants = async () => (await t.app.inject({ url: '/api/v1/admin/libraries', headers: adminHeaders })).json().items.find((l: { id: string }) => l.id === library.id).userIds;
    const ivyId = (await t.app.omnisonic.users.findByUsername('ivy')).id;
    expect(await grants()).toContain(ivyId);
    expect((await admin.json('updateUser', { username: 'ivy', musicFolderId: 'nope' })).error.code).toBe(70);
    expect(await grants()).toContain(ivyId);
    expect((await admin.json('updateUser', { username: 'nobody', adminRole: 'true' })).error.code).toBe(70);

    // hank is no admin again, dave (made admin above) may exist too: leave only the first admin and try to demote it.
    for (const other of (await admin.json('getUsers')).users.user.filter((u: { adminRole: boolean; username: string }) => u.adminRole && u.username !== 'admin')) {
      await admin.json('updateUser', { username: other.username, adminRole: 'false' });
    }
    const lastAdmin = await admin.json('updateUser', { username: 'admin', adminRole: 'false' });
    expect(lastAdmin.error.code).toBe(0);
    expect(lastAdmin.error.message).toMatch(/last admin/i);
    expect((await admin.json('deleteUser', { username: 'admin' })).error.code).toBe(0);
    expect((await admin.json('getUser', { username: 'admin' })).user.adminRole).toBe(true);
  });

  it('deleteUser deletes the account', async () => {
    await admin.json('createUser', { username: 'jack', password: 'jack-password', email: 'j@example.org' });
    expect((await admin.json('deleteUser', { username: 'jack' })).status).toBe('ok');
    expect((await admin.json('getUser', { username: 'jack' })).error.code).toBe(70);
    expect(await ping({ u: 'jack', p: 'jack-password' })).toBe(40);
    expect((await admin.json('deleteUser', { username: 'jack' })).error.code).toBe(70);
  });

  it('changePassword sets the Subsonic password (token auth works), never the login password', async () => {
    await admin.json('createUser', { username: 'kate', password: 'kate-login-pw', email: 'k@example.org' });
    const kate = subsonicClient(t.app, { u: 'kate', p: 'kate-login-pw' });
    expect(await ping(tokenAuth('kate', 'kate-login-pw'))).toBe(40);
    expect((await kate.json('changePassword', { username: 'kate', password: hex('kate-subsonic-pw') })).status).toBe('ok');
    expect(await ping(tokenAuth('kate', 'kate-subsonic-pw'))).toBe('ok');
    expect(await ping({ u: 'kate', p: 'kate-subsonic-pw' })).toBe('ok');
    expect(await login('kate', 'kate-login-pw')).toBe(200);
    expect(await login('kate', 'kate-subsonic-pw')).toBe(401);

    // An admin may set another user's.
    expect((await admin.json('changePassword', { username: 'kate', password: 'set-by-admin' })).status).toBe('ok');
    expect(await ping(tokenAuth('kate', 'set-by-admin'))).toBe('ok');
    expect((await admin.json('changePassword', { username: 'kate', password: 'short' })).error.code).toBe(0);
    expect((await admin.json('changePassword', { username: 'kate', password: 'enc:zz' })).error.code).toBe(0);
    expect((await admin.json('changePassword', { username: 'kate' })).error.code).toBe(10);
    expect((await admin.json('changePassword', { username: 'nobody', password: 'whatever-pw' })).error.code).toBe(70);
  });
});
