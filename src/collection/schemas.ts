import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { AlbumSchema, ArtistSchema, CatalogItemTypeSchema, TrackSchema } from '../catalog/schemas.js';

/**
 * The collection's public shapes: favorites, ratings, play history and statistics, and the ListenBrainz connection.
 * Times are epoch milliseconds, durations milliseconds. Catalog objects inside them are the catalog's own shapes.
 */

function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

const EpochMs = (description: string) => Type.Integer({ description: `${description} (epoch ms)` });

/** ListenBrainz refuses listens from before this moment (October 2002), so a scrobble cannot be older either. */
export const EARLIEST_PLAY_MS = 1_033_430_400_000;

export const ItemParams = Type.Object({
  type: CatalogItemTypeSchema,
  id: Type.String({ maxLength: 128, description: 'Hex id of the track, album or artist.' }),
});

export const RatingBodySchema = Type.Object({
  rating: Type.Integer({ minimum: 0, maximum: 5, description: '1–5 stars; 0 clears the rating.' }),
});

export const PeriodSchema = Type.Union([Type.Literal('week'), Type.Literal('month'), Type.Literal('year'), Type.Literal('all')], {
  default: 'all',
  description: 'Plays of the last 7, 30 or 365 days up to now (rolling, so no time zone is involved), or of all time.',
});

/** One recorded play (scrobble). */
export const PlaySchema = Type.Object(
  {
    id: Type.String(),
    trackId: Type.String(),
    playedAt: EpochMs('When playback started, rounded down to the second'),
    durationPlayedMs: Type.Integer({ description: 'How long it played, ms.' }),
    deviceId: Nullable(Type.String({ description: 'The device it played on, when known.' })),
  },
  { title: 'Play' },
);

export const PlaySubmissionSchema = Type.Object({
  trackId: Type.String({ maxLength: 128 }),
  playedAt: Type.Integer({
    minimum: EARLIEST_PLAY_MS,
    description: 'When playback of the track started (epoch ms); at most a minute in the future (clock skew).',
  }),
  durationPlayedMs: Type.Integer({ minimum: 0, maximum: 86_400_000, description: 'How long it actually played, ms (pauses excluded).' }),
  deviceId: Type.Optional(
    Type.String({ maxLength: 128, description: 'One of your devices; by default the device whose token signed the request.' }),
  ),
});

export const ScrobbleReasonSchema = Type.Union([Type.Literal('track_too_short'), Type.Literal('played_too_little')], {
  description: '`track_too_short`: 30 s or shorter; `played_too_little`: under half the track and under 4 minutes.',
});

export const PlayOutcomeSchema = Type.Object(
  {
    recorded: Type.Boolean({ description: 'The play is in your history: recorded now, or earlier (`duplicate`).' }),
    duplicate: Type.Boolean({ description: 'The same play (track, start second) was already recorded; nothing changed.' }),
    reason: Nullable(ScrobbleReasonSchema),
    play: Nullable(PlaySchema),
  },
  { title: 'PlayOutcome' },
);

export const HistoryEntrySchema = Type.Composite([PlaySchema, Type.Object({ track: TrackSchema })], { title: 'HistoryEntry' });

/** One favorite: when it was marked and the catalog object (by `type`). */
export const FavoriteEntrySchema = Type.Union(
  [
    Type.Object({ type: Type.Literal('track'), favoritedAt: EpochMs('Marked'), track: TrackSchema }),
    Type.Object({ type: Type.Literal('album'), favoritedAt: EpochMs('Marked'), album: AlbumSchema }),
    Type.Object({ type: Type.Literal('artist'), favoritedAt: EpochMs('Marked'), artist: ArtistSchema }),
  ],
  { title: 'FavoriteEntry' },
);

const statsOf = (period: string) => ({
  playCount: Type.Integer({ description: `Your plays ${period}.` }),
  lastPlayedAt: EpochMs(`Your last play ${period}`),
});

/** One item of a most-played or recently-played list: its plays within the period and the catalog object. */
export const RankedEntrySchema = Type.Union(
  [
    Type.Object({ type: Type.Literal('track'), ...statsOf('in the period'), track: TrackSchema }),
    Type.Object({ type: Type.Literal('album'), ...statsOf('in the period'), album: AlbumSchema }),
    Type.Object({ type: Type.Literal('artist'), ...statsOf('in the period'), artist: ArtistSchema }),
  ],
  { title: 'RankedEntry' },
);

export const ListenBrainzTokenSchema = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 256, description: 'Your ListenBrainz user token (listenbrainz.org/settings).' }),
});

export const ListenBrainzStatusSchema = Type.Object(
  {
    connected: Type.Boolean(),
    userName: Nullable(Type.String({ description: 'The ListenBrainz account, when the token could be validated.' })),
    validatedAt: Nullable(EpochMs('When ListenBrainz last confirmed the token; null when it was unreachable')),
    pending: Type.Integer({ description: 'Listens waiting to be sent (retried with backoff while ListenBrainz is unreachable).' }),
    dropped: Type.Integer({ description: 'Listens ListenBrainz refused (4xx); not retried.' }),
    lastError: Nullable(Type.String({ description: 'The latest failure, for pending or dropped listens.' })),
  },
  { title: 'ListenBrainzStatus' },
);

export type ItemType = Static<typeof CatalogItemTypeSchema>;
export type Period = Static<typeof PeriodSchema>;
export type Play = Static<typeof PlaySchema>;
export type PlayOutcome = Static<typeof PlayOutcomeSchema>;
export type HistoryEntry = Static<typeof HistoryEntrySchema>;
export type FavoriteEntry = Static<typeof FavoriteEntrySchema>;
export type RankedEntry = Static<typeof RankedEntrySchema>;
/** A user's ListenBrainz connection as the API shows it; the token itself is never shown. */
export type ListenBrainzStatus = Static<typeof ListenBrainzStatusSchema>;
