/**
 * Turning artist tags into the list of credited artists.
 *
 * The library issue's rules: multi-valued tags give one artist per value, and a "feat."/"ft."/"featuring" credit
 * names guests who are credited too, but a single value is never split on "&", "and", ",", "/" or ";", because
 * those characters are part of real names ("Simon & Garfunkel", "AC/DC", "Earth, Wind & Fire").
 */
import { uniqueIgnoringCase } from './tag-text.js';

/**
 * A featuring marker: "feat." / "feat" / "ft." / "ft" / "featuring", any case, after white space or an opening
 * bracket and before white space. The word boundaries keep "Daft Punk" and "Little Feat" whole.
 */
const FEATURING_MARKER = /(\s|[([{])(?:featuring|feat\.?|ft\.?)(?=\s)/i;

const CLOSING_BRACKET: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/**
 * Guests after the marker are separated by "," or "&" ("A feat. B & C" credits A, B and C), because that is how guest
 * lists are almost always written. The price: a guest whose own name holds "," or "&" ("feat. Tyler, The Creator")
 * becomes two artists. The display string keeps the credit as written, so nothing is lost for display.
 */
const GUEST_SEPARATOR = /\s*[,&]\s*/;

/**
 * Splits one artist credit into [main artist, ...featured guests].
 * "Daft Punk feat. Pharrell Williams" → ["Daft Punk", "Pharrell Williams"];
 * "A (ft. B, C)" → ["A", "B", "C"]; "Simon & Garfunkel" → ["Simon & Garfunkel"].
 * The main part is never split. Returns the trimmed credit alone when there is no usable featuring marker.
 */
export function splitArtistCredit(credit: string): string[] {
  const whole = credit.trim();
  const match = FEATURING_MARKER.exec(whole);
  if (!match) {
    return whole === '' ? [] : [whole];
  }
  const opening = match[1];
  let main = whole.slice(0, match.index);
  let guests = whole.slice(match.index + match[0].length).trim();
  const closing = CLOSING_BRACKET[opening];
  if (closing !== undefined) {
    const end = guests.indexOf(closing);
    if (end >= 0) {
      main = `${main} ${guests.slice(end + 1)}`;
      guests = guests.slice(0, end);
    }
  }
  main = main.replace(/[\s,;&]+$/, '').replace(/\s+/g, ' ').trim();
  // "Little Feat & Friends": a name cannot start with a separator, so the marker was part of a name.
  if (main === '' || !/^[\p{L}\p{N}"'“‘]/u.test(guests)) {
    return [whole];
  }
  const guestNames = guests
    .split(GUEST_SEPARATOR)
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (guestNames.length === 0) {
    return [whole];
  }
  return uniqueIgnoringCase([main, ...guestNames]);
}

/**
 * Credited artists for a set of tag values, in order: each value's main artist, then its guests.
 * Values are assumed to be clean (see `cleanTextList`); repeats are dropped ignoring case, first spelling wins.
 */
export function creditedArtists(values: readonly string[]): string[] {
  return uniqueIgnoringCase(values.flatMap((value) => splitArtistCredit(value)));
}

/**
 * One display string for several artist values, the way music-metadata joins them when a file has only an ARTISTS
 * tag: "A", "A & B", "A, B & C". Keeping the same convention makes displays independent of which tag a file used.
 */
export function joinArtistNames(names: readonly string[]): string {
  if (names.length <= 2) {
    return names.join(' & ');
  }
  return `${names.slice(0, -1).join(', ')} & ${names[names.length - 1]}`;
}
