/** Where a sorted list stood after a page: the sort key and id of the page's last row. */
export interface SortPosition {
  key: string;
  id: string;
}

/**
 * Keyset continuations for offset-paged lists. Subsonic clients page with offsets (`search3` with an empty query,
 * 500 at a time, is how Symfonium syncs a whole library), and `OFFSET n` makes the database walk n rows first, so a
 * 100k-track sync does quadratic work. When a page ends, the position of its last row is remembered under
 * (list, offset of the next row); the request for that next offset then continues with `(key, id) > position`,
 * which the sort index answers directly. Anything not remembered — a jump, an expired or evicted entry — falls back
 * to `OFFSET`, so results are the same either way, except that a continuation does not shift when rows are added
 * or removed between pages (no skipped or repeated rows mid-sync). Entries live `ttlMs`, at most `max` of them.
 */
export function createPageContinuations(options: { max: number; ttlMs: number; now(): number }) {
  const entries = new Map<string, { position: SortPosition; at: number }>();
  const keyOf = (list: string, offset: number) => `${list}\n${offset}`;

  return {
    /** The position row `offset` of `list` follows, when a recent page ended just before it. */
    find(list: string, offset: number): SortPosition | undefined {
      const key = keyOf(list, offset);
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (options.now() - entry.at > options.ttlMs) {
        entries.delete(key);
        return undefined;
      }
      return entry.position;
    },

    /** Records that row `offset` of `list` follows `position`. */
    remember(list: string, offset: number, position: SortPosition) {
      const key = keyOf(list, offset);
      entries.delete(key);
      entries.set(key, { position, at: options.now() });
      // Maps iterate in insertion order: the first entries are the oldest.
      for (const oldest of entries.keys()) {
        if (entries.size <= options.max) break;
        entries.delete(oldest);
      }
    },
  };
}

export type PageContinuations = ReturnType<typeof createPageContinuations>;
