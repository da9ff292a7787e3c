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
  favorites: FavoritesTable;
  ratings: RatingsTable;
  plays: PlaysTable;
  listenbrainzAccounts: ListenbrainzAccountsTable;
  listenbrainzOutbox: ListenbrainzOutboxTable;
  playlists: PlaylistsTable;
  playlistItems: PlaylistItemsTable;
  playlistFiles: PlaylistFilesTable;
  playbackSessions: PlaybackSessionsTable;
  playbackCommands: PlaybackCommandsTable;
  userEventCounters: UserEventCountersTable;
  userEvents: UserEventsTable;
  eventStreams: EventStreamsTable;
  devicePresence: DevicePresenceTable;
  trackOverrides: TrackOverridesTable;
  catalogEdits: CatalogEditsTable;
  catalogEditTracks: CatalogEditTracksTable;
  uploads: UploadsTable;
  subsonicPasswords: SubsonicPasswordsTable;
  subsonicApiKeys: SubsonicApiKeysTable;
  subsonicBookmarks: SubsonicBookmarksTable;
  subsonicPlayQueueSaves: SubsonicPlayQueueSavesTable;
  savedSearches: SavedSearchesTable;
  libraryEventLog: LibraryEventLogTable;
  libraryEvents: LibraryEventsTable;
  syncDevices: SyncDevicesTable;
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

/** The id of each user's latest event; bumped in the transaction that appends the next one. */
export interface UserEventCountersTable {
  userId: string;
  lastId: number;
}

/** A user's durable event log (replay after reconnecting); pruned to the newest events, see `src/events/`. */
export interface UserEventsTable {
  userId: string;
  /** Strictly increasing per user: the SSE `id:`. */
  id: number;
  type: string;
  /** JSON. */
  data: string;
  at: number;
}

/** An open SSE stream on some server instance; rows of an instance that stops refreshing them expire. */
export interface EventStreamsTable {
  id: string;
  instanceId: string;
  userId: string;
  deviceId: string | null;
  /** Set for streams authenticated by a login session (the web app), so ending the session ends the stream. */
  sessionId: string | null;
  openedAt: number;
  refreshedAt: number;
}

/** The online state last announced in a `devices` event, per device; instances compare-and-set it. */
export interface DevicePresenceTable {
  deviceId: string;
  userId: string;
  online: number;
  changedAt: number;
}

/** What a favorite or rating is about. */
export type CollectionItemType = 'track' | 'album' | 'artist';

/** A user's favorite track, album or artist. `itemId` names a row of the table its type names (no foreign key). */
export interface FavoritesTable {
  userId: string;
  itemType: CollectionItemType;
  itemId: string;
  favoritedAt: number;
}

/** A user's 1–5 star rating; unrated items have no row. */
export interface RatingsTable {
  userId: string;
  itemType: CollectionItemType;
  itemId: string;
  rating: number;
  ratedAt: number;
}

/** One scrobble: a play that met the scrobbling rule. Unique per (user, track, playedAt). */
export interface PlaysTable {
  id: string;
  userId: string;
  trackId: string;
  /** When playback of the track started, epoch ms rounded down to the whole second. */
  playedAt: number;
  durationPlayedMs: number;
  deviceId: string | null;
  recordedAt: number;
}

/** A user's ListenBrainz connection; the user token is stored only sealed with the server secret. */
export interface ListenbrainzAccountsTable {
  userId: string;
  sealedToken: string;
  /** ListenBrainz user name, when the token could be validated. */
  userName: string | null;
  validatedAt: number | null;
  connectedAt: number;
}

/** A listen waiting to be forwarded to ListenBrainz (`pending`), or given up on (`dropped`, with `lastError`). */
export interface ListenbrainzOutboxTable {
  id: string;
  userId: string;
  /** The play it forwards; unique, so a play is queued at most once. */
  playId: string;
  /** JSON of the ListenBrainz listen (`listened_at`, `track_metadata`), as it was when the play was recorded. */
  listen: string;
  state: 'pending' | 'dropped';
  attempts: number;
  nextAttemptAt: number;
  lastAttemptAt: number | null;
  lastError: string | null;
  createdAt: number;
}

