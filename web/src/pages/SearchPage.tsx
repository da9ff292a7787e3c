import { api, ok } from '../api/client';
import { AlbumCard } from '../components/AlbumCard';
import { Artwork } from '../components/Artwork';
import { PageHeader } from '../components/PageHeader';
import { Empty, ErrorState, Loading } from '../components/States';
import { TrackTable } from '../components/TrackTable';
import { useResource } from '../hooks/use-resource';
import { Link, navigate, useLocation } from '../router';
import { playSource } from '../state/queue-actions';
import { rememberTracks } from '../state/tracks';

/** Full results for `?q=`: artists, albums and tracks, with "did you mean" when nothing matched. */
export function SearchPage() {
  const { search } = useLocation();
  const q = (search.get('q') ?? '').trim();
  const result = useResource(async () => {
    if (!q) return null;
    const data = await ok(api.GET('/api/v1/search', { params: { query: { q, limit: 30 } } }));
    rememberTracks(data.tracks);
    return data;
  }, [q]);

  if (!q) return <Empty title="Search your library">Type in the search box at the top, or press “/” to jump there.</Empty>;
  if (result.error) return <ErrorState error={result.error} onRetry={result.reload} title="Search failed" />;
  if (!result.data) return <Loading label={`Searching for “${q}”…`} />;
  const { artists, albums, tracks, didYouMean } = result.data;
  const nothing = !artists.length && !albums.length && !tracks.length;

  return (
    <section className="page">
      <PageHeader title={`Results for “${q}”`} />
      {nothing && (
        <Empty
          title="Nothing found"
          action={
            didYouMean ? (
              <button type="button" className="button" onClick={() => navigate(`/search?q=${encodeURIComponent(didYouMean)}`)}>
                Did you mean “{didYouMean}”?
              </button>
            ) : undefined
          }
        >
          Words match from their start, and a small typo is forgiven. Try fewer or other words.
        </Empty>
      )}
      {artists.length > 0 && (
        <section className="section" aria-labelledby="r-artists">
          <h2 id="r-artists">Artists</h2>
          <ul className="chip-list">
            {artists.map((artist) => (
              <li key={artist.id}>
                <Link to={`/artists/${artist.id}`} className="chip">
                  <Artwork artworkId={artist.artworkId} name={artist.name} size={36} round />
                  {artist.name}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      {albums.length > 0 && (
        <section className="section" aria-labelledby="r-albums">
          <h2 id="r-albums">Albums</h2>
          <div className="card-grid" role="list" aria-label="Albums">
            {albums.map((album) => (
              <div role="listitem" key={album.id}>
                <AlbumCard album={album} />
              </div>
            ))}
          </div>
        </section>
      )}
      {tracks.length > 0 && (
        <section className="section" aria-labelledby="r-tracks">
          <h2 id="r-tracks">Tracks</h2>
          <TrackTable
            tracks={tracks}
            label="Tracks"
            columns={{ number: 'index', artwork: true, album: true }}
            onPlay={(index) => void playSource({ trackIds: tracks.map((t) => t.id) }, index).catch(() => undefined)}
          />
        </section>
      )}
    </section>
  );
}
