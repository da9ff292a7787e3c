import { useEffect, useState } from 'react';
import { api, ok } from '../api/client';
import type { Response } from '../api/types';
import { Artwork } from '../components/Artwork';
import { PlayIcon, PlusIcon } from '../components/icons';
import { PageHeader } from '../components/PageHeader';
import { NewPlaylistDialog } from '../components/PlaylistForms';
import { Empty, ErrorState, Loading } from '../components/States';
import { usePagedList } from '../hooks/use-paged-list';
import { formatTotal, plural, pluralOrPending } from '../lib/format';
import { Link, navigate } from '../router';
import { playSource } from '../state/queue-actions';

export type Playlist = Response<'/api/v1/playlists/{id}'>;

/** A playlist's cover: its first artwork, or a 2×2 mosaic when it has four different ones. */
export function PlaylistCover({ playlist, size }: { playlist: Playlist; size: number }) {
  const ids = playlist.artworkIds ?? [];
  if (ids.length >= 4) {
    return (
      <div className="mosaic" style={{ width: size, height: size }} aria-hidden="true">
        {ids.slice(0, 4).map((id) => (
          <Artwork key={id} artworkId={id} name={playlist.name} size={size / 2} />
        ))}
      </div>
    );
  }
  return <Artwork artworkId={playlist.artworkId} name={playlist.name} size={size} />;
}

/** All playlists the user owns or that are shared with them, as cards; create ordinary or smart ones here. */
export function PlaylistsPage() {
  const [creating, setCreating] = useState<null | 'plain' | 'smart'>(null);
  const list = usePagedList('playlists', (cursor) => ok(api.GET('/api/v1/playlists', { params: { query: { limit: 200, cursor } } })));
  const { hasMore, loading, loadMore } = list;
  useEffect(() => {
    if (hasMore && !loading) loadMore();
  }, [hasMore, loading, loadMore]);

  return (
    <section className="page">
      <PageHeader title="Playlists" subtitle={list.items.length ? plural(list.items.length, 'playlist') : undefined}>
        <button type="button" className="button button--primary" onClick={() => setCreating('plain')}>
          <PlusIcon /> New playlist
        </button>
        <button type="button" className="button" onClick={() => setCreating('smart')}>
          <PlusIcon /> New smart playlist
        </button>
      </PageHeader>
      {list.error && !list.items.length ? (
        <ErrorState error={list.error} onRetry={list.reload} title="Could not load your playlists" />
      ) : list.loading && !list.items.length ? (
        <Loading label="Loading playlists…" />
      ) : !list.items.length ? (
        <Empty title="No playlists yet">
          Make one with “New playlist”, or choose “Add to playlist…” from any track’s ⋯ menu. A smart playlist fills itself
          from rules, such as “lossless, added in the last 30 days”.
        </Empty>
      ) : (
        <div className="card-grid" role="list" aria-label="Playlists">
          {list.items.map((playlist) => (
            <div role="listitem" key={playlist.id} className="card">
              <div className="card__art">
                <Link to={`/playlists/${playlist.id}`} tabIndex={-1} aria-hidden="true">
                  <PlaylistCover playlist={playlist} size={200} />
                </Link>
                {(playlist.availableCount ?? 0) > 0 && (
                  <button
                    type="button"
                    className="card__play"
                    aria-label={`Play ${playlist.name}`}
                    onClick={() => void playSource({ playlistId: playlist.id }).catch(() => undefined)}
                  >
                    <PlayIcon />
                  </button>
                )}
              </div>
              <Link to={`/playlists/${playlist.id}`} className="card__title" title={playlist.name}>
                {playlist.name}
              </Link>
              <span className="card__subtitle">
                {playlist.smart && <span className="tag tag--smart tag--inline">Smart</span>}
                {pluralOrPending(playlist.itemCount, 'track')}
                {(playlist.durationMs ?? 0) > 0 && ` · ${formatTotal(playlist.durationMs!)}`}
                {!playlist.editable && ` · by ${playlist.owner.username}`}
              </span>
            </div>
          ))}
        </div>
      )}
      {creating && (
        <NewPlaylistDialog smart={creating === 'smart'} onClose={() => setCreating(null)} onCreated={(id) => navigate(`/playlists/${id}`)} />
      )}
    </section>
  );
}
