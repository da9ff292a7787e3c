import path from 'node:path';
import type { Clock } from '../shared/clock.js';
import type { BusEvent, EventBus } from '../shared/events.js';
import { newId } from '../shared/ids.js';
import { watchFolders, type FolderWatcher } from './folder-watcher.js';
import { createContentHasher } from './hashing.js';
import type { LibraryRepository, LibraryRow } from './library-repository.js';
import type { ArtworkStore } from './scanner/artwork-store.js';
import { runScan, type ReadTrackFile, type ScannerFileSystem, type ScanScope, type ScanSummary } from './scanner/scanner.js';

export type { ScanSummary } from './scanner/scanner.js';

export interface LibraryServiceDeps {
  repository: LibraryRepository;
  files: ScannerFileSystem;
  readTrackFile: ReadTrackFile;
  artworkStore: ArtworkStore;
  clock: Clock;
  bus: EventBus;
  /** Absolute music folders from the config; each is a library. */
  musicDirs: string[];
  log: { error(details: object, message: string): void };
  /** Watcher debounce, ms (tests shorten it). Default 1000. */
  watchDebounceMs?: number;
}

/** Answer of `GET /library/status`; see the route for the field meanings. */
export interface LibraryStatus {
  state: 'idle' | 'scanning';
  progress: { phase: string; processed: number; total: number } | null;
  hashing: { pending: number };
  lastScan: ScanSummary | null;
}

export interface BackgroundOptions {
  scanOnStart: boolean;
  watch: boolean;
  /** 0 = no periodic scans. */
  scanIntervalMinutes: number;
  /** Hash contents after start-up and after every scan (see `Config.backgroundIndexing`). */
  backgroundIndexing: boolean;
}

/** Work that follows a scan over the same folders (e.g. importing playlist files); see `afterScan`. */
export type AfterScanStep = (scopes: ScanScope[]) => Promise<void>;

interface RunningScan {
  full: boolean;
  promise: Promise<ScanSummary>;
}

/** Collapses folders so none lies inside another (scanning the outer one covers it). */
function outermost(scopes: ScanScope[]): ScanScope[] {
  const sorted = [...scopes].sort((a, b) => (a.libraryId + a.dir < b.libraryId + b.dir ? -1 : 1));
  const out: ScanScope[] = [];
  for (const scope of sorted) {
    const covered = out.some(
      (o) => o.libraryId === scope.libraryId && (o.dir === '' || o.dir === scope.dir || scope.dir.startsWith(`${o.dir}/`)),
    );
    if (!covered) out.push(scope);
  }
  return out;
}

/**
 * The music libraries and their scanning: libraries from the configured folders, one scan at a time (a second
 * full-scan request joins the running one; watcher changes queue a scoped scan behind it), the background
 * content-hash phase, folder watching and periodic scans. The HTTP routes, the CLI and tests all go through it.
 */
