import type { ReactNode } from 'react';
import type { User } from './api/types';
import { AlbumIcon, ArtistIcon, FolderIcon, GearIcon, HeartIcon, HistoryIcon, ListIcon, LogIcon, PulseIcon, TrackIcon, UploadIcon, UsersIcon } from './components/icons';
import { AdminAuditPage } from './pages/AdminAuditPage';
import { AdminLibrariesPage } from './pages/AdminLibrariesPage';
import { AdminUsersPage } from './pages/AdminUsersPage';
import { FavoritesPage } from './pages/FavoritesPage';
import { HistoryPage } from './pages/HistoryPage';
import { ImportPage } from './pages/ImportPage';
import { LibraryStatusPage } from './pages/LibraryStatusPage';
import { PlaylistPage } from './pages/PlaylistPage';
import { PlaylistsPage } from './pages/PlaylistsPage';
import { SettingsPage } from './pages/SettingsPage';
import { TrackPage } from './pages/TrackPage';
import { AlbumPage } from './pages/AlbumPage';
import { AlbumsPage } from './pages/AlbumsPage';
import { ArtistPage } from './pages/ArtistPage';
import { ArtistsPage } from './pages/ArtistsPage';
import { SearchPage } from './pages/SearchPage';
import { TracksPage } from './pages/TracksPage';

/** Where a page's link sits in the sidebar (none: reached from other pages only). */
export type NavSection = 'library' | 'you' | 'admin';

/**
 * One page of the app. `path` may hold `:params` (passed to `render`); the first matching route wins, so put
 * specific paths before general ones. Pages with `nav` get a sidebar link; `adminOnly` hides the link (and the
 * page) from users who are not admins. See web/STRUCTURE.md for adding one.
 */
export interface AppRoute {
  path: string;
  /** The document title (and the page's heading unless it renders its own). */
  title: string;
  render: (params: Record<string, string>) => ReactNode;
  nav?: { label: string; section: NavSection; icon: (props: { className?: string }) => ReactNode };
  adminOnly?: boolean;
}

export const routes: AppRoute[] = [
  { path: '/albums', title: 'Albums', render: () => <AlbumsPage />, nav: { label: 'Albums', section: 'library', icon: AlbumIcon } },
  { path: '/albums/:id', title: 'Album', render: ({ id }) => <AlbumPage id={id!} /> },
  { path: '/artists', title: 'Artists', render: () => <ArtistsPage />, nav: { label: 'Artists', section: 'library', icon: ArtistIcon } },
  { path: '/artists/:id', title: 'Artist', render: ({ id }) => <ArtistPage id={id!} /> },
  { path: '/tracks', title: 'Tracks', render: () => <TracksPage />, nav: { label: 'Tracks', section: 'library', icon: TrackIcon } },
  { path: '/tracks/:id', title: 'Track', render: ({ id }) => <TrackPage id={id!} /> },
  { path: '/search', title: 'Search', render: () => <SearchPage /> },
  { path: '/favorites', title: 'Favorites', render: () => <FavoritesPage />, nav: { label: 'Favorites', section: 'you', icon: HeartIcon } },
  { path: '/playlists', title: 'Playlists', render: () => <PlaylistsPage />, nav: { label: 'Playlists', section: 'you', icon: ListIcon } },
  { path: '/playlists/:id', title: 'Playlist', render: ({ id }) => <PlaylistPage id={id!} /> },
  { path: '/history', title: 'History', render: () => <HistoryPage />, nav: { label: 'History', section: 'you', icon: HistoryIcon } },
  { path: '/import', title: 'Import', render: () => <ImportPage />, nav: { label: 'Import', section: 'you', icon: UploadIcon } },
  { path: '/settings', title: 'Settings', render: () => <SettingsPage />, nav: { label: 'Settings', section: 'you', icon: GearIcon } },
  { path: '/library-status', title: 'Library status', render: () => <LibraryStatusPage />, nav: { label: 'Library status', section: 'admin', icon: PulseIcon } },
  { path: '/admin/users', title: 'Users', render: () => <AdminUsersPage />, nav: { label: 'Users', section: 'admin', icon: UsersIcon }, adminOnly: true },
  { path: '/admin/libraries', title: 'Library access', render: () => <AdminLibrariesPage />, nav: { label: 'Library access', section: 'admin', icon: FolderIcon }, adminOnly: true },
  { path: '/admin/audit', title: 'Audit log', render: () => <AdminAuditPage />, nav: { label: 'Audit log', section: 'admin', icon: LogIcon }, adminOnly: true },
];

/** The page the app opens on. */
export const HOME_PATH = '/albums';

/** The routes this user may open. */
export function routesFor(user: User): AppRoute[] {
  return routes.filter((route) => !route.adminOnly || user.role === 'admin');
}
