/**
 * The queue as the server orders it: `queue.move {itemId, toIndex}` takes the item out and puts it back so that it
 * ends up at `toIndex` (0-based, in play order). The panel applies the same rule optimistically, so a dragged or
 * keyboard-moved row lands at once and the server's answer confirms it.
 */
export function moveItem<T>(items: readonly T[], fromIndex: number, toIndex: number): T[] {
  if (fromIndex < 0 || fromIndex >= items.length) return [...items];
  const target = Math.max(0, Math.min(items.length - 1, toIndex));
  const next = [...items];
  const [moved] = next.splice(fromIndex, 1);
  next.splice(target, 0, moved as T);
  return next;
}

/**
 * Where a dragged row lands: dropping on the upper half of row `overIndex` puts it before that row, on the lower half
 * after it. Returns the final index for `moveItem`/`queue.move`.
 */
export function dropTargetIndex(fromIndex: number, overIndex: number, lowerHalf: boolean): number {
  const insertBefore = lowerHalf ? overIndex + 1 : overIndex;
  return insertBefore > fromIndex ? insertBefore - 1 : insertBefore;
}

/**
 * Keyboard reordering of a focused row (Alt+↑/↓ moves it one place, Alt+Home/End to the ends): the new index, or null
 * when the key does not move it (already at that end, or another key).
 */
export function keyboardMoveTarget(index: number, length: number, key: string): number | null {
  const target = key === 'ArrowUp' ? index - 1 : key === 'ArrowDown' ? index + 1 : key === 'Home' ? 0 : key === 'End' ? length - 1 : null;
  if (target === null || target < 0 || target >= length || target === index) return null;
  return target;
}
