/**
 * Arrow-key movement through a list of `count` options (search results, menus): ↓ from nothing selects the first,
 * ↑ from nothing the last, and the ends wrap around. Returns -1 when there is nothing to select.
 */
export function stepSelection(current: number, count: number, step: 1 | -1): number {
  if (count <= 0) return -1;
  if (current < 0 || current >= count) return step === 1 ? 0 : count - 1;
  return (current + step + count) % count;
}
