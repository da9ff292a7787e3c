import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAudioFixtures } from '../support/audio-fixtures.js';
import { describeEachDatabase } from '../support/databases.js';
import { api, dropTargets, login, registerDevice, runSyncClient, serverTarget, startServer, waitForSettledLibrary, type RunningServer, type ServerTarget } from './sync-harness.js';
import { startCountingProxy, type CountingProxy } from './sync-proxy.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-sync-kill-'));
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** Download speed through the proxy: the big file then takes a few seconds, long enough to kill the server inside. */
const BYTES_PER_SECOND = 1_500_000;

afterAll(async () => {
  await dropTargets();
  rmSync(work, { recursive: true, force: true });
});

describeEachDatabase('omnisonic sync while the server is killed mid-download', (kind) => {
  const music = path.join(work, `music-${kind}`);
  const dir = path.join(work, `mirror-${kind}`);
  let target: ServerTarget;
  let server: RunningServer;
  let proxy: CountingProxy;
  let session: string;
  let device: { token: string };

  beforeAll(async () => {
    mkdirSync(path.join(music, 'Noise'), { recursive: true });
    // ~5 MB of white noise: FLAC cannot shrink it, so the download is long.
    execFileSync('/usr/bin/ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'anoisesrc=d=30:c=white:r=44100:a=0.5', '-ac', '2', '-metadata', 'title=Long Noise', '-metadata', 'artist=Static', '-metadata', 'album=Noise', path.join(music, 'Noise', 'long.flac')]);
    const fixtures = createAudioFixtures(path.join(work, `bases-${kind}`));
    for (let i = 1; i <= 3; i += 1) {
      await fixtures.track(path.join(music, 'Short', `short-${i}.mp3`), { title: `Short ${i}`, artist: 'Brief', album: 'Shorts', track: i }, { frequency: 300 + i * 40 });
    }
    target = serverTarget(kind, work);
    server = await startServer(target, { music: [music] });
    proxy = await startCountingProxy(() => server.port);
    session = await login(server.url);
    device = await registerDevice(server.url, session, 'laptop');
    await waitForSettledLibrary(server.url, session);
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
  });

  it('resumes where the download broke off once the server is back, and fetches no file twice', async () => {
    const tracks = (await api<{ items: { id: string; path: string; size: number }[] }>(server.url, session, 'GET', '/tracks?limit=50')).body.items;
    expect(tracks).toHaveLength(4);
    const big = tracks.find((t) => t.path.endsWith('long.flac'))!;
    const bigPath = `/api/v1/tracks/${big.id}/download`;
    expect(big.size).toBeGreaterThan(3_000_000);

    proxy.throttle(BYTES_PER_SECOND);
    const client = runSyncClient({ server: proxy.url, token: device.token, dir });
    for (let i = 0; i < 600 && (proxy.served.get(bigPath) ?? 0) < big.size * 0.35; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    const servedBeforeKill = proxy.served.get(bigPath) ?? 0;
    expect(servedBeforeKill).toBeGreaterThan(0);
    expect(servedBeforeKill).toBeLessThan(big.size);
    const port = server.port;
    await server.kill();
    proxy.cutAll();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    server = await startServer(target, { music: [music], port, env: { OMNISONIC_SCAN_ON_START: 'false' } });

    const { code, summary, stderr } = await client.done;
    expect(code, stderr).toBe(0);
    expect(summary).toMatchObject({ downloaded: 4, localFiles: 4, failed: [] });
    expect(summary.resumed, JSON.stringify({ summary, stderr, requests: proxy.requests, served: [...proxy.served] })).toBeGreaterThanOrEqual(1);
    expect(stderr).toMatch(/server unavailable/);

    // The big file was fetched once: what arrived before the kill was kept, the rest asked for with a Range.
    const bigRequests = proxy.requests.filter((r) => r.path === bigPath && r.status !== 502);
    expect(bigRequests.at(-1)!.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(proxy.served.get(bigPath), JSON.stringify({ servedBeforeKill, size: big.size, requests: proxy.requests.filter((r) => r.path === bigPath), stderr })).toBeLessThan(big.size + 512 * 1024);
    for (const track of tracks) expect(proxy.served.get(`/api/v1/tracks/${track.id}/download`) ?? 0, track.path).toBeLessThan(2 * track.size);

    // And every file in the mirror is byte-identical to the music folder's.
    const sources = new Map<string, number>();
    for (const entry of readdirSync(music, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) sources.set(sha(readFileSync(path.join(entry.parentPath, entry.name))), statSync(path.join(entry.parentPath, entry.name)).size);
    }
    const mirrored = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !path.join(e.parentPath, e.name).includes('.omnisonic-sync'));
    expect(mirrored).toHaveLength(4);
    for (const entry of mirrored) expect(sources.has(sha(readFileSync(path.join(entry.parentPath, entry.name)))), entry.name).toBe(true);
    expect(readdirSync(path.join(dir, '.omnisonic-sync', 'parts'))).toEqual([]);
  }, 120_000);
});
