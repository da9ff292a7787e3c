/** Delayed callbacks, behind an adapter so retry schedules are testable with a fake clock. */
export interface Timer {
  /** Calls `callback` once after `delayMs` (ms); returns a function that cancels it. */
  schedule(delayMs: number, callback: () => void): () => void;
}

/** `setTimeout`, unref'd so a pending retry never keeps the process alive. */
export const systemTimer: Timer = {
  schedule(delayMs, callback) {
    // setTimeout fires at once for delays above 2^31 - 1 ms; no retry is scheduled that far ahead, but clamp anyway.
    const handle = setTimeout(callback, Math.min(Math.max(0, delayMs), 2 ** 31 - 1));
    handle.unref();
    return () => clearTimeout(handle);
  },
};
