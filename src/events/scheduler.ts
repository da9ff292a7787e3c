/** Timers behind an adapter, so the real-time layer's periodic work can be driven and stopped deterministically. */
export interface Scheduler {
  /** Runs `task` every `ms` until the returned function is called. */
  every(ms: number, task: () => void): () => void;
  /** Runs `task` once after `ms` unless the returned function is called first. */
  after(ms: number, task: () => void): () => void;
}

/** Node timers, unref'd: periodic upkeep never keeps a process alive on its own. */
export const nodeScheduler: Scheduler = {
  every(ms, task) {
    const timer = setInterval(task, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
  after(ms, task) {
    const timer = setTimeout(task, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
