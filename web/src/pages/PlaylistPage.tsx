import { useEffect, useState, type DragEvent, type KeyboardEvent } from 'react';
import { ApiError, api, describeError, ok } from '../api/client';
import type { Track } from '../api/types';
import { PlayIcon, PlayNextIcon, PlusIcon } from '../components/icons';
import { ConfirmDialog, TextDialog } from '../components/PlaylistForms';
import { Empty, ErrorState, Loading } from '../components/States';
import { TrackHeader, TrackRow } from '../components/TrackTable';
import { useResource } from '../hooks/use-resource';
import { formatTotal, plural, pluralOrPending } from '../lib/format';
import { describeRules, type PlaylistRules } from '../lib/playlist-rules';
import { dropTargetIndex, keyboardMoveTarget, moveItem } from '../lib/queue-order';
import { Link, navigate } from '../router';
import { notify } from '../state/notices';
import { playSource, queueSource } from '../state/queue-actions';
import { rememberTracks } from '../state/tracks';
import { PlaylistCover, type Playlist } from './PlaylistsPage';

interface Item {
  id: string;
  trackId: string;
  available: boolean;
  track: Track | null;
}

async function loadPlaylist(id: string): Promise<{ playlist: Playlist; items: Item[] }> {
  const playlist = await ok(api.GET('/api/v1/playlists/{id}', { params: { path: { id } } }));
  const items: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await ok(api.GET('/api/v1/playlists/{id}/items', { params: { path: { id }, query: { limit: 500, cursor } } }));
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  rememberTracks(items.flatMap((item) => (item.track ? [item.track] : [])));
  return { playlist, items };
}

/**
 * One playlist: cover, name, counts and total time, play and queue buttons; the owner renames, deletes, removes
 * tracks and reorders them by dragging a row or with Alt+↑/↓ on a focused row. A smart playlist shows its rules
 * instead, read-only, and the tracks they pick now.
 */
