import path from 'node:path';
import type { CatalogService, Viewer } from '../catalog/catalog-service.js';
import type { AlbumDetail, Track } from '../catalog/schemas.js';
import type { CatalogEditsTable, CatalogEditTracksTable } from '../db/schema.js';
import { trackFingerprint } from '../library/scanner/content-hash.js';
import { trackFieldsFromTags } from '../library/scanner/track-fields.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { EventBus } from '../shared/events.js';
import { newId } from '../shared/ids.js';
import { DEFAULT_LIMIT, decodeCursor, toPage, type Page } from '../shared/pagination.js';
import type { TagFormat } from './audio-region.js';
import { catalogTags, fileTagsOf, overridesOf, rewriteTracks, type RewriteItem, type RewriteResult } from './catalog-rewrite.js';
import {
  ALBUM_EDIT_FIELDS,
  applyOverrides,
  cleanValue,
  fileStateOf,
  isOverrideField,
  sameValue,
  TRACK_EDIT_FIELDS,
  valueOf,
  type EditableTags,
  type OverrideField,
  type TrackOverrides,
} from './fields.js';
import type { EditAfter, EditRow, OverridesRepository, TrackState } from './overrides-repository.js';
import type { AlbumEdit, CatalogEdit, TrackEdit } from './schemas.js';
import type { TagWriteBack } from './tag-write-back.js';

export interface OverridesServiceDeps {
  repository: OverridesRepository;
  /** Visibility and the answers' shapes come from the catalog: an edit sees exactly what `GET` shows. */
  catalog: Pick<CatalogService, 'getTrack' | 'getAlbum'>;
  visibleLibraryIds(viewer: Viewer): Promise<string[]>;
  /** True while a library scan runs (see `scan_in_progress`). */
  isScanning(): Promise<boolean>;
  writeBack: TagWriteBack;
  /** `OMNISONIC_ALLOW_TAG_WRITES`. */
  allowTagWrites: boolean;
  clock: Clock;
  bus: EventBus;
}

/** One track as an edit found and left it (with the overrides it had), and which of the requested fields it changed. */
interface TrackOutcome {
  state: TrackState;
  overridden: TrackOverrides;
  before: EditableTags;
  after: EditableTags;
  changed: OverrideField[];
}

/** A wanted value meaning "whatever the file says" (a revert to before an edit of a value that came from the file). */
const FROM_FILE = Symbol('the file value');

/** Per field, the value a track should show from now on. */
type Wanted = Partial<Record<OverrideField, unknown>>;

interface HistoryEntry {
  edit: CatalogEditsTable;
  tracks: CatalogEditTracksTable[];
}

/** How one requested field is recorded: under `name` (the scope's term), with the subject's values when not a track's. */
interface RecordedField {
  field: OverrideField;
  name: string;
  subject?: { old: unknown; new: unknown };
}

type AlbumField = keyof typeof ALBUM_EDIT_FIELDS;

const HEX_ID = /^[0-9a-f]{1,128}$/i;

/** The value an album shows for one of its editable fields. */
function albumValue(album: AlbumDetail, name: AlbumField): unknown {
  return { title: album.title, albumArtist: album.albumArtist, year: album.year, genres: album.genres, compilation: album.compilation }[name];
}

/** The tag format of a track as the tag reader identified it; null for formats `write-tags` does not support. */
export function tagFormatOf(codec: string | null, container: string | null): TagFormat | null {
  if (container === 'FLAC') return 'flac';
  if (container === 'MPEG' && codec !== null && /Layer 3$/.test(codec)) return 'mp3';
  return null;
}

function toCatalogEdit(row: EditRow): CatalogEdit {
  return {
    id: row.id,
    scope: row.scope,
    subjectId: row.subjectId,
    field: row.field,
    oldValue: JSON.parse(row.oldValue) as CatalogEdit['oldValue'],
    newValue: JSON.parse(row.newValue) as CatalogEdit['newValue'],
    trackCount: row.trackCount,
    user: row.userId !== null && row.username !== null ? { id: row.userId, username: row.username } : null,
    at: row.at,
    revertsEditId: row.revertsEditId,
  };
}

