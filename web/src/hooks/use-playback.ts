import { useEffect, useRef, useState } from 'react';
import type { PlaybackState } from '../api/types';
import { useStore } from '../lib/store';
import { currentItem, currentPositionMs, playback } from '../state/playback';

/** The playback state as this tab knows it (null until the first snapshot). */
export function usePlayback(): PlaybackState | null {
  return useStore(playback);
}

/**
 * The current position in ms, re-rendering about every `stepMs` while playing (projected from the server clock),
 * and `onFrame` called on every animation frame with the exact position, for smooth seek bars without re-renders.
 */
export function usePosition(stepMs = 250, onFrame?: (positionMs: number, durationMs: number | null) => void): number {
  const state = usePlayback();
  const [position, setPosition] = useState(() => currentPositionMs(state));
  const frameCallback = useRef(onFrame);
  frameCallback.current = onFrame;
  useEffect(() => {
    const duration = currentItem(state)?.item.durationMs ?? null;
    const initial = currentPositionMs(state);
    setPosition(initial);
    frameCallback.current?.(initial, duration);
    if (state?.playState !== 'playing') return;
    let frame = 0;
    let lastShown = initial;
    const tick = () => {
      const now = currentPositionMs(state);
      frameCallback.current?.(now, duration);
      if (Math.abs(now - lastShown) >= stepMs) {
        lastShown = now;
        setPosition(now);
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [state, stepMs]);
  return position;
}
