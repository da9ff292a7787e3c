import { describe, expect, it } from 'vitest';
import { evaluateRange, MAX_RANGE_SPECS, parseRangeHeader, type RangeDecision } from '../../src/stream/byte-ranges.js';

const SIZE = 1000;

/** Parse and evaluate, as the stream service does: an ignored header means the whole file. */
function decide(header: string | undefined, size = SIZE): RangeDecision {
  const specs = parseRangeHeader(header);
  return specs ? evaluateRange(specs, size) : { kind: 'full' };
}

describe('parseRangeHeader', () => {
  it('reads the three range-spec forms', () => {
    expect(parseRangeHeader('bytes=0-499')).toEqual([{ first: 0, last: 499 }]);
    expect(parseRangeHeader('bytes=500-')).toEqual([{ first: 500, last: null }]);
    expect(parseRangeHeader('bytes=-200')).toEqual([{ suffixLength: 200 }]);
    expect(parseRangeHeader('bytes=0-0,-1, 10-')).toEqual([{ first: 0, last: 0 }, { suffixLength: 1 }, { first: 10, last: null }]);
  });

  it('compares the unit case-insensitively', () => {
    expect(parseRangeHeader('Bytes=1-2')).toEqual([{ first: 1, last: 2 }]);
    expect(parseRangeHeader('BYTES=1-2')).toEqual([{ first: 1, last: 2 }]);
  });

  it('accepts white space around list commas and the field value, and empty list elements', () => {
    expect(parseRangeHeader('  bytes=0-1 ,\t5-6 , , 9-  ')).toEqual([
      { first: 0, last: 1 },
      { first: 5, last: 6 },
      { first: 9, last: null },
    ]);
    expect(parseRangeHeader('bytes=,0-1')).toEqual([{ first: 0, last: 1 }]);
  });

  it.each([
    ['no header', undefined],
    ['a non-bytes unit', 'items=0-5'],
    ['an unknown unit with bytes-like syntax', 'bits=0-5'],
    ['last before first (RFC 9110 §14.1.1)', 'bytes=5-2'],
    ['one invalid spec among valid ones', 'bytes=0-1,5-2'],
    ['white space around "="', 'bytes = 0-1'],
    ['white space inside a spec', 'bytes=0 - 1'],
    ['no "="', 'bytes 0-1'],
    ['an empty set', 'bytes='],
    ['only commas', 'bytes=,,'],
    ['a bare dash', 'bytes=-'],
    ['a negative start', 'bytes=--5'],
    ['letters', 'bytes=a-b'],
    ['a decimal', 'bytes=1.5-2'],
    ['a sign', 'bytes=+1-2'],
    ['a missing dash', 'bytes=5'],
    ['an empty unit', '=0-1'],
  ])('ignores %s', (_name, header) => {
    expect(parseRangeHeader(header)).toBeNull();
  });

  it('keeps last >= first exact for numbers past 2^53', () => {
    expect(parseRangeHeader('bytes=90071992547409930-90071992547409929')).toBeNull();
    expect(parseRangeHeader('bytes=90071992547409929-90071992547409930')).not.toBeNull();
  });
});

describe('evaluateRange', () => {
  it.each<[string, RangeDecision]>([
    ['bytes=0-0', { kind: 'partial', start: 0, end: 0 }],
    ['bytes=0-499', { kind: 'partial', start: 0, end: 499 }],
    ['bytes=500-', { kind: 'partial', start: 500, end: 999 }],
    ['bytes=999-', { kind: 'partial', start: 999, end: 999 }],
    ['bytes=-1', { kind: 'partial', start: 999, end: 999 }],
    ['bytes=-200', { kind: 'partial', start: 800, end: 999 }],
    // A suffix longer than the file selects the whole file (still 206).
    ['bytes=-5000', { kind: 'partial', start: 0, end: 999 }],
    // An end beyond the file is clamped.
    ['bytes=100-5000', { kind: 'partial', start: 100, end: 999 }],
    ['bytes=0-99999999999999999999999', { kind: 'partial', start: 0, end: 999 }],
    ['bytes=0-999', { kind: 'partial', start: 0, end: 999 }],
  ])('%s → %j', (header, expected) => {
    expect(decide(header)).toEqual(expected);
  });

  it.each([
    ['bytes=-0', 'a zero-length suffix'],
    ['bytes=1000-', 'a start at the size'],
    ['bytes=1000-2000', 'a start past the end'],
    ['bytes=99999999999999999999-', 'a huge start'],
    ['bytes=-0,1000-', 'only unsatisfiable specs'],
  ])('%s is unsatisfiable (%s)', (header) => {
    expect(decide(header)).toEqual({ kind: 'unsatisfiable' });
  });

  it('drops unsatisfiable specs when another one is satisfiable', () => {
    expect(decide('bytes=2000-3000,10-19')).toEqual({ kind: 'partial', start: 10, end: 19 });
    expect(decide('bytes=-0,10-19')).toEqual({ kind: 'partial', start: 10, end: 19 });
  });

  it('coalesces overlapping and adjacent ranges into one 206', () => {
    expect(decide('bytes=0-10,5-20')).toEqual({ kind: 'partial', start: 0, end: 20 });
    expect(decide('bytes=0-9,10-19')).toEqual({ kind: 'partial', start: 0, end: 19 });
    expect(decide('bytes=50-60,0-100')).toEqual({ kind: 'partial', start: 0, end: 100 });
    expect(decide('bytes=0-0,0-0,0-0,0-0')).toEqual({ kind: 'partial', start: 0, end: 0 });
    expect(decide('bytes=900-,-200')).toEqual({ kind: 'partial', start: 800, end: 999 });
  });

  it('answers disjoint ranges with the whole file, never multipart', () => {
    expect(decide('bytes=0-0,-1')).toEqual({ kind: 'full' });
    expect(decide('bytes=0-9,20-29')).toEqual({ kind: 'full' });
  });

  it(`ignores more than ${MAX_RANGE_SPECS} range-specs, even overlapping ones`, () => {
    const many = `bytes=${Array.from({ length: MAX_RANGE_SPECS + 1 }, () => '0-10').join(',')}`;
    expect(decide(many)).toEqual({ kind: 'full' });
    const allowed = `bytes=${Array.from({ length: MAX_RANGE_SPECS }, () => '0-10').join(',')}`;
    expect(decide(allowed)).toEqual({ kind: 'partial', start: 0, end: 10 });
  });

  it('ignores syntactically invalid headers (RFC 9110 §14.2) rather than answering 416', () => {
    expect(decide('bytes=5-2')).toEqual({ kind: 'full' });
    expect(decide('items=0-5')).toEqual({ kind: 'full' });
    expect(decide('bytes=abc')).toEqual({ kind: 'full' });
  });

  it('sends an empty file whole', () => {
    expect(decide('bytes=-5', 0)).toEqual({ kind: 'full' });
    expect(decide('bytes=0-', 0)).toEqual({ kind: 'full' });
  });
});
