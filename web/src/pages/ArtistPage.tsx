import { api, ApiError, ok } from '../api/client';
import type { Track } from '../api/types';
import { AlbumCard } from '../components/AlbumCard';
import { Artwork } from '../components/Artwork';
import { FavoriteButton } from '../components/Favorite';
import { PlayIcon } from '../components/icons';
import { Empty, ErrorState, Loading } from '../components/States';
import { TrackTable } from '../components/TrackTable';
import { useResource } from '../hooks/use-resource';
import { plural } from '../lib/format';
import { Link } from '../router';
import { playSource } from '../state/queue-actions';
import { artworkUrl, rememberTracks } from '../state/tracks';

/**
 * The artist's tracks you played most (search sorted by your plays, narrowed to tracks crediting them); before any
 * plays, their tracks in the search's usual order.
 */
async function topTracks(artistId: string, name: string): Promise<Track[]> {
  const result = await ok(api.GET('/api/v1/search', { params: { query: { q: name, types: 'track', sort: 'plays', limit: 50 } } }));
  const theirs = result.tracks.filter((track) => track.artists.some((artist) => artist.id === artistId) || track.albumArtist === name);
  rememberTracks(theirs);
  return theirs.slice(0, 5);
}

/** One artist: their picture, most played tracks, albums and the albums they appear on. */
export function ArtistPage({ id }: { id: string }) {
  const artist = useResource(() => ok(api.GET('/api/v1/artists/{id}', { params: { path: { id } } })), [id]);
  const top = useResource(async () => (artist.data ? topTracks(id, artist.data.name) : []), [id, artist.data?.name]);
  const quietly = (promise: Promise<unknown>) => void promise.catch(() => undefined);

  if (artist.error) {
    return artist.error instanceof ApiError && artist.error.status === 404 ? (
      <Empty title="Artist not found" action={<Link to="/artists" className="button">All artists</Link>}>
        They may have been removed from the library.
      </Empty>
    ) : (
      <ErrorState error={artist.error} onRetry={artist.reload} title="Could not load this artist" />
    );
  }
  if (!artist.data) return <Loading label="Loading artist…" />;
  const data = artist.data;
  const topList = top.data ?? [];
  const backdrop = artworkUrl(data.artworkId, 64);

  return (
    <article className="page detail">
      {backdrop && <div className="detail__backdrop" style={{ backgroundImage: `url("${backdrop}")` }} aria-hidden="true" />}
      <header className="detail__hero">
        <Artwork artworkId={data.artworkId} name={data.name} size={200} round className="detail__art detail__art--round" />
        <div className="detail__facts">
          <p className="eyebrow">Artist</p>
          <h1>{data.name}</h1>
          <div className="detail__rate">
            <FavoriteButton type="artist" id={data.id} name={data.name} favorite={data.favorite} size="large" />
          </div>
          <p className="detail__line">
            {plural(data.albumCount, 'album')} · {plural(data.trackCount, 'track')}
            {data.playCount > 0 && <> · {plural(data.playCount, 'play')} by you</>}
          </p>
          {data.albums.length > 0 && (
            <div className="detail__actions">
              <button type="button" className="button button--primary" onClick={() => quietly(playSource({ albumId: data.albums[0]!.id }))}>
                <PlayIcon /> Play {data.albums[0]!.title}
              </button>
            </div>
          )}
        </div>
      </header>

      {topList.length > 0 && (
        <section className="section" aria-labelledby="top-title">
          <h2 id="top-title">{topList.some((t) => t.playCount > 0) ? 'Most played' : 'Tracks'}</h2>
          <TrackTable
            tracks={topList}
            label="Most played"
            columns={{ number: 'index', artwork: true, album: true, plays: true }}
            onPlay={(index) => quietly(playSource({ trackIds: topList.map((t) => t.id) }, index))}
          />
        </section>
      )}

      <section className="section" aria-labelledby="albums-title">
        <h2 id="albums-title">Albums</h2>
        {data.albums.length ? (
          <div className="card-grid" role="list" aria-label="Albums">
            {data.albums.map((album) => (
              <div role="listitem" key={album.id}>
                <AlbumCard album={album} detail={album.year ? String(album.year) : plural(album.trackCount, 'track')} />
              </div>
            ))}
          </div>
        ) : (
          <p className="muted">No albums of their own; see where they appear below.</p>
        )}
      </section>

      {data.appearsOn.length > 0 && (
        <section className="section" aria-labelledby="appears-title">
          <h2 id="appears-title">Appears on</h2>
          <div className="card-grid" role="list" aria-label="Appears on">
            {data.appearsOn.map((album) => (
              <div role="listitem" key={album.id}>
                <AlbumCard album={album} />
              </div>
            ))}
          </div>
        </section>
      )}
    </article>
  );
}
