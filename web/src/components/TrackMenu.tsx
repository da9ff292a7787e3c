import { useEffect, useId, useRef, useState } from 'react';
import type { Track } from '../api/types';
import { navigate } from '../router';
import { setFavorite, useFavorite } from '../state/collection';
import { queueSource } from '../state/queue-actions';
import { MoreIcon } from './icons';
import { openPlaylistPicker } from './PlaylistPicker';

/** One entry of a track's menu; pages may add their own (e.g. "Add to playlist") through `extraItems`. */
export interface MenuItem {
  label: string;
  run: () => void | Promise<void>;
}

/**
 * The "⋯" menu of a track row: play next, add to the queue, go to album or artist. A menu button per the ARIA
 * menu-button pattern: arrows move, Escape closes and returns focus.
 */
export function TrackMenu({ track, extraItems = [] }: { track: Track; extraItems?: MenuItem[] }) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const favorite = useFavorite('track', track.id, track.favorite);
  const items: MenuItem[] = [
    { label: 'Play next', run: () => queueSource({ trackIds: [track.id] }, 'next', `“${track.title}”`) },
    { label: 'Add to queue', run: () => queueSource({ trackIds: [track.id] }, 'end', `“${track.title}”`) },
    ...(track.albumId ? [{ label: 'Go to album', run: () => navigate(`/albums/${track.albumId}`) }] : []),
    ...(track.artists[0] ? [{ label: 'Go to artist', run: () => navigate(`/artists/${track.artists[0]!.id}`) }] : []),
    { label: 'Add to playlist…', run: () => openPlaylistPicker([track.id], `“${track.title}”`) },
    { label: favorite ? 'Remove from favorites' : 'Add to favorites', run: () => setFavorite('track', track.id, !favorite, favorite) },
    { label: 'Track details', run: () => navigate(`/tracks/${track.id}`) },
    ...extraItems,
  ];

  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const close = (event: MouseEvent) => {
      if (!menu.current?.contains(event.target as Node) && event.target !== button.current) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);

  const onKeyDown = (event: React.KeyboardEvent) => {
    const entries = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const index = entries.indexOf(document.activeElement as HTMLElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      setOpen(false);
      button.current?.focus();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      entries[(index + step + entries.length) % entries.length]?.focus();
    } else if (event.key === 'Tab') {
      setOpen(false);
    }
  };

  return (
    <div className="menu">
      <button
        ref={button}
        type="button"
        className="icon-button icon-button--small"
        aria-label={`More for ${track.title}`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={(event) => {
          event.stopPropagation();
          setOpen((value) => !value);
        }}
      >
        <MoreIcon />
      </button>
      {open && (
        <ul ref={menu} id={menuId} className="menu__list" role="menu" aria-label={`Actions for ${track.title}`} onKeyDown={onKeyDown}>
          {items.map((item) => (
            <li key={item.label} role="none">
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                className="menu__item"
                onClick={(event) => {
                  event.stopPropagation();
                  setOpen(false);
                  void Promise.resolve(item.run()).catch(() => undefined);
                }}
              >
                {item.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
