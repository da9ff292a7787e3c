import path from 'node:path';
import type { Clock } from '../shared/clock.js';
import { createCoalescingRunner } from '../shared/coalescing-runner.js';
import type { LibraryRepository } from './library-repository.js';

export interface HashingDeps {
  repository: LibraryRepository;
  /** Times the sync change-log event of a stored hash (sync clients wait for the SHA-256 before downloading). */
  clock: Clock;
  sha256File(absPath: string): Promise<string>;
  stat(absPath: string): Promise<{ size: number; mtimeMs: number } | null>;
}

/** Tracks fetched per query; hashing works through them one file at a time. */
const PAGE = 100;

/**
 * The background content-hash phase: fills `tracks.content_hash` (SHA-256 of the whole file, the strong ETag) for
 * every available track lacking one. One file at a time, streamed, yielding to the event loop between files, so
 * browsing and streaming are never blocked. A file whose size or mtime changed while it was hashed is left for the
 * next round (the next scan re-reads it anyway).
 */
export function createContentHasher(deps: HashingDeps) {
  let stopped = false;

  async function hashAll(): Promise<void> {
    let afterId = '';
    while (!stopped) {
      const page = await deps.repository.unhashedTracks(PAGE, afterId);
      if (page.length === 0) return;
      for (const track of page) {
        if (stopped) return;
        afterId = track.id;
        const absPath = path.join(track.rootPath, track.path);
        try {
          const hash = await deps.sha256File(absPath);
          const after = await deps.stat(absPath);
          if (after && after.size === track.size && after.mtimeMs === track.mtimeMs) {
            await deps.repository.setContentHash(track.id, hash, track.size, track.mtimeMs, deps.clock.now());
          }
        } catch {
          // Unreadable or gone: the next scan marks it; hashing moves on.
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  const runner = createCoalescingRunner(hashAll, () => !stopped);

  return {
    /**
     * Starts hashing unless it is running; a call while it runs makes it go round once more so tracks added
     * meanwhile are not left out. Resolves when no hashing is left.
     */
    run(): Promise<void> {
      stopped = false;
      return runner.run();
    },
    pending: () => deps.repository.countUnhashed(),
    /** Stops after the current file. */
    async stop(): Promise<void> {
      stopped = true;
      await runner.current();
    },
  };
}

export type ContentHasher = ReturnType<typeof createContentHasher>;
