import { api, ok } from '../api/client';
import type { Query, Track } from '../api/types';
import { FilterInput, PageHeader, SortSelect } from '../components/PageHeader';
import { Empty, ErrorState, Loading } from '../components/States';
import { TrackHeader, TrackRow, type TrackColumns } from '../components/TrackTable';
import { VirtualList } from '../components/Virtual';
import { useDebounced } from '../hooks/use-debounced';
import { useLibraryRefresh } from '../hooks/use-library-refresh';
import { usePagedList } from '../hooks/use-paged-list';
import { plural } from '../lib/format';
import { setQuery, useLocation } from '../router';
import { playSource } from '../state/queue-actions';
import { rememberTracks } from '../state/tracks';

type TrackSort = NonNullable<Query<'/api/v1/search'>['sort']>;
const SORTS: { value: TrackSort; label: string }[] = [
  { value: 'title', label: 'Title' },
  { value: 'artist', label: 'Artist' },
  { value: 'album', label: 'Album' },
  { value: 'year', label: 'Year' },
  { value: 'added', label: 'Recently added' },
  { value: 'duration', label: 'Length' },
  { value: 'plays', label: 'Most played' },
];
const COLUMNS: TrackColumns = { number: 'index', artwork: true, artist: true, album: true, year: true };
const ROW_HEIGHT = 56;

/**
 * Every track as one long table (virtualised; pages of 500 load as you scroll). Sort and filter go through the
 * search API, which sorts and filters the whole library, and live in the URL.
 */
export function TracksPage() {
  const { search } = useLocation();
  const sort = (SORTS.some((s) => s.value === search.get('sort')) ? search.get('sort') : 'title') as TrackSort;
  const filter = search.get('q') ?? '';
  const q = useDebounced(filter.trim(), 200);
  const list = usePagedList<Track>(`${sort}|${q}`, async (cursor) => {
    const result = await ok(
      api.GET('/api/v1/search', { params: { query: { ...(q ? { q } : {}), types: 'track', sort, limit: 500, cursor } } }),
    );
    rememberTracks(result.tracks);
    return { items: result.tracks, nextCursor: result.nextCursor };
  });
  useLibraryRefresh(list.reload, !list.loading && list.items.length === 0);
  const playFrom = (index: number) => void playSource({ trackIds: list.items.map((t) => t.id) }, index).catch(() => undefined);

  return (
    <section className="page">
      <PageHeader title="Tracks" subtitle={list.items.length ? `${plural(list.items.length, 'track')}${list.hasMore ? '+' : ''}` : undefined}>
        <FilterInput label="Filter tracks" value={filter} onChange={(value) => setQuery({ q: value })} />
        <SortSelect value={sort} options={SORTS} onChange={(value) => setQuery({ sort: value === 'title' ? null : value })} />
      </PageHeader>
      {list.error && !list.items.length ? (
        <ErrorState error={list.error} onRetry={list.reload} title="Could not load tracks" />
      ) : list.loading && !list.items.length ? (
        <Loading label="Loading tracks…" />
      ) : !list.items.length ? (
        q ? (
          <Empty title={`No track matches “${q}”`}>Check the spelling, or try the artist or album name.</Empty>
        ) : (
          <Empty title="No tracks yet">Once the library has been scanned, every track shows up here.</Empty>
        )
      ) : (
        <div className="track-table" role="table" aria-label="Tracks" aria-rowcount={list.items.length + 1}>
          <div className="sticky-header">
            <TrackHeader columns={COLUMNS} />
          </div>
          <VirtualList
            items={list.items}
            rowHeight={ROW_HEIGHT}
            getKey={(track) => track.id}
            onEndReached={list.loadMore}
            renderRow={(track, index) => <TrackRow track={track} index={index} columns={COLUMNS} onPlay={() => playFrom(index)} />}
          />
        </div>
      )}
    </section>
  );
}
