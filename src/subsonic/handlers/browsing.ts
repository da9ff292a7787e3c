import type { AuthUser } from '../../auth/auth-service.js';
import { AppError } from '../../shared/errors.js';
import { foldKey } from '../../shared/text.js';
import { SubsonicError } from '../errors.js';
import type { Handler, HandlerContext } from '../handler-kit.js';
import { toAlbumChild, toChild } from '../mapping.js';
import type { Model } from '../serializer.js';

/** Articles `getIndexes` files names without ("The Beatles" under B), as the response's `ignoredArticles` says. */
export const IGNORED_ARTICLES = ['The', 'A', 'An'];
const ARTICLE = new RegExp(`^(?:${IGNORED_ARTICLES.join('|')})\\s+(?=\\S)`, 'i');

/** The index letter of a name: its first letter (articles skipped), upper-cased; `#` for digits and symbols. */
export function indexName(name: string): string {
  const first = foldKey(name.replace(ARTICLE, '')).charAt(0).toUpperCase();
  return /\p{L}/u.test(first) ? first : '#';
}

/** A folder of a library's tree: the library id and its path from the root ('' = the root), '/'-separated. */
export interface FolderRef {
  libraryId: string;
  path: string;
}

const FOLDER_ID = /^fd-([0-9a-f]{32})(?:-([A-Za-z0-9_-]{1,8192}))?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The id of a folder: `fd-<library id>` for a library root, `fd-<library id>-<base64url of the path>` below it.
 * Stable (the same folder always has the same id, across scans and restarts) and needs no table; not a secret —
 * what a folder holds is checked against the viewer's libraries on every request.
 */
export function folderId(folder: FolderRef): string {
  return folder.path === '' ? `fd-${folder.libraryId}` : `fd-${folder.libraryId}-${Buffer.from(folder.path, 'utf8').toString('base64url')}`;
}

/**
 * The folder a `folderId` names, or null for anything else: not that shape, base64url that does not round-trip,
 * bytes that are not UTF-8, or a path with empty, `.` or `..` segments, NUL or a backslash. Ids never reach the
 * filesystem (folders are read from the catalog's track paths), so this is about answering 70 cleanly.
 */
export function parseFolderId(id: string): FolderRef | null {
  const match = FOLDER_ID.exec(id);
  if (!match) return null;
  const [, libraryId, encoded] = match;
  if (encoded === undefined) return { libraryId: libraryId!, path: '' };
  const bytes = Buffer.from(encoded, 'base64url');
  if (bytes.toString('base64url') !== encoded) return null;
  let path: string;
  try {
    path = utf8.decode(bytes);
  } catch {
    return null;
  }
  const unsafe = (segment: string) => segment === '' || segment === '.' || segment === '..' || /[\0\\]/.test(segment);
  return path.split('/').some(unsafe) ? null : { libraryId: libraryId!, path };
}

const parentOf = (folder: FolderRef): FolderRef | null =>
  folder.path === '' ? null : { libraryId: folder.libraryId, path: folder.path.includes('/') ? folder.path.slice(0, folder.path.lastIndexOf('/')) : '' };

/**
 * Browsing by folders (Endpoints/getindexes, getmusicdirectory): the real folder tree of each library, read from the
 * catalog's track paths, so only folders holding playable music appear and ids never touch the filesystem.
 * `getMusicDirectory` also takes album and artist ids, as the v1 lists (`getAlbumList`, `getStarred`, `search2`)
 * hand out albums as directories: an album lists its songs, an artist their albums.
 */
