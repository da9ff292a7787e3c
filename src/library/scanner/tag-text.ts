/**
 * Clean-up shared by every tag value the reader keeps. Tag writers pad with NUL characters and white space,
 * and some store several values in one field separated by NUL, so values are normalised once here.
 */

/** The value as trimmed text without NUL characters; null when it is not text (or a number) or nothing is left. */
export function cleanText(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  if (typeof value !== 'string') {
    return null;
  }
  const text = value.replace(/\u0000/g, '').trim();
  return text === '' ? null : text;
}

/**
 * The values of a multi-valued field: a NUL inside a value separates two values (ID3v2.4 style, also written
 * non-standardly elsewhere), each is trimmed, empty ones are dropped and repeats are removed ignoring case.
 */
export function cleanTextList(values: Iterable<unknown> | null | undefined): string[] {
  const texts: string[] = [];
  for (const value of values ?? []) {
    if (typeof value !== 'string') {
      continue;
    }
    for (const part of value.split('\u0000')) {
      const text = cleanText(part);
      if (text !== null) {
        texts.push(text);
      }
    }
  }
  return uniqueIgnoringCase(texts);
}

/** Drops later values that equal an earlier one ignoring case; the first spelling wins. */
export function uniqueIgnoringCase(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const value of values) {
    const key = value.toLocaleLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      unique.push(value);
    }
  }
  return unique;
}

/** A positive finite number, else null: tags use 0 or garbage for "unknown". */
export function positiveNumber(value: unknown): number | null {
  const number = typeof value === 'string' ? Number.parseFloat(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number > 0 ? number : null;
}

/** A finite number, else null (gains may be negative or zero). */
export function finiteNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
