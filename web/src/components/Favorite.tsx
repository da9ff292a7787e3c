import { setFavorite, setRating, useFavorite, useRating, type ItemType } from '../state/collection';
import { HeartIcon, HeartOutlineIcon, StarIcon } from './icons';

/**
 * A heart toggle for a track, album or artist: a pressed/not-pressed button named after the item, so screen readers
 * hear "Favorite <name>, pressed".
 */
export function FavoriteButton({
  type,
  id,
  name,
  favorite,
  size = 'small',
}: {
  type: ItemType;
  id: string;
  name: string;
  favorite: boolean;
  size?: 'small' | 'large';
}) {
  const on = useFavorite(type, id, favorite);
  return (
    <button
      type="button"
      className={`heart ${size === 'large' ? 'heart--large' : ''} ${on ? 'is-on' : ''}`}
      aria-label={`Favorite ${name}`}
      aria-pressed={on}
      title={on ? 'Remove from favorites' : 'Add to favorites'}
      onClick={(event) => {
        event.stopPropagation();
        void setFavorite(type, id, !on, on);
      }}
    >
      {on ? <HeartIcon /> : <HeartOutlineIcon />}
    </button>
  );
}

/**
 * A 0–5 star rating as a radio group: click a star (or arrow keys) to set it, click the current star again to clear.
 */
export function StarRating({ type, id, name, rating }: { type: ItemType; id: string; name: string; rating: number }) {
  const value = useRating(type, id, rating);
  const set = (next: number) => void setRating(type, id, next, value);
  const onKeyDown = (event: React.KeyboardEvent) => {
    const step = event.key === 'ArrowRight' || event.key === 'ArrowUp' ? 1 : event.key === 'ArrowLeft' || event.key === 'ArrowDown' ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = Math.max(0, Math.min(5, value + step));
    if (next !== value) set(next);
    (event.currentTarget.querySelectorAll<HTMLElement>('[role="radio"]')[Math.max(0, next - 1)])?.focus();
  };
  return (
    <div className="stars" role="radiogroup" aria-label={`Rating of ${name}`} onKeyDown={onKeyDown}>
      {[1, 2, 3, 4, 5].map((star) => (
        <button
          key={star}
          type="button"
          role="radio"
          aria-checked={value === star}
          aria-label={`${star} ${star === 1 ? 'star' : 'stars'}`}
          tabIndex={star === Math.max(1, value) ? 0 : -1}
          className={`stars__star ${star <= value ? 'is-on' : ''}`}
          onClick={() => set(star === value ? 0 : star)}
        >
          <StarIcon />
        </button>
      ))}
    </div>
  );
}