/** A listing's cursor; anything but an (epoch ms, hex id) position of this listing is `invalid_cursor`. */
function editCursor(cursor: string | undefined, listing: string): EditAfter | null {
  if (cursor === undefined) return null;
  const position = decodeCursor(cursor, listing);
  const [at] = position.values;
  if (position.values.length !== 1 || typeof at !== 'number' || !Number.isSafeInteger(at) || !HEX_ID.test(position.id)) {
    throw new AppError('invalid_cursor');
  }
  return { at, id: position.id };
}

/**
 * Catalog edits. An admin changes a track's fields (`editTrack`) or an album's (`editAlbum`, applied to each of its
 * tracks); each changed value is stored as an override of the track, which wins over the file's tags from then on,
 * for the catalog row as for grouping: the scanner applies overrides whenever it writes a track from its file, so a
 * rescan keeps them. An override exists only while it differs from the file: setting a field back to the file's
 * value removes it. Every change is recorded per field (who, when, old and new value, per track) and can be
 * reverted (`revertTrackEdit`, `revertAlbumEdit`), which is recorded too. `writeTags` writes a track's overrides into
 * its file and then drops them.
 *
 * Rules: only admins edit (403 `forbidden`); whatever a viewer cannot `GET` answers 404 first, so nothing is
 * revealed. Edits never run alongside a scan: while one runs they answer 409 `scan_in_progress` (a scan caches the catalog's
 * names and would collide with rows an edit creates or deletes). Each edit is one transaction; `library` events name
 * the tracks, albums and artists it changed.
 */
