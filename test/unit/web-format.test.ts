import { expect, it } from 'vitest';
import { formatClock, formatTotal, plural } from '../../web/src/lib/format.js';

it('shows track times as a clock, with hours only when needed and a dash when unknown', () => {
  expect(formatClock(7_900)).toBe('0:07');
  expect(formatClock(205_000)).toBe('3:25');
  expect(formatClock(3_723_000)).toBe('1:02:03');
  expect(formatClock(null)).toBe('–:––');
  expect(formatClock(-5)).toBe('0:00');
});

it('shows an album\'s total running time in words', () => {
  expect(formatTotal(20_000)).toBe('under a minute');
  expect(formatTotal(42 * 60_000)).toBe('42 min');
  expect(formatTotal(65 * 60_000)).toBe('1 h 5 min');
  expect(formatTotal(120 * 60_000)).toBe('2 h');
  expect(plural(1, 'track')).toBe('1 track');
  expect(plural(12, 'track')).toBe('12 tracks');
});
