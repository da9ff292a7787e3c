import { createHash } from 'node:crypto';
import { AppError } from '../shared/errors.js';

/**
 * Sync cursors. Opaque to clients; inside, plain text so they stay short (an empty changes poll must fit in 200
 * bytes):
 * - changes: `c1.<seq>.<access>`: every change up to log position `seq` has been delivered;
 * - bootstrap: `b1.<seq>.<access>.<phase>.<after>`: a snapshot pinned at log position `seq`, continuing with entity
 *   type number `phase` after the key `after`.
 * `access` is a tag of the libraries the user could see when the cursor chain began (`accessTag`): a cursor carrying
 * another tag than the user's current one answers 410 `cursor_expired`, which is how a library grant added or
 * removed (or an admin role change, or a new music library for an admin) makes that user's devices bootstrap again
 * instead of missing the records of a newly visible library or keeping those of one no longer visible.
 */

/** The bootstrap's entity types in page order: what a record refers to comes before it. */
export const BOOTSTRAP_PHASES = ['artwork', 'artist', 'album', 'track', 'playlist', 'favorite'] as const;

export type SyncCursor =
  | { kind: 'changes'; seq: number; access: string }
  | { kind: 'bootstrap'; seq: number; access: string; phase: number; after: string };

const CHANGES = /^c1\.(\d{1,15})\.([0-9a-f]{8})$/;
const BOOTSTRAP = /^b1\.(\d{1,15})\.([0-9a-f]{8})\.([0-9])\.([0-9a-z:]{0,80})$/;

export function encodeCursor(cursor: SyncCursor): string {
  return cursor.kind === 'changes'
    ? `c1.${cursor.seq}.${cursor.access}`
    : `b1.${cursor.seq}.${cursor.access}.${cursor.phase}.${cursor.after}`;
}

/** Parses a cursor of `kind`; throws 400 `invalid_cursor` for anything else. */
export function decodeCursor<K extends SyncCursor['kind']>(text: string, kind: K): Extract<SyncCursor, { kind: K }> {
  if (kind === 'changes') {
    const match = CHANGES.exec(text);
    if (!match) throw new AppError('invalid_cursor', 'Not a changes cursor from /sync/changes or /sync/bootstrap; bootstrap again.');
    return { kind: 'changes', seq: Number(match[1]), access: match[2] } as Extract<SyncCursor, { kind: K }>;
  }
  const match = BOOTSTRAP.exec(text);
  if (!match || Number(match[3]) >= BOOTSTRAP_PHASES.length) {
    throw new AppError('invalid_cursor', 'Not a bootstrap cursor from /sync/bootstrap; start the bootstrap again without one.');
  }
  return { kind: 'bootstrap', seq: Number(match[1]), access: match[2], phase: Number(match[3]), after: match[4] } as Extract<SyncCursor, { kind: K }>;
}

/** Parses a cursor of either kind (what `POST /sync/ack` stores); 400 `invalid_cursor` otherwise. */
export function decodeAnyCursor(text: string): SyncCursor {
  return text.startsWith('b1.') ? decodeCursor(text, 'bootstrap') : decodeCursor(text, 'changes');
}

/**
 * A tag of the libraries a user may see, leaving out their own upload library (always theirs, created empty on first
 * use, so its appearance changes nothing the log would not say). 8 hex digits of a SHA-256.
 */
export function accessTag(libraries: { id: string; kind: 'music' | 'upload'; ownerUserId: string | null }[], userId: string): string {
  const ids = libraries
    .filter((library) => !(library.kind === 'upload' && library.ownerUserId === userId))
    .map((library) => library.id)
    .sort();
  return createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 8);
}
