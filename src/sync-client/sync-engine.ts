import path from 'node:path';
import { CursorExpiredError, ServerUnavailableError, SyncRequestError, type SyncApi } from './api-client.js';
import { backoffDelay, defaultBackoff, type BackoffPolicy } from './backoff.js';
import { downloadTrack, HashMismatchError, partPath } from './downloader.js';
import type { SyncFileSystem } from './file-system.js';
import { adopt, reconcile } from './reconciler.js';
import { CLIENT_FOLDER, resolveInside, UnsafeFileNameError } from './safe-paths.js';
import type { StateStore, SyncState } from './state-store.js';
import { trackData, type SyncRecord } from './types.js';

/** What the engine reports while it works (the CLI renders it as a bar, plain lines or nothing). */
export type SyncEvent =
  | { type: 'phase'; phase: 'reconcile' | 'bootstrap' | 'changes' | 'download' }
  | { type: 'records'; count: number }
  | { type: 'download-plan'; files: number; bytes: number }
  | { type: 'bytes'; count: number }
  | { type: 'file-done'; fileName: string }
  | { type: 'retry'; attempt: number; delayMs: number; reason: string }
  | { type: 'warning'; message: string };

/** The outcome of one `sync()`; counts are of this call. */
export interface SyncSummary {
  /** Whether a snapshot was (re)loaded: first run, or after 410 `cursor_expired`. */
  bootstrapped: boolean;
  /** 410 answers that forced a new snapshot. */
  rebootstraps: number;
  /** Records applied (snapshot and changes, every type). */
  records: number;
  /** Tracks the server lists, and how many of them have their file in DIR now. */
  tracks: number;
  localFiles: number;
  downloaded: number;
  /** Body bytes received. */
  downloadedBytes: number;
  /** Downloads that continued a partial file of an earlier attempt. */
  resumed: number;
  /** Files renamed in DIR because the server's suggested name changed (no download). */
  moved: number;
  /** Files deleted because the server deleted (or no longer lists) their track. */
  removed: number;
  /** Local copies found missing or changed at start, fetched again. */
  missing: number;
  changed: number;
  /** Files found already in place with the right content, taken over without downloading. */
  adopted: number;
  /** Tracks not downloaded yet because the server has not hashed them (a later change brings the hash). */
  waitingForHash: number;
  /** Tracks whose suggested file name the client refused (outside DIR, absolute, …). */
  refused: { id: string; fileName: string; reason: string }[];
  /** Tracks whose download failed verification twice in a row; retried on the next run. */
  failed: { id: string; fileName: string; reason: string }[];
  /** Waits while the server was unreachable. */
  retries: number;
  phase: SyncState['phase'];
  cursor: string | null;
  durationMs: number;
}

export interface SyncEngineDeps {
  api: SyncApi;
  fs: SyncFileSystem;
  store: StateStore;
  /** Absolute path of the folder to mirror into. */
  dir: string;
  clock: { now(): number };
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  onEvent?: (event: SyncEvent) => void;
  /** Records per page (server bound: 1..1000). */
  pageSize?: number;
  /** Hash every local copy at start, not only those whose mtime moved. */
  verify?: boolean;
  backoff?: BackoffPolicy;
  /** Give up (rethrow) after the server has been unreachable this long, ms; null = keep retrying. */
  retryForMs?: number | null;
  /** The longest the engine goes without saving its state while records or downloads progress, ms. */
  saveEveryMs?: number;
}

/** Rebootstraps one sync may need before it concludes the server keeps expiring fresh cursors. */
const MAX_REBOOTSTRAPS = 3;

/**
 * The offline mirror's rules (issue 7). `sync()` checks the local copies against the state file, then either loads a
 * snapshot (`/sync/bootstrap`, first run or after 410) or applies the changes since its cursor (`/sync/changes`),
 * then downloads every track whose file is missing or stale, deletes files of tracks the server deleted, and
 * acknowledges its cursor (`/sync/ack`). While the server is unreachable it waits with exponential backoff and jitter
 * and carries on from where it was: the cursor and finished downloads are kept in the state file, partial downloads
 * in `.part` files. Only files the state file records as the client's own are ever deleted, and only inside DIR.
 */
