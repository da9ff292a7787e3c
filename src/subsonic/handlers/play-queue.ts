import type { AuthUser } from '../../auth/auth-service.js';
import { effectivePositionMs, type PlaybackState } from '../../playback/state.js';
import { missingParameter, SubsonicError } from '../errors.js';
import type { Handler, HandlerContext, Reader } from '../handler-kit.js';
import { toChild } from '../mapping.js';
import type { Model } from '../serializer.js';

/** `changedBy` when the client sent no name (`c` is required by the spec, but not every client sends it). */
const UNNAMED_CLIENT = 'unknown client';
/** `changedBy` when the session was last changed by the server itself or a web session (no device). */
const SERVER = 'Omnisonic';

/**
 * The Subsonic play queue (Endpoints/getPlayQueue, savePlayQueue; OpenSubsonic `indexBasedQueue`:
 * getPlayQueueByIndex, savePlayQueueByIndex) is the user's one playback session — the queue, current item and
 * position that `GET /api/v1/playback` shows and Omnisonic apps control — not a separate copy.
 *
 * Saving goes through the playback service (`setQueue`): it replaces the queue, makes the given song current at
 * `position` (ms) and never starts playback anywhere; a session playing on a device is left paused on it. Every
 * song must be one the user can play (70 otherwise). `changedBy` is the `c` of the client whose save made the
 * session's current revision; after anything else changed the session (an app's command or progress report) it is
 * the name of the device that did, or "Omnisonic". `position` is where playback is now (the session's position
 * moves on while it plays).
 */
export function playQueueHandlers(context: HandlerContext): Record<string, Handler> {
  const { deps } = context;
  const { playback, playQueueSaves, clock } = deps;

  async function origin(user: AuthUser, state: PlaybackState): Promise<{ changedBy: string; changed: number }> {
    const save = await playQueueSaves.findPlayQueueSave(user.id);
    if (save && save.revision === state.revision) return { changedBy: save.client, changed: Number(save.savedAt) };
    const device = state.updatedBy === null ? undefined : await deps.devices.findOwned(user.id, state.updatedBy);
    return { changedBy: device?.name ?? SERVER, changed: state.positionAsOf };
  }

  /** The fields both queue shapes share, and the current item's index in the queue (-1: none). */
  async function queueOf(user: AuthUser): Promise<{ fields: Model; currentIndex: number; current: string | undefined }> {
    const state = await playback.getState(user.id);
    const ids = state.queue.items.map((item) => item.trackId);
    const unique = [...new Set(ids)];
    const [tracks, stars, { changedBy, changed }] = await Promise.all([
      deps.catalog.tracksByIds(user, unique),
      deps.repository.starredAt(user.id, 'track', unique),
      origin(user, state),
    ]);
    const songs = new Map(tracks.map((track) => [track.id, toChild(track, stars.get(track.id))]));
    // A track the user can no longer see (access revoked since it was queued) is left out, as everywhere else.
    const items = state.queue.items.filter((item) => songs.has(item.trackId));
    const currentIndex = items.findIndex((item) => item.itemId === state.current?.queueItemId);
    return {
      fields: {
        position: currentIndex < 0 ? undefined : effectivePositionMs(state, clock.now()),
        username: user.username,
        changed: new Date(changed).toISOString(),
        changedBy,
        entry: items.map((item) => songs.get(item.trackId)!),
      },
      currentIndex,
      current: currentIndex < 0 ? undefined : items[currentIndex]!.trackId,
    };
  }

  /** `position` in ms; empty means 0 (OpenSubsonic). */
  function positionOf(p: Reader): number {
    const position = p.int('position') ?? 0;
    if (position < 0) throw new SubsonicError(0, 'Parameter position must be a position in ms (0 or more).');
    return position;
  }

  async function save(user: AuthUser, p: Reader, trackIds: string[], currentIndex: number | null): Promise<Model> {
    const state = await playback.setQueue(user, { trackIds, currentIndex, positionMs: currentIndex === null ? 0 : positionOf(p), keepPlaying: false });
    const client = p.str('c');
    await playQueueSaves.savePlayQueueSave({ userId: user.id, client: client === undefined || client === '' ? UNNAMED_CLIENT : client.slice(0, 200), revision: state.revision, savedAt: clock.now() });
    return {};
  }

  return {
    getPlayQueue: async (user) => {
      const { fields, current } = await queueOf(user);
      return { playQueue: { current, ...fields } };
    },

    getPlayQueueByIndex: async (user) => {
      const { fields, currentIndex } = await queueOf(user);
      return { playQueueByIndex: { currentIndex: currentIndex < 0 ? undefined : currentIndex, ...fields } };
    },

    // OpenSubsonic: no `id` clears the queue; otherwise `current` is required and must be one of the ids (the first
    // occurrence is current: plain Subsonic cannot tell duplicates apart, which is what the index variant is for).
    savePlayQueue: async (user, p) => {
      const ids = p.all('id').filter((id) => id !== '');
      if (ids.length === 0) return save(user, p, [], null);
      const current = p.required('current');
      const index = ids.indexOf(current);
      if (index < 0) throw new SubsonicError(0, 'The current song must be one of the queue\'s ids.');
      return save(user, p, ids, index);
    },

    // indexBasedQueue: `currentIndex` is required unless the queue is empty, and must then be left out; out of
    // range → 10, as Endpoints/savePlayQueueByIndex requires.
    savePlayQueueByIndex: async (user, p) => {
      const ids = p.all('id').filter((id) => id !== '');
      const index = p.int('currentIndex');
      if (ids.length === 0) {
        if (index !== undefined) throw new SubsonicError(0, 'currentIndex must not be set when the queue is empty.');
        return save(user, p, [], null);
      }
      if (index === undefined) throw missingParameter('currentIndex');
      if (index < 0 || index >= ids.length) throw new SubsonicError(10, `currentIndex must be between 0 and ${ids.length - 1}.`);
      return save(user, p, ids, index);
    },
  };
}
