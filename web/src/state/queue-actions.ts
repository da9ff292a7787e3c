import { plural } from '../lib/format';
import { notify } from './notices';
import { sendCommand } from './playback';

/** What to play or queue: some tracks, a whole album (disc/track order) or a playlist. */
export type TrackSource = { trackIds: string[] } | { albumId: string } | { playlistId: string };

/** The queue holds at most this many items (server rule); longer lists are cut around the chosen track. */
const QUEUE_LIMIT = 2000;

/** Replaces the queue with `source` and plays, starting at `startIndex` (default the first). */
export async function playSource(source: TrackSource, startIndex = 0): Promise<void> {
  if ('trackIds' in source && source.trackIds.length > QUEUE_LIMIT) {
    const from = Math.max(0, Math.min(startIndex - 100, source.trackIds.length - QUEUE_LIMIT));
    await sendCommand('play', { trackIds: source.trackIds.slice(from, from + QUEUE_LIMIT), startIndex: startIndex - from });
    return;
  }
  await sendCommand('play', { ...source, startIndex });
}

/** Adds `source` right after the current item (`next`) or at the end, and says how many tracks went in. */
export async function queueSource(source: TrackSource, at: 'next' | 'end', label: string): Promise<void> {
  const state = await sendCommand('queue.add', { ...source, at });
  const added = state.queue.items.length;
  notify(at === 'next' ? `${label} will play next.` : `${label} added to the queue (${plural(added, 'item')} in it now).`);
}
