import type { Generated } from 'kysely';

/**
 * Table types as Kysely sees them (camelCase; the CamelCasePlugin maps to snake_case columns).
 * Conventions, identical on SQLite and PostgreSQL: ids are text, times are epoch milliseconds (bigint),
 * booleans are 0/1 integers, lists that are never queried element-wise are JSON text.
 */
export interface Database {
  libraries: LibrariesTable;
  users: UsersTable;
  sessions: SessionsTable;
  artists: ArtistsTable;
  albums: AlbumsTable;
  genres: GenresTable;
  tracks: TracksTable;
  trackArtists: TrackArtistsTable;
  trackGenres: TrackGenresTable;
  trackDuplicates: TrackDuplicatesTable;
  artworks: ArtworksTable;
  scans: ScansTable;
  libraryUsers: LibraryUsersTable;
  devices: DevicesTable;
  auditLog: AuditLogTable;
  loginFailures: LoginFailuresTable;
}

export interface LibrariesTable {
  id: string;
  name: string;
  /** Absolute path of the music folder root. */
  rootPath: string;
  createdAt: number;
  /** `music`: a configured folder (admins see all; users when granted). `upload`: one user's private uploads. */
  kind: Generated<'music' | 'upload'>;
  ownerUserId: string | null;
}

/** Grants: which users may see a music library. */
export interface LibraryUsersTable {
  libraryId: string;
  userId: string;
}

export type Role = 'admin' | 'user';

export interface UsersTable {
  id: string;
  username: string;
  /** Lower-cased username; unique, so "Alice" and "alice" cannot both exist. */
  usernameKey: string;
  /** argon2id PHC string. */
  passwordHash: string;
  role: Role;
  disabled: number;
  createdAt: number;
}

export interface SessionsTable {
  /** SHA-256 (hex) of the session token; the token itself is never stored. */
  id: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
  ip: string | null;
  userAgent: string | null;
}

export interface ArtistsTable {
  id: string;
  name: string;
  /** Case- and diacritics-folded name; artists are matched on it. */
  nameKey: string;
  /** Folded name without a leading article ("The Beatles" sorts as "beatles"). */
  sortName: string;
  mbid: string | null;
  createdAt: number;
}

export interface AlbumsTable {
  id: string;
  title: string;
  titleKey: string;
  albumArtistId: string;
  /** Album artist as displayed (may credit several artists). */
  albumArtistName: string;
  /** albumArtistKey + titleKey (+ MusicBrainz release id): albums are grouped on it. */
  groupKey: string;
  mbid: string | null;
  year: number | null;
  compilation: number;
  artworkId: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface GenresTable {
  id: string;
  name: string;
  nameKey: string;
}

export type TrackStatus = 'ok' | 'missing' | 'broken';

export interface TracksTable {
  id: string;
  libraryId: string;
  /** Path relative to the library root, '/'-separated. */
  path: string;
  status: TrackStatus;
  brokenReason: string | null;
  size: number;
  mtimeMs: number;
  /** SHA-256 of size, audio properties and tags: finds moved files without re-reading their bytes. */
  fingerprint: string;
  /** SHA-256 (hex) of the whole file; filled by the background hashing phase. */
  contentHash: string | null;
  title: string;
  /** Folded title (see `foldKey`); listings sort on it. */
  titleKey: string;
  /** Artist credit as displayed, e.g. "A feat. B". */
  artist: string;
  albumId: string | null;
  albumArtist: string;
  trackNumber: number | null;
  trackTotal: number | null;
  discNumber: number | null;
  discTotal: number | null;
  year: number | null;
  date: string | null;
  originalDate: string | null;
  compilation: number;
  mbTrackId: string | null;
  mbRecordingId: string | null;
  mbReleaseId: string | null;
  isrc: string | null;
  bpm: number | null;
  musicalKey: string | null;
  comment: string | null;
  lyrics: string | null;
  /** JSON `[{timeMs, text}]`. */
  syncedLyrics: string | null;
  /** ReplayGain in dB and linear peak. */
  rgTrackGain: number | null;
  rgTrackPeak: number | null;
  rgAlbumGain: number | null;
  rgAlbumPeak: number | null;
  durationMs: number | null;
  /** Bits per second. */
  bitrate: number | null;
  /** Hz. */
  sampleRate: number | null;
  bitDepth: number | null;
  channels: number | null;
  codec: string | null;
  /** Container as detected by the parser (e.g. "MPEG", "FLAC", "MPEG-4"). */
  container: string | null;
  lossless: number;
  artworkId: string | null;
  addedAt: number;
  updatedAt: number;
  missingSince: number | null;
}

export interface TrackArtistsTable {
  trackId: string;
  artistId: string;
  role: 'artist' | 'album_artist';
  position: number;
}

export interface TrackGenresTable {
  trackId: string;
  genreId: string;
  position: number;
}

/** Another path holding byte-identical content of a track. */
export interface TrackDuplicatesTable {
  trackId: string;
  libraryId: string;
  path: string;
  size: number;
  mtimeMs: number;
}

export interface ArtworksTable {
  /** SHA-256 (hex) of the original image bytes. */
  id: string;
  mime: string;
  width: number | null;
  height: number | null;
  size: number;
  createdAt: number;
}

export interface ScansTable {
  id: string;
  startedAt: number;
  finishedAt: number | null;
  state: 'running' | 'finished';
  /** JSON of the scan summary (counts and broken files), written when it finishes. */
  summary: string | null;
}

/** A registered client app; its access token is stored only as a SHA-256 hash. */
export interface DevicesTable {
  id: string;
  userId: string;
  /** UUID the app keeps (e.g. in its keychain); registering again with it rotates the token of the same device. */
  clientId: string;
  name: string;
  platform: string;
  appVersion: string;
  tokenHash: string;
  createdAt: number;
  createdIp: string | null;
  lastSeenAt: number | null;
  lastUsedAt: number | null;
}

export interface AuditLogTable {
  id: string;
  at: number;
  actorUserId: string | null;
  /** e.g. `login.success`, `login.failure`, `device.registered`, `user.role_changed`. */
  action: string;
  target: string | null;
  ip: string | null;
  /** JSON; never holds secrets or tokens. */
  details: string | null;
}

/** Failed logins per account (`user:<name>`) and per client IP (`ip:<addr>`), for throttling. */
export interface LoginFailuresTable {
  key: string;
  failures: number;
  lastFailureAt: number;
  lockedUntil: number | null;
}
