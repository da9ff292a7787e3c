import { randomUUID } from 'node:crypto';
import type { AuthUser } from '../../auth/auth-service.js';
import type { CommandRequest } from '../../playback/schemas.js';
import { effectivePositionMs, type PlaybackState } from '../../playback/state.js';
import { missingParameter, SubsonicError } from '../errors.js';
import type { Handler, HandlerContext, Reader } from '../handler-kit.js';
import { toChild } from '../mapping.js';
import type { Model } from '../serializer.js';

/** A playback command without the fields this module fills in (each member of the union on its own). */
type Command = CommandRequest extends infer C ? (C extends CommandRequest ? Omit<C, 'commandId' | 'expectedRevision'> : never) : never;

/**
 * Whether the user may use `jukeboxControl` (and what `getUser` says as `jukeboxRole`): one of their Omnisonic
 * devices is online. Subsonic's jukebox plays on the server's own sound card; Omnisonic has none, so the jukebox is
 * the user's playback session played by one of their own devices — without a device online there is nothing to
 * play on, whatever the user's role.
 */
export async function hasJukebox(context: HandlerContext, user: Pick<AuthUser, 'id'>): Promise<boolean> {
  return (await context.deps.presence.onlineDeviceIds(user.id)).length > 0;
}

/**
 * `jukeboxControl` (Endpoints/jukeboxControl) mapped onto the user's playback session and its active device, through
 * the playback service's commands, so every app of the user sees the change at once. The jukebox playlist is the
 * session's queue in play order; `gain` is the session volume / 100; `position` is seconds.
 *
 * Actions: `get` (jukeboxPlaylist), `status`, `set` (replaces the queue; the current song stays current and keeps
 * playing when it is in the new list), `start` (resume), `stop` (pause: `start` goes on where it stopped), `skip`
 * (`index`, `offset` s), `add` (`id`s at the end), `clear` (empties the queue, which stops), `remove` (`index`),
 * `shuffle` (a new random order), `setGain` (`gain` 0.0–1.0). `start` and `skip` need a device to play on: the
 * active device, or else the user's first online device, which playback is transferred to first.
 * Errors: 50 without a jukebox (no device online, see `hasJukebox`); 10 for a missing parameter; 0 for an unknown
 * action or an index outside the playlist; 70 for songs the user cannot play.
 */
export function jukeboxHandlers(context: HandlerContext): Record<string, Handler> {
  const { deps } = context;
  const { playback, clock } = deps;

  const run = (user: AuthUser, command: Command) => playback.execute(user, { commandId: randomUUID(), ...command } as CommandRequest);

  function status(state: PlaybackState): Model {
    const currentIndex = state.queue.items.findIndex((item) => item.itemId === state.current?.queueItemId);
    return {
      currentIndex,
      playing: state.playState === 'playing',
      gain: state.volume / 100,
      position: currentIndex < 0 ? 0 : Math.floor(effectivePositionMs(state, clock.now()) / 1000),
    };
  }

  /** The queue item at `index` (required); outside the queue → 0. */
  function itemAt(state: PlaybackState, p: Reader): string {
    const index = p.int('index');
    if (index === undefined) throw missingParameter('index');
    const item = state.queue.items[index];
    if (index < 0 || !item) throw new SubsonicError(0, `The jukebox playlist has ${state.queue.items.length} songs; there is no song ${index}.`);
    return item.itemId;
  }

  /** Makes sure a device plays: the active one, else the first online one takes over (paused). */
  async function withDevice(user: AuthUser, state: PlaybackState): Promise<PlaybackState> {
    if (state.activeDeviceId !== null) return state;
    const [deviceId] = await deps.presence.onlineDeviceIds(user.id);
    if (deviceId === undefined) throw new SubsonicError(50, 'No device of yours is online to play the jukebox.');
    return run(user, { type: 'transfer', args: { deviceId, play: false } });
  }

  async function act(user: AuthUser, p: Reader, state: PlaybackState): Promise<PlaybackState> {
    const action = p.required('action');
    switch (action) {
      case 'status':
        return state;
      case 'set': {
        const ids = p.all('id').filter((id) => id !== '');
        const kept = state.current === null ? -1 : ids.indexOf(state.current.trackId);
        return playback.setQueue(user, {
          trackIds: ids,
          currentIndex: kept >= 0 ? kept : ids.length > 0 ? 0 : null,
          positionMs: kept >= 0 ? effectivePositionMs(state, clock.now()) : 0,
          keepPlaying: kept >= 0,
        });
      }
      case 'start':
        return run(user, { type: 'resume', args: {} });
      case 'stop':
        return state.playState === 'playing' ? run(user, { type: 'pause', args: {} }) : state;
      case 'skip': {
        const queueItemId = itemAt(state, p);
        const offset = p.int('offset') ?? 0;
        if (offset < 0) throw new SubsonicError(0, 'Parameter offset must be seconds (0 or more).');
        return run(user, { type: 'play', args: { queueItemId, positionMs: offset * 1000 } });
      }
      case 'add': {
        const ids = p.all('id').filter((id) => id !== '');
        if (ids.length === 0) throw missingParameter('id');
        return run(user, { type: 'queue.add', args: { trackIds: ids, at: 'end' } });
      }
      case 'clear':
        if (state.queue.items.length === 0) return state;
        return run(user, { type: 'queue.remove', args: { itemIds: state.queue.items.map((item) => item.itemId) } });
      case 'remove':
        return run(user, { type: 'queue.remove', args: { itemIds: [itemAt(state, p)] } });
      case 'shuffle': {
        // Shuffling an already shuffled queue orders it anew, as Subsonic's shuffle does every time.
        if (state.shuffle) await run(user, { type: 'shuffle', args: { enabled: false } });
        return run(user, { type: 'shuffle', args: { enabled: true } });
      }
      case 'setGain': {
        const raw = p.str('gain');
        if (raw === undefined || raw === '') throw missingParameter('gain');
        const gain = Number(raw);
        if (!/^\d*\.?\d+$/.test(raw.trim()) || gain > 1) throw new SubsonicError(0, 'Parameter gain must be a number from 0.0 to 1.0.');
        return run(user, { type: 'volume', args: { percent: Math.round(gain * 100) } });
      }
      default:
        throw new SubsonicError(0, `Unknown jukebox action: ${action}.`);
    }
  }

  return {
    jukeboxControl: async (user, p) => {
      if (!(await hasJukebox(context, user))) throw new SubsonicError(50, 'The jukebox needs one of your Omnisonic devices online to play on.');
      let state = await playback.getState(user.id);
      const action = p.required('action');
      if (action === 'get') {
        const ids = [...new Set(state.queue.items.map((item) => item.trackId))];
        const [tracks, stars] = await Promise.all([deps.catalog.tracksByIds(user, ids), deps.repository.starredAt(user.id, 'track', ids)]);
        const songs = new Map(tracks.map((track) => [track.id, toChild(track, stars.get(track.id))]));
        const entry = state.queue.items.flatMap((item) => songs.get(item.trackId) ?? []);
        return { jukeboxPlaylist: { ...status(state), entry } };
      }
      if (action === 'start' || action === 'skip') state = await withDevice(user, state);
      return { jukeboxStatus: status(await act(user, p, state)) };
    },
  };
}
