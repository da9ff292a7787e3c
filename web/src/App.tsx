import { useEffect } from 'react';
import type { User } from './api/types';
import { Shell } from './components/Shell';
import { Loading } from './components/States';
import { useStore } from './lib/store';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SetupPage } from './pages/SetupPage';
import { matchPath, navigate, useLocation } from './router';
import { HOME_PATH, routesFor } from './routes';
import { startAudioEngine } from './state/audio-engine';
import { syncClock } from './state/clock';
import { connectEvents } from './state/events';
import { loadPlayback } from './state/playback';
import { bootSession, session } from './state/session';

/** Signed in: opens the event stream, syncs the clock, starts the audio engine, then routes to the page. */
function SignedInApp({ user, deviceId }: { user: User; deviceId: string }) {
  const { pathname } = useLocation();
  const allowed = routesFor(user);

  useEffect(() => {
    void syncClock();
    const clockTimer = setInterval(() => void syncClock(), 5 * 60_000);
    void loadPlayback().catch(() => undefined);
    const stopEvents = connectEvents(deviceId);
    const stopAudio = startAudioEngine();
    return () => {
      clearInterval(clockTimer);
      stopEvents();
      stopAudio();
    };
  }, [deviceId]);

  useEffect(() => {
    if (pathname === '/') navigate(HOME_PATH, { replace: true });
  }, [pathname]);

  let page = <NotFoundPage />;
  let title = 'Not found';
  for (const route of allowed) {
    const params = matchPath(route.path, pathname);
    if (params) {
      page = <>{route.render(params)}</>;
      title = route.title;
      break;
    }
  }
  useEffect(() => {
    document.title = `${title} · Omnisonic`;
  }, [title]);

  return (
    <Shell user={user} routes={allowed}>
      {page}
    </Shell>
  );
}

/** The whole app: first-run setup, sign-in, or the signed-in app, as the session says. */
export function App() {
  const current = useStore(session);
  useEffect(() => {
    void bootSession();
  }, []);
  switch (current.status) {
    case 'loading':
      return (
        <div className="splash">
          <Loading label="Starting Omnisonic…" />
        </div>
      );
    case 'error':
      return (
        <div className="splash" role="alert">
          <p>{current.message}</p>
        </div>
      );
    case 'setup':
      return <SetupPage />;
    case 'signed-out':
      return <LoginPage reason={current.reason} />;
    case 'signed-in':
      return <SignedInApp user={current.user} deviceId={current.deviceId} />;
  }
}
