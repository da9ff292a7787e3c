import type { Kysely } from 'kysely';
import type { Database, LibraryEventsTable, SyncEntityType } from '../db/schema.js';

/** One change to append: see `LibraryEventsTable`. Exactly one of `libraryId` (catalog) or `ownerUserId` is set. */
export interface LibraryEvent {
  entityType: SyncEntityType;
  entityId: string;
  op: 'upsert' | 'delete';
  libraryId: string | null;
  ownerUserId: string | null;
}

/** A transaction (or, for reads, the database) the writers hand in. */
type Queries = Kysely<Database>;

/** Rows per multi-row INSERT (7 columns, far under SQLite's bound-parameter limit). */
const INSERT_CHUNK = 1000;
/** Ids per `IN (…)` list. */
const IN_CHUNK = 500;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const eventKey = (e: LibraryEvent) => `${e.entityType}\u0000${e.entityId}\u0000${e.libraryId ?? ''}\u0000${e.ownerUserId ?? ''}`;

/**
 * Appends `events` (epoch ms `at`) to the sync change log inside the caller's transaction `trx`, so the log holds a
 * change exactly when the change committed. Duplicates (same entity and audience) collapse to the last one given.
 *
 * Must be the LAST statement of the transaction. The sequence numbers come from the single `library_event_log` row,
 * bumped here: on PostgreSQL its row lock is held until commit, so a second appender waits until the first has
 * committed and therefore commits after it with higher numbers. Committed rows thus always form a gap-free prefix
 * of the sequence (what a reader sees never has a hole that an in-flight transaction fills later), and the
 * committed counter is a safe watermark to read up to. A sequence (or identity column) would not give that: its
 * values are handed out at insert time and commit in any order. Taking the lock last keeps it held only for the
 * insert and the commit, and means an appender never waits for another row while holding it (no deadlock). On
 * SQLite writers are serialised anyway.
 */
export async function appendLibraryEvents(trx: Queries, events: LibraryEvent[], at: number): Promise<void> {
  const unique = new Map<string, LibraryEvent>();
  for (const event of events) {
    const key = eventKey(event);
    unique.delete(key);
    unique.set(key, event);
  }
  if (unique.size === 0) return;
  const count = unique.size;
  const { lastSeq } = await trx
    .updateTable('libraryEventLog')
    .set((eb) => ({ lastSeq: eb('lastSeq', '+', count) }))
    .where('id', '=', 1)
    .returning('lastSeq')
    .executeTakeFirstOrThrow();
  let seq = Number(lastSeq) - count;
  const rows: LibraryEventsTable[] = [...unique.values()].map((event) => ({ ...event, seq: ++seq, at }));
  for (const list of chunks(rows, INSERT_CHUNK)) await trx.insertInto('libraryEvents').values(list).execute();
}

/**
 * Moves the log's counter past every `seq` handed out so far without appending a row; returns the new value. Used to
 * mark a point in the log (a device forced to bootstrap again) that no cursor issued before can have reached. Same
 * locking rule as `appendLibraryEvents`: last statement of its transaction.
 */
export async function advanceLibraryEventLog(trx: Queries): Promise<number> {
  const { lastSeq } = await trx
    .updateTable('libraryEventLog')
    .set((eb) => ({ lastSeq: eb('lastSeq', '+', 1) }))
    .where('id', '=', 1)
    .returning('lastSeq')
    .executeTakeFirstOrThrow();
  return Number(lastSeq);
}

/**
 * The catalog entities the tracks `trackIds` touch as the transaction sees them now — each track, its album, the
 * album's artist and cover, its credited artists and its own cover — as `upsert` events for the viewers of the
 * track's library. Call it before a write (what the tracks leave: an album, artist or cover may stop being visible)
 * and after it (what they join), and append both: readers resend each entity as it then is, or a delete when the
 * viewer can no longer see it.
 */
export async function catalogEventsOfTracks(q: Queries, trackIds: string[]): Promise<LibraryEvent[]> {
  const out: LibraryEvent[] = [];
  const push = (entityType: SyncEntityType, entityId: string | null, libraryId: string) => {
    if (entityId) out.push({ entityType, entityId, op: 'upsert', libraryId, ownerUserId: null });
  };
  for (const ids of chunks([...new Set(trackIds)], IN_CHUNK)) {
    const [tracks, credits] = await Promise.all([
      q
        .selectFrom('tracks as t')
        .leftJoin('albums as al', 'al.id', 't.albumId')
        .select(['t.id', 't.libraryId', 't.albumId', 't.artworkId', 'al.albumArtistId', 'al.artworkId as albumArtworkId'])
        .where('t.id', 'in', ids)
        .execute(),
      q
        .selectFrom('trackArtists as ta')
        .innerJoin('tracks as t', 't.id', 'ta.trackId')
        .select(['ta.artistId', 't.libraryId'])
        .where('ta.trackId', 'in', ids)
        .execute(),
    ]);
    for (const track of tracks) {
      push('track', track.id, track.libraryId);
      push('album', track.albumId, track.libraryId);
      push('artist', track.albumArtistId, track.libraryId);
      push('artwork', track.artworkId, track.libraryId);
      push('artwork', track.albumArtworkId, track.libraryId);
    }
    for (const credit of credits) push('artist', credit.artistId, credit.libraryId);
  }
  return out;
}

/**
 * The albums `albumIds` with their album artist and cover as they are now, as `upsert` events for the viewers of
 * every library holding a track of them (an album's own fields changed: all its viewers are concerned).
 */
export async function catalogEventsOfAlbums(q: Queries, albumIds: string[]): Promise<LibraryEvent[]> {
  const out: LibraryEvent[] = [];
  for (const ids of chunks([...new Set(albumIds)], IN_CHUNK)) {
    const rows = await q
      .selectFrom('albums as al')
      .innerJoin('tracks as t', 't.albumId', 'al.id')
      .select(['al.id', 'al.albumArtistId', 'al.artworkId', 't.libraryId'])
      .distinct()
      .where('al.id', 'in', ids)
      .execute();
    for (const row of rows) {
      const base = { op: 'upsert' as const, libraryId: row.libraryId, ownerUserId: null };
      out.push({ ...base, entityType: 'album', entityId: row.id }, { ...base, entityType: 'artist', entityId: row.albumArtistId });
      if (row.artworkId) out.push({ ...base, entityType: 'artwork', entityId: row.artworkId });
    }
  }
  return out;
}

/** `delete` events of catalog entities for the viewers of each of `libraryIds`. */
export function catalogDeletes(entityType: SyncEntityType, ids: string[], libraryIds: string[]): LibraryEvent[] {
  return ids.flatMap((entityId) => libraryIds.map((libraryId) => ({ entityType, entityId, op: 'delete' as const, libraryId, ownerUserId: null })));
}

/** Catalog events turned into deletes for those entities that were deleted (`deleted` by type). */
export function markDeleted(events: LibraryEvent[], deleted: Partial<Record<SyncEntityType, string[]>>): LibraryEvent[] {
  const gone = new Set(Object.entries(deleted).flatMap(([type, ids]) => (ids ?? []).map((id) => `${type}\u0000${id}`)));
  return events.map((e) => (gone.has(`${e.entityType}\u0000${e.entityId}`) ? { ...e, op: 'delete' } : e));
}

/** The libraries the catalog events concern (for the `libraryIds` of a `library` bus event). */
export function librariesOf(events: LibraryEvent[]): string[] {
  return [...new Set(events.flatMap((e) => (e.libraryId ? [e.libraryId] : [])))];
}
