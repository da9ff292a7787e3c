import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, '../shared/corpus/music-metadata-samples');
const cli = path.join(repoRoot, 'bin/omnisonic.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-serve-'));
const music = path.join(work, 'music');
const PASSWORD = 'e2e password 123';

/** Starts `omnisonic serve` on a free port; resolves with its base URL once it logs that it listens. */
function startServer(data: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'serve', '--music', music, '--data', data, '--port', '0'], {
      env: { ...process.env, OMNISONIC_WATCH: 'false', OMNISONIC_LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match) resolve({ child, url: match[1]!, log: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

async function waitForIdleScan(url: string, headers: Record<string, string>): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const status = (await (await fetch(`${url}/api/v1/library/status`, { headers })).json()) as { state: string; lastScan: unknown };
    if (status.state === 'idle' && status.lastScan) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('scan did not finish');
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('omnisonic serve, as a process', () => {
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    mkdirSync(path.join(music, 'Beth Hart'), { recursive: true });
    copyFileSync(path.join(corpus, "MusicBrainz - Beth Hart - Sinner's Prayer.flac"), path.join(music, 'Beth Hart', "Sinner's Prayer.flac"));
    copyFileSync(path.join(corpus, 'id3v2.3.mp3'), path.join(music, 'id3v2.3.mp3'));
    copyFileSync(path.join(corpus, 'not-an-audio-file.txt'), path.join(music, 'notes.txt'));
    server = await startServer(path.join(work, 'data'), { OMNISONIC_ADMIN_PASSWORD: PASSWORD });
  });
  afterAll(() => {
    server?.child.kill('SIGTERM');
  });

  it('creates the first admin, scans the folder, and lets them browse and seek into a track', async () => {
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('set-cookie')).toMatch(/omnisonic_session=.*HttpOnly/i);
    const headers = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
    await waitForIdleScan(server.url, headers);

    const tracks = (await (await fetch(`${server.url}/api/v1/tracks`, { headers })).json()) as { items: { id: string; path: string }[] };
    expect(tracks.items.map((t) => t.path).sort()).toEqual(['Beth Hart/Sinner\'s Prayer.flac', 'id3v2.3.mp3']);
    const flac = tracks.items.find((t) => t.path.endsWith('.flac'))!;
    expect(flac).toMatchObject({ artist: 'Beth Hart & Joe Bonamassa', codec: 'FLAC', status: 'ok' });

    const albums = (await (await fetch(`${server.url}/api/v1/albums`, { headers })).json()) as { items: unknown[] };
    expect(albums.items.length).toBeGreaterThanOrEqual(1);

    const bytes = readFileSync(path.join(music, 'Beth Hart', "Sinner's Prayer.flac"));
    const ranged = await fetch(`${server.url}/api/v1/tracks/${flac.id}/stream`, { headers: { ...headers, range: 'bytes=1000-1999' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-type')).toBe('audio/flac');
    expect(ranged.headers.get('content-range')).toBe(`bytes 1000-1999/${bytes.length}`);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(1000, 2000))).toBe(true);
  });

  it('answers health checks without credentials and the API only with them', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/v1/tracks`)).status).toBe(401);
  });
});

describe('omnisonic CLI', () => {
  it('refuses a bad setting with one line naming it and a non-zero exit', () => {
    const result = spawnSync(process.execPath, [cli, 'serve', '--port', 'not-a-port', '--data', path.join(work, 'bad')], { encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^omnisonic: --port \/ OMNISONIC_PORT must be/)]);
  });

  it('creates a user from a password on standard input, who can then sign in', async () => {
    const data = path.join(work, 'cli-data');
    const created = spawnSync(process.execPath, [cli, 'user', 'create', '--username', 'zoe', '--admin', '--data', data], {
      input: 'zoe password 1\n',
      encoding: 'utf8',
    });
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain('created admin "zoe"');
    const again = spawnSync(process.execPath, [cli, 'user', 'create', '--username', 'ZOE', '--data', data], { input: 'other password\n', encoding: 'utf8' });
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain('already taken');
  });

  it('manages accounts from the command line under the same last-admin rule as the API', () => {
    const data = path.join(work, 'cli-admin');
    const run = (args: string[], input?: string) => spawnSync(process.execPath, [cli, 'user', ...args, '--data', data], { input, encoding: 'utf8' });
    run(['create', '--username', 'ann', '--admin'], 'ann password 1\n');
    run(['create', '--username', 'ben'], 'ben password 1\n');
    const refused = run(['demote', '--username', 'ann']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('last admin');
    expect(run(['promote', '--username', 'ben']).status).toBe(0);
    expect(run(['disable', '--username', 'ann']).stdout).toContain('ann: admin, disabled');
    expect(run(['list']).stdout.trim().split('\n')).toEqual(['ann\tadmin\tdisabled', 'ben\tadmin']);
    expect(run(['delete', '--username', 'nobody']).stderr).toContain('No such user');
  });

  it('says how to create the first admin when no user exists and no password is configured', async () => {
    const fresh = await startServer(path.join(work, 'fresh'), { OMNISONIC_SCAN_ON_START: 'false' });
    try {
      expect(fresh.log()).toContain('npx omnisonic user create --username admin --admin');
    } finally {
      fresh.child.kill('SIGTERM');
    }
  });
});
