import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import type { QueueItem } from '../api/types';
import { usePlayback } from '../hooks/use-playback';
import { formatClock, formatTotal, plural } from '../lib/format';
import { dropTargetIndex, keyboardMoveTarget, moveItem } from '../lib/queue-order';
import { sendCommand } from '../state/playback';
import { useTrack } from '../state/tracks';
import { Artwork } from './Artwork';
import { CloseIcon, DragIcon } from './icons';

const ROW_HEIGHT = 56;
const quietly = (promise: Promise<unknown>) => void promise.catch(() => undefined);

function QueueRow({ item, index, current }: { item: QueueItem; index: number; current: boolean }) {
  const track = useTrack(item.trackId);
  const title = track?.title ?? 'Loading…';
  return (
    <>
      <span className="queue__handle" aria-hidden="true">
        <DragIcon />
      </span>
      <Artwork artworkId={track?.artworkId} name={track?.album ?? title} size={40} className="queue__art" />
      <span className="queue__text">
        <span className={`queue__title ${current ? 'is-current' : ''}`}>{title}</span>
        <span className="queue__artist">{track?.artist ?? ''}</span>
      </span>
      <span className="queue__duration">{formatClock(item.durationMs)}</span>
      <span className="visually-hidden">{`, position ${index + 1}${current ? ', playing now' : ''}`}</span>
    </>
  );
}

/**
 * The queue drawer: every item in play order (virtualised: a queue holds up to 2000), the current one marked.
 * Reorder by dragging a row or with Alt+↑/↓ (Alt+Home/End) on a focused row; Delete removes it; Enter plays it.
 * Moves show at once and are confirmed by the server's answer; a screen reader hears where the item went.
 */
