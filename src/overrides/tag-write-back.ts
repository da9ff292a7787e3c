import { randomBytes } from 'node:crypto';
import { chown, constants, copyFile, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { sha256File } from '../library/scanner/content-hash.js';
import type { ReadTrackFile } from '../library/scanner/scanner.js';
import type { TrackFileReadResult } from '../library/scanner/track-file.js';
import { AppError, isAppError } from '../shared/errors.js';
import { audioDigest, type TagFormat } from './audio-region.js';
import { applyOverrides, fieldTags, fileStateOf, sameValue, type OverrideField, type TrackOverrides } from './fields.js';
import type { TagFileWriter } from './taglib-writer.js';

type ReadOk = Extract<TrackFileReadResult, { ok: true }>;

/** File operations of a tag write, behind an interface so failures can be injected. */
export interface WriteBackFileSystem {
  /** Copies `from` to `to`, which must not exist yet; permission bits are copied too. */
  copyNew(from: string, to: string): Promise<void>;
  /** Flushes a file or folder to disk. */
  fsync(absPath: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Deletes a file; no error when it is already gone. */
  remove(absPath: string): Promise<void>;
  /** Size in bytes and mtime in whole ms (as the scanner stats), owner ids. */
  stat(absPath: string): Promise<{ size: number; mtimeMs: number; uid: number; gid: number }>;
  chown(absPath: string, uid: number, gid: number): Promise<void>;
}

export const nodeWriteBackFileSystem: WriteBackFileSystem = {
  copyNew: (from, to) => copyFile(from, to, constants.COPYFILE_EXCL),
  async fsync(absPath) {
    const handle = await open(absPath, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename,
  remove: (absPath) => rm(absPath, { force: true }),
  async stat(absPath) {
    const s = await stat(absPath);
    return { size: s.size, mtimeMs: Math.floor(s.mtimeMs), uid: s.uid, gid: s.gid };
  },
  chown,
};

/** The file after a successful write: what the scanner would store for it. */
export interface WrittenFile {
  size: number;
  /** Whole ms. */
  mtimeMs: number;
  /** SHA-256 (hex) of the whole file. */
  contentHash: string;
  /** The file as the tag reader reads it now. */
  read: ReadOk;
}

export interface TagWriteBack {
  /**
   * Writes `values` into the tags of the file at `absPath` and verifies them; see `createTagWriteBack`.
   * Errors: 500 `tag_write_failed` (nothing changed), 422 `tag_write_unsupported`, 404 `track_unavailable` (the
   * file cannot be read).
   */
  write(absPath: string, format: TagFormat, values: TrackOverrides): Promise<WrittenFile>;
}

/**
 * Why the tags read from the written copy are not the original's with `values` applied, or null when they are.
 * Written fields must read back as intended (as the tag reader reads them: display credit and credited names, date
 * and year, …); every other tag and the embedded picture must be unchanged. `stems` are the two files' names without
 * extension, which an untagged title falls back to.
 */
export function verificationProblem(original: ReadOk, written: ReadOk, values: TrackOverrides, stems: { original: string; written: string }): string | null {
  const expected = applyOverrides(original.tags, values);
  const governed = new Set<string>();
  for (const field of Object.keys(values) as OverrideField[]) {
    for (const key of fieldTags(field)) governed.add(key);
    const want = fileStateOf(expected, field);
    const got = fileStateOf(written.tags, field);
    if (!sameValue(want, got)) return `${field} reads back as ${JSON.stringify(got)}, not ${JSON.stringify(want)}`;
  }
  for (const key of Object.keys(original.tags) as (keyof typeof original.tags)[]) {
    if (governed.has(key)) continue;
    if (key === 'title' && original.tags.title === stems.original && written.tags.title === stems.written) continue;
    if (!sameValue(original.tags[key], written.tags[key])) return `${key} changed`;
  }
  if ((original.picture?.data.byteLength ?? 0) !== (written.picture?.data.byteLength ?? 0)) return 'the embedded picture changed';
  return null;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Safe tag writing. The file is copied to a hidden temporary file in its own folder (same file system, so the final
 * rename is atomic; hidden, so neither the scanner nor the watcher picks it up), the tags are written into the copy,
 * which is flushed and verified: re-read with the project's tag reader (`verificationProblem`) and its audio bytes
 * compared with the original's (`audioDigest`). Only then does the copy replace the original by rename (owner kept
 * where the process may set it), and the folder is flushed. Any failure before the rename deletes the copy and
 * leaves the original untouched, byte for byte.
 */
export function createTagWriteBack(deps: { writer: TagFileWriter; readTrackFile: ReadTrackFile; files?: WriteBackFileSystem }): TagWriteBack {
  const files = deps.files ?? nodeWriteBackFileSystem;
  const read = (absPath: string) => deps.readTrackFile(absPath, { timeoutMs: 30_000 });

  return {
    async write(absPath, format, values) {
      const original = await read(absPath);
      if (!original.ok) throw new AppError('track_unavailable');
      const folder = path.dirname(absPath);
      const extension = path.extname(absPath);
      const stem = path.basename(absPath, extension);
      const tempStem = `.${stem}.${randomBytes(4).toString('hex')}.omnisonic-tmp`;
      const temp = path.join(folder, tempStem + extension);
      try {
        const owner = await files.stat(absPath);
        await files.copyNew(absPath, temp);
        // Only root may give a file away; anyone else already owns the copy as they own what they can write.
        await files.chown(temp, owner.uid, owner.gid).catch(() => undefined);
        await deps.writer.write(temp, format, values);
        await files.fsync(temp);
        const written = await read(temp);
        if (!written.ok) throw new AppError('tag_write_failed', `The written file cannot be read back (${written.reason}); the original is unchanged.`);
        const problem = verificationProblem(original, written, values, { original: stem, written: tempStem });
        if (problem) throw new AppError('tag_write_failed', `Verification failed: ${problem}; the original is unchanged.`);
        if ((await audioDigest(absPath, format)) !== (await audioDigest(temp, format))) {
          throw new AppError('tag_write_failed', 'Verification failed: the audio bytes changed; the original is unchanged.');
        }
        await files.rename(temp, absPath);
      } catch (error) {
        await files.remove(temp).catch(() => undefined);
        if (isAppError(error)) throw error;
        throw new AppError('tag_write_failed', `Writing the tags failed (${messageOf(error)}); the original is unchanged.`);
      }
      // The rename is done; flushing the folder makes it survive a power cut, and cannot undo it if it fails.
      await files.fsync(folder).catch(() => undefined);
      const [final, facts, contentHash] = await Promise.all([read(absPath), files.stat(absPath), sha256File(absPath)]);
      if (!final.ok) throw new AppError('tag_write_failed', `The written file cannot be read back (${final.reason}).`);
      return { size: facts.size, mtimeMs: facts.mtimeMs, contentHash, read: final };
    },
  };
}
