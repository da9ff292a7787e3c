import { api, ok } from '../api/client';
import type { PlaybackState, Track } from '../api/types';
import { createStore } from '../lib/store';
import { asDevice, thisDeviceId } from './device';
import { currentPositionMs, playback, reportPosition, sendCommand } from './playback';
import { notify } from './notices';
import { artworkUrl, getTrack } from './tracks';

/** How often the active device tells the server where it is, ms. */
const REPORT_INTERVAL_MS = 5000;
/** A state whose position differs more than this from the audio's is a seek (or a jump elsewhere), ms. */
const SEEK_TOLERANCE_MS = 1500;

/** Set when the browser refused to start audio without a click here (autoplay policy); the UI offers a button. */
export const needsGesture = createStore(false);

/**
 * Plays the user's session through one `<audio>` element when this browser is the active device, and stays silent
 * otherwise (a remote control). It follows the playback store: loads the current item's signed stream URL, seeks
 * when the state's position moves away from the audio's, plays and pauses with the state, reports its position
 * every few seconds and when a track ends. Also drives the Media Session (OS media keys, lock screen).
 */
export function startAudioEngine(): () => void {
  const audio = document.createElement('audio');
  audio.preload = 'auto';
  audio.setAttribute('aria-hidden', 'true');
  audio.dataset.role = 'omnisonic-player';
  document.body.appendChild(audio);

  let loadedItemId: string | null = null;
  let loading = 0;
  let lastRevision = -1;

  // Tabs of one browser share its device; only the tab holding this lock plays, the others act as remotes (and one
  // of them takes over when that tab closes). Without Web Locks (plain-HTTP LAN addresses) every tab may play.
  let holdsPlayerLock = !('locks' in navigator);
  let releasePlayerLock: (() => void) | undefined;
  const stopWaiting = new AbortController();
  if (!holdsPlayerLock) {
    navigator.locks.request(
      'omnisonic-player',
      { signal: stopWaiting.signal },
      () =>
        new Promise<void>((release) => {
          holdsPlayerLock = true;
          releasePlayerLock = release;
          apply(playback.get());
        }),
    ).catch(() => undefined);
  }

  const isActive = (state: PlaybackState | null) =>
    holdsPlayerLock && !!state && !!thisDeviceId() && state.activeDeviceId === thisDeviceId();

  async function load(state: PlaybackState): Promise<void> {
    const current = state.current!;
    const ticket = ++loading;
    loadedItemId = current.queueItemId;
    audio.pause();
    try {
      const { url } = await asDevice(() => ok(api.GET('/api/v1/tracks/{id}/stream-url', { params: { path: { id: current.trackId } } })));
      if (ticket !== loading) return;
      audio.src = url;
      audio.currentTime = currentPositionMs() / 1000;
      apply(playback.get());
    } catch {
      if (ticket === loading) loadedItemId = null;
    }
  }

  function play(): void {
    audio.play().then(
      () => needsGesture.set(false),
      (error: unknown) => {
        if (error instanceof DOMException && error.name === 'NotAllowedError') needsGesture.set(true);
      },
    );
  }

  function apply(state: PlaybackState | null): void {
    const revisionChanged = !!state && state.revision !== lastRevision;
    if (state) lastRevision = state.revision;
    if (!state || !isActive(state) || !state.current) {
      // A remote control plays nothing; becoming the active device again loads a fresh stream URL.
      if (!audio.paused) audio.pause();
      needsGesture.set(false);
      loadedItemId = null;
      loading += 1;
      return;
    }
    audio.volume = Math.min(1, Math.max(0, state.volume / 100));
    if (state.current.queueItemId !== loadedItemId) {
      void load(state);
      return;
    }
    if (!audio.src) return;
    if (revisionChanged) {
      const target = currentPositionMs(state);
      if (Math.abs(audio.currentTime * 1000 - target) > SEEK_TOLERANCE_MS) audio.currentTime = target / 1000;
    }
    if (state.playState === 'playing') {
      if (audio.paused) play();
    } else if (!audio.paused) {
      audio.pause();
    }
  }

  const report = () => {
    const state = playback.get();
    if (isActive(state) && state?.playState === 'playing' && !audio.paused && loadedItemId === state.current?.queueItemId) {
      void reportPosition(audio.currentTime * 1000);
    }
  };
  const reportTimer = setInterval(report, REPORT_INTERVAL_MS);

  const onEnded = () => {
    const state = playback.get();
    if (!isActive(state) || loadedItemId !== state?.current?.queueItemId) return;
    loadedItemId = null;
    void reportPosition((Number.isFinite(audio.duration) ? audio.duration : audio.currentTime) * 1000, true);
  };
  let failedItemId: string | null = null;
  const onError = () => {
    const state = playback.get();
    if (!isActive(state) || !state?.current) return;
    const itemId = state.current.queueItemId;
    loadedItemId = null;
    if (failedItemId === itemId) {
      // It failed again with a fresh URL: this browser cannot play the file (codec) or it is unreadable; move on.
      failedItemId = null;
      void getTrack(state.current.trackId).then(
        (track) => notify(`This browser cannot play “${track.title}”; skipping it.`, 'error'),
        () => undefined,
      );
      void sendCommand('next').catch(() => undefined);
      return;
    }
    // Most likely an expired or voided stream URL: fetch a fresh one and carry on from the same place.
    failedItemId = itemId;
    setTimeout(() => apply(playback.get()), 1000);
  };
  audio.addEventListener('ended', onEnded);
  audio.addEventListener('error', onError);

  const unsubscribe = playback.subscribe(() => {
    const state = playback.get();
    apply(state);
    void updateMediaSession(state);
  });
  apply(playback.get());
  const stopMediaSession = bindMediaSessionActions();

  return () => {
    stopWaiting.abort();
    releasePlayerLock?.();
    unsubscribe();
    stopMediaSession();
    clearInterval(reportTimer);
    audio.pause();
    audio.removeAttribute('src');
    audio.remove();
  };
}

