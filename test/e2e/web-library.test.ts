import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, eventually, launchBrowser, newContext, screenshot as saveScreenshot, setUpLibrary, signInThroughPage, startWebServer, type WebServer } from './web-harness.js';

/** Whether every image inside the window has loaded (lazy artwork below the fold is not waited for). */
const VISIBLE_IMAGES_LOADED = `[...document.images].every((img) => {
  const r = img.getBoundingClientRect();
  return img.complete || r.bottom < 0 || r.top > innerHeight || r.width === 0;
})`;

/** A screenshot once the artwork in view has loaded, so the picture shows what a person sees. */
async function screenshot(page: Page, name: string): Promise<void> {
  await eventually(() => page.evaluate<boolean>(VISIBLE_IMAGES_LOADED), 5000, 'artwork in view').catch(() => undefined);
  await saveScreenshot(page, name);
}

interface TrackInfo {
  id: string;
  title: string;
  artist: string;
  albumId: string | null;
  album: string | null;
  path: string;
  status: string;
}

/**
 * The web app's secondary pages in a real browser over the real corpus: favorites, playlists, import, library
 * status, admin and the track editor. Screenshots of each page land in test-artifacts/screenshots/.
 */
describe('the web app library pages in Chromium', () => {
  let server: WebServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let work: string;
  let tracks: TrackInfo[];

  const api = async <T>(route: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetch(`${server.url}${route}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
    });
    return (response.status === 204 ? undefined : await response.json()) as T;
  };
  const nav = () => page.getByRole('navigation', { name: 'Main' });
  /** Two playable tracks of one album, so the album page shows both. */
  const albumPair = (): [TrackInfo, TrackInfo] => {
    const byAlbum = new Map<string, TrackInfo[]>();
    for (const track of tracks) if (track.albumId && track.status === 'ok') byAlbum.set(track.albumId, [...(byAlbum.get(track.albumId) ?? []), track]);
    const pair = [...byAlbum.values()].find((list) => list.length >= 2 && list[0]!.title !== list[1]!.title);
    if (!pair) throw new Error('the corpus has no album with two tracks');
    return [pair[0]!, pair[1]!];
  };

  beforeAll(async () => {
    server = await startWebServer();
    await setUpLibrary(server);
    token = await adminToken(server);
    tracks = (await api<{ tracks: TrackInfo[] }>('/api/v1/search?types=track&limit=500')).tracks;
    work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-web-library-'));
    browser = await launchBrowser();
    context = await newContext(browser, server);
    page = await context.newPage();
    await signInThroughPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('favorites a track with its heart, and the track is listed on Favorites', async () => {
    const [track] = albumPair();
    await page.goto(`/albums/${track.albumId}`);
    const row = page.getByRole('row', { name: `${track.title} by ${track.artist}` });
    await row.hover();
    const heart = row.getByRole('button', { name: `Favorite ${track.title}` });
    expect(await heart.getAttribute('aria-pressed')).toBe('false');
    await heart.click();
    await eventually(async () => (await heart.getAttribute('aria-pressed')) === 'true', 5000, 'heart pressed');
    await page.getByRole('button', { name: `Favorite ${track.album}` }).click();

    await nav().getByRole('link', { name: 'Favorites' }).click();
    await page.getByRole('heading', { name: 'Favorites', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Favorite tracks' }).getByRole('row', { name: `${track.title} by ${track.artist}` }).waitFor();
    await page.getByRole('list', { name: 'Favorite albums' }).getByRole('link', { name: track.album! }).first().waitFor();
    await screenshot(page, 'favorites');

    // Rating stars are on the track page; the rating survives a reload.
    await page.goto(`/tracks/${track.id}`);
    await page.getByRole('radio', { name: '4 stars' }).click();
    await eventually(async () => (await api<{ rating: number }>(`/api/v1/tracks/${track.id}`)).rating === 4, 5000, 'rating saved');
  });

  it('creates a playlist, adds two tracks from their menus, reorders, renames and deletes it', async () => {
    const [first, second] = albumPair();
    await nav().getByRole('link', { name: 'Playlists' }).click();
    await page.getByRole('heading', { name: 'No playlists yet' }).waitFor();
    await screenshot(page, 'playlists-empty');
    await page.getByRole('button', { name: 'New playlist' }).click();
    await page.getByRole('dialog', { name: 'New playlist' }).getByLabel('Name').fill('Road trip');
    await page.getByRole('button', { name: 'Create playlist' }).click();
    await page.getByRole('heading', { name: 'Road trip', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'This playlist is empty' }).waitFor();

    await page.goto(`/albums/${first.albumId}`);
    for (const track of [first, second]) {
      await page.getByRole('button', { name: `More for ${track.title}`, exact: true }).click();
      await page.getByRole('menuitem', { name: 'Add to playlist…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add to playlist' });
      await dialog.getByRole('button', { name: /Road trip/ }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByText(`Added “${track.title}” to Road trip.`).waitFor();
    }

    await nav().getByRole('link', { name: 'Playlists' }).click();
    await page.getByRole('list', { name: 'Playlists' }).getByRole('link', { name: 'Road trip' }).click();
    const table = page.getByRole('table', { name: 'Playlist tracks' });
    await table.getByRole('row', { name: `${second.title} by ${second.artist}` }).waitFor();
    const order = async () => (await table.getByRole('row').allInnerTexts()).slice(1).map((text) => (text.includes(first.title) ? 'first' : 'second'));
    expect(await order()).toEqual(['first', 'second']);
    await screenshot(page, 'playlist');

    // Keyboard: Alt+↓ on the focused first row moves it below the second.
    await table.getByRole('row', { name: `${first.title} by ${first.artist}` }).focus();
    await page.keyboard.press('Alt+ArrowDown');
    await eventually(async () => (await order()).join() === 'second,first', 5000, 'keyboard reorder');
    const playlists = await api<{ items: { id: string; name: string }[] }>('/api/v1/playlists');
    const id = playlists.items.find((p) => p.name === 'Road trip')!.id;
    const serverOrder = async () => (await api<{ items: { trackId: string }[] }>(`/api/v1/playlists/${id}/items`)).items.map((i) => i.trackId);
    await eventually(async () => (await serverOrder()).join() === [second.id, first.id].join(), 5000, 'server order after keyboard move');
    // Menu: "Move up" puts it back.
    await page.getByRole('button', { name: `More for ${first.title}`, exact: true }).click();
    await page.getByRole('menuitem', { name: 'Move up' }).click();
    await eventually(async () => (await serverOrder()).join() === [first.id, second.id].join(), 5000, 'server order after menu move');
    expect(await order()).toEqual(['first', 'second']);
    // Drag: dropping the first row on the lower half of the second puts it after it.
    const secondRow = table.getByRole('row', { name: `${second.title} by ${second.artist}` });
    const box = (await secondRow.boundingBox())!;
    await table.getByRole('row', { name: `${first.title} by ${first.artist}` }).dragTo(secondRow, { targetPosition: { x: 40, y: box.height - 6 } });
    await eventually(async () => (await serverOrder()).join() === [second.id, first.id].join(), 5000, 'server order after drag');
    expect(await order()).toEqual(['second', 'first']);

    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('dialog', { name: 'Rename playlist' }).getByLabel('Name').fill('Night drive');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('heading', { name: 'Night drive', level: 1 }).waitFor();

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog', { name: 'Delete playlist?' }).getByRole('button', { name: 'Delete playlist' }).click();
    await page.getByRole('heading', { name: 'Playlists', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'No playlists yet' }).waitFor();
    expect((await api<{ items: unknown[] }>('/api/v1/playlists')).items).toEqual([]);
  });

  it('creates a smart playlist from the rules form and shows its rules read-only', async () => {
    await page.goto('/playlists');
    await page.getByRole('button', { name: 'New smart playlist' }).click();
    const dialog = page.getByRole('dialog', { name: 'New smart playlist' });
    await dialog.getByLabel('Name').fill('Fresh lossless');
    await dialog.getByLabel('Added in the last … days').fill('zero');
    await dialog.getByRole('button', { name: 'Create playlist' }).click();
    await dialog.getByText('Enter a whole number of days').waitFor();
    await dialog.getByLabel('Added in the last … days').fill('30');
    await dialog.getByLabel('Lossless only').check();
    await dialog.getByLabel('Sort by').selectOption('added');
    await screenshot(page, 'playlist-smart-form');
    await dialog.getByRole('button', { name: 'Create playlist' }).click();
    await page.getByRole('heading', { name: 'Fresh lossless', level: 1 }).waitFor();
    const rules = page.getByRole('list', { name: 'Rules' });
    await rules.getByText('Lossless').waitFor();
    await rules.getByText('Added in the last 30 days').waitFor();
    await page.getByRole('table', { name: 'Playlist tracks' }).getByRole('row').nth(1).waitFor();
    expect(await page.getByRole('button', { name: 'Rename' }).count()).toBe(1);
    await screenshot(page, 'playlist-smart');
    await page.goto('/playlists');
    await page.getByRole('list', { name: 'Playlists' }).getByText('Smart').waitFor();
    await screenshot(page, 'playlists');
  });

  it('imports two files with per-file results, and the same two again as duplicates', async () => {
    const files = ['Import One', 'Import Two'].map((title, i) => {
      const file = path.join(work, `${title.toLowerCase().replace(' ', '-')}.flac`);
      execFileSync('/usr/bin/ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${440 + i * 110}:duration=3`, '-metadata', `title=${title}`, '-metadata', 'artist=Importer', '-metadata', 'album=Imports', file]);
      return file;
    });
    await nav().getByRole('link', { name: 'Import' }).click();
    await page.getByRole('heading', { name: 'Import music' }).waitFor();
    await screenshot(page, 'import-empty');
    await page.getByLabel('Choose audio files to import').setInputFiles(files);
    const list = page.getByRole('list', { name: 'Files' });
    await eventually(async () => (await list.getByText('Added to your library').count()) === 2, 30_000, 'both files added');
    await page.getByRole('heading', { name: 'Import finished' }).waitFor();
    await page.getByText('2 added · 0 already there · 0 rejected').waitFor();
    await screenshot(page, 'import-added');

    await page.getByRole('button', { name: 'Clear list' }).click();
    await page.getByLabel('Choose audio files to import').setInputFiles(files);
    await eventually(async () => (await list.getByText('Already in your library').count()) === 2, 30_000, 'both files duplicates');
    await page.getByText('0 added · 2 already there · 0 rejected').waitFor();

    const notAudio = path.join(work, 'notes.mp3');
    execFileSync('/bin/sh', ['-c', `printf 'this is not audio' > '${notAudio}'`]);
    await page.getByLabel('Choose audio files to import').setInputFiles([notAudio]);
    await list.getByRole('listitem', { name: 'notes.mp3' }).getByText(/^Rejected: /).waitFor({ timeout: 30_000 });
    await screenshot(page, 'import-results');
  });

  it('shows the library status with the corpus files it could not read, and why', async () => {
    const status = await api<{ lastScan: { broken: { path: string; reason: string }[] } }>('/api/v1/library/status');
    expect(status.lastScan.broken.length).toBeGreaterThan(0);
    await nav().getByRole('link', { name: 'Library status' }).click();
    const table = page.getByRole('table', { name: 'Unreadable files' });
    await table.waitFor();
    for (const broken of status.lastScan.broken) {
      const row = table.getByRole('row').filter({ hasText: broken.path });
      expect(await row.innerText()).toContain(broken.reason);
    }
    await screenshot(page, 'library-status');

    // A new scan from the page: the button waits while it runs, and the summary is refreshed when it ends.
    const before = await api<{ lastScan: { finishedAt: number } }>('/api/v1/library/status');
    await page.getByRole('button', { name: 'Start scan' }).click();
    await page.getByText('Scan started.').waitFor();
    await eventually(async () => (await api<{ lastScan: { finishedAt: number } }>('/api/v1/library/status')).lastScan.finishedAt > before.lastScan.finishedAt, 60_000, 'scan finished');
    await page.getByRole('button', { name: 'Start scan' }).waitFor({ timeout: 10_000 });
    expect(await page.getByRole('button', { name: 'Start scan' }).isEnabled()).toBe(true);
  });

  it('lets the admin create a user, and explains the last-admin rule', async () => {
    await nav().getByRole('link', { name: 'Users' }).click();
    await page.getByRole('table', { name: 'Users' }).waitFor();
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog', { name: 'New user' });
    await dialog.getByLabel('Username').fill('robin');
    await dialog.getByLabel('Password').fill('short');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.getByText('Use at least 8 characters.').waitFor();
    await dialog.getByLabel('Password').fill('robin password 1');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('row', { name: 'robin' }).waitFor();
    const users = await api<{ items: { username: string; role: string }[] }>('/api/v1/admin/users');
    expect(users.items.find((u) => u.username === 'robin')?.role).toBe('user');

    await page.getByRole('button', { name: 'Make admin a listener' }).click();
    await page.getByRole('alert').filter({ hasText: 'last admin' }).waitFor();
    await screenshot(page, 'admin-users');

    await page.getByRole('button', { name: 'Devices of admin' }).click();
    await page.getByRole('dialog', { name: 'Devices of admin' }).getByRole('list').getByRole('listitem').first().waitFor();
    await screenshot(page, 'admin-user-devices');
    await page.keyboard.press('Escape');

    await nav().getByRole('link', { name: 'Library access' }).click();
    await page.getByRole('checkbox', { name: 'robin' }).first().check();
    await eventually(async () => {
      const libraries = await api<{ items: { kind: string; userIds: string[] }[] }>('/api/v1/admin/libraries');
      const robinId = (await api<{ items: { id: string; username: string }[] }>('/api/v1/admin/users')).items.find((u) => u.username === 'robin')!.id;
      return libraries.items.some((l) => l.kind === 'music' && l.userIds.includes(robinId));
    }, 5000, 'grant saved');
    await screenshot(page, 'admin-libraries');

    await nav().getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('table', { name: 'Audit log' }).getByRole('row').nth(1).waitFor();
    await screenshot(page, 'admin-audit');
  });

  it('edits a track title on its detail page, refuses bad input, and the new title shows everywhere', async () => {
    const [track] = albumPair();
    await page.goto(`/tracks/${track.id}`);
    await page.getByRole('heading', { name: track.title, level: 1 }).waitFor();
    await page.getByText('Sample rate').waitFor();
    await screenshot(page, 'track-detail');
    await page.getByRole('button', { name: 'Edit details' }).click();
    await page.getByLabel('Year').fill('19x8');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Year must be a whole number from 1 to 9999.').waitFor();
    await screenshot(page, 'track-edit');
    await page.getByLabel('Year').fill('');
    await page.getByLabel('Title').fill('Renamed In The Browser');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Renamed In The Browser', level: 1 }).waitFor();

    await page.goto(`/albums/${track.albumId}`);
    await page.getByRole('row', { name: `Renamed In The Browser by ${track.artist}` }).waitFor();
    await page.getByRole('combobox', { name: 'Search' }).fill('Renamed In The Browser');
    await page.getByRole('option', { name: /Renamed In The Browser/ }).first().waitFor();
    await page.getByRole('combobox', { name: 'Search' }).fill('');
    expect((await api<TrackInfo>(`/api/v1/tracks/${track.id}`)).title).toBe('Renamed In The Browser');
  });

  it('shows history, most played and settings', async () => {
    const [track] = albumPair();
    const full = await api<{ durationMs: number }>(`/api/v1/tracks/${track.id}`);
    await api('/api/v1/history', { method: 'POST', body: JSON.stringify({ trackId: track.id, playedAt: Date.now() - 60_000, durationPlayedMs: full.durationMs }) });
    await nav().getByRole('link', { name: 'History' }).click();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    await screenshot(page, 'history');
    await page.getByRole('tab', { name: 'Most played' }).click();
    await page.getByRole('list', { name: 'Most played tracks' }).getByRole('listitem').first().waitFor();
    await screenshot(page, 'most-played');

    await nav().getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('list', { name: 'Your devices' }).getByText('This browser').waitFor();
    await page.getByLabel('Key name').fill('Car stereo');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByText(/copy it now/).waitFor();
    await page.getByLabel('Current password').fill('wrong password');
    await page.getByLabel('New password', { exact: true }).fill('a new password 1');
    await page.getByLabel('New password again').fill('a new password 1');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('That is not your current password.').waitFor();
    await screenshot(page, 'settings');
  });

  it('fits a phone screen', async () => {
    const phone = await newContext(browser, server, { width: 390, height: 844 });
    const small = await phone.newPage();
    await signInThroughPage(small);
    const [track] = albumPair();
    const current = await api<{ title: string }>(`/api/v1/tracks/${track.id}`);
    for (const [route, name, ready] of [
      ['/favorites', 'phone-favorites', 'Favorites'],
      ['/playlists', 'phone-playlists', 'Playlists'],
      ['/history', 'phone-history', 'History'],
      ['/import', 'phone-import', 'Import music'],
      ['/settings', 'phone-settings', 'Settings'],
      [`/tracks/${track.id}`, 'phone-track-detail', current.title],
      ['/library-status', 'phone-library-status', 'Library status'],
      ['/admin/users', 'phone-admin-users', 'Users'],
      ['/admin/audit', 'phone-admin-audit', 'Audit log'],
    ] as const) {
      await small.goto(route);
      await small.getByRole('heading', { name: ready, level: 1 }).waitFor();
      const overflow = await small.evaluate<number>(`document.querySelector('main').scrollWidth - document.querySelector('main').clientWidth`);
      expect(overflow, `${route} scrolls sideways`).toBeLessThanOrEqual(1);
      await screenshot(small, name);
    }
    // Rows have no heart on a phone; the ⋯ menu carries it.
    await small.goto('/favorites');
    await small.getByRole('button', { name: `More for ${current.title}`, exact: true }).click();
    await small.getByRole('menuitem', { name: 'Remove from favorites' }).click();
    await small.getByRole('table', { name: 'Favorite tracks' }).waitFor({ state: 'detached' });
    expect((await api<{ favorite: boolean }>(`/api/v1/tracks/${track.id}`)).favorite).toBe(false);
    await phone.close();
  });
});
