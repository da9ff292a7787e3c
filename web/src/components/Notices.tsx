import { useStore } from '../lib/store';
import { notices } from '../state/notices';

/** The stack of short notices above the player; a polite live region, errors assertive. */
export function Notices() {
  const list = useStore(notices);
  return (
    <div className="notices" aria-live="polite">
      {list.map((notice) => (
        <div key={notice.id} className={`notice notice--${notice.tone}`} role={notice.tone === 'error' ? 'alert' : undefined}>
          {notice.text}
        </div>
      ))}
    </div>
  );
}