let sessionTrackId: string | null = null;

async function updateMediaSession(state: PlaybackState | null): Promise<void> {
  if (!('mediaSession' in navigator)) return;
  navigator.mediaSession.playbackState = state?.playState === 'playing' ? 'playing' : state?.current ? 'paused' : 'none';
  const trackId = state?.current?.trackId ?? null;
  if (trackId !== sessionTrackId) {
    sessionTrackId = trackId;
    if (!trackId) {
      navigator.mediaSession.metadata = null;
      return;
    }
    let track: Track;
    try {
      track = await getTrack(trackId);
    } catch {
      return;
    }
    if (sessionTrackId !== trackId) return;
    const artwork = [96, 256, 512]
      .map((size) => ({ src: artworkUrl(track.artworkId, size), sizes: `${size}x${size}` }))
      .filter((entry): entry is { src: string; sizes: string } => entry.src !== null);
    navigator.mediaSession.metadata = new MediaMetadata({ title: track.title, artist: track.artist, album: track.album ?? '', artwork });
  }
  const duration = state?.queue.items.find((item) => item.itemId === state.current?.queueItemId)?.durationMs;
  if (duration && state) {
    try {
      navigator.mediaSession.setPositionState({
        duration: duration / 1000,
        position: Math.min(duration, currentPositionMs(state)) / 1000,
        playbackRate: 1,
      });
    } catch {
      // Browsers refuse a position state they consider inconsistent; the next update sets it again.
    }
  }
}

function bindMediaSessionActions(): () => void {
  if (!('mediaSession' in navigator)) return () => undefined;
  const session = navigator.mediaSession;
  const quietly = (run: () => Promise<unknown>) => () => void run().catch(() => undefined);
  const handlers: [MediaSessionAction, MediaSessionActionHandler][] = [
    ['play', quietly(() => sendCommand('resume'))],
    ['pause', quietly(() => sendCommand('pause'))],
    ['previoustrack', quietly(() => sendCommand('previous'))],
    ['nexttrack', quietly(() => sendCommand('next'))],
    ['seekto', (details) => details.seekTime !== undefined && void sendCommand('seek', { positionMs: Math.round(details.seekTime * 1000) }).catch(() => undefined)],
    ['seekbackward', quietly(() => sendCommand('seek', { positionMs: Math.max(0, Math.round(currentPositionMs() - 10_000)) }))],
    ['seekforward', quietly(() => sendCommand('seek', { positionMs: Math.round(currentPositionMs() + 10_000) }))],
  ];
  for (const [action, handler] of handlers) {
    try {
      session.setActionHandler(action, handler);
    } catch {
      // Not every browser knows every action.
    }
  }
  return () => handlers.forEach(([action]) => {
    try {
      session.setActionHandler(action, null);
    } catch {
      // As above.
    }
  });
}
