import { useEffect, useState } from 'react';
import { api, ok } from '../api/client';
import type { Track } from '../api/types';

const cache = new Map<string, Promise<Track>>();
const known = new Map<string, Track>();

/** Remembers tracks that arrived in a list (album, search), so the queue and player show them without a request. */
export function rememberTracks(tracks: readonly Track[]): void {
  for (const track of tracks) {
    known.set(track.id, track);
    cache.set(track.id, Promise.resolve(track));
  }
}

/** One track's catalog entry (`GET /api/v1/tracks/{id}`), fetched once per id and shared. */
export function getTrack(id: string): Promise<Track> {
  let pending = cache.get(id);
  if (!pending) {
    pending = ok(api.GET('/api/v1/tracks/{id}', { params: { path: { id } } })).then((track) => {
      known.set(id, track);
      return track;
    });
    pending.catch(() => cache.delete(id));
    cache.set(id, pending);
  }
  return pending;
}

/** The track for an id, or null while it loads (or when it cannot be loaded). */
export function useTrack(id: string | null | undefined): Track | null {
  const [track, setTrack] = useState<Track | null>(() => (id ? known.get(id) ?? null : null));
  useEffect(() => {
    if (!id) return setTrack(null);
    const cached = known.get(id);
    setTrack(cached ?? null);
    if (cached) return;
    let live = true;
    getTrack(id).then((loaded) => live && setTrack(loaded), () => undefined);
    return () => {
      live = false;
    };
  }, [id]);
  return track;
}

/** URL of an artwork image at about `size` px (the server resizes and caches; `GET /api/v1/artwork/{id}`). */
export function artworkUrl(artworkId: string | null | undefined, size = 300): string | null {
  return artworkId ? `/api/v1/artwork/${encodeURIComponent(artworkId)}?size=${size}` : null;
}
