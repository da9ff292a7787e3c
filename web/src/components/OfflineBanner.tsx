import { useEffect, useState } from 'react';
import { useStore } from '../lib/store';
import { connectivity } from '../state/connectivity';
import { streamOpen } from '../state/events';
import { WifiOffIcon } from './icons';

/** How long a dropped connection may last before the banner shows (a server restart or a blip passes unseen). */
const GRACE_MS = 2500;

/**
 * "You're offline" while requests fail or the event stream is down; hides by itself once the server answers again
 * (EventSource reconnects every 3 s and requests keep being tried).
 */
export function OfflineBanner() {
  const online = useStore(connectivity.online);
  const stream = useStore(streamOpen);
  const down = !online || !stream;
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    if (!down) return setVisible(false);
    const timer = setTimeout(() => setVisible(true), GRACE_MS);
    return () => clearTimeout(timer);
  }, [down]);
  if (!visible) return null;
  return (
    <div className="offline" role="status">
      <WifiOffIcon />
      <span>
        <strong>Offline.</strong> Can't reach the Omnisonic server; reconnecting by itself…
      </span>
    </div>
  );
}
