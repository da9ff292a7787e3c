import { createStore } from '../lib/store';

/**
 * Whether the server answers. Any failed request or a dropped event stream marks the app offline (the banner shows);
 * the next answer marks it online again. A 401 means the session ended: the session store listens and signs out.
 */
export const connectivity = (() => {
  const online = createStore(true);
  const unauthorizedListeners = new Set<() => void>();
  return {
    online,
    reportReachable: () => online.set(true),
    reportUnreachable: () => online.set(false),
    reportUnauthorized: () => unauthorizedListeners.forEach((listener) => listener()),
    onUnauthorized(listener: () => void): () => void {
      unauthorizedListeners.add(listener);
      return () => unauthorizedListeners.delete(listener);
    },
  };
})();
