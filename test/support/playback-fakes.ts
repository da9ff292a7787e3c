import type { UserEvent } from '../../src/events/contracts.js';
import type { RecordPlay } from '../../src/playback/playback-service.js';
import type { PlaybackOverrides } from '../../src/playback/wiring.js';
import { AppError } from '../../src/shared/errors.js';

/** A clock tests move by hand. */
export function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/**
 * In-memory stand-ins for what playback links to, as `buildApp` overrides: delivered events, device presence (a
 * set of online device ids), recorded plays, playlists, and a scheduler whose sweeps the test runs with `sweep()`.
 */
export function fakePlaybackLinks() {
  const events: UserEvent[] = [];
  let appended = 0;
  const online = new Set<string>();
  const plays: Parameters<RecordPlay>[0][] = [];
  /** Track ids by `userId/playlistId`. */
  const playlists = new Map<string, string[]>();
  const sweeps: (() => unknown)[] = [];
  const overrides: PlaybackOverrides = {
    publisher: {
      // An event counts once delivered: the event of a write that rolled back is appended but never delivered.
      appendIn: async (_executor, userId, type, data) => ({ id: ++appended, userId, type, data, at: 0 }),
      deliver: (event) => void events.push(event),
    },
    presence: {
      isOnline: async (_userId, deviceId) => online.has(deviceId),
      onlineDeviceIds: async () => [...online],
    },
    recordPlay: async (play) => {
      plays.push(play);
    },
    resolvePlaylistTrackIds: async (userId, playlistId) => {
      const ids = playlists.get(`${userId}/${playlistId}`);
      if (!ids) throw new AppError('playlist_not_found');
      return ids;
    },
    scheduler: {
      every: (_ms, task) => {
        sweeps.push(task);
        return () => sweeps.splice(sweeps.indexOf(task), 1);
      },
    },
  };
  return {
    overrides,
    events,
    online,
    plays,
    playlists,
    /** Runs one sweep of every app built with these overrides and waits for it. */
    async sweep() {
      for (const task of [...sweeps]) await task();
    },
  };
}
