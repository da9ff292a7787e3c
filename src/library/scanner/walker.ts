import { stat as fsStat, type Dirent, type Stats } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { folderImageRank, isAudioFileName } from './audio-files.js';

/** An audio file (by extension) found by the walk, with the stat the reconciliation compares against the catalog. */
export interface WalkedFile {
  /** Relative to the library root, '/'-separated. */
  relPath: string;
  absPath: string;
  /** Folder of the file, relative to the library root ('' for the root). */
  dir: string;
  size: number;
  mtimeMs: number;
}

/** `cover|folder|front.(jpg|jpeg|png|webp)` chosen for a folder. */
export interface FolderImage {
  absPath: string;
  size: number;
  mtimeMs: number;
}

/** Something the walk could not use; it never stops the walk. Paths relative to the library root. */
export interface WalkProblem {
  relPath: string;
  reason: string;
}

export interface WalkResult {
  /** Sorted by `relPath`, so "first occurrence" rules give the same answer on every scan. */
  files: WalkedFile[];
  /** Folder image per folder (relative folder path). */
  folderImages: Map<string, FolderImage>;
  problems: WalkProblem[];
  /**
   * Folders that exist but could not be listed (relative, '' for the root). Tracks under them are left as they are:
   * an unmounted disk or a permission change must not turn a library into "missing" tracks.
   */
  unreadableDirs: string[];
}

/** Folders listed at once: enough to keep the disk queue busy without flooding libuv's thread pool. */
const DIRECTORY_CONCURRENCY = 8;

interface PendingDir {
  relDir: string;
  /** `dev:ino` of this folder and its ancestors: a symlink back into one of them is a loop. */
  ancestors: string[];
}

