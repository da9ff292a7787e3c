import type { AuthUser } from '../../auth/auth-service.js';
import type { UserSummary } from '../../users/users-service.js';
import { missingParameter, SubsonicError } from '../errors.js';
import type { Handler, HandlerContext, Reader } from '../handler-kit.js';
import { musicFolderId, toUser } from '../mapping.js';
import type { Model } from '../serializer.js';
import { decodePassword } from '../subsonic-auth.js';
import { hasJukebox } from './jukebox.js';

/**
 * User management (Endpoints/getUser, getUsers, createUser, updateUser, deleteUser, changePassword) over the users
 * service, so its rules hold (the last admin can be neither demoted nor deleted → 0 with the reason).
 *
 * - A non-admin gets only themselves (`getUser`); `getUsers` (enabled accounts: Subsonic has no notion of a
 *   disabled one), `createUser`, `updateUser`, `deleteUser` are admins' (50 otherwise). Unknown usernames → 70.
 * - Passwords: `createUser`'s and `updateUser`'s `password` is the account's login password (kept only as an argon2
 *   hash, as `POST /api/v1/admin/users` does). `changePassword` sets the user's *Subsonic* password (the sealed one
 *   that token auth needs, `PUT /api/v1/me/subsonic-password`) and never the login password: changing that takes the
 *   current one (`PUT /api/v1/me/password`), which a Subsonic client — possibly holding only an API key — cannot
 *   show. Either password then works for `u`+`p`; only the Subsonic one for `u`+`t`+`s`.
 * - Roles: `adminRole` maps to Omnisonic's admin role; the other role flags have no counterpart and are ignored
 *   (see `toUser` for how they are reported). `email`, `ldapAuthenticated`, `maxBitRate` are accepted and ignored.
 * - `musicFolderId` (repeatable) sets which music folders (libraries) the user is granted; absent in `createUser`,
 *   all of them (the spec's default). Admins see every music library whatever their grants.
 */
export function usersHandlers(context: HandlerContext): Record<string, Handler> {
  const { deps } = context;
  const { users, libraries } = deps;

  function requireAdmin(user: AuthUser): void {
    if (user.role !== 'admin') throw new SubsonicError(50, 'Only admins may manage users.');
  }

  async function asSubsonicUser(summary: Pick<UserSummary, 'id' | 'username' | 'role'>): Promise<Model> {
    const [folders, jukebox] = await Promise.all([deps.visibleLibraryIds(summary), hasJukebox(context, summary)]);
    return toUser(summary, folders, jukebox);
  }

  /** A password parameter in clear or `enc:` hex (API reference, "Authentication"). */
  function password(p: Reader, name: string, required: boolean): string | undefined {
    const raw = p.str(name);
    if (raw === undefined || raw === '') {
      if (required) throw missingParameter(name);
      return undefined;
    }
    const decoded = decodePassword(raw);
    if (decoded === null) throw new SubsonicError(0, `Parameter ${name} is not valid hex after "enc:".`);
    return decoded;
  }

  /** True/false parameter, undefined when absent. */
  function flag(p: Reader, name: string): boolean | undefined {
    const raw = p.str(name);
    return raw === undefined || raw === '' ? undefined : p.bool(name, false);
  }

  /**
   * The music libraries, and the ids of those `folderIds` name — music folder ids as `getMusicFolders` gives them,
   * or library ids (unknown or upload-library ids → 70).
   */
  async function musicFolders(folderIds: string[]) {
    const music = (await libraries.list()).filter((library) => library.kind === 'music');
    const chosen = folderIds.map((folder) => {
      const library = music.find((candidate) => candidate.id === folder || String(musicFolderId(candidate.id)) === folder);
      if (!library) throw new SubsonicError(70, `No such music folder: ${folder}.`);
      return library.id;
    });
    return { music, chosen };
  }

  /** Grants exactly the libraries `libraryIds` among `music` to `userId`. */
  async function grant(actor: AuthUser, userId: string, music: Awaited<ReturnType<typeof musicFolders>>['music'], libraryIds: string[], ip: string): Promise<void> {
    const wanted = new Set(libraryIds);
    for (const library of music) {
      const has = library.userIds.includes(userId);
      if (has === wanted.has(library.id)) continue;
      const userIds = has ? library.userIds.filter((id) => id !== userId) : [...library.userIds, userId];
      await libraries.setUsers(actor, library.id, userIds, ip);
    }
  }

  return {
    getUser: async (user, p) => {
      const username = p.required('username');
      if (username.toLowerCase() !== user.username.toLowerCase()) requireAdmin(user);
      return { user: await asSubsonicUser(await users.findByUsername(username)) };
    },

    getUsers: async (user) => {
      requireAdmin(user);
      const all = (await users.list()).filter((summary) => !summary.disabled);
      return { users: { user: await Promise.all(all.map(asSubsonicUser)) } };
    },

    createUser: async (user, p, request) => {
      requireAdmin(user);
      const username = p.required('username');
      const secret = password(p, 'password', true)!;
      p.required('email');
      const folders = p.all('musicFolderId').filter((id) => id !== '');
      const { music, chosen } = await musicFolders(folders);
      const created = await deps.createUser({ username, password: secret, role: flag(p, 'adminRole') ? 'admin' : 'user' }, user.id);
      await grant(user, created.id, music, folders.length > 0 ? chosen : music.map((library) => library.id), request.ip);
      return {};
    },

    updateUser: async (user, p, request) => {
      requireAdmin(user);
      const target = await users.findByUsername(p.required('username'));
      const admin = flag(p, 'adminRole');
      const secret = password(p, 'password', false);
      const folders = p.all('musicFolderId').filter((id) => id !== '');
      if (folders.length > 0) {
        const { music, chosen } = await musicFolders(folders);
        await grant(user, target.id, music, chosen, request.ip);
      }
      if (admin !== undefined || secret !== undefined) {
        await users.update(user, target.id, { role: admin === undefined ? undefined : admin ? 'admin' : 'user', password: secret }, request.ip);
      }
      return {};
    },

    deleteUser: async (user, p, request) => {
      requireAdmin(user);
      const target = await users.findByUsername(p.required('username'));
      await users.delete(user, target.id, request.ip);
      return {};
    },

    changePassword: async (user, p) => {
      const username = p.required('username');
      const secret = password(p, 'password', true)!;
      const self = username.toLowerCase() === user.username.toLowerCase();
      if (!self) requireAdmin(user);
      const target = self ? user : await users.findByUsername(username);
      await deps.auth.setPassword(target.id, secret);
      return {};
    },
  };
}
