/**
 * The track editor's form and the `PATCH /api/v1/tracks/{id}` body: text fields as typed, lists split on ";", and
 * only the fields that changed are sent, so an untouched field never becomes an override (src/overrides/).
 */

export interface EditableTrack {
  title: string;
  artists: { name: string }[];
  album: string | null;
  albumArtist: string;
  year: number | null;
  genres: string[];
  trackNumber: number | null;
  discNumber: number | null;
}

export interface TrackForm {
  title: string;
  artists: string;
  album: string;
  albumArtist: string;
  year: string;
  genres: string;
  trackNumber: string;
  discNumber: string;
}

export interface TrackPatch {
  title?: string;
  artists?: string[];
  album?: string;
  albumArtist?: string;
  year?: number | null;
  genres?: string[];
  trackNumber?: number | null;
  discNumber?: number | null;
}

/** Several artists or genres in one field are separated by ";" (names may hold commas: "Earth, Wind & Fire"). */
export const LIST_SEPARATOR = ';';

const splitList = (text: string) =>
  text
    .split(LIST_SEPARATOR)
    .map((part) => part.trim())
    .filter(Boolean);

export function formFromTrack(track: EditableTrack): TrackForm {
  return {
    title: track.title,
    artists: track.artists.map((a) => a.name).join(`${LIST_SEPARATOR} `),
    album: track.album ?? '',
    albumArtist: track.albumArtist,
    year: track.year?.toString() ?? '',
    genres: track.genres.join(`${LIST_SEPARATOR} `),
    trackNumber: track.trackNumber?.toString() ?? '',
    discNumber: track.discNumber?.toString() ?? '',
  };
}

/** A number field: empty clears it (null); otherwise a whole number within the server's 1–9999. */
function optionalNumber(text: string, label: string): { value: number | null } | { error: string } {
  const trimmed = text.trim();
  if (!trimmed) return { value: null };
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1 || Number(trimmed) > 9999) return { error: `${label} must be a whole number from 1 to 9999.` };
  return { value: Number(trimmed) };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The changed fields of `form` against `track`, or the errors per field. An empty patch means nothing changed.
 */
export function patchFromForm(track: EditableTrack, form: TrackForm): { patch: TrackPatch } | { errors: Partial<Record<keyof TrackForm, string>> } {
  const errors: Partial<Record<keyof TrackForm, string>> = {};
  const patch: TrackPatch = {};
  const title = form.title.trim();
  if (!title) errors.title = 'A track needs a title.';
  else if (title !== track.title) patch.title = title;
  const artists = splitList(form.artists);
  if (!artists.length) errors.artists = 'Name at least one artist.';
  else if (!sameList(artists, track.artists.map((a) => a.name))) patch.artists = artists;
  const album = form.album.trim();
  if (album !== (track.album ?? '')) patch.album = album;
  const albumArtist = form.albumArtist.trim();
  if (albumArtist && albumArtist !== track.albumArtist) patch.albumArtist = albumArtist;
  const genres = splitList(form.genres);
  if (!sameList(genres, track.genres)) patch.genres = genres;
  for (const [field, label] of [
    ['year', 'Year'],
    ['trackNumber', 'Track number'],
    ['discNumber', 'Disc number'],
  ] as const) {
    const parsed = optionalNumber(form[field], label);
    if ('error' in parsed) errors[field] = parsed.error;
    else if (parsed.value !== track[field]) patch[field] = parsed.value;
  }
  return Object.keys(errors).length ? { errors } : { patch };
}
