import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  audioState,
  eventually,
  launchBrowser,
  newContext,
  screenshot,
  setUpLibrary,
  signInThroughPage,
  startWebServer,
  type WebServer,
} from './web-harness.js';

/** What a page shows about playback: title, play/pause button, seconds on the seek bar and "Playing on …". */
async function shown(page: Page): Promise<{ title: string; playing: boolean; seconds: number; remote: string | null }> {
  const remote = page.getByRole('status').filter({ hasText: 'Playing on' });
  return {
    title: (await page.getByTestId('now-playing-title').textContent()) ?? '',
    playing: await page.getByRole('button', { name: 'Pause' }).isVisible(),
    seconds: Number(await page.getByRole('slider', { name: 'Seek' }).getAttribute('aria-valuenow')),
    remote: (await remote.count()) ? await remote.textContent() : null,
  };
}

/** Two browser profiles of one user are two devices: one plays the audio, the other is a remote control. */
describe('two browsers as two devices of one user', () => {
  let server: WebServer;
  let browser: Browser;
  let a: Page;
  let b: Page;
  let track: { id: string; albumId: string; title: string };

  beforeAll(async () => {
    server = await startWebServer();
    await setUpLibrary(server);
    const headers = { authorization: `Bearer ${await adminToken(server)}` };
    const tracks = (await (await fetch(`${server.url}/api/v1/search?types=track&limit=500`, { headers })).json()) as {
      tracks: { id: string; albumId: string; title: string; path: string }[];
    };
    track = tracks.tracks.find((t) => t.path === 'ogg/issue_62.ogg')!; // 52 s of real audio
    browser = await launchBrowser();
    a = await (await newContext(browser, server)).newPage();
    b = await (await newContext(browser, server)).newPage();
    await signInThroughPage(a);
    await signInThroughPage(b);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('B presses play while A is the active device: A plays the audio and B shows it', async () => {
    await a.goto(`/albums/${track.albumId}`);
    await a.getByRole('button', { name: `Play ${track.title}` }).click();
    await eventually(async () => (await audioState(a)).currentTime > 0.5, 15_000, 'A to start playing');
    await a.getByRole('button', { name: 'Pause' }).click();
    await eventually(async () => (await audioState(a)).paused, 5_000, 'A to pause');

    await b.reload();
    await b.getByTestId('now-playing-title').filter({ hasText: track.title }).waitFor();
    await b.getByRole('button', { name: 'Play', exact: true }).click();

    await eventually(async () => {
      const audio = await audioState(a);
      return !audio.paused && audio.currentTime > 1;
    }, 10_000, 'A\'s audio to play again');
    await b.getByRole('button', { name: 'Pause' }).waitFor();
    await b.getByRole('status').filter({ hasText: 'Playing on' }).waitFor();
    const onB = await audioState(b);
    expect(onB.paused).toBe(true);
    expect(onB.src).toBe('');
    await screenshot(b, 'remote-control');
  });

  it('B transfers playback to itself: A pauses, B plays, and both show the same state within a second', async () => {
    await b.getByRole('button', { name: 'Devices' }).click();
    const menu = b.getByRole('dialog', { name: 'Play on a device' });
    await menu.getByRole('button', { name: /Playing/ }).waitFor();
    await menu.getByRole('button', { name: 'Rename this browser' }).click();
    await menu.getByLabel('Name of this browser').fill('Kitchen laptop');
    await menu.getByRole('button', { name: 'Save' }).click();
    await menu.getByRole('button', { name: /Kitchen laptop/ }).waitFor();
    await screenshot(b, 'devices');
    await menu.getByRole('button', { name: /Kitchen laptop/ }).click();

    await eventually(async () => {
      const audio = await audioState(b);
      return !audio.paused && audio.currentTime > 1;
    }, 10_000, 'B\'s audio to play');
    await eventually(async () => (await audioState(a)).paused, 5_000, 'A to fall silent');
    expect((await audioState(b)).src).toContain(`/api/v1/tracks/${track.id}/stream?token=`);

    await eventually(async () => {
      const [onA, onB] = await Promise.all([shown(a), shown(b)]);
      return onA.title === onB.title && onA.playing && onB.playing && Math.abs(onA.seconds - onB.seconds) <= 1 && onB.remote === null && onA.remote !== null;
    }, 1_000, 'both browsers to agree');
    await a.getByRole('button', { name: 'Devices' }).click();
    await a.getByRole('dialog', { name: 'Play on a device' }).getByRole('button', { name: /Kitchen laptop.*Playing/ }).waitFor();
    await a.keyboard.press('Escape');
  });

  it('A pauses with the space bar from its remote-control view and B\'s audio stops at the same place on both screens', async () => {
    await a.evaluate('document.activeElement && document.activeElement.blur()');
    await a.keyboard.press('Space');
    await eventually(async () => (await audioState(b)).paused, 3_000, 'B to pause');
    await eventually(async () => {
      const [onA, onB] = await Promise.all([shown(a), shown(b)]);
      return !onA.playing && !onB.playing && onA.seconds === onB.seconds;
    }, 1_000, 'both to show the same paused position');
  });

  it('a second tab of A\'s browser stays silent while the first plays, and takes over when the first closes', async () => {
    const a2 = await a.context().newPage();
    await a2.goto('/');
    await a2.getByRole('navigation', { name: 'Main' }).waitFor();
    await b.getByRole('button', { name: 'Devices' }).click();
    await b.getByRole('dialog', { name: 'Play on a device' }).getByRole('button', { name: /Chrome on Linux/ }).click();
    await b.getByRole('button', { name: 'Play', exact: true }).click();
    await eventually(async () => {
      const audio = await audioState(a);
      return !audio.paused && audio.currentTime > 0;
    }, 10_000, 'A\'s first tab to play');
    const second = await audioState(a2);
    expect(second.paused).toBe(true);
    expect(second.src).toBe('');

    await a.close();
    await eventually(async () => !(await audioState(a2)).paused, 10_000, 'the second tab to take over');
    expect((await audioState(b)).paused).toBe(true);
  });
});
