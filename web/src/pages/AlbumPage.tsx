import { api, ok } from '../api/client';
import type { Track } from '../api/types';
import { Artwork } from '../components/Artwork';
import { FavoriteButton } from '../components/Favorite';
import { PlayIcon, PlayNextIcon, PlusIcon, ShuffleIcon } from '../components/icons';
import { Empty, ErrorState, Loading } from '../components/States';
import { TrackTable } from '../components/TrackTable';
import { useResource } from '../hooks/use-resource';
import { formatTotal, plural } from '../lib/format';
import { Link } from '../router';
import { sendCommand } from '../state/playback';
import { playSource, queueSource } from '../state/queue-actions';
import { artworkUrl, rememberTracks } from '../state/tracks';
import { ApiError } from '../api/client';

/** Tracks grouped by disc number (albums of one disc get one unnamed group). */
function byDisc(tracks: Track[]): { disc: number | null; tracks: Track[]; offset: number }[] {
  const groups: { disc: number | null; tracks: Track[]; offset: number }[] = [];
  tracks.forEach((track) => {
    const disc = track.discNumber ?? null;
    const last = groups.at(-1);
    if (last && last.disc === disc) last.tracks.push(track);
    else groups.push({ disc, tracks: [track], offset: groups.reduce((n, g) => n + g.tracks.length, 0) });
  });
  return groups;
}

/** One album: large artwork, facts, play/shuffle/queue buttons and its tracks in disc and track order. */
export function AlbumPage({ id }: { id: string }) {
  const album = useResource(async () => {
    const detail = await ok(api.GET('/api/v1/albums/{id}', { params: { path: { id } } }));
    rememberTracks(detail.tracks);
    return detail;
  }, [id]);

  if (album.error) {
    return album.error instanceof ApiError && album.error.status === 404 ? (
      <Empty title="Album not found" action={<Link to="/albums" className="button">All albums</Link>}>
        It may have been removed from the library, or it is in a library you cannot see.
      </Empty>
    ) : (
      <ErrorState error={album.error} onRetry={album.reload} title="Could not load this album" />
    );
  }
  if (!album.data) return <Loading label="Loading album…" />;
  const data = album.data;
  const ids = data.tracks.map((track) => track.id);
  const discs = byDisc(data.tracks);
  const multiDisc = discs.length > 1;
  const backdrop = artworkUrl(data.artworkId, 64);
  const quietly = (promise: Promise<unknown>) => void promise.catch(() => undefined);

  return (
    <article className="page detail">
      {backdrop && <div className="detail__backdrop" style={{ backgroundImage: `url("${backdrop}")` }} aria-hidden="true" />}
      <header className="detail__hero">
        <Artwork artworkId={data.artworkId} name={data.title} size={240} className="detail__art" />
        <div className="detail__facts">
          <p className="eyebrow">{data.compilation ? 'Compilation' : 'Album'}</p>
          <h1>{data.title}</h1>
          <p className="detail__line">
            <Link to={`/artists/${data.albumArtistId}`} className="detail__artist">
              {data.albumArtist}
            </Link>
            {data.year && <span> · {data.year}</span>}
            <span> · {plural(data.trackCount, 'track')}</span>
            <span> · {formatTotal(data.durationMs)}</span>
          </p>
          {data.genres.length > 0 && (
            <p className="tags">
              {data.genres.slice(0, 4).map((genre) => (
                <span key={genre} className="tag">
                  {genre}
                </span>
              ))}
            </p>
          )}
          <div className="detail__actions">
            <button
              type="button"
              className="button button--primary"
              aria-label="Play album"
              disabled={!ids.length}
              onClick={() => quietly(playSource({ trackIds: ids }))}
            >
              <PlayIcon /> Play
            </button>
            <button
              type="button"
              className="button"
              aria-label="Shuffle album"
              disabled={!ids.length}
              onClick={() => quietly(playSource({ trackIds: ids }).then(() => sendCommand('shuffle', { enabled: true })))}
            >
              <ShuffleIcon /> Shuffle
            </button>
            <button type="button" className="button button--ghost" disabled={!ids.length} onClick={() => quietly(queueSource({ albumId: id }, 'next', `“${data.title}”`))}>
              <PlayNextIcon /> Play next
            </button>
            <button type="button" className="button button--ghost" disabled={!ids.length} onClick={() => quietly(queueSource({ albumId: id }, 'end', `“${data.title}”`))}>
              <PlusIcon /> Add to queue
            </button>
            <FavoriteButton type="album" id={id} name={data.title} favorite={data.favorite} size="large" />
          </div>
        </div>
      </header>
      {data.tracks.length === 0 ? (
        <Empty title="No playable tracks">The files of this album are missing or unreadable. A rescan may bring them back.</Empty>
      ) : (
        discs.map((group) => (
          <section key={group.disc ?? 'all'} className="disc" aria-label={multiDisc ? `Disc ${group.disc ?? '?'}` : 'Tracks'}>
            {multiDisc && <h2 className="disc__title">Disc {group.disc ?? '?'}</h2>}
            <TrackTable
              tracks={group.tracks}
              label={multiDisc ? `Disc ${group.disc ?? '?'} tracks` : 'Tracks'}
              columns={{ number: 'track', plays: true }}
              onPlay={(index) => quietly(playSource({ trackIds: ids }, group.offset + index))}
            />
          </section>
        ))
      )}
    </article>
  );
}
