import { api, ok } from '../api/client';
import type { Album } from '../api/types';
import { AlbumCard, ALBUM_CARD_EXTRA } from '../components/AlbumCard';
import { FilterInput, PageHeader, SortSelect } from '../components/PageHeader';
import { Empty, ErrorState, Loading } from '../components/States';
import { VirtualGrid } from '../components/Virtual';
import { useDebounced } from '../hooks/use-debounced';
import { useLibraryRefresh } from '../hooks/use-library-refresh';
import { usePagedList } from '../hooks/use-paged-list';
import { plural } from '../lib/format';
import { Link, setQuery, useLocation } from '../router';

type AlbumSort = 'name' | 'artist' | 'year' | 'recent';
const SORTS: { value: AlbumSort; label: string }[] = [
  { value: 'name', label: 'Title' },
  { value: 'artist', label: 'Artist' },
  { value: 'year', label: 'Year' },
  { value: 'recent', label: 'Recently added' },
];

/** Every album as an artwork grid; sort and filter live in the URL (`?sort=year&q=blue`), so they survive reloads. */
export function AlbumsPage() {
  const { search } = useLocation();
  const sort = (SORTS.some((s) => s.value === search.get('sort')) ? search.get('sort') : 'name') as AlbumSort;
  const filter = search.get('q') ?? '';
  const q = useDebounced(filter.trim(), 200);
  const list = usePagedList<Album>(`${sort}|${q}`, async (cursor) => {
    if (q) {
      const result = await ok(api.GET('/api/v1/search', { params: { query: { q, types: 'album', limit: 100, cursor } } }));
      return { items: result.albums, nextCursor: result.nextCursor };
    }
    return ok(api.GET('/api/v1/albums', { params: { query: { sort, limit: 200, cursor } } }));
  });
  useLibraryRefresh(list.reload, !list.loading && list.items.length === 0);

  return (
    <section className="page">
      <PageHeader title="Albums" subtitle={list.items.length ? `${plural(list.items.length, 'album')}${list.hasMore ? '+' : ''}` : undefined}>
        <FilterInput label="Filter albums" value={filter} onChange={(value) => setQuery({ q: value })} />
        <SortSelect value={sort} options={SORTS} onChange={(value) => setQuery({ sort: value === 'name' ? null : value })} />
      </PageHeader>
      {list.error && !list.items.length ? (
        <ErrorState error={list.error} onRetry={list.reload} title="Could not load albums" />
      ) : list.loading && !list.items.length ? (
        <Loading label="Loading albums…" />
      ) : !list.items.length ? (
        q ? (
          <Empty title={`No album matches “${q}”`}>Try fewer letters, or search everything with the box at the top.</Empty>
        ) : (
          <Empty
            title="No albums yet"
            action={
              <Link to="/import" className="button">
                Import music files
              </Link>
            }
          >
            Albums appear here by themselves as a scan finds them. Music folders are given to the server with
            <code> --music</code>; <Link to="/library-status">Library status</Link> shows the scan and starts a new one.
          </Empty>
        )
      ) : (
        <VirtualGrid
          items={list.items}
          label="Albums"
          minCardWidth={170}
          cardExtra={ALBUM_CARD_EXTRA}
          getKey={(album) => album.id}
          onEndReached={list.loadMore}
          renderCard={(album) => <AlbumCard album={album} detail={sort === 'year' && album.year ? `${album.albumArtist} · ${album.year}` : undefined} />}
        />
      )}
    </section>
  );
}
