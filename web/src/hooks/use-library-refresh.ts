import { useEffect, useRef } from 'react';
import { onLiveEvent } from '../state/events';

/**
 * Calls `reload` (at most once a second) when the library changes (`library` and `scan` events), while `enabled`:
 * an empty page fills in by itself as the first scan finds music, without reloading a long list under the reader.
 */
export function useLibraryRefresh(reload: () => void, enabled: boolean): void {
  const latest = useRef(reload);
  latest.current = reload;
  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = onLiveEvent(({ type }) => {
      if (type === 'collection' || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        latest.current();
      }, 1000);
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [enabled]);
}
