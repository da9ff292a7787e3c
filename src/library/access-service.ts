import { mkdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuthUser } from '../auth/auth-service.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { LibraryAccessRepository, LibraryRecord } from './access-repository.js';

export interface LibraryView {
  id: string;
  name: string;
  kind: 'music' | 'upload';
  rootPath: string;
  ownerUserId: string | null;
  userIds: string[];
  createdAt: number;
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Who sees which library (like Navidrome 0.58's per-library access): admins see every music library, users the
 * ones granted to them, everyone their own private upload library. Every catalog query, stream, artwork and search
 * is filtered through `visibleLibraryIds`.
 */
export function createLibraryAccessService(deps: { libraries: LibraryAccessRepository; audit: AuditLog; clock: Clock; dataDir: string }) {
  const { libraries, audit, clock, dataDir } = deps;

  async function view(record: LibraryRecord): Promise<LibraryView> {
    return {
      id: record.id,
      name: record.name,
      kind: record.kind,
      rootPath: record.rootPath,
      ownerUserId: record.ownerUserId,
      userIds: await libraries.grantedUserIds(record.id),
      createdAt: record.createdAt,
    };
  }

  return {
    async visibleLibraryIds(user: Pick<AuthUser, 'id' | 'role'>): Promise<string[]> {
      return libraries.visibleLibraryIds(user.id, user.role === 'admin');
    },

    async list(): Promise<LibraryView[]> {
      return Promise.all((await libraries.listAll()).map(view));
    },

    /**
     * Adds a music folder as a library. The folder must exist, be readable, and neither contain nor sit inside the
     * data directory or another library (a file must belong to one library). Errors: 400 `validation_failed`,
     * 409 `conflict`.
     */
    async create(actor: AuthUser, input: { name: string; rootPath: string }, ip: string | null): Promise<LibraryView> {
      if (!path.isAbsolute(input.rootPath)) throw new AppError('validation_failed', 'rootPath must be an absolute path.');
      let rootPath: string;
      try {
        rootPath = realpathSync(input.rootPath);
        if (!statSync(rootPath).isDirectory()) throw new Error('not a folder');
      } catch {
        throw new AppError('validation_failed', `"${input.rootPath}" is not a readable folder.`);
      }
      const data = path.resolve(dataDir);
      if (isInside(rootPath, data) || isInside(data, rootPath)) {
        throw new AppError('validation_failed', 'A library cannot contain or sit inside the data directory.');
      }
      for (const other of await libraries.listAll()) {
        if (other.kind === 'music' && (isInside(rootPath, other.rootPath) || isInside(other.rootPath, rootPath))) {
          throw new AppError('conflict', `The folder overlaps the library "${other.name}".`);
        }
      }
      const record: LibraryRecord = { id: newId(), name: input.name, rootPath, kind: 'music', ownerUserId: null, createdAt: clock.now() };
      await libraries.insert(record);
      await audit.record({ action: 'library.created', actorUserId: actor.id, target: record.id, ip, details: { name: record.name } });
      return view(record);
    },

    /** Sets exactly which users may see a music library. Errors: 404 `library_not_found`, 400 for unknown user ids. */
    async setUsers(actor: AuthUser, libraryId: string, userIds: string[], ip: string | null): Promise<LibraryView> {
      const record = await libraries.find(libraryId);
      if (!record || record.kind !== 'music') throw new AppError('library_not_found');
      const unique = [...new Set(userIds)];
      const known = new Set(await libraries.existingUserIds(unique));
      const unknown = unique.filter((id) => !known.has(id));
      if (unknown.length > 0) throw new AppError('validation_failed', `Unknown user ids: ${unknown.join(', ')}`);
      await libraries.setGrants(libraryId, unique);
      await audit.record({ action: 'library.access_changed', actorUserId: actor.id, target: libraryId, ip, details: { userIds: unique } });
      return view(record);
    },

    /** The user's private upload library (created on first use) under `<data>/uploads/<userId>`. */
    async ensureUploadLibrary(userId: string): Promise<LibraryView> {
      const rootPath = path.join(path.resolve(dataDir), 'uploads', userId);
      const existing = await libraries.findByRoot(rootPath);
      if (existing) return view(existing);
      mkdirSync(rootPath, { recursive: true });
      const record: LibraryRecord = { id: newId(), name: 'Uploads', rootPath, kind: 'upload', ownerUserId: userId, createdAt: clock.now() };
      await libraries.insert(record);
      return view(record);
    },
  };
}

export type LibraryAccessService = ReturnType<typeof createLibraryAccessService>;
