import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  adminToken,
  contentSecurityViolations,
  audioState,
  eventually,
  launchBrowser,
  newContext,
  scanLibrary,
  screenshot,
  startWebServer,
  type WebServer,
} from './web-harness.js';

/** 52 s of real Ogg Vorbis audio (most corpus files are cut short after their tags). */
const PLAYABLE = 'ogg/issue_62.ogg';

interface TrackInfo {
  id: string;
  title: string;
  albumId: string;
  album: string;
  durationMs: number;
  path: string;
}

interface QueueState {
  queue: { items: { itemId: string; trackId: string }[] };
}

/** One user's journey through the web app in a real browser, from the first start of an empty server. */
describe('the web app in Chromium', () => {
  let server: WebServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let api: (path: string) => Promise<unknown>;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    context = await newContext(browser, server);
    page = await context.newPage();
    api = async (path) => {
      const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${await adminToken(server)}` } });
      return response.json();
    };
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const findTrack = async (path: string): Promise<TrackInfo> => {
    const result = (await api(`/api/v1/search?types=track&limit=500`)) as { tracks: TrackInfo[] };
    const track = result.tracks.find((t) => t.path === path);
    if (!track) throw new Error(`no track at ${path}`);
    return track;
  };

  it('creates the admin on the first-run page and lands in the app', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: /create your admin account/i }).waitFor();
    await screenshot(page, 'setup');
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create admin account' }).click();
    // The browser's own check refuses a short password before the server sees it; the page stays.
    expect(await page.getByRole('heading', { name: /create your admin account/i }).isVisible()).toBe(true);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByRole('heading', { name: 'No albums yet' }).waitFor();
  });

  it('signs out and back in', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password' }).waitFor();
    await screenshot(page, 'sign-in');
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  });

  it('fills the empty albums page by itself as a scan finds the corpus, then shows artists and tracks', async () => {
    await page.getByRole('heading', { name: 'No albums yet' }).waitFor();
    await scanLibrary(server);
    const albums = page.getByRole('list', { name: 'Albums' });
    await albums.getByRole('link', { name: 'A Kind of Magic' }).first().waitFor();
    expect(await albums.getByRole('listitem').count()).toBeGreaterThan(10);
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'albums');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Artists' }).click();
    await page.getByRole('list', { name: 'Artists' }).getByRole('listitem').filter({ hasText: 'Audioslave' }).first().waitFor();
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'artists');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tracks' }).click();
    await page.getByRole('row', { name: /by Audioslave/ }).first().waitFor();
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'tracks');
    await page.getByLabel('Filter tracks').fill('straw');
    await page.getByRole('row', { name: /Strawberry by/ }).waitFor();
    await page.getByLabel('Filter tracks').fill('');
    await page.getByLabel('Sort by').selectOption('duration');
    await eventually(async () => page.url().includes('sort=duration'), 5_000, 'the sort in the URL');
    await page.getByRole('row', { name: /by Audioslave/ }).first().waitFor({ state: 'detached' });
  });

  it('plays an album track: the audio element advances and the player shows it', async () => {
    const track = await findTrack(PLAYABLE);
    await page.goto(`/albums/${track.albumId}`);
    await page.getByRole('heading', { name: track.album, level: 1 }).waitFor();
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'album');
    await page.getByRole('button', { name: `Play ${track.title}` }).click();
    await page.getByTestId('now-playing-title').filter({ hasText: track.title }).waitFor();
    await eventually(async () => {
      const audio = await audioState(page);
      return !audio.paused && audio.currentTime > 1.5;
    }, 15_000, 'the audio to play past 1.5 s');
    expect((await audioState(page)).src).toContain(`/api/v1/tracks/${track.id}/stream?token=`);
    await page.getByRole('button', { name: 'Pause' }).waitFor();
  });

  it('seeks to where the seek bar is clicked, in the audio and on screen', async () => {
    const track = await findTrack(PLAYABLE);
    const bar = page.getByRole('slider', { name: 'Seek' });
    const box = (await bar.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const halfway = track.durationMs / 2000;
    await eventually(async () => Math.abs((await audioState(page)).currentTime - halfway) < 5, 10_000, 'the audio to seek to the middle');
    await eventually(async () => Math.abs(Number(await bar.getAttribute('aria-valuenow')) - halfway) < 5, 5_000, 'the seek bar to show the middle');
    const before = (await audioState(page)).currentTime;
    await eventually(async () => (await audioState(page)).currentTime > before + 1, 5_000, 'the audio to play on after seeking');
  });

  it('queues albums at the end and reorders the queue with the keyboard and by dragging', async () => {
    const strawberry = await findTrack('04-Strawberry.mp3');
    const magic = await findTrack('a kind of magic.flac');
    await page.goto(`/albums/${strawberry.albumId}`);
    await page.getByRole('button', { name: 'Add to queue' }).click();
    await page.getByText(/added to the queue/).first().waitFor();
    await page.goto(`/albums/${magic.albumId}`);
    await page.getByRole('button', { name: 'Add to queue' }).click();
    const order = async () => ((await api('/api/v1/playback')) as QueueState).queue.items.map((item) => item.trackId);
    await eventually(async () => (await order()).slice(-2).join() === [strawberry.id, magic.id].join(), 5_000, 'both albums at the end');
    const before = (await order()).slice(0, -2);

    await page.getByRole('button', { name: 'Queue', exact: true }).click();
    const queue = page.getByRole('complementary', { name: 'Queue' });
    const rows = queue.getByRole('listitem');
    const last = before.length + 1;
    await eventually(async () => (await rows.count()) === before.length + 2, 5_000, 'every item in the queue panel');
    await rows.nth(last).getByText('A Kind of Magic').waitFor();
    await rows.nth(last).focus();
    await page.keyboard.press('Alt+ArrowUp');
    await eventually(async () => (await order()).join() === [...before, magic.id, strawberry.id].join(), 5_000, 'the keyboard move on the server');
    await rows.nth(last - 1).getByText('A Kind of Magic').waitFor();
    await screenshot(page, 'queue');

    await rows.nth(last - 1).dragTo(rows.nth(last), { targetPosition: { x: 40, y: 50 } });
    await eventually(async () => (await order()).join() === [...before, strawberry.id, magic.id].join(), 5_000, 'the dragged move on the server');
  });

  it('searches as you type, forgives a typo, and offers "did you mean"', async () => {
    const search = page.getByRole('combobox', { name: 'Search' });
    await search.fill('strawbery');
    const suggestions = page.getByRole('listbox', { name: 'Search suggestions' });
    await suggestions.getByRole('option', { name: /Strawberry/ }).waitFor();
    await screenshot(page, 'search-suggestions');
    await search.press('ArrowDown');
    expect(await suggestions.getByRole('option', { selected: true }).count()).toBe(1);

    await search.fill('beth hrat');
    await page.getByRole('button', { name: /Did you mean beth hart/i }).click();
    expect(await search.inputValue()).toBe('beth hart');
    await suggestions.getByRole('option').first().waitFor();
    // Escape closes the suggestions; Enter then opens the full results page.
    await search.press('Escape');
    expect(await suggestions.isVisible()).toBe(false);
    await search.press('Enter');
    await page.getByRole('heading', { name: 'Results for “beth hart”' }).waitFor();
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'search');
  });

  it('opens an artist page with their albums', async () => {
    await page.getByRole('link', { name: /Beth Hart/ }).first().click();
    await page.getByRole('heading', { level: 1, name: /Beth Hart/ }).waitFor();
    await page.getByRole('heading', { name: 'Albums' }).waitFor();
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'artist');
  });

  it('skips a file this browser cannot decode, saying so, instead of retrying it forever', async () => {
    const adpcm = await findTrack('issue-92.wav');
    const search = page.getByRole('combobox', { name: 'Search' });
    await search.fill(adpcm.title);
    await page.getByRole('listbox', { name: 'Search suggestions' }).getByRole('option', { name: new RegExp(adpcm.title) }).first().click();
    await page.getByText(`This browser cannot play “${adpcm.title}”; skipping it.`).waitFor({ timeout: 15_000 });
    await eventually(async () => ((await api('/api/v1/playback')) as { playState: string }).playState === 'stopped', 5_000, 'playback to stop');
  });

  it('keeps only the rows in view in the page while scrolling to the end of 100,000 tracks', async () => {
    const sample = (await api('/api/v1/search?types=track&limit=1')) as { tracks: Record<string, unknown>[] };
    const TOTAL = 100_000;
    // The track listing is synthesised in the browser; everything else still comes from the server.
    const listing = /\/api\/v1\/search\?.*types=track.*sort=year/;
    await page.route(listing, async (route) => {
      const url = new URL(route.request().url());
      const offset = Number(url.searchParams.get('cursor') ?? 0);
      const limit = Number(url.searchParams.get('limit'));
      const tracks = Array.from({ length: Math.min(limit, TOTAL - offset) }, (_, i) => ({
        ...sample.tracks[0],
        id: `synthetic-${offset + i}`,
        title: `Synthetic track ${offset + i + 1}`,
      }));
      await route.fulfill({ json: { artists: [], albums: [], tracks, nextCursor: offset + limit < TOTAL ? String(offset + limit) : null } });
    });
    await page.goto('/tracks?sort=year');
    await page.getByRole('row', { name: /Synthetic track 1 by/ }).waitFor();
    const last = page.getByRole('row', { name: /Synthetic track 100000 by/ });
    for (let i = 0; i < 1000 && !(await last.count()); i += 1) {
      await page.evaluate(`document.getElementById('main').scrollTo(0, 1e9)`);
      await page.waitForTimeout(20);
    }
    await last.waitFor();
    expect(await page.getByRole('table', { name: 'Tracks' }).getByRole('row').count()).toBeLessThan(100);
    await page.unroute(listing);
  }, 180_000);

  it('fits a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/albums');
    await page.getByRole('list', { name: 'Albums' }).getByRole('listitem').first().waitFor();
    const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
    expect(scrollWidth).toBeLessThanOrEqual(390);
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'phone-albums');
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tracks' }).click();
    await page.getByRole('row').nth(1).waitFor();
    await screenshot(page, 'phone-tracks');
  });

  it('says it is offline while the server is down and recovers by itself when it is back', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto('/albums');
    await page.getByRole('list', { name: 'Albums' }).getByRole('listitem').first().waitFor();
    const banner = page.getByRole('status').filter({ hasText: 'Offline' });
    await server.kill();
    await banner.waitFor({ timeout: 15_000 });
    await screenshot(page, 'offline');
    await server.restart();
    await banner.waitFor({ state: 'detached', timeout: 20_000 });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Artists' }).click();
    await page.getByRole('list', { name: 'Artists' }).getByRole('listitem').first().waitFor();
  });

  it('goes back to sign-in, saying why, when the session ends elsewhere', async () => {
    const ended = await page.request.post('/api/v1/auth/logout');
    expect(ended.status()).toBe(204);
    await page.getByText('Your session ended. Sign in again to continue.').waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('ran every page without the content security policy blocking anything', () => {
    expect(contentSecurityViolations(context)).toEqual([]);
  });
});
