import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useScrollContainer } from './Shell';

/** Calls `onEnd` when the last rendered index comes within `threshold` of the end: infinite loading. */
function useNearEnd(lastIndex: number | undefined, count: number, threshold: number, onEnd?: () => void) {
  useEffect(() => {
    if (onEnd && lastIndex !== undefined && lastIndex >= count - threshold) onEnd();
  }, [lastIndex, count, threshold, onEnd]);
}

/** The list's distance from the top of the scrolling main area, so the virtualizer knows where it starts. */
function useScrollMargin(list: React.RefObject<HTMLElement | null>): number {
  const scroller = useScrollContainer();
  const [margin, setMargin] = useState(0);
  const measure = useRef(() => {});
  measure.current = () => {
    if (!list.current || !scroller.current) return;
    const offset = list.current.getBoundingClientRect().top - scroller.current.getBoundingClientRect().top + scroller.current.scrollTop;
    setMargin((previous) => (Math.abs(previous - offset) > 1 ? offset : previous));
  };
  // Content above the list (a header that loaded) may move it: measure after every render, and on resizes.
  useLayoutEffect(() => measure.current());
  useLayoutEffect(() => {
    const observer = new ResizeObserver(() => measure.current());
    if (scroller.current) observer.observe(scroller.current);
    return () => observer.disconnect();
  }, [scroller]);
  return margin;
}

/**
 * A list of fixed-height rows of which only the visible ones (plus a few) are in the DOM, so 100,000 rows scroll as
 * smoothly as 10. Scrolls with the page's main area. `onEndReached` loads the next page.
 */
export function VirtualList<T>({
  items,
  rowHeight,
  renderRow,
  onEndReached,
  className = '',
  role,
  label,
  getKey,
}: {
  items: readonly T[];
  rowHeight: number;
  renderRow: (item: T, index: number) => ReactNode;
  onEndReached?: () => void;
  className?: string;
  role?: string;
  label?: string;
  getKey: (item: T) => string;
}) {
  const list = useRef<HTMLDivElement>(null);
  const scroller = useScrollContainer();
  const scrollMargin = useScrollMargin(list);
  const virtual = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    scrollMargin,
  });
  const rows = virtual.getVirtualItems();
  useNearEnd(rows.at(-1)?.index, items.length, 40, onEndReached);
  return (
    <div ref={list} className={`vlist ${className}`} role={role} aria-label={label} aria-rowcount={role === 'table' ? items.length : undefined} style={{ height: virtual.getTotalSize() }}>
      {rows.map((row) => (
        <div
          key={getKey(items[row.index]!)}
          className="vlist__row"
          role={role === 'table' ? 'row' : undefined}
          aria-rowindex={role === 'table' ? row.index + 2 : undefined}
          style={{ transform: `translateY(${row.start - scrollMargin}px)`, height: rowHeight }}
        >
          {renderRow(items[row.index]!, row.index)}
        </div>
      ))}
    </div>
  );
}

/**
 * A responsive grid of cards (as many columns of at least `minCardWidth` px as fit), virtualised by rows.
 * `cardExtra` is the height under the square artwork (title lines), px.
 */
export function VirtualGrid<T>({
  items,
  minCardWidth,
  cardExtra,
  gap = 20,
  renderCard,
  onEndReached,
  label,
  getKey,
}: {
  items: readonly T[];
  minCardWidth: number;
  cardExtra: number;
  gap?: number;
  renderCard: (item: T, index: number) => ReactNode;
  onEndReached?: () => void;
  label: string;
  getKey: (item: T) => string;
}) {
  const grid = useRef<HTMLDivElement>(null);
  const scroller = useScrollContainer();
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    if (!grid.current) return;
    const observer = new ResizeObserver(([entry]) => setWidth(entry!.contentRect.width));
    observer.observe(grid.current);
    setWidth(grid.current.getBoundingClientRect().width);
    return () => observer.disconnect();
  }, []);
  const columns = Math.max(1, Math.floor((width + gap) / (minCardWidth + gap)));
  const cardWidth = width > 0 ? (width - gap * (columns - 1)) / columns : minCardWidth;
  const rowHeight = Math.round(cardWidth + cardExtra + gap);
  const rowCount = Math.ceil(items.length / columns);
  const scrollMargin = useScrollMargin(grid);
  const virtual = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 3,
    scrollMargin,
  });
  useEffect(() => virtual.measure(), [rowHeight, virtual]);
  const rows = virtual.getVirtualItems();
  useNearEnd(rows.at(-1)?.index, rowCount, 6, onEndReached);
  return (
    <div ref={grid} className="vgrid" role="list" aria-label={label} style={{ height: virtual.getTotalSize() }}>
      {rows.map((row) =>
        items.slice(row.index * columns, row.index * columns + columns).map((item, column) => (
          <div
            key={getKey(item)}
            role="listitem"
            className="vgrid__cell"
            style={{ width: cardWidth, transform: `translate(${column * (cardWidth + gap)}px, ${row.start - scrollMargin}px)` }}
          >
            {renderCard(item, row.index * columns + column)}
          </div>
        )),
      )}
    </div>
  );
}
