import { useCallback, useEffect, useRef, useState } from 'react';

/** One page of a `{items, nextCursor}` listing. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PagedList<T> {
  items: T[];
  /** More pages exist on the server. */
  hasMore: boolean;
  loading: boolean;
  error: unknown;
  /** Fetches the next page unless one is already on its way; virtual lists call it near their end. */
  loadMore: () => void;
  reload: () => void;
}

/**
 * A cursor-paged listing loaded page by page as the user scrolls (`limit` up to 500 per page). Starts over when
 * `key` changes (another sort or filter); answers for an older key are dropped.
 */
export function usePagedList<T>(key: string, fetchPage: (cursor: string | undefined) => Promise<Page<T>>): PagedList<T> {
  const [state, setState] = useState<{ items: T[]; cursor: string | null | undefined; loading: boolean; error: unknown }>({
    items: [],
    cursor: undefined,
    loading: true,
    error: undefined,
  });
  const generation = useRef(0);
  const inFlight = useRef(false);
  const cursorRef = useRef<string | null | undefined>(undefined);
  const failed = useRef(false);
  const fetcher = useRef(fetchPage);
  fetcher.current = fetchPage;
  const [attempt, setAttempt] = useState(0);

  const fetchNext = useCallback((cursor: string | undefined, reset: boolean) => {
    const mine = generation.current;
    inFlight.current = true;
    setState((previous) => ({ ...previous, loading: true, error: undefined }));
    fetcher.current(cursor).then(
      (page) => {
        if (mine !== generation.current) return;
        inFlight.current = false;
        cursorRef.current = page.nextCursor;
        setState((previous) => ({
          items: reset ? page.items : [...previous.items, ...page.items],
          cursor: page.nextCursor,
          loading: false,
          error: undefined,
        }));
      },
      (error: unknown) => {
        if (mine !== generation.current) return;
        inFlight.current = false;
        failed.current = true;
        setState((previous) => ({ ...previous, loading: false, error }));
      },
    );
  }, []);

  useEffect(() => {
    generation.current += 1;
    cursorRef.current = undefined;
    failed.current = false;
    setState({ items: [], cursor: undefined, loading: true, error: undefined });
    fetchNext(undefined, true);
  }, [key, attempt, fetchNext]);

  const loadMore = useCallback(() => {
    if (!inFlight.current && cursorRef.current && !failed.current) fetchNext(cursorRef.current, false);
  }, [fetchNext]);

  return {
    items: state.items,
    hasMore: state.cursor !== null && state.cursor !== undefined,
    loading: state.loading,
    error: state.error,
    loadMore,
    reload: useCallback(() => setAttempt((n) => n + 1), []),
  };
}