export function createLibraryService(deps: LibraryServiceDeps) {
  const { repository, clock, bus } = deps;
  const hasher = createContentHasher({ repository, clock, sha256File: deps.files.sha256File, stat: deps.files.stat });
  let current: RunningScan | null = null;
  let tail: Promise<unknown> = Promise.resolve();
  let queuedFull: Promise<ScanSummary> | null = null;
  let queuedScoped: Promise<ScanSummary> | null = null;
  const queuedScopes: ScanScope[] = [];
  let progress: LibraryStatus['progress'] = null;
  let lastScan: ScanSummary | null = null;
  let hashInBackground = false;
  let watcher: FolderWatcher | null = null;
  let interval: NodeJS.Timeout | undefined;
  let stopping = false;
  let abort = new AbortController();
  const afterScanSteps: AfterScanStep[] = [];

  const publish = (event: BusEvent) => {
    if (event.type === 'scan' && event.state === 'progress') {
      progress = { phase: event.phase ?? '', processed: event.processed ?? 0, total: event.total ?? 0 };
    }
    bus.publish(event);
  };

  /**
   * Makes each configured music folder a library, then returns every library: configured ones, those an admin
   * added through the API, and users' upload libraries. All of them are scanned and watched.
   */
  async function ensureLibraries(): Promise<LibraryRow[]> {
    const existing = await repository.listLibraries();
    for (const dir of deps.musicDirs) {
      if (!existing.some((l) => l.rootPath === dir)) {
        await repository.insertLibrary({ id: newId(), name: path.basename(dir) || dir, rootPath: dir, createdAt: clock.now() });
      }
    }
    return repository.listLibraries();
  }

  function execute(full: boolean): Promise<ScanSummary> {
    if (full) queuedFull = null;
    const scoped = full ? [] : queuedScopes.splice(0);
    if (!full) queuedScoped = null;
    const promise = (async () => {
      abort.signal.throwIfAborted();
      const libraries = await ensureLibraries();
      const interrupted = await repository.hasUnfinishedScan();
      // After a crash the interrupted scan's album work may be missing: finish the job with a full scan.
      const asFull = full || interrupted;
      const scopes = asFull ? libraries.map((l) => ({ libraryId: l.id, dir: '' })) : outermost(scoped);
      const summary = await runScan(
        {
          repository,
          files: deps.files,
          readTrackFile: deps.readTrackFile,
          artworkStore: deps.artworkStore,
          clock,
          publish,
          signal: abort.signal,
        },
        { libraries: await repository.listLibraries(), scopes, full: asFull, refreshAllAlbums: interrupted },
      );
      // The scan is finished (and announced) before the after-scan steps run, so its summary is the last one now.
      lastScan = summary;
      for (const step of afterScanSteps) await step(scopes).catch(logFailure('after-scan step failed'));
      return summary;
    })();
    // Set before the first await, so a request arriving while the scan prepares joins it.
    current = { full, promise };
    return promise
      .finally(() => {
        current = null;
        progress = null;
        if (hashInBackground && !stopping) hasher.run().catch((error) => deps.log.error({ err: error }, 'content hashing failed'));
      });
  }

  function enqueue(full: boolean): Promise<ScanSummary> {
    const promise = tail.catch(() => undefined).then(() => execute(full));
    tail = promise;
    return promise;
  }

  /** Full scan of every library; joins the full scan that is running or queued. Resolves after its finish phase. */
  function scan(): Promise<ScanSummary> {
    if (current?.full) return current.promise;
    queuedFull ??= enqueue(true);
    return queuedFull;
  }

  /**
   * Scans only the given absolute folders (and below), after any running scan; folders given while one is queued
   * join it. Folders outside every library are ignored. Resolves with null when nothing was left to scan.
   */
  async function scanFolders(absDirs: string[]): Promise<ScanSummary | null> {
    const libraries = await ensureLibraries();
    for (const dir of absDirs.map((d) => path.resolve(d))) {
      const library = libraries
        .filter((l) => dir === l.rootPath || dir.startsWith(l.rootPath.endsWith(path.sep) ? l.rootPath : l.rootPath + path.sep))
        .sort((a, b) => b.rootPath.length - a.rootPath.length)[0];
      if (!library) continue;
      queuedScopes.push({ libraryId: library.id, dir: path.relative(library.rootPath, dir).split(path.sep).join('/') });
    }
    if (queuedScopes.length === 0) return null;
    queuedScoped ??= enqueue(false);
    return queuedScoped;
  }

  function logFailure(what: string) {
    return (error: unknown) => {
      if (!stopping) deps.log.error({ err: error }, what);
    };
  }

  return {
    ensureLibraries,
    scan,
    scanFolders,

    /**
     * Runs `step` after each scan's finish phase, with the folders it scanned, before the scan's promise resolves
     * (so `await scan()` includes it). A failing step is logged; the scan still succeeds.
     */
    afterScan(step: AfterScanStep): void {
      afterScanSteps.push(step);
    },

    async status(): Promise<LibraryStatus> {
      if (!lastScan) {
        const stored = await repository.latestScanSummary();
        lastScan = stored ? (JSON.parse(stored) as ScanSummary) : null;
      }
      return {
        state: current ? 'scanning' : 'idle',
        progress: current ? progress : null,
        hashing: { pending: await hasher.pending() },
        lastScan,
      };
    },

    /** Available tracks still without a content hash. */
    hashPending: () => hasher.pending(),

    /** Runs the content-hash phase to completion (the CLI and tests; `serve` runs it in the background). */
    whenHashed: () => hasher.run(),

    /**
     * Starts what `serve` runs besides HTTP: resumes an interrupted scan (or scans when `scanOnStart`), then hashes
     * in the background after every scan (when `backgroundIndexing`); watches the folders; schedules periodic full scans.
     */
    async startBackground(options: BackgroundOptions): Promise<void> {
      stopping = false;
      abort = new AbortController();
      hashInBackground = options.backgroundIndexing;
      const libraries = await ensureLibraries();
      if (options.scanOnStart || (await repository.hasUnfinishedScan())) scan().catch(logFailure('scan failed'));
      else if (hashInBackground) hasher.run().catch(logFailure('content hashing failed'));
      if (options.watch && libraries.length > 0) {
        watcher = watchFolders({
          roots: libraries.map((l) => l.rootPath),
          debounceMs: deps.watchDebounceMs ?? 1000,
          maxWaitMs: 4000,
          onChange: (dirs) => void scanFolders(dirs).catch(logFailure('scan of changed folders failed')),
          onError: logFailure('folder watching failed'),
        });
        await watcher.ready;
      }
      if (options.scanIntervalMinutes > 0) {
        interval = setInterval(() => void scan().catch(logFailure('periodic scan failed')), options.scanIntervalMinutes * 60_000);
        interval.unref();
      }
    },

    /**
     * Stops watching, periodic scans and hashing; a running scan stops at its next batch boundary (the next start
     * sees it unfinished and completes it). Resolves when nothing touches the database any more.
     */
    async stop(): Promise<void> {
      stopping = true;
      abort.abort();
      clearInterval(interval);
      await watcher?.close();
      watcher = null;
      await hasher.stop();
      await tail.catch(() => undefined);
    },
  };
}

export type LibraryService = ReturnType<typeof createLibraryService>;