export function browsingHandlers(context: HandlerContext): Record<string, Handler> {
  const { deps } = context;
  const { discovery, repository, catalog } = deps;

  /** A sub-folder as a `child` directory entry. */
  const folderChild = (folder: FolderRef, name: string, artworkId: string | null): Model => ({
    id: folderId({ libraryId: folder.libraryId, path: folder.path === '' ? name : `${folder.path}/${name}` }),
    parent: folderId(folder),
    isDir: true,
    title: name,
    coverArt: artworkId ?? undefined,
  });

  async function songsIn(user: AuthUser, trackIds: string[], parent: string): Promise<Model[]> {
    const [tracks, stars] = await Promise.all([catalog.tracksByIds(user, trackIds), repository.starredAt(user.id, 'track', trackIds)]);
    return tracks.map((track) => ({ ...toChild(track, stars.get(track.id)), parent }));
  }

  async function subfolders(folder: FolderRef) {
    const folders = await discovery.childFolders(folder.libraryId, folder.path);
    return folders.sort((a, b) => foldKey(a.name).localeCompare(foldKey(b.name)) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async function folderDirectory(user: AuthUser, folder: FolderRef): Promise<Model> {
    if (!(await deps.visibleLibraryIds(user)).includes(folder.libraryId)) throw new SubsonicError(70);
    const id = folderId(folder);
    const [folders, trackIds] = await Promise.all([subfolders(folder), discovery.folderTrackIds(folder.libraryId, folder.path)]);
    // A folder exists while it holds music; the root exists as long as the library does.
    if (folder.path !== '' && folders.length === 0 && trackIds.length === 0) throw new SubsonicError(70);
    const parent = parentOf(folder);
    const name = folder.path === '' ? ((await repository.librariesNamed([folder.libraryId]))[0]?.name ?? '') : folder.path.slice(folder.path.lastIndexOf('/') + 1);
    return {
      id,
      parent: parent ? folderId(parent) : undefined,
      name,
      child: [...folders.map((f) => folderChild(folder, f.name, f.artworkId)), ...(await songsIn(user, trackIds, id))],
    };
  }

  async function albumDirectory(user: AuthUser, albumId: string): Promise<Model> {
    const album = await catalog.getAlbum(user, albumId);
    const trackIds = album.tracks.map((track) => track.id);
    const [albumStars, trackStars] = await Promise.all([repository.starredAt(user.id, 'album', [album.id]), repository.starredAt(user.id, 'track', trackIds)]);
    return {
      id: album.id,
      parent: album.albumArtistId,
      name: album.title,
      starred: albumStars.has(album.id) ? new Date(albumStars.get(album.id)!).toISOString() : undefined,
      userRating: album.rating > 0 ? album.rating : undefined,
      playCount: album.playCount,
      child: album.tracks.map((track) => toChild(track, trackStars.get(track.id))),
    };
  }

  async function artistDirectory(user: AuthUser, artistId: string): Promise<Model> {
    const artist = await catalog.getArtist(user, artistId);
    const albums = [...artist.albums, ...artist.appearsOn];
    const [artistStars, albumStars] = await Promise.all([
      repository.starredAt(user.id, 'artist', [artist.id]),
      repository.starredAt(user.id, 'album', albums.map((album) => album.id)),
    ]);
    return {
      id: artist.id,
      name: artist.name,
      starred: artistStars.has(artist.id) ? new Date(artistStars.get(artist.id)!).toISOString() : undefined,
      userRating: artist.rating > 0 ? artist.rating : undefined,
      child: albums.map((album) => toAlbumChild(album, albumStars.get(album.id), artist.id)),
    };
  }

  /** Runs `lookup`, turning "not found" into null so the next kind of id can be tried. */
  async function orNull<T>(lookup: () => Promise<T>): Promise<T | null> {
    try {
      return await lookup();
    } catch (error) {
      if (error instanceof AppError && error.status === 404) return null;
      throw error;
    }
  }

  return {
    getIndexes: async (user, p) => {
      const scope = await context.libraryScope(user, p);
      const since = p.int('ifModifiedSince');
      const lastModified = await discovery.lastModified(scope);
      const ignoredArticles = IGNORED_ARTICLES.join(' ');
      // Unchanged since the client's copy: the spec's "only return a result if … changed" — an empty index.
      if (since !== undefined && lastModified <= since) return { indexes: { lastModified, ignoredArticles } };

      const letters = new Map<string, Model[]>();
      const children: Model[] = [];
      for (const libraryId of scope) {
        const root: FolderRef = { libraryId, path: '' };
        for (const folder of await subfolders(root)) {
          const entry = { id: folderId({ libraryId, path: folder.name }), name: folder.name, coverArt: folder.artworkId ?? undefined };
          const letter = indexName(folder.name);
          letters.set(letter, [...(letters.get(letter) ?? []), entry]);
        }
        children.push(...(await songsIn(user, await discovery.folderTrackIds(libraryId, ''), folderId(root))));
      }
      const sortKey = (entry: Model) => foldKey(String(entry.name).replace(ARTICLE, ''));
      const index = [...letters.entries()]
        .sort(([a], [b]) => (a === '#' ? 1 : b === '#' ? -1 : a.localeCompare(b)))
        .map(([name, entries]) => ({ name, artist: entries.sort((a, b) => sortKey(a).localeCompare(sortKey(b))) }));
      return { indexes: { lastModified, ignoredArticles, index, child: children } };
    },

    getMusicDirectory: async (user, p) => {
      const id = p.required('id');
      const folder = parseFolderId(id);
      if (folder) return { directory: await folderDirectory(user, folder) };
      if (!/^[0-9a-f]{32}$/.test(id)) throw new SubsonicError(70);
      const directory = (await orNull(() => albumDirectory(user, id))) ?? (await orNull(() => artistDirectory(user, id)));
      if (!directory) throw new SubsonicError(70);
      return { directory };
    },
  };
}