export function QueuePanel({ onClose }: { onClose: () => void }) {
  const state = usePlayback();
  const serverItems = state?.queue.items ?? [];
  const [pending, setPending] = useState<{ items: QueueItem[]; basedOn: number } | null>(null);
  const items = pending && pending.basedOn === state?.queue.revision ? pending.items : serverItems;
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [dropAt, setDropAt] = useState<{ index: number; lower: boolean } | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const scroller = useRef<HTMLDivElement>(null);
  const focusAfterRender = useRef<string | null>(null);
  const currentId = state?.current?.queueItemId ?? null;
  const totalMs = useMemo(() => items.reduce((sum, item) => sum + (item.durationMs ?? 0), 0), [items]);

  const virtual = useVirtualizer({ count: items.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });

  useEffect(() => {
    const index = items.findIndex((item) => item.itemId === currentId);
    if (index >= 0) virtual.scrollToIndex(index, { align: 'center' });
    // Only when the panel opens or the current item changes.
  }, [currentId]);

  useEffect(() => {
    const id = focusAfterRender.current;
    if (!id) return;
    const row = scroller.current?.querySelector<HTMLElement>(`[data-item-id="${id}"]`);
    if (row) {
      row.focus();
      focusAfterRender.current = null;
    }
  });

  const move = (from: number, to: number) => {
    const item = items[from];
    if (!item || from === to || !state) return;
    const next = moveItem(items, from, to);
    setPending({ items: next, basedOn: state.queue.revision });
    focusAfterRender.current = item.itemId;
    virtual.scrollToIndex(to);
    setAnnouncement(`Moved to position ${to + 1} of ${items.length}.`);
    sendCommand('queue.move', { itemId: item.itemId, toIndex: to }).then(
      () => setPending(null),
      () => setPending(null),
    );
  };

  const remove = (index: number) => {
    const item = items[index];
    if (!item) return;
    const neighbour = items[index + 1] ?? items[index - 1];
    focusAfterRender.current = neighbour?.itemId ?? null;
    setAnnouncement('Removed from the queue.');
    quietly(sendCommand('queue.remove', { itemIds: [item.itemId] }));
  };

  const onRowKeyDown = (event: KeyboardEvent<HTMLLIElement>, index: number) => {
    if (event.altKey) {
      const target = keyboardMoveTarget(index, items.length, event.key);
      if (target !== null) {
        event.preventDefault();
        move(index, target);
      }
      return;
    }
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = items[index + (event.key === 'ArrowDown' ? 1 : -1)];
      if (next) {
        focusAfterRender.current = next.itemId;
        virtual.scrollToIndex(index + (event.key === 'ArrowDown' ? 1 : -1));
        scroller.current?.querySelector<HTMLElement>(`[data-item-id="${next.itemId}"]`)?.focus();
      }
    } else if (event.key === 'Delete' || event.key === 'Backspace') {
      event.preventDefault();
      remove(index);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      quietly(sendCommand('play', { queueItemId: items[index]!.itemId }));
    }
  };

  const onDragOver = (event: DragEvent<HTMLLIElement>, index: number) => {
    if (dragFrom === null) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
    const rect = event.currentTarget.getBoundingClientRect();
    setDropAt({ index, lower: event.clientY > rect.top + rect.height / 2 });
  };
  const onDrop = (event: DragEvent<HTMLLIElement>) => {
    event.preventDefault();
    if (dragFrom !== null && dropAt) move(dragFrom, dropTargetIndex(dragFrom, dropAt.index, dropAt.lower));
    setDragFrom(null);
    setDropAt(null);
  };

  return (
    <aside className="queue" aria-label="Queue" data-own-keys>
      <header className="queue__header">
        <div>
          <h2>Queue</h2>
          <p className="muted">{items.length ? `${plural(items.length, 'track')} · ${formatTotal(totalMs)}` : 'Empty'}</p>
        </div>
        <div className="queue__actions">
          <button type="button" className="button button--ghost button--small" disabled={items.length <= 1} onClick={() => quietly(sendCommand('queue.clear'))}>
            Clear
          </button>
          <button type="button" className="icon-button" aria-label="Close queue" onClick={onClose}>
            <CloseIcon />
          </button>
        </div>
      </header>
      {items.length === 0 ? (
        <p className="queue__empty">
          Nothing queued. Use <strong>Play next</strong> or <strong>Add to queue</strong> on any album or track.
        </p>
      ) : (
        <>
          <p className="queue__hint muted" id="queue-hint">
            Drag to reorder, or focus a track and press Alt+↑/↓. Delete removes, Enter plays.
          </p>
          <div ref={scroller} className="queue__scroller">
            <ol className="queue__list" aria-label="Queued tracks" aria-describedby="queue-hint" style={{ height: virtual.getTotalSize() }}>
              {virtual.getVirtualItems().map((row) => {
                const item = items[row.index]!;
                const current = item.itemId === currentId;
                const dropClass = dropAt?.index === row.index ? (dropAt.lower ? 'drop-below' : 'drop-above') : '';
                return (
                  <li
                    key={item.itemId}
                    data-item-id={item.itemId}
                    className={`queue__row ${current ? 'is-current' : ''} ${dragFrom === row.index ? 'is-dragging' : ''} ${dropClass}`}
                    style={{ transform: `translateY(${row.start}px)`, height: ROW_HEIGHT }}
                    tabIndex={0}
                    draggable
                    aria-current={current ? 'true' : undefined}
                    onDragStart={(event) => {
                      setDragFrom(row.index);
                      event.dataTransfer.effectAllowed = 'move';
                      event.dataTransfer.setData('text/plain', item.itemId);
                    }}
                    onDragOver={(event) => onDragOver(event, row.index)}
                    onDrop={onDrop}
                    onDragEnd={() => {
                      setDragFrom(null);
                      setDropAt(null);
                    }}
                    onKeyDown={(event) => onRowKeyDown(event, row.index)}
                    onDoubleClick={() => quietly(sendCommand('play', { queueItemId: item.itemId }))}
                  >
                    <QueueRow item={item} index={row.index} current={current} />
                    <button
                      type="button"
                      className="icon-button icon-button--small queue__remove"
                      aria-label="Remove from queue"
                      tabIndex={-1}
                      onClick={() => remove(row.index)}
                    >
                      <CloseIcon />
                    </button>
                  </li>
                );
              })}
            </ol>
          </div>
        </>
      )}
      <div className="visually-hidden" aria-live="polite">
        {announcement}
      </div>
    </aside>
  );
}
