/**
 * Folds a name for matching and sorting: Unicode NFKD, diacritics removed, lower-cased, white space collapsed.
 * "Beyoncé" and "BEYONCE" fold to the same key, so they name one artist.
 */
export function foldKey(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

const LEADING_ARTICLE = /^(the|a|an) (?=\S)/;

/** Sort key for artist names: folded, without a leading English article ("The Beatles" sorts under B). */
export function artistSortKey(name: string): string {
  return foldKey(name).replace(LEADING_ARTICLE, '');
}
