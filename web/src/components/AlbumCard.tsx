import type { Album } from '../api/types';
import { Link } from '../router';
import { playSource } from '../state/queue-actions';
import { Artwork } from './Artwork';
import { PlayIcon } from './icons';

/** Height under a card's artwork: title and artist lines, px (the virtual grid needs it). */
export const ALBUM_CARD_EXTRA = 58;

/** An album in a grid: artwork (with a play button on hover and focus), title and artist. */
export function AlbumCard({ album, detail }: { album: Album; detail?: string }) {
  return (
    <div className="card">
      <div className="card__art">
        <Link to={`/albums/${album.id}`} tabIndex={-1} aria-hidden="true">
          <Artwork artworkId={album.artworkId} name={album.title} size={200} />
        </Link>
        <button
          type="button"
          className="card__play"
          aria-label={`Play ${album.title}`}
          onClick={() => void playSource({ albumId: album.id }).catch(() => undefined)}
        >
          <PlayIcon />
        </button>
      </div>
      <Link to={`/albums/${album.id}`} className="card__title" title={album.title}>
        {album.title}
      </Link>
      <Link to={`/artists/${album.albumArtistId}`} className="card__subtitle" title={album.albumArtist}>
        {detail ?? album.albumArtist}
      </Link>
    </div>
  );
}
