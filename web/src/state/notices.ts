import { createStore } from '../lib/store';

/** A short message at the bottom of the screen ("Added 12 tracks to the queue", "Could not skip: …"). */
export interface Notice {
  id: number;
  text: string;
  tone: 'info' | 'error';
}

export const notices = createStore<Notice[]>([]);
let nextId = 1;

/** Shows a notice for a few seconds; errors stay longer. Screen readers hear it through the live region. */
export function notify(text: string, tone: Notice['tone'] = 'info'): void {
  const notice = { id: nextId++, text, tone };
  notices.set((list) => [...list.slice(-2), notice]);
  setTimeout(() => notices.set((list) => list.filter((n) => n.id !== notice.id)), tone === 'error' ? 7000 : 3500);
}
