import { useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { formatClock } from '../lib/format';
import { playedFraction } from '../lib/position';
import { usePosition } from '../hooks/use-playback';

/**
 * The seek bar: a `role="slider"` whose fill follows the projected position on every animation frame. Click or drag
 * to seek (sent on release); ←/→ move 5 s, Home/End to the ends. Times on both sides.
 */
export function SeekBar({ durationMs, disabled, onSeek }: { durationMs: number | null; disabled: boolean; onSeek: (positionMs: number) => void }) {
  const fill = useRef<HTMLDivElement>(null);
  const track = useRef<HTMLDivElement>(null);
  const [dragMs, setDragMs] = useState<number | null>(null);
  const dragging = useRef(false);
  const position = usePosition(250, (ms, duration) => {
    if (!dragging.current && fill.current) fill.current.style.transform = `scaleX(${playedFraction(ms, duration)})`;
  });
  const shown = dragMs ?? position;
  const duration = durationMs ?? 0;

  const msAt = (clientX: number) => {
    const rect = track.current!.getBoundingClientRect();
    return Math.round(Math.min(1, Math.max(0, (clientX - rect.left) / rect.width)) * duration);
  };
  const preview = (ms: number) => {
    setDragMs(ms);
    if (fill.current) fill.current.style.transform = `scaleX(${playedFraction(ms, duration)})`;
  };
  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (disabled || !duration) return;
    dragging.current = true;
    event.currentTarget.setPointerCapture(event.pointerId);
    preview(msAt(event.clientX));
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    if (dragging.current) preview(msAt(event.clientX));
  };
  const onPointerUp = (event: PointerEvent<HTMLDivElement>) => {
    if (!dragging.current) return;
    dragging.current = false;
    // The very end would finish the track at once; stop half a second short of it.
    const target = Math.min(msAt(event.clientX), Math.max(0, duration - 500));
    setDragMs(null);
    onSeek(target);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (disabled || !duration) return;
    const step = event.shiftKey ? 30_000 : 5_000;
    const target =
      event.key === 'ArrowRight' || event.key === 'ArrowUp'
        ? position + step
        : event.key === 'ArrowLeft' || event.key === 'ArrowDown'
          ? position - step
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? duration - 1000
              : null;
    if (target === null) return;
    event.preventDefault();
    event.stopPropagation();
    onSeek(Math.max(0, Math.min(duration - 500, target)));
  };

  return (
    <div className="seek">
      <span className="seek__time" data-testid="position">{formatClock(shown)}</span>
      <div
        ref={track}
        className={`seek__track ${disabled ? 'is-disabled' : ''}`}
        role="slider"
        tabIndex={disabled ? -1 : 0}
        aria-label="Seek"
        aria-valuemin={0}
        aria-valuemax={Math.round(duration / 1000)}
        aria-valuenow={Math.round(shown / 1000)}
        aria-valuetext={`${formatClock(shown)} of ${formatClock(durationMs)}`}
        aria-disabled={disabled}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onKeyDown={onKeyDown}
      >
        <div className="seek__rail">
          <div ref={fill} className="seek__fill" />
        </div>
      </div>
      <span className="seek__time seek__time--total">{formatClock(durationMs)}</span>
    </div>
  );
}