function joinRel(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

function isValidUtf8Name(raw: Buffer): string | null {
  const name = raw.toString('utf8');
  // Decoding turns every invalid sequence into U+FFFD, so only a name holding one needs the round-trip check.
  return !name.includes('\uFFFD') || Buffer.from(name, 'utf8').equals(raw) ? name : null;
}

/** `stat` in its callback form, which costs less CPU per call than `fs.promises.stat`; the walk stats every file. */
function statPath(absPath: string): Promise<Stats> {
  return new Promise((resolve, reject) => {
    fsStat(absPath, (error, stats) => (error ? reject(error) : resolve(stats)));
  });
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? (error instanceof Error ? error.message : String(error));
}

/**
 * Walks `root/startDir` recursively. Directory names are read as bytes (`encoding: 'buffer'`) so names that are
 * not valid UTF-8 are reported instead of being silently mangled; dot-files and dot-folders are skipped (`.DS_Store`,
 * AppleDouble `._*` files, `.Trash`); symbolic links are followed, a link back into an ancestor is reported as a loop
 * and a folder reached twice through links is walked once. Reads nothing but folder listings and stats.
 * `onProgress` gets the running count of audio files found.
 */
export async function walkLibrary(root: string, startDir: string, onProgress?: (found: number) => void): Promise<WalkResult> {
  const files: WalkedFile[] = [];
  const folderImages = new Map<string, FolderImage>();
  const problems: WalkProblem[] = [];
  const unreadableDirs: string[] = [];
  const visited = new Set<string>();

  let rootStats: Stats;
  try {
    rootStats = await statPath(path.join(root, startDir));
  } catch (error) {
    const code = errorCode(error);
    // A scoped folder that no longer exists is an ordinary removal; a missing library root is treated as unreadable.
    if (code === 'ENOENT' && startDir !== '') return { files, folderImages, problems, unreadableDirs };
    problems.push({ relPath: startDir, reason: `folder cannot be read (${code})` });
    unreadableDirs.push(startDir);
    return { files, folderImages, problems, unreadableDirs };
  }
  if (!rootStats.isDirectory()) return { files, folderImages, problems, unreadableDirs };
  const rootKey = `${rootStats.dev}:${rootStats.ino}`;
  visited.add(rootKey);

  const queue: PendingDir[] = [{ relDir: startDir, ancestors: [rootKey] }];
  let active = 0;

  async function listDir(current: PendingDir): Promise<void> {
    const absDir = path.join(root, current.relDir);
    let entries: Dirent<Buffer>[];
    try {
      entries = await readdir(absDir, { withFileTypes: true, encoding: 'buffer' });
    } catch (error) {
      problems.push({ relPath: current.relDir, reason: `folder cannot be read (${errorCode(error)})` });
      unreadableDirs.push(current.relDir);
      return;
    }
    // A listed name holds no separator and is never '.' or '..', so joining needs no path.join per file.
    const dirPrefix = absDir.endsWith(path.sep) ? absDir : absDir + path.sep;
    let bestImage: { rank: number; name: string } | null = null;
    const stats: Promise<void>[] = [];
    for (const entry of entries) {
      const name = isValidUtf8Name(entry.name);
      if (name === null) {
        const shown = joinRel(current.relDir, entry.name.toString('utf8'));
        if (entry.isDirectory() || isAudioFileName(shown)) {
          problems.push({ relPath: shown, reason: 'name is not valid UTF-8; rename it to have it catalogued' });
        }
        continue;
      }
      if (name.startsWith('.')) continue;
      const relPath = joinRel(current.relDir, name);
      const absPath = dirPrefix + name;
      if (entry.isFile() && !isAudioFileName(name)) {
        const rank = folderImageRank(name);
        if (rank !== null && (!bestImage || rank < bestImage.rank)) bestImage = { rank, name };
        continue;
      }
      if (entry.isFile()) {
        stats.push(statFile(relPath, absPath, current.relDir));
      } else if (entry.isDirectory() || entry.isSymbolicLink()) {
        stats.push(statOther(relPath, absPath, current));
      }
    }
    await Promise.all(stats);
    if (bestImage) {
      const absPath = path.join(absDir, bestImage.name);
      try {
        const s = await statPath(absPath);
        folderImages.set(current.relDir, { absPath, size: s.size, mtimeMs: Math.floor(s.mtimeMs) });
      } catch {
        // Vanished since the listing: the folder simply has no image.
      }
    }
  }

  async function statFile(relPath: string, absPath: string, dir: string): Promise<void> {
    try {
      const s = await statPath(absPath);
      if (!s.isFile()) return;
      files.push({ relPath, absPath, dir, size: s.size, mtimeMs: Math.floor(s.mtimeMs) });
      if (onProgress && files.length % 500 === 0) onProgress(files.length);
    } catch (error) {
      const code = errorCode(error);
      problems.push({ relPath, reason: code === 'ENOENT' ? 'vanished during the scan' : `file cannot be read (${code})` });
    }
  }

  /** Directories, symbolic links and entries whose type the file system did not report. */
  async function statOther(relPath: string, absPath: string, parent: PendingDir): Promise<void> {
    let s: Stats;
    try {
      s = await statPath(absPath);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ELOOP') problems.push({ relPath, reason: 'symbolic link loop' });
      else if (isAudioFileName(relPath)) problems.push({ relPath, reason: `file cannot be read (${code})` });
      return;
    }
    if (s.isFile()) {
      if (isAudioFileName(relPath)) files.push({ relPath, absPath, dir: parent.relDir, size: s.size, mtimeMs: Math.floor(s.mtimeMs) });
      return;
    }
    if (!s.isDirectory()) return;
    const key = `${s.dev}:${s.ino}`;
    if (parent.ancestors.includes(key)) {
      problems.push({ relPath, reason: 'symbolic link loop: the link points back into one of its own parent folders' });
      return;
    }
    if (visited.has(key)) return;
    visited.add(key);
    queue.push({ relDir: relPath, ancestors: [...parent.ancestors, key] });
  }

  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      if (queue.length === 0 && active === 0) return resolve();
      while (active < DIRECTORY_CONCURRENCY && queue.length > 0) {
        const next = queue.shift()!;
        active++;
        listDir(next).then(() => {
          active--;
          pump();
        }, reject);
      }
    };
    pump();
  });

  files.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  problems.sort((a, b) => (a.relPath < b.relPath ? -1 : 1));
  return { files, folderImages, problems, unreadableDirs };
}
