/** A track position or length as a clock: `0:07`, `3:25`, `1:02:03`. Unknown (null) shows as `–:––`. */
export function formatClock(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–:––';
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** A total running time in words: `42 min`, `1 h 5 min`, `under a minute`. */
export function formatTotal(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

/** "1 track", "12 tracks". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`;
}

/** `plural`, or a note that the count is not known yet (a smart playlist while the server's search index builds). */
export function pluralOrPending(count: number | null, one: string, many = `${one}s`): string {
  return count === null ? `${many} being chosen…` : plural(count, one, many);
}
