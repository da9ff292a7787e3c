import type { KeyboardEvent, ReactNode } from 'react';
import type { Track } from '../api/types';
import { usePlayback } from '../hooks/use-playback';
import { formatClock } from '../lib/format';
import { Link } from '../router';
import { Artwork } from './Artwork';
import { PlayIcon } from './icons';
import { TrackMenu, type MenuItem } from './TrackMenu';
import { FavoriteButton } from './Favorite';

/** Which columns a track list shows; the album page leaves out album and artwork, the tracks page shows all. */
export interface TrackColumns {
  number?: 'index' | 'track';
  artwork?: boolean;
  artist?: boolean;
  album?: boolean;
  year?: boolean;
  plays?: boolean;
}

/**
 * Grid templates per column set (wide, and phone-sized where artist/album/year/plays are hidden), as CSS variables
 * so header and rows line up and the stylesheet picks one by screen width.
 */
export function trackGridStyle(columns: TrackColumns): React.CSSProperties {
  const build = (narrow: boolean) =>
    [
      '2.5rem',
      columns.artwork ? '40px' : null,
      'minmax(0, 2.2fr)',
      columns.artist && !narrow ? 'minmax(0, 1.4fr)' : null,
      columns.album && !narrow ? 'minmax(0, 1.4fr)' : null,
      columns.year && !narrow ? '3.5rem' : null,
      columns.plays && !narrow ? '3.5rem' : null,
      '3.5rem',
      narrow ? '2.25rem' : '4.5rem',
    ]
      .filter(Boolean)
      .join(' ');
  return { '--cols': build(false), '--cols-narrow': build(true) } as React.CSSProperties;
}

export function TrackHeader({ columns }: { columns: TrackColumns }) {
  return (
    <div className="track-row track-row--header" role="row" style={trackGridStyle(columns)}>
      <span role="columnheader" className="track-row__num">#</span>
      {columns.artwork && <span role="columnheader" aria-label="Artwork" />}
      <span role="columnheader">Title</span>
      {columns.artist && <span role="columnheader" className="hide-narrow">Artist</span>}
      {columns.album && <span role="columnheader" className="hide-narrow">Album</span>}
      {columns.year && <span role="columnheader" className="hide-narrow">Year</span>}
      {columns.plays && <span role="columnheader" className="hide-narrow">Plays</span>}
      <span role="columnheader" className="track-row__duration">Time</span>
      <span role="columnheader" aria-label="Actions" />
    </div>
  );
}

/**
 * One track as a table row: number (a play button on hover/focus, an equaliser while it plays), title and artist,
 * album, year, length and its menu. Enter or double-click plays it (`onPlay`).
 */
export function TrackRow({
  track,
  index,
  columns,
  onPlay,
  menuItems,
  extra,
}: {
  track: Track;
  index: number;
  columns: TrackColumns;
  onPlay: () => void;
  menuItems?: MenuItem[];
  extra?: ReactNode;
}) {
  const state = usePlayback();
  const isCurrent = state?.current?.trackId === track.id;
  const playing = isCurrent && state?.playState === 'playing';
  const unavailable = track.status !== 'ok';
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Enter' && event.target === event.currentTarget) {
      event.preventDefault();
      onPlay();
    }
  };
  return (
    <div
      className={`track-row ${isCurrent ? 'is-current' : ''} ${unavailable ? 'is-unavailable' : ''}`}
      role="row"
      tabIndex={0}
      aria-label={`${track.title} by ${track.artist}`}
      style={trackGridStyle(columns)}
      onDoubleClick={onPlay}
      onKeyDown={onKeyDown}
    >
      <span role="cell" className="track-row__num">
        {playing ? (
          <span className="eq" aria-label="Playing"><i /><i /><i /></span>
        ) : (
          <span className="track-row__index">{columns.number === 'track' ? (track.trackNumber ?? '·') : index + 1}</span>
        )}
        <button type="button" className="track-row__play" aria-label={`Play ${track.title}`} disabled={unavailable} onClick={onPlay}>
          <PlayIcon />
        </button>
      </span>
      {columns.artwork && (
        <span role="cell">
          <Artwork artworkId={track.artworkId} name={track.album ?? track.title} size={40} />
        </span>
      )}
      <span role="cell" className="track-row__main">
        <span className="track-row__title">{track.title}</span>
        <span className="track-row__sub">
          {track.artists.length
            ? track.artists.map((artist, i) => (
                <span key={artist.id}>
                  {i > 0 && ', '}
                  <Link to={`/artists/${artist.id}`} tabIndex={-1}>
                    {artist.name}
                  </Link>
                </span>
              ))
            : track.artist}
          {unavailable && <span className="tag tag--warn">{track.status === 'missing' ? 'File missing' : 'Unreadable'}</span>}
        </span>
      </span>
      {columns.artist && (
        <span role="cell" className="hide-narrow truncate">
          {track.albumArtist}
        </span>
      )}
      {columns.album && (
        <span role="cell" className="hide-narrow truncate">
          {track.albumId ? (
            <Link to={`/albums/${track.albumId}`} tabIndex={-1}>
              {track.album}
            </Link>
          ) : (
            track.album
          )}
        </span>
      )}
      {columns.year && (
        <span role="cell" className="hide-narrow muted">
          {track.year ?? ''}
        </span>
      )}
      {columns.plays && (
        <span role="cell" className="hide-narrow muted">
          {track.playCount || ''}
        </span>
      )}
      <span role="cell" className="track-row__duration muted">
        {formatClock(track.durationMs)}
      </span>
      <span role="cell" className="track-row__menu">
        {extra}
        <FavoriteButton type="track" id={track.id} name={track.title} favorite={track.favorite} />
        <TrackMenu track={track} extraItems={menuItems} />
      </span>
    </div>
  );
}

/** A short, complete list of tracks (an album, top tracks, search results) with a header row. */
export function TrackTable({
  tracks,
  columns,
  onPlay,
  label,
}: {
  tracks: readonly Track[];
  columns: TrackColumns;
  onPlay: (index: number) => void;
  label: string;
}) {
  return (
    <div className="track-table" role="table" aria-label={label}>
      <TrackHeader columns={columns} />
      {tracks.map((track, index) => (
        <TrackRow key={`${track.id}-${index}`} track={track} index={index} columns={columns} onPlay={() => onPlay(index)} />
      ))}
    </div>
  );
}
