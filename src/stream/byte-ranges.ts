/**
 * The `Range` request header for the `bytes` unit (RFC 9110 §14.1.2, §14.2), as pure functions: parsing and
 * evaluation against a representation's length. Byte positions are 0-based offsets; `end` is inclusive, as in
 * `Content-Range`.
 */

/** One range-spec as the client wrote it (RFC 9110 §14.1.1): `first-last`, `first-`, or the suffix form `-length`. */
export type RangeSpec = { first: number; last: number | null } | { suffixLength: number };

/** What a request's range set asks of a representation. */
export type RangeDecision =
  /** Serve the whole representation with 200: no Range, or one we choose to ignore. */
  | { kind: 'full' }
  /** Serve bytes `start..end` (inclusive) with 206 and `Content-Range: bytes start-end/size`. */
  | { kind: 'partial'; start: number; end: number }
  /** Answer 416 with an unsatisfied-range `Content-Range` (RFC 9110 §14.4): no range-spec overlaps the representation. */
  | { kind: 'unsatisfiable' };

/**
 * More range-specs than any player sends. Past it the header is ignored (200), as RFC 9110 §14.2 lets a server do
 * with "many small ranges", so a request cannot make us sort and merge thousands of them.
 */
export const MAX_RANGE_SPECS = 16;

/** `token` (RFC 9110 §5.6.2), the syntax of a range unit. */
const RANGE_UNIT = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INT_RANGE = /^(\d+)-(\d*)$/;
const SUFFIX_RANGE = /^-(\d+)$/;

/**
 * Parses a `Range` field value. Returns null when the header must be ignored (RFC 9110 §14.2): absent, a unit other
 * than `bytes` (compared case-insensitively, §14.1), or any syntactically invalid range-spec, including
 * `first-last` with last < first (§14.1.1: such a range-spec is invalid, which invalidates the whole set).
 *
 * Whitespace: optional white space around the commas of the list and around the field value is accepted
 * (§5.6.1, §5.5), as are empty list elements; white space around `=` or inside a range-spec is not (the
 * grammar has none there), so such a header is ignored.
 *
 * Positions beyond 2^53 lose precision as numbers; they only ever compare as larger than any file we serve.
 */
export function parseRangeHeader(value: string | undefined): RangeSpec[] | null {
  if (value === undefined) return null;
  const field = value.trim();
  const equals = field.indexOf('=');
  if (equals < 0) return null;
  const unit = field.slice(0, equals);
  if (!RANGE_UNIT.test(unit) || unit.toLowerCase() !== 'bytes') return null;

  const specs: RangeSpec[] = [];
  for (const rawElement of field.slice(equals + 1).split(',')) {
    const element = rawElement.replace(/^[ \t]+|[ \t]+$/g, '');
    if (element === '') continue;
    const intRange = INT_RANGE.exec(element);
    if (intRange) {
      const [, firstDigits, lastDigits] = intRange;
      // Compared as bigints so that the "last < first" rule holds even for absurdly long digit strings.
      if (lastDigits !== '' && BigInt(lastDigits) < BigInt(firstDigits)) return null;
      specs.push({ first: Number(firstDigits), last: lastDigits === '' ? null : Number(lastDigits) });
      continue;
    }
    const suffix = SUFFIX_RANGE.exec(element);
    if (suffix) {
      specs.push({ suffixLength: Number(suffix[1]) });
      continue;
    }
    return null;
  }
  return specs.length > 0 ? specs : null;
}

/**
 * Decides what to send for a parsed range set against a representation of `size` bytes (RFC 9110 §14.1.1–§14.2).
 *
 * - A range-spec is satisfiable when `first < size`, or when it is a suffix with a non-zero length; unsatisfiable
 *   ones are dropped. `last` beyond the end is clamped to `size - 1`; a suffix longer than the file means the whole
 *   file (still a 206).
 * - None satisfiable → `unsatisfiable` (416). `bytes=-0` is the classic case.
 * - The satisfiable ranges are sorted and coalesced (overlapping or adjacent ones merge, which §14.2 allows). If one
 *   range remains → `partial` (206). If several disjoint ranges remain → `full`: we never send
 *   `multipart/byteranges`; §14.2 lets a server ignore Range, no audio player asks for several ranges, and a 200
 *   can never be larger than the file, so overlapping or repeated ranges cannot amplify a response.
 * - More than `MAX_RANGE_SPECS` → `full`.
 * - `size === 0` → `full`: §14.1.1 calls a non-zero suffix satisfiable even then, but `Content-Range` cannot express
 *   an empty range, so the empty representation is sent whole.
 */
export function evaluateRange(specs: readonly RangeSpec[], size: number): RangeDecision {
  if (size === 0 || specs.length > MAX_RANGE_SPECS) return { kind: 'full' };
  const ranges: { start: number; end: number }[] = [];
  for (const spec of specs) {
    if ('suffixLength' in spec) {
      if (spec.suffixLength === 0) continue;
      ranges.push({ start: Math.max(0, size - spec.suffixLength), end: size - 1 });
    } else {
      if (spec.first >= size) continue;
      ranges.push({ start: spec.first, end: spec.last === null ? size - 1 : Math.min(spec.last, size - 1) });
    }
  }
  if (ranges.length === 0) return { kind: 'unsatisfiable' };

  ranges.sort((a, b) => a.start - b.start);
  const merged = [ranges[0]];
  for (const range of ranges.slice(1)) {
    const current = merged[merged.length - 1];
    if (range.start <= current.end + 1) current.end = Math.max(current.end, range.end);
    else merged.push(range);
  }
  return merged.length === 1 ? { kind: 'partial', start: merged[0].start, end: merged[0].end } : { kind: 'full' };
}
