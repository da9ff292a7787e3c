import type { SyncApi } from './api-client.js';
import { backoffDelay } from './backoff.js';

/**
 * Calls `onLibrary` for every `library` event of the server-sent event stream (`GET /api/v1/events`), so a
 * continuously running client syncs within moments of a change instead of at its next poll. Reconnects with backoff
 * after errors; stops when `signal` aborts. Polling stays the safety net: `library` events are live-only.
 */
export async function watchLibraryEvents(
  api: SyncApi,
  onLibrary: () => void,
  deps: { signal: AbortSignal; sleep: (ms: number, signal?: AbortSignal) => Promise<void>; random: () => number },
): Promise<void> {
  let attempt = 0;
  while (!deps.signal.aborted) {
    try {
      const response = await api.events(deps.signal);
      attempt = 0;
      for await (const name of eventNames(response)) if (name === 'library') onLibrary();
    } catch {
      // Unreachable, refused or cut off: try again later; the poll keeps the mirror current meanwhile.
    }
    if (deps.signal.aborted) return;
    await deps.sleep(backoffDelay(attempt, deps.random, { baseMs: 1000, maxMs: 60_000 }), deps.signal).catch(() => undefined);
    attempt += 1;
  }
}

/** The `event:` name of each event in a text/event-stream body ("message" when it has none). */
export async function* eventNames(response: Response): AsyncGenerator<string> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk, { stream: true });
    const blocks = buffered.split(/\r?\n\r?\n/);
    buffered = blocks.pop()!;
    for (const block of blocks) {
      const lines = block.split(/\r?\n/);
      if (!lines.some((l) => l.startsWith('data:') || l.startsWith('event:'))) continue; // comments, retry
      const event = lines.find((l) => l.startsWith('event:'));
      yield event ? event.slice('event:'.length).trim() : 'message';
    }
  }
}