/** A user's playback session (see `src/playback/state.ts`); `revision` is the compare-and-swap token of its writers. */
export interface PlaybackSessionsTable {
  userId: string;
  revision: number;
  activeDeviceId: string | null;
  playState: 'playing' | 'paused' | 'stopped';
  currentItemId: string | null;
  positionMs: number;
  positionAsOf: number;
  queueRevision: number;
  /** JSON `[{itemId, trackId, durationMs}]` in play order. */
  queueItems: string;
  /** JSON array of item ids while shuffled (the order to restore), else null. */
  unshuffledOrder: string | null;
  shuffle: number;
  repeatMode: 'off' | 'all' | 'one';
  volume: number;
  updatedBy: string | null;
  updatedAt: number;
}

/** The outcome of a recent playback command, kept so that a retry with the same `commandId` is not applied twice. */
export interface PlaybackCommandsTable {
  userId: string;
  commandId: string;
  /** SHA-256 of the command's type and arguments: the same id with another command is refused. */
  fingerprint: string;
  /** JSON `{state}` (the resulting playback state) or `{error: {code, message}}`. */
  outcome: string;
  appliedAt: number;
}

/** A user's playlist. `revision` starts at 1 and grows by one with every edit (clients send it back to detect races). */
export interface PlaylistsTable {
  id: string;
  ownerUserId: string;
  name: string;
  /** Folded name (see `foldKey`); listings sort on it. */
  nameKey: string;
  description: string;
  /** 1: visible, read-only, to every user who may see all its tracks. */
  shared: number;
  revision: number;
  createdAt: number;
  updatedAt: number;
  /** Smart playlists: JSON `SmartRules` choosing its tracks live (it has no items); null for an ordinary playlist. */
  rules: string | null;
}

/** One entry of a playlist; a track listed twice has two items. `position` is the 0-based index, dense per playlist. */
export interface PlaylistItemsTable {
  id: string;
  playlistId: string;
  trackId: string;
  position: number;
  addedAt: number;
}

/** A playlist file (`.m3u`, `.m3u8`) a scan found in a music library, and the playlist imported from it. */
export interface PlaylistFilesTable {
  libraryId: string;
  /** Relative to the library root, '/'-separated. */
  path: string;
  /** Null once the playlist was deleted: it is imported again only when the file changes. */
  playlistId: string | null;
  /** SHA-256 (hex) of the file's bytes at the last import. */
  contentHash: string;
  /** Entries the last import could not match (a later scan tries them again). */
  unmatched: number;
  importedAt: number;
}

/**
 * An admin's edit of one field of one track, which wins over the file's tags (see `src/overrides/fields.ts` for the
 * fields and their values). A row exists only while the value differs from the file.
 */
export interface TrackOverridesTable {
  trackId: string;
  /** `OverrideField`: title, artists, album, albumArtist, trackNumber, discNumber, year, genres, bpm, musicalKey, compilation. */
  field: string;
  /** JSON of the value shown instead of the file's. */
  value: string;
  /** JSON of the file's tags for the field (e.g. `{"year":2004,"date":"2004-05-17"}`), restored when the edit is undone. */
  fileValue: string;
  updatedAt: number;
}

/** The append-only edit history: one row per field a `PATCH` (or a revert) changed. */
export interface CatalogEditsTable {
  id: string;
  /** `track`: `PATCH /tracks/{id}`; `album`: `PATCH /albums/{id}`, applied to each of its tracks. */
  scope: 'track' | 'album';
  /** The track or album id the edit was made on. */
  subjectId: string;
  /** The field in the scope's terms (an album's `title` sets its tracks' `album`). */
  field: string;
  /** JSON of the subject's value before and after. */
  oldValue: string;
  newValue: string;
  /** Null once the user is deleted. */
  userId: string | null;
  at: number;
  /** Set when this edit undid another one. */
  revertsEditId: string | null;
}

/** What an edit changed on each track: the track's own value before and after (JSON). */
export interface CatalogEditTracksTable {
  editId: string;
  trackId: string;
  oldValue: string;
  newValue: string;
  /** 1 when the value before came from the file (no override): reverting then goes back to whatever the file says. */
  oldFromFile: number;
}

