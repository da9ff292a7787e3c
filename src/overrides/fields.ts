import type { TracksTable } from '../db/schema.js';
import { AppError } from '../shared/errors.js';
import { foldKey } from '../shared/text.js';
import { creditedArtists, joinArtistNames } from '../library/scanner/artist-credits.js';
import { normaliseGenres } from '../library/scanner/genres.js';
import { cleanText, cleanTextList } from '../library/scanner/tag-text.js';
import type { TrackTags } from '../library/scanner/track-file.js';

/**
 * The catalog fields an admin can override, with the value each takes:
 * `title`, `album`, `albumArtist`: non-blank text; `artists`: credits in order (non-empty; "A feat. B" credits both,
 * as in a tag); `trackNumber`, `discNumber`, `year`, `bpm`: positive integers or null (= not set); `genres`: names in
 * order; `musicalKey`: text or null; `compilation`: boolean (album edits only).
 */
export interface OverrideValues {
  title: string;
  artists: string[];
  album: string;
  albumArtist: string;
  trackNumber: number | null;
  discNumber: number | null;
  year: number | null;
  genres: string[];
  bpm: number | null;
  musicalKey: string | null;
  compilation: boolean;
}

export type OverrideField = keyof OverrideValues;

/** The overrides of one track: only the fields that differ from its file. */
export type TrackOverrides = Partial<OverrideValues>;

/** Fields `PATCH /tracks/{id}` takes. */
export const TRACK_EDIT_FIELDS = [
  'title', 'artists', 'album', 'albumArtist', 'trackNumber', 'discNumber', 'year', 'genres', 'bpm', 'musicalKey',
] as const satisfies readonly OverrideField[];

/** `PATCH /albums/{id}` body keys and the track field each sets on every track of the album. */
export const ALBUM_EDIT_FIELDS = {
  title: 'album',
  albumArtist: 'albumArtist',
  year: 'year',
  genres: 'genres',
  compilation: 'compilation',
} as const satisfies Record<string, OverrideField>;

const OVERRIDE_FIELDS: ReadonlySet<string> = new Set<OverrideField>([...TRACK_EDIT_FIELDS, 'compilation']);

export function isOverrideField(name: string): name is OverrideField {
  return OVERRIDE_FIELDS.has(name);
}

/**
 * The tags an override changes (and those `albumIdentity` groups on), as the tag reader reports them
 * (`TrackTags`). The scanner overlays overrides on the file's `TrackTags`; an edit on tags rebuilt from the catalog.
 */
export type EditableTags = Pick<
  TrackTags,
  'title' | 'artist' | 'artists' | 'album' | 'albumArtist' | 'albumArtists' | 'trackNumber' | 'discNumber' | 'year' | 'date' | 'genres' | 'bpm' | 'musicalKey' | 'compilation' | 'mbReleaseId'
>;

/** A field's tags: what an override replaces, and what is kept as "the file's value" to restore. */
const FIELD_TAGS: { [F in OverrideField]: (keyof EditableTags)[] } = {
  title: ['title'],
  artists: ['artist', 'artists'],
  album: ['album'],
  albumArtist: ['albumArtist', 'albumArtists'],
  trackNumber: ['trackNumber'],
  discNumber: ['discNumber'],
  // A year override also replaces the date, which would otherwise contradict it.
  year: ['year', 'date'],
  genres: ['genres'],
  bpm: ['bpm'],
  musicalKey: ['musicalKey'],
  compilation: ['compilation'],
};

/** The tag keys a field governs. */
export function fieldTags(field: OverrideField): readonly (keyof EditableTags)[] {
  return FIELD_TAGS[field];
}

/**
 * The tags with the overrides applied. Artists are credited as the tag reader credits a tag holding the same values
 * (one value is displayed as written, several joined "A & B"; "feat." guests are credited too); a year keeps the
 * tagged date when it lies in that year, else the date becomes the year.
 */
export function applyOverrides<T extends EditableTags>(tags: T, overrides: TrackOverrides): T {
  const out: T = { ...tags };
  const o = overrides;
  if (o.title !== undefined) out.title = o.title;
  if (o.artists !== undefined) {
    out.artist = o.artists.length === 1 ? o.artists[0] : joinArtistNames(o.artists);
    out.artists = creditedArtists(o.artists);
  }
  if (o.album !== undefined) out.album = o.album;
  if (o.albumArtist !== undefined) {
    out.albumArtist = o.albumArtist;
    out.albumArtists = creditedArtists([o.albumArtist]);
  }
  if (o.trackNumber !== undefined) out.trackNumber = o.trackNumber;
  if (o.discNumber !== undefined) out.discNumber = o.discNumber;
  if (o.year !== undefined) {
    out.year = o.year;
    out.date = o.year === null ? null : tags.date?.startsWith(String(o.year)) ? tags.date : String(o.year);
  }
  if (o.genres !== undefined) out.genres = o.genres;
  if (o.bpm !== undefined) out.bpm = o.bpm;
  if (o.musicalKey !== undefined) out.musicalKey = o.musicalKey;
  if (o.compilation !== undefined) out.compilation = o.compilation;
  return out;
}

