import { api, ok } from '../api/client';
import type { Artist } from '../api/types';
import { Artwork } from '../components/Artwork';
import { FilterInput, PageHeader } from '../components/PageHeader';
import { Empty, ErrorState, Loading } from '../components/States';
import { VirtualList } from '../components/Virtual';
import { useDebounced } from '../hooks/use-debounced';
import { useLibraryRefresh } from '../hooks/use-library-refresh';
import { usePagedList } from '../hooks/use-paged-list';
import { plural } from '../lib/format';
import { Link, setQuery, useLocation } from '../router';

/** Every artist, A to Z (virtualised), with a filter that searches the whole library. */
export function ArtistsPage() {
  const { search } = useLocation();
  const filter = search.get('q') ?? '';
  const q = useDebounced(filter.trim(), 200);
  const list = usePagedList<Artist>(q, async (cursor) => {
    if (q) {
      const result = await ok(api.GET('/api/v1/search', { params: { query: { q, types: 'artist', limit: 100, cursor } } }));
      return { items: result.artists, nextCursor: result.nextCursor };
    }
    return ok(api.GET('/api/v1/artists', { params: { query: { limit: 500, cursor } } }));
  });
  useLibraryRefresh(list.reload, !list.loading && list.items.length === 0);

  return (
    <section className="page">
      <PageHeader title="Artists" subtitle={list.items.length ? `${plural(list.items.length, 'artist')}${list.hasMore ? '+' : ''}` : undefined}>
        <FilterInput label="Filter artists" value={filter} onChange={(value) => setQuery({ q: value })} />
      </PageHeader>
      {list.error && !list.items.length ? (
        <ErrorState error={list.error} onRetry={list.reload} title="Could not load artists" />
      ) : list.loading && !list.items.length ? (
        <Loading label="Loading artists…" />
      ) : !list.items.length ? (
        <Empty title={q ? `No artist matches “${q}”` : 'No artists yet'}>
          {q ? 'Try fewer letters.' : 'Artists appear here once the library has been scanned.'}
        </Empty>
      ) : (
        <VirtualList
          items={list.items}
          rowHeight={68}
          role="list"
          label="Artists"
          getKey={(artist) => artist.id}
          onEndReached={list.loadMore}
          renderRow={(artist) => (
            <Link to={`/artists/${artist.id}`} className="artist-row" role="listitem">
              <Artwork artworkId={artist.artworkId} name={artist.name} size={52} round />
              <span className="artist-row__text">
                <span className="artist-row__name">{artist.name}</span>
                <span className="muted">
                  {artist.albumCount ? `${plural(artist.albumCount, 'album')} · ` : ''}
                  {plural(artist.trackCount, 'track')}
                </span>
              </span>
            </Link>
          )}
        />
      )}
    </section>
  );
}
