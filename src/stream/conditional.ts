/**
 * Conditional requests (RFC 9110 §13) and the validators they compare against, as pure functions. Times are epoch
 * milliseconds; HTTP dates have one-second resolution, so comparisons happen on whole seconds.
 */

/** The validators of a selected representation (RFC 9110 §8.8). */
export interface Validators {
  /** Strong entity tag as sent in `ETag`, quotes included, e.g. `"3f2a…"`. */
  etag: string;
  /** Modification time in epoch ms, already capped at the response time (§8.8.2.1). */
  lastModifiedMs: number;
}

/** The request fields this module evaluates; absent fields are undefined. */
export interface ConditionalRequest {
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifRange?: string;
}

interface EntityTag {
  weak: boolean;
  /** The quoted part, quotes included. */
  opaque: string;
}

/** `entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE` (RFC 9110 §8.8.3), anchored at the current position. */
const ENTITY_TAG = /(W\/)?("[\x21\x23-\x7e\x80-\xff]*")/y;
/** Commas and optional white space between list elements; empty elements are allowed (§5.6.1). */
const LIST_SEPARATOR = /[ \t,]*/y;

/** Wraps an opaque value in quotes as a strong entity tag; the value must not contain `"`. */
export function strongEtag(opaque: string): string {
  return `"${opaque}"`;
}

/** IMF-fixdate (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`. */
export function formatHttpDate(epochMs: number): string {
  return new Date(epochMs).toUTCString();
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850_DATE = /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

function utc(year: number, monthName: string, day: number, hour: number, minute: number, second: number): number | null {
  const month = MONTHS.indexOf(monthName);
  if (month < 0 || hour > 23 || minute > 59 || second > 60) return null;
  const ms = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  // Date.UTC rolls "31 Feb" over into March; a date that does not exist is not a valid HTTP-date.
  return new Date(ms).getUTCDate() === day ? ms : null;
}

/**
 * Parses an HTTP-date in any of the three forms a recipient must accept (RFC 9110 §5.6.7): IMF-fixdate, the
 * obsolete RFC 850 form and asctime. Returns epoch ms, or null for anything else (`Date.parse` is not used: it
 * accepts strings like "1" or "2024-01-01" that are not HTTP-dates). `nowMs` resolves RFC 850's two-digit year: a
 * year more than 50 years in the future means the most recent past year with those digits.
 */
export function parseHttpDate(value: string, nowMs: number): number | null {
  const text = value.trim();
  let match = IMF_FIXDATE.exec(text);
  if (match) return utc(Number(match[3]), match[2], Number(match[1]), Number(match[4]), Number(match[5]), Number(match[6]));
  match = ASCTIME_DATE.exec(text);
  if (match) return utc(Number(match[6]), match[1], Number(match[2]), Number(match[3]), Number(match[4]), Number(match[5]));
  match = RFC850_DATE.exec(text);
  if (match) {
    const nowYear = new Date(nowMs).getUTCFullYear();
    let year = Math.floor(nowYear / 100) * 100 + Number(match[3]);
    if (year > nowYear + 50) year -= 100;
    return utc(year, match[2], Number(match[1]), Number(match[4]), Number(match[5]), Number(match[6]));
  }
  return null;
}

/**
 * Parses `If-None-Match` (`"*"` or a list of entity tags). Null when malformed; a malformed condition is treated as
 * not matching, so the client gets the full answer rather than a 304 it did not ask for.
 */
function parseEntityTagList(value: string): '*' | EntityTag[] | null {
  const text = value.trim();
  if (text === '*') return '*';
  const tags: EntityTag[] = [];
  let position = 0;
  while (position < text.length) {
    LIST_SEPARATOR.lastIndex = position;
    LIST_SEPARATOR.exec(text);
    position = LIST_SEPARATOR.lastIndex;
    if (position >= text.length) break;
    ENTITY_TAG.lastIndex = position;
    const match = ENTITY_TAG.exec(text);
    if (!match) return null;
    tags.push({ weak: match[1] !== undefined, opaque: match[2] });
    position = ENTITY_TAG.lastIndex;
    if (position < text.length && !/[ \t,]/.test(text[position])) return null;
  }
  return tags;
}

/** Parses exactly one entity tag (the form `If-Range` carries). */
function parseEntityTag(value: string): EntityTag | null {
  const list = parseEntityTagList(value);
  return Array.isArray(list) && list.length === 1 ? list[0] : null;
}

/**
 * Whether `If-None-Match` matches the current representation: `*`, or any listed tag equal to ours under the weak
 * comparison (RFC 9110 §13.1.2, §8.8.3.2: `W/"x"` matches `"x"`).
 */
export function ifNoneMatchMatches(ifNoneMatch: string, etag: string): boolean {
  const list = parseEntityTagList(ifNoneMatch);
  if (list === '*') return true;
  return list !== null && list.some((tag) => tag.opaque === etag);
}

/**
 * Whether a GET or HEAD should be answered 304 Not Modified, evaluating the steps of RFC 9110 §13.2.2 that apply to
 * a read: `If-None-Match` when present (step 3), otherwise `If-Modified-Since` (step 4; §13.1.3 says to ignore it
 * whenever `If-None-Match` is present, and when it is not a valid HTTP-date). Not modified means the last
 * modification, at one-second resolution, is not after the given date.
 */
export function isNotModified(request: ConditionalRequest, validators: Validators, nowMs: number): boolean {
  if (request.ifNoneMatch !== undefined) return ifNoneMatchMatches(request.ifNoneMatch, validators.etag);
  if (request.ifModifiedSince === undefined) return false;
  const since = parseHttpDate(request.ifModifiedSince, nowMs);
  return since !== null && wholeSeconds(validators.lastModifiedMs) <= since;
}

/**
 * Evaluates `If-Range` (RFC 9110 §13.1.5); true means "honour the Range header", false means "send the whole
 * representation with 200". Callers only ask when a Range header is present (it is ignored otherwise).
 * - An entity tag matches only under the strong comparison: ours equal and neither weak.
 * - An HTTP-date matches only when it equals our `Last-Modified` exactly. §8.8.2.2 treats a date as strong when
 *   the origin server compares it to the current file, as here; a file rewritten twice within one second keeping
 *   its size is the accepted residual risk, and clients that have our (always strong) ETag should send that.
 * - Anything else (a weak tag, a malformed value) is false.
 */
export function ifRangeAllowsRange(ifRange: string, validators: Validators, nowMs: number): boolean {
  const text = ifRange.trim();
  if (text.startsWith('"') || text.startsWith('W/')) {
    const tag = parseEntityTag(text);
    return tag !== null && !tag.weak && tag.opaque === validators.etag;
  }
  const date = parseHttpDate(text, nowMs);
  return date !== null && date === wholeSeconds(validators.lastModifiedMs);
}

function wholeSeconds(epochMs: number): number {
  return Math.floor(epochMs / 1000) * 1000;
}
