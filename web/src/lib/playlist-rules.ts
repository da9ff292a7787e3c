/**
 * The smart-playlist form and the API's `rules` object (`POST /api/v1/playlists` with `rules`, see
 * src/playlists/schemas.ts): the form holds text as typed, `rulesFromForm` turns it into rules or says what is wrong,
 * and `describeRules` reads rules back as short phrases for the read-only view.
 */

export type RuleSort = 'relevance' | 'title' | 'artist' | 'album' | 'year' | 'added' | 'duration' | 'bpm' | 'plays';

/** The subset of the server's rules the web form edits and shows. */
export interface PlaylistRules {
  q?: string;
  genre?: string;
  yearFrom?: number;
  yearTo?: number;
  codec?: string;
  lossless?: boolean;
  favorites?: boolean;
  addedInLastDays?: number;
  sort?: RuleSort;
  limit?: number;
}

/** The form's fields as typed: numbers are strings until checked. */
export interface RulesForm {
  lossless: boolean;
  favorites: boolean;
  addedInLastDays: string;
  genre: string;
  sort: RuleSort | '';
  limit: string;
}

export const EMPTY_RULES_FORM: RulesForm = { lossless: false, favorites: false, addedInLastDays: '', genre: '', sort: '', limit: '' };

/** Limits the server enforces (src/playlists/schemas.ts): 1–36500 days, 1–10000 tracks. */
const MAX_DAYS = 36_500;
const MAX_LIMIT = 10_000;

function wholeNumber(text: string, min: number, max: number): number | null | 'invalid' {
  const trimmed = text.trim();
  if (!trimmed) return null;
  if (!/^\d+$/.test(trimmed)) return 'invalid';
  const value = Number(trimmed);
  return value < min || value > max ? 'invalid' : value;
}

/**
 * Rules from the form, or the errors per field (messages for a person). Empty fields are left out; a form that
 * sets no filter at all is refused, since such a playlist would hold the whole library.
 */
export function rulesFromForm(form: RulesForm): { rules: PlaylistRules } | { errors: Partial<Record<keyof RulesForm | 'form', string>> } {
  const errors: Partial<Record<keyof RulesForm | 'form', string>> = {};
  const rules: PlaylistRules = {};
  if (form.lossless) rules.lossless = true;
  if (form.favorites) rules.favorites = true;
  const genre = form.genre.trim();
  if (genre) rules.genre = genre;
  const days = wholeNumber(form.addedInLastDays, 1, MAX_DAYS);
  if (days === 'invalid') errors.addedInLastDays = `Enter a whole number of days from 1 to ${MAX_DAYS.toLocaleString('en')}.`;
  else if (days !== null) rules.addedInLastDays = days;
  const limit = wholeNumber(form.limit, 1, MAX_LIMIT);
  if (limit === 'invalid') errors.limit = `Enter a number of tracks from 1 to ${MAX_LIMIT.toLocaleString('en')}.`;
  else if (limit !== null) rules.limit = limit;
  if (form.sort) rules.sort = form.sort;
  if (Object.keys(errors).length) return { errors };
  if (!rules.lossless && !rules.favorites && !rules.genre && !rules.addedInLastDays) {
    return { errors: { form: 'Choose at least one filter: lossless, favorites, a genre or recently added.' } };
  }
  return { rules };
}

const SORT_WORDS: Record<RuleSort, string> = {
  relevance: 'relevance',
  title: 'title',
  artist: 'artist',
  album: 'album',
  year: 'year',
  added: 'date added',
  duration: 'length',
  bpm: 'tempo',
  plays: 'play count',
};

/** Rules as short phrases, in a fixed order: `["Lossless", "Genre: Jazz", "Added in the last 30 days", …]`. */
export function describeRules(rules: PlaylistRules): string[] {
  const parts: string[] = [];
  if (rules.q) parts.push(`Matching “${rules.q}”`);
  if (rules.lossless) parts.push('Lossless');
  if (rules.favorites) parts.push('Favorites');
  if (rules.genre) parts.push(`Genre: ${rules.genre}`);
  if (rules.codec) parts.push(`Codec: ${rules.codec}`);
  if (rules.yearFrom !== undefined || rules.yearTo !== undefined) {
    parts.push(`Years ${rules.yearFrom ?? '…'}–${rules.yearTo ?? '…'}`);
  }
  if (rules.addedInLastDays) parts.push(`Added in the last ${rules.addedInLastDays === 1 ? 'day' : `${rules.addedInLastDays} days`}`);
  if (rules.sort) parts.push(`Sorted by ${SORT_WORDS[rules.sort]}`);
  if (rules.limit) parts.push(`At most ${rules.limit.toLocaleString('en')} tracks`);
  return parts;
}
