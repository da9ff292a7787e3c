import { api, describeError, ok } from '../api/client';
import { createStore, useStore } from '../lib/store';
import { notify } from './notices';

/** What a heart or a star rating applies to (`PUT /api/v1/favorites/{type}/{id}`, `PUT /api/v1/ratings/{type}/{id}`). */
export type ItemType = 'track' | 'album' | 'artist';

const key = (type: ItemType, id: string) => `${type}:${id}`;

/**
 * Favorite flags and ratings changed in this tab, by `type:id`. Catalog objects that were loaded earlier still carry
 * the old value, so every heart and star reads this first and falls back to the object's own field.
 */
const favorites = createStore<ReadonlyMap<string, boolean>>(new Map());
const ratings = createStore<ReadonlyMap<string, number>>(new Map());

/** Whether the item is a favorite now: this tab's last change, else `fallback` (the catalog object's `favorite`). */
export function useFavorite(type: ItemType, id: string, fallback: boolean): boolean {
  return useStore(favorites, (map) => map.get(key(type, id)) ?? fallback);
}

/** The item's 0–5 rating now (0: none): this tab's last change, else `fallback`. */
export function useRating(type: ItemType, id: string, fallback: number): number {
  return useStore(ratings, (map) => map.get(key(type, id)) ?? fallback);
}

/** Marks or unmarks a favorite, shown at once and put back with a notice when the server refuses. */
export async function setFavorite(type: ItemType, id: string, favorite: boolean, previous: boolean): Promise<void> {
  const k = key(type, id);
  favorites.set((map) => new Map(map).set(k, favorite));
  try {
    const params = { params: { path: { type, id } } };
    await ok(favorite ? api.PUT('/api/v1/favorites/{type}/{id}', params) : api.DELETE('/api/v1/favorites/{type}/{id}', params));
  } catch (error) {
    favorites.set((map) => new Map(map).set(k, previous));
    notify(`Could not change the favorite: ${describeError(error)}`, 'error');
  }
}

/** Sets a 1–5 rating, or clears it with 0; optimistic like `setFavorite`. */
export async function setRating(type: ItemType, id: string, rating: number, previous: number): Promise<void> {
  const k = key(type, id);
  ratings.set((map) => new Map(map).set(k, rating));
  try {
    await ok(api.PUT('/api/v1/ratings/{type}/{id}', { params: { path: { type, id } }, body: { rating } }));
  } catch (error) {
    ratings.set((map) => new Map(map).set(k, previous));
    notify(`Could not save the rating: ${describeError(error)}`, 'error');
  }
}
