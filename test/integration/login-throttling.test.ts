import { afterAll, beforeAll, expect, it } from 'vitest';
import { THROTTLE } from '../../src/auth/login-throttle.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

describeEachDatabase('login throttling', (kind) => {
  let t: TestApp;
  let now = Date.UTC(2026, 0, 1);
  const waits: number[] = [];
  beforeAll(async () => {
    t = await createTestApp(kind, {
      overrides: {
        clock: { now: () => now },
        sleep: async (ms) => {
          waits.push(ms);
        },
      },
    });
    await t.app.omnisonic.auth.createUser({ username: 'victim', password: 'the right password', role: 'user' });
  });
  afterAll(() => t.close());

  const attempt = (username: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });

  it('a burst of wrong passwords is slowed, then locked, and the right password works after the lockout window', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < THROTTLE.lockAfterFailures + 2; i += 1) statuses.push((await attempt('victim', `guess ${i}`)).statusCode);
    expect(statuses.slice(0, THROTTLE.lockAfterFailures)).toEqual(Array(THROTTLE.lockAfterFailures).fill(401));
    expect(statuses.slice(THROTTLE.lockAfterFailures)).toEqual([429, 429]);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits).toEqual([...waits].sort((a, b) => a - b));
    expect(Math.max(...waits)).toBeLessThanOrEqual(THROTTLE.maxDelayMs);

    const locked = await attempt('victim', 'the right password');
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);

    now += THROTTLE.lockMs + 1000;
    expect((await attempt('victim', 'the right password')).statusCode).toBe(200);
  });

  it('an unknown username is throttled exactly like an existing one, so throttling reveals nothing', async () => {
    const answers = [];
    for (let i = 0; i < THROTTLE.lockAfterFailures + 1; i += 1) answers.push((await attempt('nobody-here', `guess ${i}`)).statusCode);
    expect(answers.at(-1)).toBe(429);
    expect(answers.slice(0, -1).every((s) => s === 401)).toBe(true);
  });
});
