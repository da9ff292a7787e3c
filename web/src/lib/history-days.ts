/**
 * Groups plays (newest first) under day headings for the history page: "Today", "Yesterday", then the weekday for
 * the last week and a date before that. `now` and the time zone come from the caller, so tests need no clock.
 */
export function dayLabel(at: number, now: number, locale = 'en', timeZone?: string): string {
  const day = (ms: number) => new Date(ms).toLocaleDateString('en-CA', { timeZone });
  const startOf = (ms: number) => Date.parse(`${day(ms)}T00:00:00Z`);
  const diffDays = Math.round((startOf(now) - startOf(at)) / 86_400_000);
  if (diffDays <= 0) return 'Today';
  if (diffDays === 1) return 'Yesterday';
  if (diffDays < 7) return new Date(at).toLocaleDateString(locale, { weekday: 'long', timeZone });
  const sameYear = day(at).slice(0, 4) === day(now).slice(0, 4);
  return new Date(at).toLocaleDateString(locale, { day: 'numeric', month: 'long', ...(sameYear ? {} : { year: 'numeric' }), timeZone });
}

/** Consecutive plays of one day together, in the order given, each group with its heading. */
export function groupByDay<T extends { playedAt: number }>(
  plays: readonly T[],
  now: number,
  locale = 'en',
  timeZone?: string,
): { label: string; plays: T[] }[] {
  const groups: { label: string; plays: T[] }[] = [];
  for (const play of plays) {
    const label = dayLabel(play.playedAt, now, locale, timeZone);
    const last = groups.at(-1);
    if (last && last.label === label) last.plays.push(play);
    else groups.push({ label, plays: [play] });
  }
  return groups;
}