export function PlaylistPage({ id }: { id: string }) {
  const resource = useResource(() => loadPlaylist(id), [id]);
  const [items, setItems] = useState<Item[]>([]);
  const [playlist, setPlaylist] = useState<Playlist | null>(null);
  const [dialog, setDialog] = useState<null | 'rename' | 'delete'>(null);
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [dropAt, setDropAt] = useState<{ index: number; lower: boolean } | null>(null);

  useEffect(() => {
    if (!resource.data) return;
    setItems(resource.data.items);
    setPlaylist(resource.data.playlist);
  }, [resource.data]);

  if (resource.error) {
    return resource.error instanceof ApiError && resource.error.status === 404 ? (
      <Empty title="Playlist not found" action={<Link to="/playlists" className="button">All playlists</Link>}>
        It may have been deleted, or it belongs to someone who has not shared it.
      </Empty>
    ) : (
      <ErrorState error={resource.error} onRetry={resource.reload} title="Could not load this playlist" />
    );
  }
  if (!playlist) return <Loading label="Loading playlist…" />;

  const editable = playlist.editable && !playlist.smart;
  const playable = items.filter((item) => item.available);
  const quietly = (promise: Promise<unknown>) => void promise.catch(() => undefined);
  const rules = playlist.rules ? describeRules(playlist.rules as PlaylistRules) : [];

  const move = (from: number, to: number) => {
    const item = items[from];
    if (!item || from === to) return;
    const before = items;
    setItems(moveItem(items, from, to));
    api
      .POST('/api/v1/playlists/{id}/items/{itemId}/move', { params: { path: { id, itemId: item.id } }, body: { position: to } })
      .then((result) => ok(Promise.resolve(result)))
      .then(setPlaylist)
      .catch((error: unknown) => {
        setItems(before);
        notify(`Could not move the track: ${describeError(error)}`, 'error');
      });
  };
  const remove = (index: number) => {
    const item = items[index];
    if (!item) return;
    const before = items;
    setItems(items.filter((_, i) => i !== index));
    ok(api.DELETE('/api/v1/playlists/{id}/items/{itemId}', { params: { path: { id, itemId: item.id } } }))
      .then((next) => {
        setPlaylist(next);
        notify(`Removed “${item.track?.title ?? 'the track'}” from ${next.name}.`);
      })
      .catch((error: unknown) => {
        setItems(before);
        notify(`Could not remove the track: ${describeError(error)}`, 'error');
      });
  };
  const onRowKeyDown = (event: KeyboardEvent, index: number) => {
    if (!editable) return;
    if (event.altKey) {
      const target = keyboardMoveTarget(index, items.length, event.key);
      if (target === null) return;
      event.preventDefault();
      move(index, target);
      // Keep focus on the moved row once it has re-rendered in its new place.
      requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-item-id="${items[index]!.id}"] [role="row"]`)?.focus());
    } else if (event.key === 'Delete') {
      event.preventDefault();
      remove(index);
    }
  };
  const onDragOver = (event: DragEvent, index: number) => {
    if (dragFrom === null) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
    const rect = event.currentTarget.getBoundingClientRect();
    setDropAt({ index, lower: event.clientY > rect.top + rect.height / 2 });
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    if (dragFrom !== null && dropAt) move(dragFrom, dropTargetIndex(dragFrom, dropAt.index, dropAt.lower));
    setDragFrom(null);
    setDropAt(null);
  };
  const playAt = (index: number) => {
    const ids = playable.map((item) => item.trackId);
    const start = playable.indexOf(items[index]!);
    quietly(playSource({ trackIds: ids }, Math.max(0, start)));
  };

  return (
    <article className="page detail">
      <header className="detail__hero">
        <div className="detail__art">
          <PlaylistCover playlist={playlist} size={240} />
        </div>
        <div className="detail__facts">
          <p className="eyebrow">
            {playlist.smart ? 'Smart playlist' : 'Playlist'}
            {!playlist.editable && ` · shared by ${playlist.owner.username}`}
          </p>
          <h1>{playlist.name}</h1>
          {playlist.description && <p className="muted">{playlist.description}</p>}
          <p className="detail__line">
            <span>{pluralOrPending(playlist.itemCount, 'track')}</span>
            {playlist.durationMs !== null && <span> · {formatTotal(playlist.durationMs)}</span>}
            {playlist.availableCount !== null && playlist.itemCount !== null && playlist.availableCount < playlist.itemCount && (
              <span> · {plural(playlist.itemCount - playlist.availableCount, 'track')} unavailable</span>
            )}
          </p>
          {rules.length > 0 && (
            <ul className="tags" aria-label="Rules">
              {rules.map((rule) => (
                <li key={rule} className="tag tag--rule">
                  {rule}
                </li>
              ))}
            </ul>
          )}
          <div className="detail__actions">
            <button type="button" className="button button--primary" aria-label="Play playlist" disabled={!playable.length} onClick={() => quietly(playSource({ playlistId: id }))}>
              <PlayIcon /> Play
            </button>
            <button type="button" className="button button--ghost" disabled={!playable.length} onClick={() => quietly(queueSource({ playlistId: id }, 'next', `“${playlist.name}”`))}>
              <PlayNextIcon /> Play next
            </button>
            <button type="button" className="button button--ghost" disabled={!playable.length} onClick={() => quietly(queueSource({ playlistId: id }, 'end', `“${playlist.name}”`))}>
              <PlusIcon /> Add to queue
            </button>
            {playlist.editable && (
              <>
                <button type="button" className="button button--ghost" onClick={() => setDialog('rename')}>
                  Rename
                </button>
                <button type="button" className="button button--ghost button--danger-text" onClick={() => setDialog('delete')}>
                  Delete
                </button>
              </>
            )}
          </div>
        </div>
      </header>

      {items.length === 0 ? (
        playlist.smart ? (
          <Empty title="No tracks match these rules yet">Tracks that match appear here by themselves as your library grows.</Empty>
        ) : (
          <Empty title="This playlist is empty" action={<Link to="/tracks" className="button">Browse tracks</Link>}>
            Add tracks from any track’s ⋯ menu with “Add to playlist…”.
          </Empty>
        )
      ) : (
        <>
          {editable && <p className="muted small hint">Drag a track to reorder it, or focus it and press Alt+↑/↓. Delete removes it.</p>}
          <div className="track-table" role="table" aria-label="Playlist tracks">
            <TrackHeader columns={{ number: 'index', artwork: true, album: true }} />
            {items.map((item, index) => {
              const drop = dropAt?.index === index && dragFrom !== null ? (dropAt.lower ? 'drop-after' : 'drop-before') : '';
              return (
                <div
                  key={item.id}
                  role="none"
                  data-item-id={item.id}
                  className={`playlist-row ${dragFrom === index ? 'is-dragging' : ''} ${drop}`}
                  draggable={editable}
                  onDragStart={(event) => {
                    setDragFrom(index);
                    event.dataTransfer.effectAllowed = 'move';
                  }}
                  onDragOver={(event) => onDragOver(event, index)}
                  onDrop={onDrop}
                  onDragEnd={() => {
                    setDragFrom(null);
                    setDropAt(null);
                  }}
                  onKeyDown={(event) => onRowKeyDown(event, index)}
                >
                  {item.track ? (
                    <TrackRow
                      track={item.track}
                      index={index}
                      columns={{ number: 'index', artwork: true, album: true }}
                      onPlay={() => item.available && playAt(index)}
                      menuItems={
                        editable
                          ? [
                              ...(index > 0 ? [{ label: 'Move up', run: () => move(index, index - 1) }] : []),
                              ...(index < items.length - 1 ? [{ label: 'Move down', run: () => move(index, index + 1) }] : []),
                              { label: 'Remove from playlist', run: () => remove(index) },
                            ]
                          : []
                      }
                    />
                  ) : (
                    <div className="track-row is-unavailable" role="row">
                      <span role="cell" className="muted">
                        A track that is no longer in your libraries
                      </span>
                      {editable && (
                        <button type="button" className="link-button" onClick={() => remove(index)}>
                          Remove
                        </button>
                      )}
                    </div>
                  )}
                </div>
              );
            })}
          </div>
        </>
      )}

      {dialog === 'rename' && (
        <TextDialog
          title="Rename playlist"
          label="Name"
          initial={playlist.name}
          saveLabel="Save name"
          onClose={() => setDialog(null)}
          onSave={async (name) => {
            setPlaylist(await ok(api.PATCH('/api/v1/playlists/{id}', { params: { path: { id } }, body: { name } })));
            notify(`Renamed to ${name}.`);
          }}
        />
      )}
      {dialog === 'delete' && (
        <ConfirmDialog
          title="Delete playlist?"
          confirmLabel="Delete playlist"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await ok(api.DELETE('/api/v1/playlists/{id}', { params: { path: { id } } }));
            notify(`Deleted ${playlist.name}.`);
            navigate('/playlists', { replace: true });
          }}
        >
          “{playlist.name}” and its order go away for good. The tracks stay in your library.
        </ConfirmDialog>
      )}
    </article>
  );
}
