import { describe, expect, it } from 'vitest';
import { stepSelection } from '../../web/src/lib/list-navigation.js';
import { dropTargetIndex, keyboardMoveTarget, moveItem } from '../../web/src/lib/queue-order.js';

const queue = ['a', 'b', 'c', 'd', 'e'];

describe('reordering the queue', () => {
  it('puts a moved item at exactly the index asked for, like the server\'s queue.move', () => {
    expect(moveItem(queue, 0, 3)).toEqual(['b', 'c', 'd', 'a', 'e']);
    expect(moveItem(queue, 4, 1)).toEqual(['a', 'e', 'b', 'c', 'd']);
    expect(moveItem(queue, 2, 2)).toEqual(queue);
  });

  it('leaves the original list untouched and clamps targets past the ends', () => {
    expect(moveItem(queue, 1, 99)).toEqual(['a', 'c', 'd', 'e', 'b']);
    expect(moveItem(queue, 3, -4)).toEqual(['d', 'a', 'b', 'c', 'e']);
    expect(queue).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('drops a dragged row before the row under the pointer\'s upper half and after its lower half', () => {
    // Dragging "a" (0) over "d" (3): upper half → before d → ends at index 2; lower half → after d → index 3.
    expect(moveItem(queue, 0, dropTargetIndex(0, 3, false))).toEqual(['b', 'c', 'a', 'd', 'e']);
    expect(moveItem(queue, 0, dropTargetIndex(0, 3, true))).toEqual(['b', 'c', 'd', 'a', 'e']);
    // Dragging "e" (4) over "b" (1): upper half → before b; lower half → after b.
    expect(moveItem(queue, 4, dropTargetIndex(4, 1, false))).toEqual(['a', 'e', 'b', 'c', 'd']);
    expect(moveItem(queue, 4, dropTargetIndex(4, 1, true))).toEqual(['a', 'b', 'e', 'c', 'd']);
    // Dropping a row onto itself changes nothing.
    expect(dropTargetIndex(2, 2, false)).toBe(2);
    expect(dropTargetIndex(2, 2, true)).toBe(2);
  });

  it('moves a focused row one place with Alt+arrows and to the ends with Alt+Home/End', () => {
    expect(keyboardMoveTarget(2, 5, 'ArrowUp')).toBe(1);
    expect(keyboardMoveTarget(2, 5, 'ArrowDown')).toBe(3);
    expect(keyboardMoveTarget(2, 5, 'Home')).toBe(0);
    expect(keyboardMoveTarget(2, 5, 'End')).toBe(4);
  });

  it('does nothing for a row already at that end, or for other keys', () => {
    expect(keyboardMoveTarget(0, 5, 'ArrowUp')).toBeNull();
    expect(keyboardMoveTarget(4, 5, 'ArrowDown')).toBeNull();
    expect(keyboardMoveTarget(0, 5, 'Home')).toBeNull();
    expect(keyboardMoveTarget(2, 5, 'x')).toBeNull();
  });
});

describe('arrow keys through search suggestions', () => {
  it('starts at the first with ↓ and at the last with ↑, and wraps at the ends', () => {
    expect(stepSelection(-1, 4, 1)).toBe(0);
    expect(stepSelection(-1, 4, -1)).toBe(3);
    expect(stepSelection(3, 4, 1)).toBe(0);
    expect(stepSelection(0, 4, -1)).toBe(3);
    expect(stepSelection(1, 4, 1)).toBe(2);
  });

  it('selects nothing when there are no suggestions', () => {
    expect(stepSelection(-1, 0, 1)).toBe(-1);
  });
});
