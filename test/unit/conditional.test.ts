import { describe, expect, it } from 'vitest';
import {
  formatHttpDate,
  ifNoneMatchMatches,
  ifRangeAllowsRange,
  isNotModified,
  parseHttpDate,
  type Validators,
} from '../../src/stream/conditional.js';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const LAST_MODIFIED = Date.UTC(1994, 10, 6, 8, 49, 37, 250);
const validators: Validators = { etag: '"abc"', lastModifiedMs: LAST_MODIFIED };

describe('HTTP dates (RFC 9110 §5.6.7)', () => {
  const expected = Date.UTC(1994, 10, 6, 8, 49, 37);

  it('formats IMF-fixdate', () => {
    expect(formatHttpDate(LAST_MODIFIED)).toBe('Sun, 06 Nov 1994 08:49:37 GMT');
  });

  it('parses all three forms', () => {
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(expected);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toBe(expected);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994', NOW)).toBe(expected);
  });

  it('reads a two-digit year more than 50 years ahead as the past century', () => {
    const in2030 = Date.UTC(2030, 0, 1);
    expect(parseHttpDate('Thursday, 01-Jan-81 00:00:00 GMT', in2030)).toBe(Date.UTC(1981, 0, 1));
    expect(parseHttpDate('Monday, 01-Jan-80 00:00:00 GMT', in2030)).toBe(Date.UTC(2080, 0, 1));
  });

  it.each(['1', '2024-01-01', 'Sun, 31 Feb 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 25:49:37 GMT', 'Sun, 06 Foo 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 08:49:37 UTC', ''])(
    'rejects %j',
    (value) => {
      expect(parseHttpDate(value, NOW)).toBeNull();
    },
  );
});

describe('If-None-Match (RFC 9110 §13.1.2)', () => {
  it.each([
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['"x",W/"abc" ,', true],
    ['*', true],
    ['"abcd"', false],
    ['"x"', false],
    ['abc', false],
    ['"abc', false],
    ['"a""abc"', false],
    ['', false],
  ])('%j matches: %s', (header, expected) => {
    expect(ifNoneMatchMatches(header, '"abc"')).toBe(expected);
  });
});

describe('isNotModified (RFC 9110 §13.2.2)', () => {
  const sameSecond = 'Sun, 06 Nov 1994 08:49:37 GMT';
  const later = 'Mon, 07 Nov 1994 08:49:37 GMT';
  const earlier = 'Sat, 05 Nov 1994 08:49:37 GMT';

  it('answers 304 for a matching If-None-Match', () => {
    expect(isNotModified({ ifNoneMatch: '"abc"' }, validators, NOW)).toBe(true);
    expect(isNotModified({ ifNoneMatch: '"other"' }, validators, NOW)).toBe(false);
  });

  it('compares If-Modified-Since on whole seconds', () => {
    expect(isNotModified({ ifModifiedSince: sameSecond }, validators, NOW)).toBe(true);
    expect(isNotModified({ ifModifiedSince: later }, validators, NOW)).toBe(true);
    expect(isNotModified({ ifModifiedSince: earlier }, validators, NOW)).toBe(false);
    expect(isNotModified({ ifModifiedSince: 'yesterday' }, validators, NOW)).toBe(false);
  });

  it('ignores If-Modified-Since whenever If-None-Match is present', () => {
    expect(isNotModified({ ifNoneMatch: '"other"', ifModifiedSince: later }, validators, NOW)).toBe(false);
    expect(isNotModified({ ifNoneMatch: '"abc"', ifModifiedSince: earlier }, validators, NOW)).toBe(true);
  });

  it('is false without conditions', () => {
    expect(isNotModified({}, validators, NOW)).toBe(false);
  });
});

describe('If-Range (RFC 9110 §13.1.5)', () => {
  it('allows the range for our strong ETag only', () => {
    expect(ifRangeAllowsRange('"abc"', validators, NOW)).toBe(true);
    expect(ifRangeAllowsRange('W/"abc"', validators, NOW)).toBe(false);
    expect(ifRangeAllowsRange('"other"', validators, NOW)).toBe(false);
    expect(ifRangeAllowsRange('"abc", "other"', validators, NOW)).toBe(false);
  });

  it('allows the range for exactly our Last-Modified date', () => {
    expect(ifRangeAllowsRange('Sun, 06 Nov 1994 08:49:37 GMT', validators, NOW)).toBe(true);
    expect(ifRangeAllowsRange('Sun Nov  6 08:49:37 1994', validators, NOW)).toBe(true);
    expect(ifRangeAllowsRange('Sun, 06 Nov 1994 08:49:38 GMT', validators, NOW)).toBe(false);
    expect(ifRangeAllowsRange('Mon, 07 Nov 1994 08:49:37 GMT', validators, NOW)).toBe(false);
  });

  it('refuses malformed values', () => {
    expect(ifRangeAllowsRange('abc', validators, NOW)).toBe(false);
    expect(ifRangeAllowsRange('', validators, NOW)).toBe(false);
  });
});
