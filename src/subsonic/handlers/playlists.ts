import type { AuthUser } from '../../auth/auth-service.js';
import type { Viewer } from '../../catalog/catalog-service.js';
import type { PlaylistItem } from '../../playlists/schemas.js';
import { MAX_PLAYLIST_ITEMS } from '../../playlists/schemas.js';
import { missingParameter, SubsonicError } from '../errors.js';
import type { Handler, HandlerContext, Reader } from '../handler-kit.js';
import { toChild, toPlaylist } from '../mapping.js';
import type { Model } from '../serializer.js';

/** Items fetched per page while reading a whole playlist (the service's page limit). */
const PAGE = 500;

/**
 * Playlists (Endpoints/getPlaylists, getPlaylist, createPlaylist, updatePlaylist, deletePlaylist) through the
 * playlists service, so its rules hold: a user sees their own playlists and those shared with them ("public" in
 * Subsonic terms, shown only to users who may see all of their tracks); others' private playlists answer 70 like
 * unknown ids; only the owner edits (50 otherwise, "Only the owner of a playlist is allowed to update it").
 * Entries are the playable items only, in order: items whose file went missing stay in the playlist but are not
 * listed, and `songIndexToRemove` counts positions in that listing, as the client saw it.
 */
export function playlistsHandlers(context: HandlerContext): Record<string, Handler> {
  const { deps } = context;
  const { playlists } = deps;

  /** Every item of a playlist the viewer may see, in order. */
  async function allItems(viewer: Viewer, id: string): Promise<PlaylistItem[]> {
    const items: PlaylistItem[] = [];
    let cursor: string | undefined;
    do {
      const page = await playlists.listItems(viewer, id, { limit: PAGE, cursor });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return items;
  }

  /** The playable items, each with its track. */
  function listed(items: PlaylistItem[]) {
    return items.filter((item): item is PlaylistItem & { track: NonNullable<PlaylistItem['track']> } => item.available && item.track !== null);
  }

  /** `playlistWithSongs` of a playlist the user may see. */
  async function withSongs(user: AuthUser, id: string): Promise<Model> {
    const [playlist, items] = await Promise.all([playlists.get(user, id), allItems(user, id)]);
    const entries = listed(items);
    const stars = await deps.repository.starredAt(user.id, 'track', [...new Set(entries.map((item) => item.trackId))]);
    return toPlaylist(playlist, entries.map((item) => toChild(item.track, stars.get(item.trackId))));
  }

  /** The songs of `songId`/`songIdToAdd` parameters; more than a playlist can hold → 0. */
  function songIds(p: Reader, name: string): string[] {
    const ids = p.all(name).filter((id) => id !== '');
    if (ids.length > MAX_PLAYLIST_ITEMS) throw new SubsonicError(0, `A playlist holds at most ${MAX_PLAYLIST_ITEMS} songs.`);
    return ids;
  }

  /** The user whose playlists `getPlaylists` lists: the caller, or (admins only) the one named by `username`. */
  async function listedFor(user: AuthUser, p: Reader): Promise<Viewer> {
    const username = p.str('username');
    if (username === undefined || username === '' || username.toLowerCase() === user.username.toLowerCase()) return user;
    if (user.role !== 'admin') throw new SubsonicError(50, 'Only admins may list the playlists of another user.');
    const other = await deps.users.findByUsername(username);
    return { id: other.id, role: other.role };
  }

  return {
    getPlaylists: async (user, p) => {
      const viewer = await listedFor(user, p);
      const found: Model[] = [];
      let cursor: string | undefined;
      do {
        const page = await playlists.list(viewer, { limit: PAGE, cursor });
        found.push(...page.items.map((playlist) => toPlaylist(playlist)));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      return { playlists: { playlist: found } };
    },

    getPlaylist: async (user, p) => ({ playlist: await withSongs(user, p.required('id')) }),

    // Since 1.14.0 the answer is the playlist with its songs. With `playlistId` the songs replace the playlist's
    // (and `name`, when given, renames it); without, `name` is required and a new private playlist is created.
    createPlaylist: async (user, p) => {
      const playlistId = p.str('playlistId');
      const name = p.str('name');
      const ids = songIds(p, 'songId');
      if (playlistId !== undefined && playlistId !== '') {
        await playlists.replaceItems(user, playlistId, ids);
        if (name !== undefined && name !== '') await playlists.update(user, playlistId, { name });
        return { playlist: await withSongs(user, playlistId) };
      }
      if (name === undefined || name === '') throw missingParameter('name');
      const created = await playlists.create(user, { name, trackIds: ids });
      return { playlist: await withSongs(user, created.id) };
    },

    // Removals refer to the listing before this call, so they go first; then the additions, at the end.
    updatePlaylist: async (user, p) => {
      const id = p.required('playlistId');
      const playlist = await playlists.get(user, id);
      if (!playlist.editable) throw new SubsonicError(50, 'Only the owner of a playlist may change it.');
      const name = p.str('name');
      const comment = p.str('comment');
      const shared = p.str('public');
      if ((name !== undefined && name !== '') || comment !== undefined || (shared !== undefined && shared !== '')) {
        await playlists.update(user, id, {
          name: name === undefined || name === '' ? undefined : name,
          description: comment,
          shared: shared === undefined || shared === '' ? undefined : p.bool('public', false),
        });
      }
      const indexes = [...new Set(p.all('songIndexToRemove').map((raw) => {
        if (!/^\d{1,9}$/.test(raw)) throw new SubsonicError(0, 'Parameter songIndexToRemove must be a song index (0-based).');
        return Number(raw);
      }))];
      if (indexes.length > 0) {
        const entries = listed(await allItems(user, id));
        const outside = indexes.find((index) => index >= entries.length);
        if (outside !== undefined) throw new SubsonicError(0, `The playlist has ${entries.length} songs; there is no song ${outside}.`);
        for (const index of indexes) await playlists.removeItem(user, id, entries[index]!.id, undefined);
      }
      const added = songIds(p, 'songIdToAdd');
      if (added.length > 0) await playlists.addItems(user, id, { trackIds: added });
      return {};
    },

    deletePlaylist: async (user, p) => {
      await playlists.remove(user, p.required('id'), undefined);
      return {};
    },
  };
}
