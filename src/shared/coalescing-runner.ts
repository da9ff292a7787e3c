/**
 * Runs an async pass at most once at a time. A call while a pass runs does not start a second one: it makes the
 * running one go round once more when it ends (so work queued meanwhile is not left out) and shares its promise.
 * `keepGoing` can end the rounds early (e.g. on shutdown).
 */
export function createCoalescingRunner(pass: () => Promise<void>, keepGoing: () => boolean = () => true) {
  let running: Promise<void> | null = null;
  let again = false;
  return {
    /** Starts a pass, or asks the running one for another round; resolves when no pass is running. */
    run(): Promise<void> {
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        do {
          again = false;
          await pass();
        } while (again && keepGoing());
      })().finally(() => {
        running = null;
      });
      return running;
    },
    /** The pass under way, if any. */
    current: (): Promise<void> | null => running,
  };
}
