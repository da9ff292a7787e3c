import { currentItem, currentPositionMs, playback, sendCommand } from './playback';

const quietly = (promise: Promise<unknown>) => void promise.catch(() => undefined);

/** Typing in a field, or keys a focused control handles itself (sliders, buttons, menus), are not shortcuts. */
function isOwnedByFocus(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  if (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) return true;
  const role = target.getAttribute('role');
  if (event.key === ' ' && (target.tagName === 'BUTTON' || target.tagName === 'A' || role === 'button' || role === 'menuitem' || role === 'option')) return true;
  return role === 'slider' || role === 'listbox' || role === 'menu' || role === 'menuitem' || target.closest('[data-own-keys]') !== null;
}

/**
 * Keyboard shortcuts anywhere in the app: Space plays/pauses, ←/→ seek 10 s, Shift+←/→ previous/next track,
 * Shift+↑/↓ volume ±5 (plain ↑/↓ keep scrolling the page), `/` focuses the search box. Returns the remover.
 */
export function installShortcuts(focusSearch: () => void): () => void {
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === '/' && !isOwnedByFocus(event)) {
      event.preventDefault();
      focusSearch();
      return;
    }
    if (isOwnedByFocus(event)) return;
    const state = playback.get();
    if (!state) return;
    const duration = currentItem(state)?.item.durationMs ?? null;
    switch (event.key) {
      case ' ':
        if (!state.current && !state.queue.items.length) return;
        quietly(sendCommand(state.playState === 'playing' ? 'pause' : 'resume'));
        break;
      case 'ArrowRight':
      case 'ArrowLeft': {
        if (!state.current) return;
        if (event.shiftKey) {
          quietly(sendCommand(event.key === 'ArrowRight' ? 'next' : 'previous'));
          break;
        }
        const delta = event.key === 'ArrowRight' ? 10_000 : -10_000;
        const limit = duration ? duration - 500 : Number.MAX_SAFE_INTEGER;
        quietly(sendCommand('seek', { positionMs: Math.round(Math.max(0, Math.min(limit, currentPositionMs(state) + delta))) }));
        break;
      }
      case 'ArrowUp':
      case 'ArrowDown':
        if (!event.shiftKey) return;
        quietly(sendCommand('volume', { percent: Math.max(0, Math.min(100, state.volume + (event.key === 'ArrowUp' ? 5 : -5))) }));
        break;
      default:
        return;
    }
    event.preventDefault();
  };
  window.addEventListener('keydown', onKeyDown);
  return () => window.removeEventListener('keydown', onKeyDown);
}
