import { describe, expect, it } from 'vitest';
import { dayLabel, groupByDay } from '../../web/src/lib/history-days.js';

const now = Date.parse('2025-06-18T15:00:00Z'); // a Wednesday
const at = (iso: string) => Date.parse(iso);

describe('history day headings', () => {
  it('says Today, Yesterday, a weekday within the week, then a date (with the year only when it differs)', () => {
    expect(dayLabel(at('2025-06-18T00:05:00Z'), now, 'en', 'UTC')).toBe('Today');
    expect(dayLabel(at('2025-06-17T23:59:00Z'), now, 'en', 'UTC')).toBe('Yesterday');
    expect(dayLabel(at('2025-06-14T12:00:00Z'), now, 'en', 'UTC')).toBe('Saturday');
    expect(dayLabel(at('2025-05-02T12:00:00Z'), now, 'en', 'UTC')).toBe('May 2');
    expect(dayLabel(at('2024-12-31T12:00:00Z'), now, 'en', 'UTC')).toBe('December 31, 2024');
  });

  it('uses the listener’s time zone for where a day ends', () => {
    // 23:30 UTC on the 17th is already the morning of the 18th in Tokyo, where it is now the evening of the 18th.
    const morning = at('2025-06-18T10:00:00Z');
    expect(dayLabel(at('2025-06-17T23:30:00Z'), morning, 'en', 'Asia/Tokyo')).toBe('Today');
    expect(dayLabel(at('2025-06-17T23:30:00Z'), morning, 'en', 'UTC')).toBe('Yesterday');
  });

  it('keeps plays in order and groups consecutive plays of one day', () => {
    const plays = [at('2025-06-18T10:00:00Z'), at('2025-06-18T09:00:00Z'), at('2025-06-17T20:00:00Z')].map((playedAt, id) => ({ id, playedAt }));
    expect(groupByDay(plays, now, 'en', 'UTC').map((g) => [g.label, g.plays.map((p) => p.id)])).toEqual([
      ['Today', [0, 1]],
      ['Yesterday', [2]],
    ]);
  });
});
