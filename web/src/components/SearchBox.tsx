import { forwardRef, useEffect, useId, useImperativeHandle, useRef, useState, type KeyboardEvent } from 'react';
import { api, ok } from '../api/client';
import type { SearchResult } from '../api/types';
import { useDebounced } from '../hooks/use-debounced';
import { stepSelection } from '../lib/list-navigation';
import { navigate } from '../router';
import { playSource } from '../state/queue-actions';
import { rememberTracks } from '../state/tracks';
import { Artwork } from './Artwork';
import { SearchIcon } from './icons';

type Option = { key: string; kind: 'artist' | 'album' | 'track'; label: string; detail: string; artworkId: string | null; go: () => void };

function optionsOf(result: SearchResult | undefined): Option[] {
  if (!result) return [];
  return [
    ...result.artists.slice(0, 4).map((a): Option => ({
      key: `artist:${a.id}`,
      kind: 'artist',
      label: a.name,
      detail: 'Artist',
      artworkId: a.artworkId,
      go: () => navigate(`/artists/${a.id}`),
    })),
    ...result.albums.slice(0, 4).map((a): Option => ({
      key: `album:${a.id}`,
      kind: 'album',
      label: a.title,
      detail: `Album · ${a.albumArtist}`,
      artworkId: a.artworkId,
      go: () => navigate(`/albums/${a.id}`),
    })),
    ...result.tracks.slice(0, 6).map((t): Option => ({
      key: `track:${t.id}`,
      kind: 'track',
      label: t.title,
      detail: `Track · ${t.artist}`,
      artworkId: t.artworkId,
      go: () => void playSource({ trackIds: [t.id] }).catch(() => undefined),
    })),
  ];
}

const GROUPS: { kind: Option['kind']; title: string }[] = [
  { kind: 'artist', title: 'Artists' },
  { kind: 'album', title: 'Albums' },
  { kind: 'track', title: 'Tracks' },
];

export interface SearchBoxHandle {
  focus(): void;
}

/**
 * The search box in the top bar (the `/` key focuses it): searches as you type (debounced `GET /api/v1/search`),
 * shows artists, albums and tracks in groups, and offers "did you mean" when nothing matched. An ARIA combobox:
 * ↑/↓ choose, Enter opens (a track plays), Escape closes; Enter with nothing chosen opens the full results page.
 */
export const SearchBox = forwardRef<SearchBoxHandle>(function SearchBox(_props, ref) {
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const [selected, setSelected] = useState(-1);
  const [result, setResult] = useState<{ q: string; data: SearchResult } | null>(null);
  const [failed, setFailed] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const debounced = useDebounced(query.trim(), 180);
  useImperativeHandle(ref, () => ({ focus: () => input.current?.focus() }), []);

  useEffect(() => {
    if (!debounced) {
      setResult(null);
      return;
    }
    let live = true;
    ok(api.GET('/api/v1/search', { params: { query: { q: debounced, limit: 6 } } })).then(
      (data) => {
        if (!live) return;
        rememberTracks(data.tracks);
        setResult({ q: debounced, data });
        setFailed(false);
        setSelected(-1);
      },
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [debounced]);

  const options = result && result.q === debounced ? optionsOf(result.data) : [];
  const didYouMean = result?.q === debounced ? result.data.didYouMean : undefined;
  const showPanel = open && query.trim().length > 0;

  const finish = () => {
    setOpen(false);
    setSelected(-1);
    input.current?.blur();
  };
  const openFullResults = () => {
    if (!query.trim()) return;
    navigate(`/search?q=${encodeURIComponent(query.trim())}`);
    finish();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setOpen(true);
      setSelected((current) => stepSelection(current, options.length, event.key === 'ArrowDown' ? 1 : -1));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const option = showPanel ? options[selected] : undefined;
      if (option) {
        option.go();
        finish();
      } else {
        openFullResults();
      }
    } else if (event.key === 'Escape') {
      if (showPanel) {
        event.preventDefault();
        setOpen(false);
        setSelected(-1);
      } else {
        setQuery('');
      }
    }
  };

  let flatIndex = -1;
  return (
    <div className="search" role="search">
      <SearchIcon className="search__icon" />
      <input
        ref={input}
        className="search__input"
        type="search"
        placeholder="Search artists, albums, tracks"
        aria-label="Search"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={showPanel}
        aria-controls={listId}
        aria-activedescendant={selected >= 0 && options[selected] ? `${listId}-${selected}` : undefined}
        value={query}
        onChange={(event) => {
          setQuery(event.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKeyDown}
        autoComplete="off"
        spellCheck={false}
      />
      <kbd className="search__kbd" aria-hidden="true">/</kbd>
      {showPanel && (
        <div className="search__panel">
          {failed && <p className="search__note">Search is not answering right now. Try again in a moment.</p>}
          {!failed && result?.q === debounced && options.length === 0 && (
            <div className="search__note">
              <p>Nothing matches “{debounced}”.</p>
              {didYouMean && (
                <button type="button" className="link-button" onMouseDown={(event) => event.preventDefault()} onClick={() => setQuery(didYouMean)}>
                  Did you mean <strong>{didYouMean}</strong>?
                </button>
              )}
            </div>
          )}
          <ul id={listId} role="listbox" aria-label="Search suggestions" className="search__list">
            {GROUPS.map((group) => {
              const inGroup = options.filter((option) => option.kind === group.kind);
              if (!inGroup.length) return null;
              return (
                <li key={group.kind} role="presentation">
                  <div className="search__group" role="presentation">
                    {group.title}
                  </div>
                  <ul role="group" aria-label={group.title}>
                    {inGroup.map((option) => {
                      flatIndex += 1;
                      const index = flatIndex;
                      return (
                        <li
                          key={option.key}
                          id={`${listId}-${index}`}
                          role="option"
                          aria-selected={index === selected}
                          className={`search__option ${index === selected ? 'is-selected' : ''}`}
                          onMouseDown={(event) => event.preventDefault()}
                          onMouseEnter={() => setSelected(index)}
                          onClick={() => {
                            option.go();
                            finish();
                          }}
                        >
                          <Artwork artworkId={option.artworkId} name={option.label} size={36} round={option.kind === 'artist'} />
                          <span className="search__text">
                            <span className="search__label">{option.label}</span>
                            <span className="search__detail">{option.detail}</span>
                          </span>
                        </li>
                      );
                    })}
                  </ul>
                </li>
              );
            })}
          </ul>
          {options.length > 0 && (
            <button type="button" className="search__all" onMouseDown={(event) => event.preventDefault()} onClick={openFullResults}>
              All results for “{query.trim()}”
            </button>
          )}
        </div>
      )}
    </div>
  );
});