/**
 * `pending`: prepared, no bytes yet; `receiving`: bytes arriving; `finalizing`: checks passed, the file is being
 * moved into the upload library (`finalPath`, `trackId` set; start-up recovery finishes or undoes it); `complete`:
 * the track exists (`trackId`); `duplicate`: the user already had the content (`trackId` = that track, no bytes
 * kept); `failed`: a check failed (`error`), nothing kept; `expired`: abandoned, staging deleted.
 */
export type UploadStatus = 'pending' | 'receiving' | 'finalizing' | 'complete' | 'duplicate' | 'failed' | 'expired';

/** A file a user uploads into their upload library (`src/uploads`). */
export interface UploadsTable {
  id: string;
  userId: string;
  /** As the client named it; only ever used sanitised. */
  fileName: string;
  /** Declared size in bytes. */
  size: number;
  /** Declared SHA-256 (lower-case hex). */
  sha256: string;
  mimeType: string | null;
  status: UploadStatus;
  /** Bytes held in staging (informational; the staging file's size is the truth). */
  received: number;
  libraryId: string | null;
  /** Path relative to the upload library root, recorded before the file is moved there. */
  finalPath: string | null;
  trackId: string | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
}

/** A user's Subsonic password, sealed (`v1.<iv>.<tag>.<ciphertext>`, AES-256-GCM keyed from the server secret). */
export interface SubsonicPasswordsTable {
  userId: string;
  sealed: string;
  updatedAt: number;
}

/** An OpenSubsonic API key; `keyHash` is the SHA-256 hex of the key, which is shown to its owner once. */
export interface SubsonicApiKeysTable {
  id: string;
  userId: string;
  name: string;
  keyHash: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** A Subsonic bookmark: a position (ms) within a track, one per user and track (migration 0014). */
export interface SubsonicBookmarksTable {
  userId: string;
  trackId: string;
  positionMs: number;
  comment: string;
  createdAt: number;
  updatedAt: number;
}

/** The last `savePlayQueue` of a user: the client's name and the playback-session revision it produced. */
export interface SubsonicPlayQueueSavesTable {
  userId: string;
  client: string;
  revision: number;
  savedAt: number;
}

/** A user's saved search (`src/search`): a name and the `GET /search` parameters as JSON. */
export interface SavedSearchesTable {
  id: string;
  userId: string;
  name: string;
  /** JSON of the search parameters (q, types, sort, filters); never `limit` or `cursor`. */
  search: string;
  createdAt: number;
}

/** The sync change log's single counter row (`id` = 1): see `src/sync/library-events-repository.ts`. */
export interface LibraryEventLogTable {
  id: number;
  /** The highest `seq` handed out; bumped last in every transaction that appends. */
  lastSeq: number;
  /** The highest `seq` the retention job deleted; cursors before it answer 410 `cursor_expired`. */
  compactedSeq: number;
}

/** What a sync record is about. */
export type SyncEntityType = 'artist' | 'album' | 'track' | 'artwork' | 'playlist' | 'favorite';

/**
 * One entry of the append-only sync change log: "this entity may have changed for the viewers of `libraryId`" (catalog
 * entities) or "for `ownerUserId`" (playlists, favorites). Readers send the entity's state as of the read.
 */
export interface LibraryEventsTable {
  seq: number;
  entityType: SyncEntityType;
  /** The entity's id; a favorite's is `<itemType>:<itemId>`. */
  entityId: string;
  op: 'upsert' | 'delete';
  libraryId: string | null;
  ownerUserId: string | null;
  /** Epoch ms of the change; the retention job deletes by it. */
  at: number;
}

/** A device's server-side sync cursor (`POST /sync/ack`) and forced re-bootstrap (`POST /admin/devices/{id}/resync`). */
export interface SyncDevicesTable {
  deviceId: string;
  userId: string;
  ackedCursor: string | null;
  ackedSeq: number | null;
  ackedAt: number | null;
  /** Cursors of this device positioned before this `seq` answer 410 `cursor_expired`. 0: never reset. */
  resetSeq: number;
  resetAt: number | null;
}
