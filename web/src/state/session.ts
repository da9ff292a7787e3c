import { api, ApiError, ok } from '../api/client';
import type { User } from '../api/types';
import { createStore } from '../lib/store';
import { connectivity } from './connectivity';
import { forgetDevice, registerDevice } from './device';

/** Where the app stands: still checking, first run (no user yet), signed out, or signed in with its device. */
export type Session =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'setup' }
  | { status: 'signed-out'; reason?: string }
  | { status: 'signed-in'; user: User; deviceId: string };

export const session = createStore<Session>({ status: 'loading' });

async function enter(user: User): Promise<void> {
  const device = await registerDevice();
  session.set({ status: 'signed-in', user, deviceId: device.id });
}

/** First load: setup page when no user exists, the app when the session cookie is still valid, else sign-in. */
export async function bootSession(): Promise<void> {
  try {
    const { needsSetup } = await ok(api.GET('/api/v1/setup', { cache: 'no-store' }));
    if (needsSetup) return session.set({ status: 'setup' });
    const me = await api.GET('/api/v1/me');
    if (me.response.status === 401) return session.set({ status: 'signed-out' });
    if (!me.data) throw new Error(`GET /me answered ${me.response.status}`);
    await enter(me.data);
  } catch {
    session.set({ status: 'error', message: 'Cannot reach the Omnisonic server. It retries by itself.' });
    setTimeout(() => void bootSession(), 3000);
  }
}

export async function signIn(username: string, password: string): Promise<void> {
  const { user } = await ok(api.POST('/api/v1/auth/login', { body: { username, password } }));
  await enter(user);
}

/** Creates the first admin (`POST /api/v1/setup`), which also signs them in. */
export async function createFirstAdmin(username: string, password: string): Promise<void> {
  try {
    const { user } = await ok(api.POST('/api/v1/setup', { body: { username, password } }));
    await enter(user);
  } catch (error) {
    // Someone else finished the setup first: their account exists now, so this page has nothing left to do.
    if (error instanceof ApiError && error.code === 'already_set_up') {
      session.set({ status: 'signed-out', reason: 'This server has just been set up by someone else. Sign in with your account.' });
      return;
    }
    throw error;
  }
}

export async function signOut(): Promise<void> {
  await api.POST('/api/v1/auth/logout').catch(() => undefined);
  forgetDevice();
  session.set({ status: 'signed-out' });
}

connectivity.onUnauthorized(() => {
  if (session.get().status !== 'signed-in') return;
  forgetDevice();
  session.set({ status: 'signed-out', reason: 'Your session ended. Sign in again to continue.' });
});
