import { readFile, stat } from 'node:fs/promises';
import { sha256File } from './content-hash.js';
import type { ScannerFileSystem } from './scanner.js';
import { walkLibrary } from './walker.js';

/** The scanner's file access on the real disk. It only ever reads. */
export const nodeScannerFileSystem: ScannerFileSystem = {
  walk: walkLibrary,
  async stat(absPath) {
    try {
      const s = await stat(absPath);
      return s.isFile() ? { size: s.size, mtimeMs: Math.floor(s.mtimeMs) } : null;
    } catch {
      return null;
    }
  },
  readFile: (absPath) => readFile(absPath),
  sha256File,
};
