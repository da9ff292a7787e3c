import { sha256Of, type SyncFileSystem } from './file-system.js';
import { resolveInside, UnsafeFileNameError } from './safe-paths.js';
import type { KnownTrack, SyncState } from './state-store.js';

export interface ReconcileResult {
  /** Local copies gone from DIR: fetched again. */
  missing: number;
  /** Local copies changed behind the client's back (size or SHA-256): fetched again. */
  changed: number;
  /** Files already in DIR under a track's name with its exact content: taken over without downloading. */
  adopted: number;
}

/**
 * Checks the local copies recorded in `state` against DIR before syncing, so what is on disk is what the state says.
 * A copy whose file is missing, of another size, or (when its mtime moved, or always with `verify`) of another
 * SHA-256 is forgotten, which makes the download step fetch it again. A track without a recorded copy whose file is
 * already in DIR with the right size and SHA-256 (left by a crash before the state was saved, or an old state file)
 * is adopted. Never writes or deletes a file.
 */
export async function reconcile(state: SyncState, deps: { fs: SyncFileSystem; dir: string; verify: boolean }): Promise<ReconcileResult> {
  const result: ReconcileResult = { missing: 0, changed: 0, adopted: 0 };
  for (const track of Object.values(state.tracks)) {
    if (track.local) {
      const verdict = await checkCopy(track, deps);
      if (verdict === 'missing') result.missing += 1;
      if (verdict === 'changed') result.changed += 1;
    }
    if (!track.local && track.sha256) {
      if (await adopt(track, deps)) result.adopted += 1;
    }
  }
  return result;
}

async function checkCopy(track: KnownTrack, deps: { fs: SyncFileSystem; dir: string; verify: boolean }): Promise<'ok' | 'missing' | 'changed'> {
  const local = track.local!;
  let file: string;
  try {
    file = resolveInside(deps.dir, local.fileName);
  } catch (error) {
    if (!(error instanceof UnsafeFileNameError)) throw error;
    track.local = null;
    return 'missing';
  }
  const info = await deps.fs.stat(file);
  if (!info) {
    track.local = null;
    return 'missing';
  }
  if (info.size !== local.size) {
    track.local = null;
    return 'changed';
  }
  if (info.mtimeMs !== local.mtimeMs || deps.verify) {
    if ((await sha256Of(deps.fs, file)) !== local.sha256) {
      track.local = null;
      return 'changed';
    }
    local.mtimeMs = info.mtimeMs;
  }
  return 'ok';
}

/**
 * Takes over the file already at the track's suggested name when it has the track's size and SHA-256 (sets
 * `track.local`); returns whether it did.
 */
export async function adopt(track: KnownTrack, deps: { fs: SyncFileSystem; dir: string }): Promise<boolean> {
  let file: string;
  try {
    file = resolveInside(deps.dir, track.fileName);
  } catch (error) {
    if (error instanceof UnsafeFileNameError) return false;
    throw error;
  }
  const info = await deps.fs.stat(file);
  if (!info || info.size !== track.size) return false;
  if ((await sha256Of(deps.fs, file)) !== track.sha256) return false;
  track.local = { fileName: track.fileName, sha256: track.sha256!, size: info.size, mtimeMs: info.mtimeMs };
  return true;
}

