import { api, ApiError, describeError, ok } from '../api/client';
import type { CommandArgs, CommandType, DeviceStatus, PlaybackState } from '../api/types';
import { projectPosition } from '../lib/position';
import { createStore } from '../lib/store';
import { serverNow } from './clock';
import { asDevice } from './device';
import { notify } from './notices';

/** The user's one playback session as this tab knows it, and their devices with who is online. */
export const playback = createStore<PlaybackState | null>(null);
export const devices = createStore<DeviceStatus[]>([]);

/**
 * Takes a state from any source (command answer, event, report answer, 409 body) unless an equal or newer revision
 * is already here: events and answers may arrive in any order.
 */
export function applyPlayback(next: PlaybackState | null | undefined): void {
  if (!next) return;
  const current = playback.get();
  if (!current || next.revision >= current.revision) playback.set(next);
}

export async function loadPlayback(): Promise<void> {
  applyPlayback(await ok(api.GET('/api/v1/playback')));
}

function conflictState(error: unknown): PlaybackState | undefined {
  return error instanceof ApiError ? (error.body as { state?: PlaybackState } | undefined)?.state : undefined;
}

/**
 * Sends one playback command (`POST /api/v1/playback/commands`) with this device's token and applies the answer.
 * A 409 carries the current state, which is applied too. A refused device token (another tab rotated it) registers
 * again and retries once with the same `commandId`, so the command still applies once. Errors are shown as a notice
 * and rethrown.
 */
export async function sendCommand<T extends CommandType>(type: T, args?: CommandArgs<T>): Promise<PlaybackState> {
  const body = { commandId: crypto.randomUUID(), type, args: args ?? {} } as never;
  try {
    const state = await asDevice(() => ok(api.POST('/api/v1/playback/commands', { body })));
    applyPlayback(state);
    return state;
  } catch (error) {
    applyPlayback(conflictState(error));
    notify(describeError(error), 'error');
    throw error;
  }
}

/** Where the current track is now, ms, projected from the server clock (0 with nothing current). */
export function currentPositionMs(state: PlaybackState | null = playback.get()): number {
  if (!state?.current) return 0;
  const item = state.queue.items.find((entry) => entry.itemId === state.current?.queueItemId);
  return projectPosition(state, serverNow(), item?.durationMs ?? null);
}

/** The queue item playing now, with its index in play order. */
export function currentItem(state: PlaybackState | null = playback.get()) {
  if (!state?.current) return null;
  const index = state.queue.items.findIndex((entry) => entry.itemId === state.current?.queueItemId);
  return index < 0 ? null : { index, item: state.queue.items[index]! };
}

/** Reports where this (active) device is: every few seconds while playing and when a track ends. */
export async function reportPosition(positionMs: number, ended = false): Promise<void> {
  const state = playback.get();
  if (!state) return;
  const body = { revision: state.revision, positionMs: Math.max(0, Math.round(positionMs)), ...(ended ? { ended: true } : {}) };
  try {
    applyPlayback(await asDevice(() => ok(api.POST('/api/v1/playback/report', { body }))));
  } catch (error) {
    const latest = conflictState(error);
    if (latest) {
      applyPlayback(latest);
      // The track ended while something else changed the state; the end still has to be reported against it.
      if (ended && latest.activeDeviceId && latest.current?.queueItemId === state.current?.queueItemId) {
        await ok(api.POST('/api/v1/playback/report', { body: { ...body, revision: latest.revision } })).then(applyPlayback, () => undefined);
      }
    }
  }
}
