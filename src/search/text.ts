import { foldKey } from '../shared/text.js';

/*
 * How search sees text. A value is folded (`foldKey`: NFKD, marks stripped, lower-case; then `SPELLED`), split into words on white
 * space, and each word into its letter/digit runs ("ac/dc" → "ac", "dc"; "help!" → "help"). A word of several runs
 * also yields the runs joined ("acdc", "dont"), so the spelling without punctuation finds it too.
 */

const RUN = /[\p{L}\p{N}]+/gu;

/** Letters NFKD leaves whole, spelled as people type them without the key: "Ágætis" → "agaetis", "Ørken" → "orken". */
const SPELLED: Record<string, string> = { æ: 'ae', œ: 'oe', ø: 'o', ß: 'ss', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };
const UNSPELLED = new RegExp(`[${Object.keys(SPELLED).join('')}]`, 'g');

/** `foldKey` plus `SPELLED`: the form both indexed text and queries are compared in. */
function fold(value: string): string {
  return foldKey(value).replace(UNSPELLED, (letter) => SPELLED[letter]!);
}

/** The letter/digit runs of a value, folded, in order: "AC/DC – Highway" → ["ac", "dc", "highway"]. */
export function searchWords(value: string): string[] {
  return fold(value).match(RUN) ?? [];
}

/** The terms a field value is indexed under: every run, plus the joined runs of a word with punctuation inside. */
export function indexTerms(value: string): string[] {
  const terms: string[] = [];
  for (const word of fold(value).split(' ')) {
    const runs = word.match(RUN);
    if (!runs) continue;
    terms.push(...runs);
    if (runs.length > 1) terms.push(runs.join(''));
  }
  return terms;
}

const LEADING_ARTICLE = /^(the|a|an) (?=\S)/;

/** A name as compared whole for the exact and prefix tiers: its runs joined by one space ("the beatles"). */
export function nameForm(value: string): string {
  return searchWords(value).join(' ');
}

/** `nameForm` without a leading English article, so "beatles" is an exact match of "The Beatles". */
export function withoutArticle(form: string): string {
  return form.replace(LEADING_ARTICLE, '');
}

/** How many edits a query word of `length` letters may be away from an indexed term: 0, 1 from 4 letters, 2 from 8. */
export function allowedEdits(length: number): number {
  return length >= 8 ? 2 : length >= 4 ? 1 : 0;
}

/**
 * Levenshtein distance between `a` and `b` (UTF-16 units, which is letters for folded text), or `max + 1` as soon
 * as it is known to exceed `max`; callers only care whether a term is within reach.
 */
export function boundedDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = new Array<number>(b.length + 1);
  let current = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}