export function createOverridesService(deps: OverridesServiceDeps) {
  const { repository, catalog, clock, bus } = deps;

  function requireEditor(viewer: Viewer): void {
    if (viewer.role !== 'admin') throw new AppError('forbidden', 'Only an admin can edit the catalog: it is shared by every user of a library.');
  }

  async function requireIdle(): Promise<void> {
    if (await deps.isScanning()) throw new AppError('scan_in_progress');
  }

  function publish(result: RewriteResult): void {
    const send = (change: 'upsert' | 'delete', entity: 'track' | 'album' | 'artist', ids: string[]) => {
      if (ids.length > 0) bus.publish({ type: 'library', change, entity, ids, libraryIds: result.libraryIds });
    };
    send('upsert', 'artist', result.artists.upserted);
    send('upsert', 'album', result.albums.upserted);
    send('upsert', 'track', result.tracks);
    send('delete', 'album', result.albums.deleted);
    send('delete', 'artist', result.artists.deleted);
  }

  /** History rows: one per field that changed on some track, with each such track's old and new value. */
  function history(spec: { scope: 'track' | 'album'; subjectId: string; userId: string; revertsEditId: string | null; fields: RecordedField[] }) {
    return (outcomes: TrackOutcome[], now: number): HistoryEntry[] =>
      spec.fields.flatMap(({ field, name, subject }) => {
        const changed = outcomes.filter((o) => o.changed.includes(field));
        if (changed.length === 0) return [];
        const id = newId();
        const [first] = changed;
        return [
          {
            edit: {
              id,
              scope: spec.scope,
              subjectId: spec.subjectId,
              field: name,
              oldValue: JSON.stringify(subject ? subject.old : valueOf(first.before, field)),
              newValue: JSON.stringify(subject ? subject.new : valueOf(first.after, field)),
              userId: spec.userId,
              at: now,
              revertsEditId: spec.revertsEditId,
            },
            tracks: changed.map((o) => ({
              editId: id,
              trackId: o.state.id,
              oldValue: JSON.stringify(valueOf(o.before, field)),
              newValue: JSON.stringify(valueOf(o.after, field)),
              oldFromFile: o.overridden[field] === undefined ? 1 : 0,
            })),
          },
        ];
      });
  }

  /**
   * Gives tracks the wanted field values, in one transaction: overrides are stored (or dropped where the value is
   * the file's), changed tracks rewritten and regrouped, history recorded; then events go out.
   */
  async function commit(
    trackIds: string[],
    wanted: (trackId: string) => Wanted,
    record: (outcomes: TrackOutcome[], now: number) => HistoryEntry[],
  ): Promise<void> {
    const result = await repository.transaction(async (q) => {
      const now = clock.now();
      const items: RewriteItem[] = [];
      const outcomes: TrackOutcome[] = [];
      for (const state of await q.loadTracks(trackIds)) {
        // A broken file's row holds no tags to edit; its overrides wait until the file reads again.
        if (state.status === 'broken') continue;
        const file = fileTagsOf(state);
        const current = overridesOf(state);
        const next: Record<string, unknown> = { ...current };
        const request = wanted(state.id);
        const fields = Object.keys(request) as OverrideField[];
        for (const field of fields) {
          const value = request[field] === FROM_FILE ? valueOf(file, field) : request[field];
          if (sameValue(value, valueOf(file, field))) {
            delete next[field];
            if (current[field] !== undefined) await q.deleteOverride(state.id, field);
          } else {
            next[field] = value;
            if (!sameValue(value, current[field])) await q.setOverride(state.id, field, value, fileStateOf(file, field), now);
          }
        }
        const before = catalogTags(state);
        const after = applyOverrides(file, next as TrackOverrides);
        const changed = fields.filter((field) => !sameValue(valueOf(before, field), valueOf(after, field)));
        if (changed.length === 0) continue;
        items.push({ state, tags: after });
        outcomes.push({ state, overridden: current, before, after, changed });
      }
      for (const entry of record(outcomes, now)) await q.insertEdit(entry.edit, entry.tracks);
      return rewriteTracks(q, items, now);
    });
    publish(result);
  }

  /** The album a track is on now (after an edit moved it), as the viewer sees it. */
  async function albumOf(viewer: Viewer, trackId: string): Promise<AlbumDetail> {
    const { albumId } = await catalog.getTrack(viewer, trackId);
    if (albumId === null) throw new AppError('album_not_found');
    return catalog.getAlbum(viewer, albumId);
  }

  async function findEdit(editId: string) {
    const found = HEX_ID.test(editId) ? await repository.findEdit(editId) : null;
    if (!found) throw new AppError('edit_not_found');
    return found;
  }

  return {
    /**
     * Sets fields of a track (`TrackEdit`; absent fields unchanged) and answers the track as it is now. Album and
     * album artist changes move it to the album they name (created when new; an album left empty is deleted).
     * Errors: 404 `track_not_found`, 403 `forbidden`, 404 `track_unavailable` (broken file: no tags to edit),
     * 400 `validation_failed` (blank text), 409 `scan_in_progress`.
     */
    async editTrack(viewer: Viewer, trackId: string, body: TrackEdit): Promise<Track> {
      const track = await catalog.getTrack(viewer, trackId);
      requireEditor(viewer);
      if (track.status === 'broken') throw new AppError('track_unavailable', 'A broken file has no tags to edit.');
      const changes: Record<string, unknown> = {};
      for (const field of TRACK_EDIT_FIELDS) {
        const value = body[field];
        if (value !== undefined) changes[field] = cleanValue(field, value);
      }
      const fields = Object.keys(changes) as OverrideField[];
      if (fields.length === 0) return track;
      await requireIdle();
      await commit(
        [trackId],
        () => changes,
        history({ scope: 'track', subjectId: trackId, userId: viewer.id, revertsEditId: null, fields: fields.map((field) => ({ field, name: field })) }),
      );
      return catalog.getTrack(viewer, trackId);
    },

    /**
     * Sets fields of every track of the album in the viewer's libraries (`AlbumEdit`) and answers the album they are
     * on now: the same id when all its tracks move together to a new title or album artist, else the album they
     * joined. Errors: 404 `album_not_found`, 403 `forbidden`, 400 `validation_failed`, 409 `scan_in_progress`.
     */
    async editAlbum(viewer: Viewer, albumId: string, body: AlbumEdit): Promise<AlbumDetail> {
      const album = await catalog.getAlbum(viewer, albumId);
      requireEditor(viewer);
      const names = (Object.keys(ALBUM_EDIT_FIELDS) as AlbumField[]).filter((name) => body[name] !== undefined);
      if (names.length === 0) return album;
      const recorded: RecordedField[] = names.map((name) => {
        const field = ALBUM_EDIT_FIELDS[name];
        return { field, name, subject: { old: albumValue(album, name), new: cleanValue(field, body[name], name) } };
      });
      await requireIdle();
      const trackIds = await repository.albumTrackIds(albumId, await deps.visibleLibraryIds(viewer));
      const wanted: Wanted = Object.fromEntries(recorded.map((r) => [r.field, r.subject!.new]));
      await commit(trackIds, () => wanted, history({ scope: 'album', subjectId: albumId, userId: viewer.id, revertsEditId: null, fields: recorded }));
      return albumOf(viewer, album.tracks[0]!.id);
    },

    /** Edits that changed the track (its own and its album's), newest first. Errors: 404 `track_not_found`, 403 `forbidden`, 400 `invalid_cursor`. */
    async trackEdits(viewer: Viewer, trackId: string, page: { limit?: number; cursor?: string }): Promise<Page<CatalogEdit>> {
      await catalog.getTrack(viewer, trackId);
      requireEditor(viewer);
      const limit = page.limit ?? DEFAULT_LIMIT;
      const listing = `edits:track:${trackId}`;
      const rows = await repository.trackEdits(trackId, editCursor(page.cursor, listing), limit + 1);
      return toPage(rows, limit, listing, (row) => [row.at], toCatalogEdit);
    },

    /** Edits made on the album, newest first. Errors: 404 `album_not_found`, 403 `forbidden`, 400 `invalid_cursor`. */
    async albumEdits(viewer: Viewer, albumId: string, page: { limit?: number; cursor?: string }): Promise<Page<CatalogEdit>> {
      await catalog.getAlbum(viewer, albumId);
      requireEditor(viewer);
      const limit = page.limit ?? DEFAULT_LIMIT;
      const listing = `edits:album:${albumId}`;
      const rows = await repository.albumEdits(albumId, editCursor(page.cursor, listing), limit + 1);
      return toPage(rows, limit, listing, (row) => [row.at], toCatalogEdit);
    },

    /**
     * Puts the track's field back as it was before the edit (one of its own, or one of its album's, then undone for
     * this track only), whatever happened since; recorded as a new edit. A value that came from the file comes from
     * the file again: the override goes, and the track shows what the file says now (a file re-tagged since shows
     * its new tags). Otherwise the earlier edit's value is set again. Errors: 404 `track_not_found`,
     * 404 `edit_not_found` (unknown, or it did not change this track), 404 `track_unavailable` (broken file),
     * 403 `forbidden`, 409 `scan_in_progress`.
     */
    async revertTrackEdit(viewer: Viewer, trackId: string, editId: string): Promise<Track> {
      const track = await catalog.getTrack(viewer, trackId);
      requireEditor(viewer);
      if (track.status === 'broken') throw new AppError('track_unavailable', 'A broken file has no tags to edit.');
      const { edit, tracks } = await findEdit(editId);
      const change = tracks.find((t) => t.trackId === trackId);
      const field = edit.scope === 'album' ? ALBUM_EDIT_FIELDS[edit.field as AlbumField] : edit.field;
      if (!change || field === undefined || !isOverrideField(field)) throw new AppError('edit_not_found');
      await requireIdle();
      const value = change.oldFromFile ? FROM_FILE : (JSON.parse(change.oldValue) as unknown);
      await commit(
        [trackId],
        () => ({ [field]: value }),
        history({ scope: 'track', subjectId: trackId, userId: viewer.id, revertsEditId: edit.id, fields: [{ field, name: field }] }),
      );
      return catalog.getTrack(viewer, trackId);
    },

    /**
     * Undoes an edit made on the album for every track it changed that the viewer may see (each gets its own value
     * from before the edit back, as `revertTrackEdit` does) and answers the album they are on now. Errors: 404 `album_not_found`,
     * 404 `edit_not_found` (unknown, or not made on this album), 403 `forbidden`, 409 `scan_in_progress`.
     */
    async revertAlbumEdit(viewer: Viewer, albumId: string, editId: string): Promise<AlbumDetail> {
      const album = await catalog.getAlbum(viewer, albumId);
      requireEditor(viewer);
      const { edit, tracks } = await findEdit(editId);
      const name = edit.field as AlbumField;
      const field = ALBUM_EDIT_FIELDS[name];
      if (edit.scope !== 'album' || edit.subjectId !== albumId || field === undefined) throw new AppError('edit_not_found');
      await requireIdle();
      const previous = new Map(tracks.map((t) => [t.trackId, t.oldFromFile ? FROM_FILE : (JSON.parse(t.oldValue) as unknown)]));
      const trackIds = await repository.visibleTrackIds([...previous.keys()], await deps.visibleLibraryIds(viewer));
      await commit(
        trackIds,
        (trackId) => ({ [field]: previous.get(trackId) }),
        history({
          scope: 'album',
          subjectId: albumId,
          userId: viewer.id,
          revertsEditId: edit.id,
          fields: [{ field, name, subject: { old: albumValue(album, name), new: JSON.parse(edit.oldValue) } }],
        }),
      );
      // A playable track the revert moved shows where they went; none moved, the album is where it was.
      return albumOf(viewer, album.tracks.find((t) => trackIds.includes(t.id))?.id ?? album.tracks[0]!.id);
    },

    /**
     * Writes the track's overrides into its file's tags (see `createTagWriteBack`: verified, never half-written),
     * then drops them, since the file now says the same: the catalog shows the file's tags again and the next scan
     * sees the file unchanged (size, mtime, fingerprint and content hash are updated). The history is unchanged (no
     * value changed); as the file now holds the edited values, reverting an edit made before the write-back to a
     * value that came from the file shows the written value: edit the field again to change it. The album
     * artist is written along with the artists or the compilation flag, because a file without one takes it from
     * them. A track without overrides leaves the file alone (`written: []`).
     * Errors: 404 `track_not_found`, 403 `forbidden`, 403 `tag_writes_disabled`, 404 `track_unavailable` (file
     * missing or unreadable), 422 `tag_write_unsupported` (not MP3 or FLAC), 409 `scan_in_progress`,
     * 500 `tag_write_failed` (the file is unchanged).
     */
    async writeTags(viewer: Viewer, trackId: string): Promise<{ track: Track; written: OverrideField[] }> {
      const track = await catalog.getTrack(viewer, trackId);
      requireEditor(viewer);
      if (!deps.allowTagWrites) throw new AppError('tag_writes_disabled');
      if (track.status !== 'ok') throw new AppError('track_unavailable');
      const format = tagFormatOf(track.codec, track.container);
      if (!format) throw new AppError('tag_write_unsupported');
      await requireIdle();
      const [state] = await repository.loadTracks([trackId]);
      const values = overridesOf(state!);
      if (Object.keys(values).length === 0) return { track, written: [] };
      if ((values.artists !== undefined || values.compilation !== undefined) && values.albumArtist === undefined) {
        values.albumArtist = catalogTags(state!).albumArtist;
      }
      const file = await deps.writeBack.write(path.join(state!.rootPath, ...state!.path.split('/')), format, values);
      const result = await repository.transaction(async (q) => {
        const [current] = await q.loadTracks([trackId]);
        const remaining = overridesOf(current!);
        // Only what was written goes; an override changed while the file was being written still wins.
        for (const override of current!.overrides) {
          if (sameValue(override.value, values[override.field])) {
            await q.deleteOverride(trackId, override.field);
            delete remaining[override.field];
          }
        }
        const { size, mtimeMs, contentHash, read } = file;
        const extra = { ...trackFieldsFromTags(read), size, mtimeMs, contentHash, fingerprint: trackFingerprint(size, read) };
        return rewriteTracks(q, [{ state: current!, tags: applyOverrides(read.tags, remaining), extra }], clock.now());
      });
      publish(result);
      return { track: await catalog.getTrack(viewer, trackId), written: Object.keys(values) as OverrideField[] };
    },
  };
}

export type OverridesService = ReturnType<typeof createOverridesService>;
