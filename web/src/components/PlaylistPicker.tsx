import { useState } from 'react';
import { api, describeError, ok } from '../api/client';
import { useResource } from '../hooks/use-resource';
import { pluralOrPending } from '../lib/format';
import { createStore, useStore } from '../lib/store';
import { notify } from '../state/notices';
import { Dialog } from './Dialog';
import { PlusIcon } from './icons';
import { ErrorState, Loading } from './States';

interface PickRequest {
  trackIds: string[];
  label: string;
}

const request = createStore<PickRequest | null>(null);

/** Opens the "Add to playlist" dialog for these tracks (`label` names them in the notice, e.g. “Song”). */
export function openPlaylistPicker(trackIds: string[], label: string): void {
  request.set({ trackIds, label });
}

/** Appends tracks to a playlist (`POST /api/v1/playlists/{id}/items`) and says so. */
export async function addToPlaylist(playlistId: string, playlistName: string, trackIds: string[], label: string): Promise<void> {
  await ok(api.POST('/api/v1/playlists/{id}/items', { params: { path: { id: playlistId } }, body: { trackIds } }));
  notify(`Added ${label} to ${playlistName}.`);
}

function Picker({ pick, onClose }: { pick: PickRequest; onClose: () => void }) {
  const playlists = useResource(() => ok(api.GET('/api/v1/playlists', { params: { query: { limit: 500 } } })), []);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const choices = (playlists.data?.items ?? []).filter((p) => p.editable && !p.smart);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      onClose();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Add to playlist" onClose={onClose}>
      <p className="muted">Choose where {pick.label} should go.</p>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          const trimmed = name.trim();
          if (!trimmed) return setError('Give the new playlist a name.');
          void run(async () => {
            await ok(api.POST('/api/v1/playlists', { body: { name: trimmed, trackIds: pick.trackIds } }));
            notify(`Created ${trimmed} with ${pick.label}.`);
          });
        }}
      >
        <label className="visually-hidden" htmlFor="picker-new-name">
          New playlist name
        </label>
        <input id="picker-new-name" className="input" placeholder="New playlist name" value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="button button--primary" disabled={busy}>
          <PlusIcon /> Create
        </button>
      </form>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {playlists.error ? (
        <ErrorState error={playlists.error} onRetry={playlists.reload} title="Could not load your playlists" />
      ) : !playlists.data ? (
        <Loading label="Loading playlists…" />
      ) : choices.length === 0 ? (
        <p className="muted">You have no playlists yet: name one above.</p>
      ) : (
        <ul className="picker" aria-label="Your playlists">
          {choices.map((playlist) => (
            <li key={playlist.id}>
              <button
                type="button"
                className="picker__item"
                disabled={busy}
                onClick={() => void run(() => addToPlaylist(playlist.id, playlist.name, pick.trackIds, pick.label))}
              >
                <span className="truncate">{playlist.name}</span>
                <span className="muted">{pluralOrPending(playlist.itemCount, 'track')}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}

/** Where the picker shows when `openPlaylistPicker` is called; mounted once by the shell. */
export function PlaylistPickerHost() {
  const pick = useStore(request);
  return pick ? <Picker pick={pick} onClose={() => request.set(null)} /> : null;
}
