import { useEffect } from 'react';
import { api, ok } from '../api/client';
import type { Album, Artist, Track } from '../api/types';
import { AlbumCard } from '../components/AlbumCard';
import { Artwork } from '../components/Artwork';
import { FavoriteButton } from '../components/Favorite';
import { PageHeader } from '../components/PageHeader';
import { Empty, ErrorState, Loading } from '../components/States';
import { TrackTable } from '../components/TrackTable';
import { PlayIcon } from '../components/icons';
import { useResource } from '../hooks/use-resource';
import { plural } from '../lib/format';
import { Link } from '../router';
import { onLiveEvent } from '../state/events';
import { playSource } from '../state/queue-actions';
import { rememberTracks } from '../state/tracks';

/** Everything the user marked with a heart, newest first: tracks, albums and artists (`GET /api/v1/favorites`). */
export function FavoritesPage() {
  const favorites = useResource(async () => {
    const items: Awaited<ReturnType<typeof fetchPage>>['items'] = [];
    let cursor: string | undefined;
    // Favorites are few (hundreds); load them all so the three sections are complete.
    do {
      const page = await fetchPage(cursor);
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && items.length < 5000);
    const tracks: Track[] = [];
    const albums: Album[] = [];
    const artists: Artist[] = [];
    for (const item of items) {
      if (item.type === 'track') tracks.push(item.track);
      else if (item.type === 'album') albums.push(item.album);
      else artists.push(item.artist);
    }
    rememberTracks(tracks);
    return { tracks, albums, artists };
  }, []);
  const { reload } = favorites;
  useEffect(() => onLiveEvent((event) => event.type === 'collection' && reload()), [reload]);

  if (favorites.error) return <ErrorState error={favorites.error} onRetry={reload} title="Could not load your favorites" />;
  if (!favorites.data) return <Loading label="Loading favorites…" />;
  const { tracks, albums, artists } = favorites.data;
  const ids = tracks.map((t) => t.id);
  const quietly = (promise: Promise<unknown>) => void promise.catch(() => undefined);

  return (
    <section className="page">
      <PageHeader title="Favorites" subtitle={`${plural(tracks.length, 'track')} · ${plural(albums.length, 'album')} · ${plural(artists.length, 'artist')}`}>
        {tracks.length > 0 && (
          <button type="button" className="button button--primary" onClick={() => quietly(playSource({ trackIds: ids }))}>
            <PlayIcon /> Play favorite tracks
          </button>
        )}
      </PageHeader>
      {!tracks.length && !albums.length && !artists.length ? (
        <Empty title="No favorites yet" action={<Link to="/albums" className="button">Browse albums</Link>}>
          Press the heart next to a track, or on an album or artist page, and it gathers here.
        </Empty>
      ) : (
        <>
          {tracks.length > 0 && (
            <section className="section" aria-labelledby="fav-tracks">
              <h2 id="fav-tracks">Tracks</h2>
              <TrackTable
                tracks={tracks}
                label="Favorite tracks"
                columns={{ number: 'index', artwork: true, album: true }}
                onPlay={(index) => quietly(playSource({ trackIds: ids }, index))}
              />
            </section>
          )}
          {albums.length > 0 && (
            <section className="section" aria-labelledby="fav-albums">
              <h2 id="fav-albums">Albums</h2>
              <div className="card-grid" role="list" aria-label="Favorite albums">
                {albums.map((album) => (
                  <div role="listitem" key={album.id}>
                    <AlbumCard album={album} />
                  </div>
                ))}
              </div>
            </section>
          )}
          {artists.length > 0 && (
            <section className="section" aria-labelledby="fav-artists">
              <h2 id="fav-artists">Artists</h2>
              <ul className="plain-list" aria-label="Favorite artists">
                {artists.map((artist) => (
                  <li key={artist.id} className="list-row">
                    <Artwork artworkId={artist.artworkId} name={artist.name} size={48} round />
                    <span className="list-row__main">
                      <Link to={`/artists/${artist.id}`} className="list-row__title">
                        {artist.name}
                      </Link>
                      <span className="muted">{plural(artist.albumCount, 'album')}</span>
                    </span>
                    <FavoriteButton type="artist" id={artist.id} name={artist.name} favorite={artist.favorite} />
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </section>
  );
}

function fetchPage(cursor: string | undefined) {
  return ok(api.GET('/api/v1/favorites', { params: { query: { limit: 500, cursor } } }));
}
