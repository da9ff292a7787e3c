import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Browser tests of the web app: the built server (`bin/omnisonic.js serve`, so run `npm run build` first) on a
 * temporary data dir with a copy of the real corpus, driven by Debian's Chromium through playwright-core.
 */

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, '../shared/corpus/music-metadata-samples');
const cli = path.join(repoRoot, 'bin/omnisonic.js');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots of each main page land here (gitignored; CI keeps them as artefacts). */
export const SCREENSHOTS = path.join(repoRoot, 'test-artifacts/screenshots');

export const ADMIN = { username: 'admin', password: 'web e2e password' };

export interface WebServer {
  url: string;
  child: ChildProcess;
  music: string;
  log: () => string;
  /** Stops the process and keeps its data: the app in the browser loses its server (offline tests). */
  kill: () => Promise<void>;
  /** Starts the process again on the same port and data dir; resolves once it listens. */
  restart: () => Promise<void>;
  stop: () => Promise<void>;
}

function spawnServer(music: string, data: string, port: number, env: Record<string, string>) {
  const child = spawn(process.execPath, [cli, 'serve', '--music', music, '--data', data, '--port', String(port)], {
    env: { ...process.env, OMNISONIC_WATCH: 'false', OMNISONIC_SCAN_ON_START: 'false', OMNISONIC_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return { child, listening, log: () => output };
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * Starts `omnisonic serve` on a free port over a copy of the corpus (read-only source), with no user (the app's
 * setup page creates one) and no start-up scan (tests start it through the API). Resolves once it listens.
 */
export async function startWebServer(env: Record<string, string> = {}): Promise<WebServer> {
  if (!existsSync(path.join(repoRoot, 'dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` first');
  const work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-web-e2e-'));
  const music = path.join(work, 'music');
  const data = path.join(work, 'data');
  mkdirSync(music);
  cpSync(corpus, music, { recursive: true });
  let current = spawnServer(music, data, 0, env);
  const url = await current.listening;
  const port = Number(new URL(url).port);
  let previousLogs = '';
  const server: WebServer = {
    url,
    child: current.child,
    music,
    log: () => previousLogs + current.log(),
    kill: () => killChild(current.child),
    async restart() {
      await killChild(current.child);
      previousLogs += current.log();
      current = spawnServer(music, data, port, env);
      server.child = current.child;
      await current.listening;
    },
    async stop() {
      await killChild(current.child);
      rmSync(work, { recursive: true, force: true });
    },
  };
  return server;
}

/** Headless Chromium that may start audio without a click (the autoplay policy would otherwise block remote plays). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--autoplay-policy=no-user-gesture-required'],
  });
}

/** A fresh browser profile (its own localStorage: its own device) at a desktop size. */
export async function newContext(browser: Browser, server: WebServer, viewport = { width: 1440, height: 900 }): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: server.url, viewport, colorScheme: 'dark' });
  // Uncaught errors in the app show in the test output, next to the step that failed.
  context.on('weberror', (error) => console.error(`page error: ${error.error().stack ?? error.error().message}`));
  const violations: string[] = [];
  blockedByPolicy.set(context, violations);
  context.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return context;
}

const blockedByPolicy = new WeakMap<BrowserContext, string[]>();

/** Console reports of anything the server's Content-Security-Policy blocked in this context's pages. */
export function contentSecurityViolations(context: BrowserContext): string[] {
  return blockedByPolicy.get(context) ?? [];
}

/** Saves a full-window PNG as `test-artifacts/screenshots/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** Signs in through the sign-in page (the admin must exist). */
export async function signInThroughPage(page: Page, credentials = ADMIN): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Username').fill(credentials.username);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Creates the admin over the API if the server has no user yet, and scans the library to the end. */
export async function setUpLibrary(server: WebServer): Promise<void> {
  const setup = (await (await fetch(`${server.url}/api/v1/setup`)).json()) as { needsSetup: boolean };
  if (setup.needsSetup) {
    const created = await fetch(`${server.url}/api/v1/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    if (created.status !== 201) throw new Error(`setup failed: ${created.status} ${await created.text()}`);
  }
  await scanLibrary(server);
}

/** An admin bearer token for API calls from the test. */
export async function adminToken(server: WebServer): Promise<string> {
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
  return ((await login.json()) as { token: string }).token;
}

/** Starts a scan (`POST /library/scans`) and waits until it has finished. */
export async function scanLibrary(server: WebServer): Promise<void> {
  const headers = { authorization: `Bearer ${await adminToken(server)}` };
  const started = await fetch(`${server.url}/api/v1/library/scans`, { method: 'POST', headers });
  if (started.status !== 202) throw new Error(`scan did not start: ${started.status} ${await started.text()}`);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const status = (await (await fetch(`${server.url}/api/v1/library/status`, { headers })).json()) as { state: string; lastScan: unknown };
    if (status.state === 'idle' && status.lastScan) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('scan did not finish within 2 minutes');
}

/** Reads a property of the page's `<audio>` element (the player engine's), e.g. `currentTime` or `paused`. */
export async function audioState(page: Page): Promise<{ currentTime: number; paused: boolean; src: string }> {
  return page.evaluate(
    `(() => { const a = document.querySelector('audio'); return a ? { currentTime: a.currentTime, paused: a.paused, src: a.currentSrc } : { currentTime: 0, paused: true, src: '' }; })()`,
  );
}

/** Polls `check` until it returns true (or throws after `timeoutMs`), for state that settles asynchronously. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
