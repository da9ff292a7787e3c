import { createHash } from 'node:crypto';
import type { AuthUser } from '../auth/auth-service.js';
import type { CatalogRepository } from '../catalog/catalog-repository.js';
import type { DevicesRepository } from '../devices/devices-repository.js';
import type { DevicePresence, TransactionalEventPublisher, UserEvent } from '../events/contracts.js';
import type { Clock } from '../shared/clock.js';
import { AppError, errorCatalogue, type ErrorCode } from '../shared/errors.js';
import type { CommandOutcome, CommandRecord, PlaybackRepository } from './playback-repository.js';
import type { CommandRequest, ReportRequest } from './schemas.js';
import { applyCommand, type PlaybackCommand, type PlayedTrack, type Transition } from './state-machine.js';
import { initialSession, toPlaybackState, type PlaybackSession, type PlaybackState, type QueueTrack } from './state.js';

/** Who sends a command: the user, and the device when a device token authenticated the request. */
export type Caller = Pick<AuthUser, 'id' | 'role' | 'deviceId'>;

/** Hands a finished listen to the history (the collection feature decides whether it is a scrobble). */
export type RecordPlay = (play: PlayedTrack & { userId: string }) => Promise<unknown>;

/** The user's playlist's track ids in order; throws `AppError('playlist_not_found')` (built by the playlists feature). */
export type ResolvePlaylistTrackIds = (userId: string, playlistId: string) => Promise<string[]>;

/** What playback needs from other features; the app wires the real ones, tests pass fakes. */
export interface PlaybackIntegrations {
  /** Each new state's `playback` event is appended in the transaction that saves the state, delivered after it. */
  publisher: Pick<TransactionalEventPublisher, 'appendIn' | 'deliver'>;
  presence: DevicePresence;
  recordPlay: RecordPlay;
  resolvePlaylistTrackIds: ResolvePlaylistTrackIds;
}

export interface PlaybackServiceDeps extends PlaybackIntegrations {
  repository: PlaybackRepository;
  /** Album tracks in disc/track order, playable and visible only (the catalog's one definition of that order). */
  albums: Pick<CatalogRepository, 'albumTracks'>;
  devices: Pick<DevicesRepository, 'findOwned'>;
  visibleLibraryIds(viewer: Pick<AuthUser, 'id' | 'role'>): Promise<string[]>;
  clock: Clock;
  log: { error(details: object, message: string): void };
}

/** 409 `revision_conflict`, carrying the current state so the client can rebase its intent on it. */
export class RevisionConflictError extends AppError {
  constructor(readonly state: PlaybackState) {
    super('revision_conflict', `The playback state is at revision ${state.revision}.`);
  }
}

/**
 * How often a write is retried after losing a compare-and-swap to another server process. Every loss means another
 * writer committed, so this is only reached under sustained contention from many processes.
 */
const MAX_ATTEMPTS = 20;

// Ids are hex (see `newId`); anything else cannot exist, and PostgreSQL rejects some strings (NUL) with an error.
const HEX_ID = /^[0-9a-f]{1,128}$/i;

