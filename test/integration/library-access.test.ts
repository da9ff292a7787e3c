import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAudioFixtures } from '../support/audio-fixtures.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-access-'));
const jazz = path.join(work, 'jazz');
const rock = path.join(work, 'rock');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describeEachDatabase('libraries and who may see them', (kind) => {
  let t: TestApp;
  let admin: { authorization: string };
  let user: { authorization: string };
  let userId: string;

  beforeAll(async () => {
    const fixtures = createAudioFixtures(path.join(work, `bases-${kind}`));
    await fixtures.track(path.join(jazz, 'Kind of Blue', '01.mp3'), { title: 'So What', artist: 'Miles Davis', album: 'Kind of Blue' });
    await fixtures.track(path.join(rock, 'Nevermind', '01.mp3'), { title: 'Breed', artist: 'Nirvana', album: 'Nevermind' });
    t = await createTestApp(kind, { musicDirs: [jazz] });
    admin = await signIn(t.app, 'admin', 'admin');
    user = await signIn(t.app, 'listener', 'user');
    userId = (await t.app.inject({ url: '/api/v1/me', headers: user })).json().id;
    await t.app.omnisonic.library.scan();
  });
  afterAll(() => t.close());

  const titles = async (headers: Record<string, string>) =>
    (await t.app.inject({ url: '/api/v1/tracks', headers })).json().items.map((track: { title: string }) => track.title).sort();

  it('a new user sees no music until an admin grants a library', async () => {
    expect(await titles(admin)).toEqual(['So What']);
    expect(await titles(user)).toEqual([]);
    const libraries = (await t.app.inject({ url: '/api/v1/admin/libraries', headers: admin })).json().items;
    const music = libraries.find((l: { kind: string; rootPath: string }) => l.kind === 'music');
    const granted = await t.app.inject({ method: 'PUT', url: `/api/v1/admin/libraries/${music.id}/users`, headers: admin, payload: { userIds: [userId] } });
    expect(granted.json().userIds).toEqual([userId]);
    expect(await titles(user)).toEqual(['So What']);
    await t.app.inject({ method: 'PUT', url: `/api/v1/admin/libraries/${music.id}/users`, headers: admin, payload: { userIds: [] } });
    expect(await titles(user)).toEqual([]);
  });

  it('every user gets a private upload library that only they see', async () => {
    const libraries = (await t.app.inject({ url: '/api/v1/admin/libraries', headers: admin })).json().items;
    const uploads = libraries.filter((l: { kind: string }) => l.kind === 'upload');
    expect(uploads.map((l: { ownerUserId: string }) => l.ownerUserId)).toContain(userId);
  });

  it('an admin adds a folder as a library, it is scanned, and overlapping or relative folders are refused', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/admin/libraries', headers: admin, payload: { name: 'Rock', rootPath: rock } });
    expect(created.statusCode).toBe(201);
    await t.app.omnisonic.library.scan();
    expect(await titles(admin)).toEqual(['Breed', 'So What']);
    expect(await titles(user)).toEqual([]);

    const nested = await t.app.inject({ method: 'POST', url: '/api/v1/admin/libraries', headers: admin, payload: { name: 'Nested', rootPath: path.join(rock, 'Nevermind') } });
    expect(nested.statusCode).toBe(409);
    const relative = await t.app.inject({ method: 'POST', url: '/api/v1/admin/libraries', headers: admin, payload: { name: 'Rel', rootPath: 'music/../../etc' } });
    expect(relative.json().error.code).toBe('validation_failed');
    const data = await t.app.inject({ method: 'POST', url: '/api/v1/admin/libraries', headers: admin, payload: { name: 'Data', rootPath: t.database.dataDir } });
    expect(data.json().error.code).toBe('validation_failed');
  });

  it('only admins manage libraries, and granting to an unknown user is refused', async () => {
    expect((await t.app.inject({ url: '/api/v1/admin/libraries', headers: user })).statusCode).toBe(403);
    const libraries = (await t.app.inject({ url: '/api/v1/admin/libraries', headers: admin })).json().items;
    const music = libraries.find((l: { kind: string }) => l.kind === 'music');
    const unknown = await t.app.inject({ method: 'PUT', url: `/api/v1/admin/libraries/${music.id}/users`, headers: admin, payload: { userIds: ['f'.repeat(32)] } });
    expect(unknown.statusCode).toBe(400);
    const missing = await t.app.inject({ method: 'PUT', url: `/api/v1/admin/libraries/${'0'.repeat(32)}/users`, headers: admin, payload: { userIds: [] } });
    expect(missing.json().error.code).toBe('library_not_found');
  });
});
