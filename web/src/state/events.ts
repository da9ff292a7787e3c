import { api } from '../api/client';
import type { DeviceStatus, PlaybackState } from '../api/types';
import { createStore } from '../lib/store';
import { syncClock } from './clock';
import { connectivity } from './connectivity';
import { applyPlayback, devices, loadPlayback } from './playback';

/** A `library` or `scan` event as pages may want it (live only; refetch after a reconnect). */
export interface LiveEvent {
  type: 'library' | 'scan' | 'collection';
  data: unknown;
}

type Listener = (event: LiveEvent) => void;
const liveListeners = new Set<Listener>();

/** Listens to `library`, `scan` and `collection` events (e.g. the library status page); returns the unsubscriber. */
export function onLiveEvent(listener: Listener): () => void {
  liveListeners.add(listener);
  return () => liveListeners.delete(listener);
}

/** Whether the event stream is open now; the offline banner shows while it is not (after a short grace). */
export const streamOpen = createStore(false);

function parse(event: MessageEvent<string>): { data: unknown } | null {
  try {
    return JSON.parse(event.data) as { data: unknown };
  } catch {
    return null;
  }
}

/**
 * Opens `GET /api/v1/events?deviceId=…` (the session cookie authenticates; EventSource sends no headers) and feeds
 * the playback and device stores. EventSource reconnects by itself with `Last-Event-ID`, and the server replays
 * what was missed; after a reconnect the playback state is fetched once more in case the replay fell back to a
 * snapshot. Returns a function that closes the stream.
 */
export function connectEvents(deviceId: string): () => void {
  let source: EventSource | null = null;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let wasOpen = false;

  const open = () => {
    source = new EventSource(`/api/v1/events?deviceId=${encodeURIComponent(deviceId)}`);
    source.addEventListener('open', () => {
      streamOpen.set(true);
      connectivity.reportReachable();
      if (wasOpen) {
        void loadPlayback().catch(() => undefined);
        void syncClock();
      }
      wasOpen = true;
    });
    source.addEventListener('error', () => {
      streamOpen.set(false);
      // A refused stream (401/404) is closed for good by the browser: ask the API why (an ended session signs out
      // through the client's 401 handling, an unreachable server shows as offline), then try again after a pause.
      if (source?.readyState === EventSource.CLOSED && !closed) {
        void api.GET('/api/v1/me').catch(() => undefined);
        retryTimer = setTimeout(open, 3000);
      }
    });
    source.addEventListener('snapshot', (event) => {
      const payload = parse(event as MessageEvent<string>)?.data as { playback: PlaybackState | null; devices: DeviceStatus[] } | undefined;
      if (!payload) return;
      applyPlayback(payload.playback);
      devices.set(payload.devices);
    });
    source.addEventListener('playback', (event) => applyPlayback(parse(event as MessageEvent<string>)?.data as PlaybackState | undefined));
    source.addEventListener('devices', (event) => {
      const payload = parse(event as MessageEvent<string>)?.data as { devices: DeviceStatus[] } | undefined;
      if (payload) devices.set(payload.devices);
    });
    for (const type of ['library', 'scan', 'collection'] as const) {
      source.addEventListener(type, (event) => {
        const payload = parse(event as MessageEvent<string>);
        if (payload) liveListeners.forEach((listener) => listener({ type, data: payload.data }));
      });
    }
  };
  open();
  return () => {
    closed = true;
    clearTimeout(retryTimer);
    source?.close();
    streamOpen.set(false);
  };
}