/** The value of `field` the tags show (artists: the credited names). */
export function valueOf<F extends OverrideField>(tags: EditableTags, field: F): OverrideValues[F] {
  const values: OverrideValues = {
    title: tags.title,
    artists: tags.artists,
    album: tags.album,
    albumArtist: tags.albumArtist,
    trackNumber: tags.trackNumber,
    discNumber: tags.discNumber,
    year: tags.year,
    genres: tags.genres,
    bpm: tags.bpm,
    musicalKey: tags.musicalKey,
    compilation: tags.compilation,
  };
  return values[field];
}

/** The tags `field` governs, as stored with an override so the file's value can be restored without the file. */
export function fileStateOf(tags: EditableTags, field: OverrideField): Partial<EditableTags> {
  return Object.fromEntries(FIELD_TAGS[field].map((key) => [key, tags[key]]));
}

/** Values compare as their JSON: the same text, numbers, flags and lists in the same order. */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A value from a request, cleaned the way the tag reader cleans the same tag (trimmed, NUL-free, lists without
 * empty or repeated entries, genres split on ";" with ID3 numeric references resolved), so what an edit shows is
 * what the file reads back after `write-tags`. `value` has passed the route's schema for the field. Throws 400
 * `validation_failed` for blank titles, albums, album artists or an empty artist list, naming the field `label`.
 */
export function cleanValue<F extends OverrideField>(field: F, value: unknown, label: string = field): OverrideValues[F] {
  const required = (text: string | null): string => {
    if (text === null) throw new AppError('validation_failed', `${label} must not be blank.`);
    return text;
  };
  switch (field) {
    case 'title':
    case 'album':
    case 'albumArtist':
      return required(cleanText(value)) as OverrideValues[F];
    case 'artists': {
      const artists = cleanTextList(value as string[]);
      if (artists.length === 0) throw new AppError('validation_failed', `${label} must name at least one artist.`);
      return artists as OverrideValues[F];
    }
    case 'genres':
      return normaliseGenres(value as string[]) as OverrideValues[F];
    case 'musicalKey':
      return (value === null ? null : cleanText(value)) as OverrideValues[F];
    default:
      return value as OverrideValues[F];
  }
}

/** Integer columns take rounded numbers, as `trackFieldsFromTags` writes them (PostgreSQL insists). */
function int(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : Math.round(value);
}

/** The track columns that come from the editable tags. */
export type EditableColumns = Pick<
  TracksTable,
  'title' | 'titleKey' | 'artist' | 'albumArtist' | 'trackNumber' | 'discNumber' | 'year' | 'date' | 'compilation' | 'bpm' | 'musicalKey'
>;

/** The track columns for `tags`, with the same conversions as `trackFieldsFromTags`. */
export function editableColumns(tags: EditableTags): EditableColumns {
  return {
    title: tags.title,
    titleKey: foldKey(tags.title),
    artist: tags.artist,
    albumArtist: tags.albumArtist,
    trackNumber: int(tags.trackNumber),
    discNumber: int(tags.discNumber),
    year: int(tags.year),
    date: tags.date,
    compilation: tags.compilation ? 1 : 0,
    bpm: tags.bpm !== null && Number.isFinite(tags.bpm) ? tags.bpm : null,
    musicalKey: tags.musicalKey,
  };
}

/** Stored override rows (`track_overrides`, values as JSON) of many tracks, by track id. */
export function parseOverrideRows(rows: { trackId: string; field: string; value: string }[]): Map<string, TrackOverrides> {
  const byTrack = new Map<string, TrackOverrides>();
  for (const row of rows) {
    if (!isOverrideField(row.field)) continue;
    const overrides = byTrack.get(row.trackId) ?? {};
    (overrides as Record<string, unknown>)[row.field] = JSON.parse(row.value);
    byTrack.set(row.trackId, overrides);
  }
  return byTrack;
}

/** What the scanner writes for a track with overrides: its columns from the overlaid tags, and the file's values. */
export interface OverriddenTrack {
  trackId: string;
  columns: EditableColumns;
  /** Per overridden field, the file's tags for it as JSON (`track_overrides.file_value`). */
  fileValues: { field: OverrideField; fileValue: string }[];
}

/**
 * Applies a track's overrides to the tags the scanner just read from its file: returns the tags to group on and
 * what the batch writes (see `OverriddenTrack`), so overrides win over a changed file and remember its new values.
 */
export function overlayScannedTags<T extends EditableTags>(trackId: string, tags: T, overrides: TrackOverrides): { tags: T; overridden: OverriddenTrack } {
  const effective = applyOverrides(tags, overrides);
  const fields = Object.keys(overrides) as OverrideField[];
  return {
    tags: effective,
    overridden: {
      trackId,
      columns: editableColumns(effective),
      fileValues: fields.map((field) => ({ field, fileValue: JSON.stringify(fileStateOf(tags, field)) })),
    },
  };
}
