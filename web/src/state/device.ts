import { api, ApiError, ok } from '../api/client';
import { deviceAuth } from './device-auth';

const CLIENT_ID_KEY = 'omnisonic.clientId';
const APP_VERSION = '0.1.0';

/** This browser's stable client id (a UUID kept in localStorage), so signing in again re-uses the same device. */
function clientId(): string {
  let id = localStorage.getItem(CLIENT_ID_KEY);
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem(CLIENT_ID_KEY, id);
  }
  return id;
}

/** "Chrome on Linux"-style name from the user agent; the user can rename the device later. */
function deviceName(): string {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : 'the web';
  return `${browser} on ${os}`;
}

let registered: { id: string; name: string } | null = null;

/**
 * Registers this browser as a device (`POST /api/v1/devices` with the session cookie). The same clientId returns the
 * same device with a fresh token, which lives in memory only (`deviceAuth`). Called after sign-in and again when a
 * device-authenticated call answers 401 (another tab of this browser rotated the token).
 */
export async function registerDevice(): Promise<{ id: string; name: string }> {
  const result = await ok(
    api.POST('/api/v1/devices', { body: { name: deviceName(), platform: 'web', appVersion: APP_VERSION, clientId: clientId() } }),
  );
  deviceAuth.set(result.accessToken);
  registered = { id: result.device.id, name: result.device.name };
  return registered;
}

/** This browser's device id once registered. */
export function thisDeviceId(): string | null {
  return registered?.id ?? null;
}

/** Forgets the token (sign-out); the clientId stays so the next sign-in is the same device. */
export function forgetDevice(): void {
  deviceAuth.set(null);
  registered = null;
}

/**
 * Runs a device-authenticated call; when its token was refused (another tab of this browser registered the same
 * device since, rotating the token) registers again and retries once.
 */
export async function asDevice<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
    await registerDevice();
    return call();
  }
}