/** JSON with object keys sorted, so the same command always has the same fingerprint whatever its key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function fingerprintOf(request: CommandRequest): string {
  return createHash('sha256').update(canonicalJson([request.type, request.args ?? {}])).digest('hex');
}

/** Runs tasks with the same key one after another (in call order) and tasks with different keys concurrently. */
function createKeyedQueue() {
  const tails = new Map<string, Promise<void>>();
  return <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const run = (tails.get(key) ?? Promise.resolve()).then(task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}

/**
 * The playback rules around the pure state machine: resolving tracks and devices, one writer per user, idempotent
 * commands, announcing every new state.
 *
 * One writer per user: in this process, a user's commands, reports and sweeps run one at a time (a keyed queue), so
 * they never race each other. Across processes, every write is a compare-and-swap on the session's revision
 * (`UPDATE … WHERE user_id = ? AND revision = ?`); the loser re-reads the session and applies its command again
 * on top of the winner's, so no update is lost.
 *
 * Idempotency: a command's outcome (its resulting state, or the error it was refused with) is stored under
 * `(user, commandId)` in the same transaction as the state, and looked up first. A retry — to this process or
 * another — gets the first outcome and applies nothing; two attempts racing each other cannot both store one.
 * A 409 `revision_conflict` is not stored: the command was not evaluated, so the same id may be sent again.
 *
 * Announcing: every new state's `playback` event is appended to the user's durable log in that same transaction
 * (one commit per command: outcome, state and event), and delivered to the user's streams once it committed.
 */
export function createPlaybackService(deps: PlaybackServiceDeps) {
  const { repository, clock, publisher, presence, log } = deps;
  const serially = createKeyedQueue();

  async function load(userId: string): Promise<PlaybackSession> {
    return (await repository.findSession(userId)) ?? initialSession(clock.now());
  }

  /**
   * Hands the committed `playback` event of a new state to every device of the user. It is in the durable log
   * already, so a failure here is only logged: connections that missed it fill the gap from the log.
   */
  function announce(event: UserEvent | null): void {
    if (!event) return;
    try {
      publisher.deliver(event);
    } catch (error) {
      log.error({ err: error, userId: event.userId, eventId: event.id }, 'delivering the playback event failed');
    }
  }

  async function recordPlays(userId: string, played: PlayedTrack[]): Promise<void> {
    for (const play of played) {
      try {
        await deps.recordPlay({ userId, ...play });
      } catch (error) {
        log.error({ err: error, userId, trackId: play.trackId }, 'recording a play failed');
      }
    }
  }

  /**
   * Applies a transition that carries no command id (a report, a sweep) with compare-and-swap retries, inside the
   * user's queue. `transition` runs on each fresh read of the session; it may throw, and a refusal is thrown.
   */
  async function applyWithRetries(userId: string, transition: (session: PlaybackSession, now: number) => Transition): Promise<PlaybackState> {
    const { state, played } = await serially(userId, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const now = clock.now();
        const session = await load(userId);
        const result = transition(session, now);
        if (!result.ok) throw new AppError(result.error.code, result.error.message);
        const next = toPlaybackState(result.session);
        const written = await repository.write(userId, { session: { from: session.revision, to: result.session }, announce: next, now });
        if (written.status !== 'saved') continue;
        announce(written.event);
        return { state: next, played: result.played };
      }
      throw new AppError('playback_busy');
    });
    await recordPlays(userId, played);
    return state;
  }

  /** The tracks of exactly one of `trackIds`, `albumId`, `playlistId`, as the caller may play them. */
  async function tracksOf(caller: Caller, source: { trackIds?: string[]; albumId?: string; playlistId?: string }, also = ''): Promise<QueueTrack[]> {
    const { trackIds, albumId, playlistId } = source;
    if ([trackIds, albumId, playlistId].filter((value) => value !== undefined).length !== 1) {
      throw new AppError('validation_failed', `Give exactly one of trackIds, albumId${also}, playlistId.`);
    }
    const libraryIds = await deps.visibleLibraryIds(caller);
    const playable = async (ids: string[]) => {
      const found = await repository.playableTracks(libraryIds, [...new Set(ids.filter((id) => HEX_ID.test(id)))]);
      return new Map(found.map((track) => [track.trackId, track]));
    };
    if (trackIds) {
      const found = await playable(trackIds);
      const missing = trackIds.find((id) => !found.has(id));
      // Not visible, missing or broken: all the same to the caller, who can only queue what they can play.
      if (missing !== undefined) throw new AppError('track_not_found', `No playable track ${missing}.`);
      return trackIds.map((id) => found.get(id)!);
    }
    if (albumId !== undefined) {
      const tracks = HEX_ID.test(albumId) ? await deps.albums.albumTracks(libraryIds, albumId) : [];
      if (tracks.length === 0) throw new AppError('album_not_found');
      return tracks.map((track) => ({ trackId: track.id, durationMs: track.durationMs }));
    }
    // A playlist may hold tracks that went missing since or that the caller cannot see: those are skipped.
    const ids = await deps.resolvePlaylistTrackIds(caller.id, playlistId!);
    const found = await playable(ids);
    return ids.filter((id) => found.has(id)).map((id) => found.get(id)!);
  }

  /** The state-machine command for a request: tracks resolved, the transfer target checked. */
  async function resolve(caller: Caller, request: CommandRequest): Promise<PlaybackCommand> {
    switch (request.type) {
      case 'play': {
        const { queueItemId, startIndex, positionMs, ...source } = request.args;
        if (queueItemId === undefined) return { type: 'play', tracks: await tracksOf(caller, source, ', queueItemId'), startIndex, positionMs };
        if (Object.values(source).some((value) => value !== undefined) || startIndex !== undefined) {
          throw new AppError('validation_failed', 'play with queueItemId takes no trackIds, albumId, playlistId or startIndex.');
        }
        return { type: 'play', queueItemId, positionMs };
      }
      case 'queue.add': {
        const { at, ...source } = request.args;
        return { type: 'queue.add', tracks: await tracksOf(caller, source), at };
      }
      case 'transfer': {
        const { deviceId } = request.args;
        // Another user's device is answered like an unknown one: its existence is not revealed.
        if (!HEX_ID.test(deviceId) || !(await deps.devices.findOwned(caller.id, deviceId))) throw new AppError('device_not_found');
        if (!(await presence.isOnline(caller.id, deviceId))) {
          throw new AppError('device_offline', 'That device is offline: it cannot take over playback.');
        }
        return { type: 'transfer', ...request.args };
      }
      case 'seek':
      case 'queue.remove':
      case 'queue.move':
      case 'shuffle':
      case 'repeat':
      case 'volume':
        return { type: request.type, ...request.args } as PlaybackCommand;
      default:
        return { type: request.type };
    }
  }

  /** The stored outcome of an earlier attempt of the command, as this attempt's answer. */
  function replay(record: CommandRecord, fingerprint: string): PlaybackState {
    if (record.fingerprint !== fingerprint) throw new AppError('command_id_reused');
    const { outcome } = record;
    if ('state' in outcome) return outcome.state;
    const code = (outcome.error.code in errorCatalogue ? outcome.error.code : 'invalid_command') as ErrorCode;
    throw new AppError(code, outcome.error.message);
  }

  return {
    /** The user's session as clients see it (the initial one, revision 0, for a user who never played). */
    async getState(userId: string): Promise<PlaybackState> {
      return toPlaybackState(await load(userId));
    },

    /**
     * Applies a command and returns the new state; see the service comment for ordering and idempotency.
     * Errors: 409 `revision_conflict` (`RevisionConflictError`, with the state) when `expectedRevision` is stale;
     * 422 `command_id_reused`; 404 `track_not_found`, `album_not_found`, `playlist_not_found`,
     * `queue_item_not_found`, `device_not_found`; 409 `device_offline`, `queue_empty`, `no_active_device`;
     * 422 `seek_out_of_range`, `invalid_command`; 400 `validation_failed`; 503 `playback_busy`.
     */
    async execute(caller: Caller, request: CommandRequest): Promise<PlaybackState> {
      const userId = caller.id;
      const fingerprint = fingerprintOf(request);
      const record = (outcome: CommandOutcome, now: number): CommandRecord => ({
        commandId: request.commandId,
        fingerprint,
        outcome,
        appliedAt: now,
      });
      // Resolved once: a compare-and-swap retry re-reads the session, not the catalog.
      let resolution: Promise<PlaybackCommand> | undefined;

      /** The command applied to the current session, why it is refused, or the session that `expectedRevision` missed. */
      async function decide(
        now: number,
      ): Promise<{ refusal: AppError } | { conflict: PlaybackSession } | { from: PlaybackSession; to: Extract<Transition, { ok: true }> }> {
        let command: PlaybackCommand;
        try {
          command = await (resolution ??= resolve(caller, request));
        } catch (error) {
          if (error instanceof AppError) return { refusal: error };
          throw error;
        }
        const session = await load(userId);
        if (request.expectedRevision !== undefined && request.expectedRevision !== session.revision) return { conflict: session };
        const transition = applyCommand(session, command, { now, deviceId: caller.deviceId ?? null, seed: request.commandId });
        return transition.ok ? { from: session, to: transition } : { refusal: new AppError(transition.error.code, transition.error.message) };
      }

      const { state, played } = await serially(userId, async () => {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          const earlier = await repository.findCommand(userId, request.commandId);
          if (earlier) return { state: replay(earlier, fingerprint), played: [] };
          const now = clock.now();
          const decision = await decide(now);
          if ('conflict' in decision) {
            // The revision may have moved on by this very command, applied by a concurrent attempt in another process
            // (its outcome commits with the state): then the next round answers with that outcome.
            if (await repository.findCommand(userId, request.commandId)) continue;
            throw new RevisionConflictError(toPlaybackState(decision.conflict));
          }
          if ('refusal' in decision) {
            // Stored too: a retry gets the same answer even if the state has changed since.
            const { code, message } = decision.refusal;
            if ((await repository.write(userId, { command: record({ error: { code, message } }, now), now })).status === 'duplicate') continue;
            throw decision.refusal;
          }
          const next = toPlaybackState(decision.to.session);
          const written = await repository.write(userId, {
            session: { from: decision.from.revision, to: decision.to.session },
            command: record({ state: next }, now),
            announce: next,
            now,
          });
          if (written.status !== 'saved') continue;
          announce(written.event);
          return { state: next, played: decision.to.played };
        }
        throw new AppError('playback_busy');
      });
      await recordPlays(userId, played);
      return state;
    },

    /**
     * Replaces the queue without starting playback (state machine `queue.set`): `trackIds` in order (each must be
     * playable by the caller), `currentIndex` of them current (null: none) at `positionMs`. Used by the Subsonic
     * play queue and jukebox; carries no command id, so a retry applies again (it sets the same state).
     * Errors: 404 `track_not_found`; 422 `invalid_command` (index out of range, queue too long), `seek_out_of_range`.
     */
    async setQueue(
      caller: Caller,
      request: { trackIds: string[]; currentIndex: number | null; positionMs: number; keepPlaying: boolean },
    ): Promise<PlaybackState> {
      const { trackIds, ...rest } = request;
      const tracks = trackIds.length === 0 ? [] : await tracksOf(caller, { trackIds });
      return applyWithRetries(caller.id, (session, now) =>
        applyCommand(session, { type: 'queue.set', tracks, ...rest }, { now, deviceId: caller.deviceId ?? null, seed: String(session.revision) }),
      );
    },

    /**
     * The active device's progress report (`ended`: the track finished; auto-advance per repeat and shuffle).
     * Errors: 409 `revision_conflict` (with the state) when `revision` is not the current one; 409
     * `not_active_device`; 422 `invalid_command` when nothing is playing.
     */
    async report(caller: Caller, report: ReportRequest): Promise<PlaybackState> {
      return applyWithRetries(caller.id, (session, now) => {
        if (session.revision !== report.revision) throw new RevisionConflictError(toPlaybackState(session));
        const command: PlaybackCommand = { type: 'report', positionMs: report.positionMs, ended: report.ended ?? false };
        return applyCommand(session, command, { now, deviceId: caller.deviceId ?? null, seed: String(session.revision) });
      });
    },

    /**
     * The device went away: when it is still the user's active device, the session pauses where the device last
     * reported and has no active device. Resolves with the new state, or null when there was nothing to do.
     */
    async deviceLost(userId: string, deviceId: string): Promise<PlaybackState | null> {
      try {
        return await applyWithRetries(userId, (session, now) =>
          applyCommand(session, { type: 'device.lost', deviceId }, { now, deviceId: null, seed: String(session.revision) }),
        );
      } catch (error) {
        // Another device took over (or another process already paused it) since the sweeper looked.
        if (error instanceof AppError && error.code === 'invalid_command') return null;
        throw error;
      }
    },
  };
}

export type PlaybackService = ReturnType<typeof createPlaybackService>;
