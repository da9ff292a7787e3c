import { createContext, useContext, useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import type { User } from '../api/types';
import { Link, useLocation } from '../router';
import type { AppRoute, NavSection } from '../routes';
import { installShortcuts } from '../state/shortcuts';
import { signOut } from '../state/session';
import { MenuIcon, SignOutIcon } from './icons';
import { Notices } from './Notices';
import { OfflineBanner } from './OfflineBanner';
import { PlayerBar } from './PlayerBar';
import { PlaylistPickerHost } from './PlaylistPicker';
import { QueuePanel } from './QueuePanel';
import { SearchBox, type SearchBoxHandle } from './SearchBox';

const ScrollContainer = createContext<RefObject<HTMLElement | null>>({ current: null });

/** The element pages scroll in (the main area); virtual lists measure against it. */
export function useScrollContainer(): RefObject<HTMLElement | null> {
  return useContext(ScrollContainer);
}

const SECTIONS: { id: NavSection; title: string }[] = [
  { id: 'library', title: 'Library' },
  { id: 'you', title: 'Your music' },
  { id: 'admin', title: 'Server' },
];

/**
 * The frame around every signed-in page: sidebar navigation, the top bar with search, the page, the queue drawer
 * and the player bar. On narrow screens the sidebar becomes a drawer behind the menu button.
 */
export function Shell({ user, routes, children }: { user: User; routes: AppRoute[]; children: ReactNode }) {
  const { pathname } = useLocation();
  const [queueOpen, setQueueOpen] = useState(false);
  const [navOpen, setNavOpen] = useState(false);
  const search = useRef<SearchBoxHandle>(null);
  const main = useRef<HTMLElement>(null);

  useEffect(() => installShortcuts(() => search.current?.focus()), []);
  useEffect(() => {
    setNavOpen(false);
    main.current?.scrollTo(0, 0);
  }, [pathname]);

  return (
    <div className={`shell ${queueOpen ? 'shell--queue' : ''}`}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className={`sidebar ${navOpen ? 'is-open' : ''}`} aria-label="Main">
        <Link to="/" className="brand" aria-label="Omnisonic home">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span>Omnisonic</span>
        </Link>
        {SECTIONS.map((section) => {
          const links = routes.filter((route) => route.nav?.section === section.id);
          if (!links.length) return null;
          return (
            <div key={section.id} className="sidebar__section">
              <h2 className="sidebar__title">{section.title}</h2>
              <ul>
                {links.map((route) => {
                  const Icon = route.nav!.icon;
                  const active = pathname === route.path || pathname.startsWith(`${route.path}/`);
                  return (
                    <li key={route.path}>
                      <Link to={route.path} className={`sidebar__link ${active ? 'is-active' : ''}`} aria-current={active ? 'page' : undefined}>
                        <Icon className="sidebar__icon" />
                        {route.nav!.label}
                      </Link>
                    </li>
                  );
                })}
              </ul>
            </div>
          );
        })}
        <div className="sidebar__user">
          <span className="avatar" aria-hidden="true">
            {user.username[0]?.toUpperCase()}
          </span>
          <span className="sidebar__username">
            {user.username}
            <span className="muted">{user.role === 'admin' ? 'Admin' : 'Listener'}</span>
          </span>
          <button type="button" className="icon-button icon-button--small" aria-label="Sign out" title="Sign out" onClick={() => void signOut()}>
            <SignOutIcon />
          </button>
        </div>
      </nav>
      {navOpen && <div className="scrim" onClick={() => setNavOpen(false)} aria-hidden="true" />}
      <div className="topbar">
        <button type="button" className="icon-button topbar__menu" aria-label="Menu" aria-expanded={navOpen} onClick={() => setNavOpen((v) => !v)}>
          <MenuIcon />
        </button>
        <SearchBox ref={search} />
      </div>
      <OfflineBanner />
      <main id="main" ref={main} className="main" tabIndex={-1}>
        <ScrollContainer.Provider value={main}>{children}</ScrollContainer.Provider>
      </main>
      {queueOpen && <QueuePanel onClose={() => setQueueOpen(false)} />}
      <Notices />
      <PlaylistPickerHost />
      <PlayerBar queueOpen={queueOpen} onToggleQueue={() => setQueueOpen((v) => !v)} />
    </div>
  );
}
