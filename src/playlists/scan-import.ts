import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ScanScope } from '../library/scanner/scanner.js';
import type { PlaylistsRepository } from './playlists-repository.js';
import type { PlaylistsService } from './playlists-service.js';

const PLAYLIST_FILE = /\.m3u8?$/i;

/**
 * Playlist files under `root/dir`, relative to `root` and '/'-separated, sorted. Like the scanner's walk it skips
 * dot-files and dot-folders; unlike it, it does not follow symbolic links to folders. A folder that cannot be read
 * has no playlists (the scan reports unreadable folders).
 */
export async function findPlaylistFiles(root: string, dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(path.join(root, dir), { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !PLAYLIST_FILE.test(entry.name)) continue;
    const relative = path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep);
    if (relative.some((segment) => segment.startsWith('.'))) continue;
    found.push(relative.join('/'));
  }
  return found.sort();
}

/**
 * The after-scan step that imports `.m3u`/`.m3u8` files of the scanned folders of music libraries (not users'
 * upload libraries) as playlists, see `PlaylistsService.importPlaylistFile`. A file that fails is logged and the
 * others still imported.
 */
export function createPlaylistFileImport(deps: {
  repository: Pick<PlaylistsRepository, 'musicLibraries'>;
  playlists: Pick<PlaylistsService, 'importPlaylistFile'>;
  log: { error(details: object, message: string): void };
}) {
  return async function importScannedPlaylists(scopes: ScanScope[]): Promise<void> {
    const libraries = new Map((await deps.repository.musicLibraries()).map((library) => [library.id, library.rootPath]));
    for (const scope of scopes) {
      const root = libraries.get(scope.libraryId);
      if (root === undefined) continue;
      for (const relPath of await findPlaylistFiles(root, scope.dir)) {
        try {
          const bytes = await readFile(path.join(root, relPath));
          await deps.playlists.importPlaylistFile({ libraryId: scope.libraryId, path: relPath, bytes });
        } catch (error) {
          deps.log.error({ err: error, libraryId: scope.libraryId, path: relPath }, 'importing a playlist file failed');
        }
      }
    }
  };
}
