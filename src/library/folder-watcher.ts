import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

export interface FolderWatcherOptions {
  /** Absolute library roots. */
  roots: string[];
  /** Quiet time after the last event before the batch is handed over, ms. */
  debounceMs: number;
  /** Longest a busy stream of events may hold a batch back, ms. */
  maxWaitMs: number;
  /** Absolute folders whose content changed (a file's folder, or a folder itself when it was added or removed). */
  onChange(dirs: string[]): void;
  onError?(error: unknown): void;
}

export interface FolderWatcher {
  /** Resolves once the initial directory listing is done and changes are being reported. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Watches the music folders with chokidar and reports changed folders in debounced batches: a copy of many files
 * or a move across folders arrives as one batch, so one scoped scan sees both ends of a move. Dot-files are ignored
 * like the walk ignores them.
 */
export function watchFolders(options: FolderWatcherOptions): FolderWatcher {
  const roots = new Set(options.roots.map((r) => path.resolve(r)));
  const watcher: FSWatcher = watch([...roots], {
    ignoreInitial: true,
    followSymlinks: true,
    ignored: (p: string) => !roots.has(p) && path.basename(p).startsWith('.'),
  });
  let dirs = new Set<string>();
  let quietTimer: NodeJS.Timeout | undefined;
  let maxTimer: NodeJS.Timeout | undefined;

  const flush = () => {
    clearTimeout(quietTimer);
    clearTimeout(maxTimer);
    quietTimer = maxTimer = undefined;
    if (dirs.size === 0) return;
    const batch = [...dirs];
    dirs = new Set();
    options.onChange(batch);
  };

  watcher.on('all', (event, changedPath) => {
    dirs.add(event === 'addDir' || event === 'unlinkDir' ? changedPath : path.dirname(changedPath));
    clearTimeout(quietTimer);
    quietTimer = setTimeout(flush, options.debounceMs);
    maxTimer ??= setTimeout(flush, options.maxWaitMs);
  });
  watcher.on('error', (error) => options.onError?.(error));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));

  return {
    ready,
    async close() {
      clearTimeout(quietTimer);
      clearTimeout(maxTimer);
      dirs.clear();
      await watcher.close();
    },
  };
}
