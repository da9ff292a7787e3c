import type { Track } from '../catalog/schemas.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { ListenBrainzClient, ListenBrainzListen } from './listenbrainz-client.js';
import type { ListenBrainzRepository } from './listenbrainz-repository.js';
import type { ListenBrainzStatus } from './schemas.js';
import type { TokenCipher } from './token-cipher.js';

// ListenBrainz refuses listens whose MBIDs are not UUIDs (400), which would drop the whole listen; tags hold all sorts.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const mbid = (value: string | null) => (value !== null && UUID.test(value) ? value.toLowerCase() : undefined);

/**
 * The listen to forward for a play of `track` that started at `playedAt` (epoch ms), in ListenBrainz's JSON format:
 * `listened_at` in seconds; `additional_info` carries the track's duration and the MusicBrainz ids, ISRC and track
 * number it is tagged with (absent ones are left out rather than sent empty).
 */
export function listenOf(track: Track, playedAt: number): ListenBrainzListen {
  const info: ListenBrainzListen['track_metadata']['additional_info'] = { submission_client: 'Omnisonic' };
  if (track.durationMs !== null) info.duration_ms = track.durationMs;
  const recording = mbid(track.mbRecordingId);
  const release = mbid(track.mbReleaseId);
  const trackMbid = mbid(track.mbTrackId);
  if (recording) info.recording_mbid = recording;
  if (release) info.release_mbid = release;
  if (trackMbid) info.track_mbid = trackMbid;
  if (track.trackNumber !== null) info.tracknumber = track.trackNumber;
  if (track.isrc) info.isrc = track.isrc;
  return {
    listened_at: Math.floor(playedAt / 1000),
    track_metadata: {
      artist_name: track.artist,
      track_name: track.title,
      ...(track.album ? { release_name: track.album } : {}),
      additional_info: info,
    },
  };
}

export interface ListenBrainzServiceDeps {
  repository: ListenBrainzRepository;
  client: ListenBrainzClient;
  cipher: TokenCipher;
  clock: Clock;
}

/** Connecting a user's ListenBrainz account (their user token) and reporting how forwarding goes. */
export function createListenBrainzService(deps: ListenBrainzServiceDeps) {
  const { repository, client, cipher, clock } = deps;

  async function status(userId: string): Promise<ListenBrainzStatus> {
    const [account, queue] = await Promise.all([repository.findAccount(userId), repository.queueSummary(userId)]);
    return {
      connected: account !== undefined,
      userName: account?.userName ?? null,
      validatedAt: account?.validatedAt ?? null,
      ...queue,
    };
  }

  return {
    status,

    /**
     * Stores the user token (sealed) and forwards the user's plays recorded from now on. The token is checked with
     * ListenBrainz first; when ListenBrainz cannot be reached it is stored unchecked (`validatedAt` null) and a
     * wrong token shows up later as dropped listens. Errors: 400 `listenbrainz_token_invalid` (ListenBrainz said so).
     */
    async connect(userId: string, token: string): Promise<ListenBrainzStatus> {
      const check = await client.validateToken(token);
      if (check.kind === 'invalid') throw new AppError('listenbrainz_token_invalid');
      const now = clock.now();
      await repository.saveAccount({
        userId,
        sealedToken: cipher.seal(token),
        userName: check.kind === 'valid' ? check.userName : null,
        validatedAt: check.kind === 'valid' ? now : null,
        connectedAt: now,
      });
      return status(userId);
    },

    /** Forgets the token and the listens still queued or dropped. Idempotent. */
    async disconnect(userId: string): Promise<void> {
      await repository.deleteAccount(userId);
    },
  };
}

export type ListenBrainzService = ReturnType<typeof createListenBrainzService>;