export function createSyncEngine(deps: SyncEngineDeps) {
  const { api, fs, store, dir, clock } = deps;
  const emit = deps.onEvent ?? (() => undefined);
  const pageSize = deps.pageSize ?? 1000;
  const saveEveryMs = deps.saveEveryMs ?? 2000;
  const partsDir = path.join(dir, CLIENT_FOLDER, 'parts');
  let state: SyncState | null = null;
  let lastAcked: string | null = null;
  let lastSave = 0;

  async function save(force: boolean): Promise<void> {
    if (!state) return;
    if (!force && clock.now() - lastSave < saveEveryMs) return;
    await store.save(state);
    lastSave = clock.now();
  }

  async function removeTrack(id: string, summary: SyncSummary): Promise<void> {
    const known = state!.tracks[id];
    if (!known) return;
    delete state!.tracks[id];
    await fs.remove(partPath(partsDir, id));
    if (known.local) {
      const file = resolveInside(dir, known.local.fileName);
      await fs.remove(file);
      await fs.removeEmptyFolders(path.dirname(file), dir);
      summary.removed += 1;
    }
  }

  /** Applies one record to the state (and deletes files of deleted tracks); idempotent. */
  async function apply(record: SyncRecord, summary: SyncSummary): Promise<void> {
    summary.records += 1;
    if (record.type !== 'track') return;
    if (record.op === 'delete') {
      await removeTrack(record.id, summary);
      return;
    }
    const data = trackData(record);
    if (!data) {
      emit({ type: 'warning', message: `track ${record.id}: the server sent no usable fileName/size/sha256; skipped` });
      return;
    }
    try {
      resolveInside(dir, data.fileName);
    } catch (error) {
      if (!(error instanceof UnsafeFileNameError)) throw error;
      summary.refused.push({ id: data.id, fileName: data.fileName, reason: error.message });
      emit({ type: 'warning', message: `track ${data.id}: ${error.message}` });
      await removeTrack(data.id, summary);
      return;
    }
    const known = state!.tracks[data.id];
    state!.tracks[data.id] = { fileName: data.fileName, sha256: data.sha256, size: data.size, local: known?.local ?? null };
  }

  async function bootstrap(summary: SyncSummary): Promise<void> {
    const s = state!;
    emit({ type: 'phase', phase: 'bootstrap' });
    summary.bootstrapped = true;
    const seen = new Set(s.bootstrapSeen);
    let restarts = 0;
    for (;;) {
      let page;
      try {
        page = await api.bootstrap(s.cursor, pageSize);
      } catch (error) {
        // The snapshot's page cursor outlived the log's retention: take a new snapshot.
        if (error instanceof CursorExpiredError && s.cursor !== null && restarts < MAX_REBOOTSTRAPS) {
          restarts += 1;
          s.cursor = null;
          seen.clear();
          continue;
        }
        throw error;
      }
      for (const record of page.items) {
        await apply(record, summary);
        if (record.type === 'track' && record.op === 'upsert' && s.tracks[record.id]) seen.add(record.id);
      }
      emit({ type: 'records', count: page.items.length });
      if (page.nextCursor === null) {
        for (const id of Object.keys(s.tracks)) if (!seen.has(id)) await removeTrack(id, summary);
        s.phase = 'incremental';
        s.cursor = page.changesCursor;
        s.bootstrapSeen = [];
        await save(true);
        return;
      }
      s.cursor = page.nextCursor;
      s.bootstrapSeen = [...seen];
      await save(false);
    }
  }

  async function catchUp(summary: SyncSummary): Promise<void> {
    const s = state!;
    emit({ type: 'phase', phase: 'changes' });
    for (;;) {
      const page = await api.changes(s.cursor!, pageSize);
      for (const record of page.changes) await apply(record, summary);
      if (page.changes.length > 0) emit({ type: 'records', count: page.changes.length });
      s.cursor = page.nextCursor;
      if (!page.hasMore) break;
      await save(false);
    }
    await save(true);
  }

  /** Renames copies whose suggested name changed, then downloads what is missing or stale. */
  async function download(summary: SyncSummary): Promise<void> {
    const s = state!;
    const pending: string[] = [];
    let bytes = 0;
    for (const [id, track] of Object.entries(s.tracks)) {
      if (!track.sha256) continue;
      const local = track.local;
      if (local && local.sha256 === track.sha256 && local.fileName !== track.fileName) {
        const from = resolveInside(dir, local.fileName);
        await fs.rename(from, resolveInside(dir, track.fileName));
        await fs.removeEmptyFolders(path.dirname(from), dir);
        local.fileName = track.fileName;
        summary.moved += 1;
      }
      if (!track.local && (await adopt(track, { fs, dir }))) summary.adopted += 1;
      if (!track.local || track.local.sha256 !== track.sha256) {
        pending.push(id);
        bytes += track.size;
      }
    }
    if (pending.length === 0) return;
    emit({ type: 'phase', phase: 'download' });
    emit({ type: 'download-plan', files: pending.length, bytes });
    for (const id of pending) {
      const track = s.tracks[id];
      if (!track?.sha256) continue;
      const request = { id, fileName: track.fileName, target: resolveInside(dir, track.fileName), sha256: track.sha256, size: track.size };
      const onBytes = (count: number) => {
        summary.downloadedBytes += count;
        emit({ type: 'bytes', count });
      };
      let outcome;
      try {
        outcome = await downloadTrack({ api, fs, partsDir }, request, onBytes);
      } catch (error) {
        if (!(error instanceof HashMismatchError)) throw error;
        emit({ type: 'warning', message: `${error.message}; downloading it again` });
        try {
          outcome = await downloadTrack({ api, fs, partsDir }, request, onBytes);
        } catch (again) {
          if (!(again instanceof HashMismatchError)) throw again;
          summary.failed.push({ id, fileName: track.fileName, reason: again.message });
          emit({ type: 'warning', message: again.message });
          continue;
        }
      }
      if (!outcome.local) continue; // gone on the server: its delete record follows
      const previous = track.local;
      track.local = outcome.local;
      if (previous && previous.fileName !== track.fileName) {
        const old = resolveInside(dir, previous.fileName);
        await fs.remove(old);
        await fs.removeEmptyFolders(path.dirname(old), dir);
      }
      summary.downloaded += 1;
      if (outcome.resumed) summary.resumed += 1;
      emit({ type: 'file-done', fileName: track.fileName });
      await save(false);
    }
    await save(true);
  }

  async function acknowledge(): Promise<void> {
    const s = state!;
    if (s.phase !== 'incremental' || !s.cursor || s.cursor === lastAcked) return;
    try {
      await api.ack(s.cursor);
      lastAcked = s.cursor;
    } catch (error) {
      if (!(error instanceof SyncRequestError)) throw error;
      // A session token (not a device's) cannot hold a server-side cursor; the local one is enough.
      lastAcked = s.cursor;
      emit({ type: 'warning', message: `the server did not store this device's cursor (${error.message})` });
    }
  }

  async function pass(summary: SyncSummary): Promise<void> {
    const s = state!;
    for (let round = 0; ; round += 1) {
      try {
        if (s.phase === 'bootstrapping') await bootstrap(summary);
        await catchUp(summary);
        break;
      } catch (error) {
        if (!(error instanceof CursorExpiredError) || round >= MAX_REBOOTSTRAPS) throw error;
        summary.rebootstraps += 1;
        emit({ type: 'warning', message: `${error.message}: loading a fresh snapshot` });
        s.phase = 'bootstrapping';
        s.cursor = null;
        s.bootstrapSeen = [];
        await save(true);
      }
    }
    await download(summary);
    await acknowledge();
  }

  return {
    /**
     * One full sync (see above). Throws `SyncRequestError` for refusals retrying cannot fix (bad token, 403),
     * `StateFileError` for an unusable state file, and `ServerUnavailableError` once `retryForMs` has passed.
     */
    async sync(signal?: AbortSignal): Promise<SyncSummary> {
      const started = clock.now();
      const summary: SyncSummary = {
        bootstrapped: false,
        rebootstraps: 0,
        records: 0,
        tracks: 0,
        localFiles: 0,
        downloaded: 0,
        downloadedBytes: 0,
        resumed: 0,
        moved: 0,
        removed: 0,
        missing: 0,
        changed: 0,
        adopted: 0,
        waitingForHash: 0,
        refused: [],
        failed: [],
        retries: 0,
        phase: 'bootstrapping',
        cursor: null,
        durationMs: 0,
      };
      const firstSync = !state;
      state ??= await store.load(api.server);
      emit({ type: 'phase', phase: 'reconcile' });
      Object.assign(summary, await reconcile(state, { fs, dir, verify: firstSync && (deps.verify ?? false) }));
      let attempt = 0;
      let unavailableSince: number | null = null;
      for (;;) {
        const progress = summary.records + summary.downloadedBytes;
        try {
          await pass(summary);
          break;
        } catch (error) {
          await store.save(state).catch(() => undefined);
          if (!(error instanceof ServerUnavailableError)) throw error;
          if (summary.records + summary.downloadedBytes > progress) {
            attempt = 0;
            unavailableSince = null;
          }
          unavailableSince ??= clock.now();
          if (deps.retryForMs != null && clock.now() - unavailableSince >= deps.retryForMs) throw error;
          const delayMs = Math.max(error.retryAfterMs ?? 0, backoffDelay(attempt, deps.random, deps.backoff ?? defaultBackoff));
          attempt += 1;
          summary.retries += 1;
          emit({ type: 'retry', attempt, delayMs, reason: error.message });
          await deps.sleep(delayMs, signal);
        }
      }
      const tracks = Object.values(state.tracks);
      summary.tracks = tracks.length;
      summary.localFiles = tracks.filter((t) => t.local && t.local.sha256 === t.sha256).length;
      summary.waitingForHash = tracks.filter((t) => !t.sha256).length;
      summary.phase = state.phase;
      summary.cursor = state.cursor;
      summary.durationMs = clock.now() - started;
      return summary;
    },
  };
}

export type SyncEngine = ReturnType<typeof createSyncEngine>;
