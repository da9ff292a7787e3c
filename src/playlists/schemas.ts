import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TrackSchema } from '../catalog/schemas.js';
import { searchFilterParams, searchQueryParam } from '../search/schemas.js';
import { TRACK_SORTS } from '../search/search-service.js';

/** Playlist shapes: request validation, types, serialisation and the OpenAPI document. Times epoch ms, durations ms. */

function Nullable<T extends TSchema>(schema: T, options?: { description: string }) {
  return Type.Union([schema, Type.Null()], options);
}

/** Why a smart playlist's counts can be null. */
const SMART_COUNT_PENDING =
  "null only for a smart playlist while the server is starting and its search index is not built yet (its tracks can't be chosen yet; reading its items answers 503 `not_ready`)";

/** Most items one playlist holds: edits rewrite positions in one transaction, and playback resolves it whole. */
export const MAX_PLAYLIST_ITEMS = 10_000;

/** Tracks one request may add. */
export const MAX_TRACKS_PER_ADD = 1000;

const ExpectedRevision = Type.Integer({
  minimum: 1,
  description: 'The revision you last read; when the playlist has changed since, nothing happens and the answer is 409 `revision_conflict`.',
});

const Position = (description: string) => Type.Integer({ minimum: 0, description });

/**
 * The rules of a smart playlist: the filters of `GET /search` (and optionally its words), a relative "added in the
 * last N days", an order and a limit. Evaluated whenever the playlist is read or played, for the person reading it.
 */
export const SmartRulesSchema = Type.Object(
  {
    q: searchQueryParam,
    ...searchFilterParams,
    addedInLastDays: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 36_500, description: 'Only tracks added in the last N days, counted back from the moment the playlist is read.' }),
    ),
    sort: Type.Optional(
      Type.Union(
        TRACK_SORTS.map((sort) => Type.Literal(sort)),
        {
          description:
            'Order: `plays` your most played first, `added` newest first, `title`, `artist`, `album` A→Z, `year`, `duration`, `bpm` ' +
            'highest first, `relevance` (with `q`; without it: your most played, then favorites, then name). Default: `relevance` with `q`, else `title`.',
        },
      ),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PLAYLIST_ITEMS, description: `At most this many tracks (default ${MAX_PLAYLIST_ITEMS}).` })),
  },
  { additionalProperties: false, title: 'SmartPlaylistRules' },
);

export const PlaylistSchema = Type.Object(
  {
    id: Type.String({ description: 'Playlist id (hex).' }),
    name: Type.String(),
    description: Type.String(),
    owner: Type.Object({ id: Type.String(), username: Type.String() }),
    shared: Type.Boolean({ description: 'Visible, read-only, to every user who may see all of its tracks.' }),
    editable: Type.Boolean({ description: 'You own it; shared playlists of others are read-only.' }),
    revision: Type.Integer({ description: 'Grows by one with every edit; send it back as `expectedRevision`.' }),
    itemCount: Nullable(Type.Integer(), { description: `Items, available or not; ${SMART_COUNT_PENDING}.` }),
    availableCount: Nullable(Type.Integer(), {
      description: `Items whose track is playable (\`status\` ok) in a library you may see; ${SMART_COUNT_PENDING}.`,
    }),
    durationMs: Nullable(Type.Integer(), { description: `Total duration of the available items, ms; ${SMART_COUNT_PENDING}.` }),
    artworkId: Nullable(Type.String({ description: 'Artwork of the first available item that has one.' })),
    artworkIds: Type.Array(Type.String(), { description: 'Up to four distinct artworks of available items, in item order (for a mosaic).' }),
    createdAt: Type.Integer({ description: 'epoch ms' }),
    updatedAt: Type.Integer({ description: 'Last edit (epoch ms).' }),
    smart: Type.Boolean({
      description: 'Its tracks are chosen live by `rules` (counts and duration are of the tracks they choose for you now); its items cannot be edited.',
    }),
    rules: Nullable(SmartRulesSchema),
  },
  { title: 'Playlist' },
);

export const PlaylistItemSchema = Type.Object(
  {
    id: Type.String({ description: 'Item id (hex): stable across edits, distinct for each occurrence of a track.' }),
    position: Type.Integer({ description: '0-based index in the playlist.' }),
    trackId: Type.String(),
    available: Type.Boolean({
      description: 'The track is playable. False while its file is missing or broken (it comes back with the file), or when it is in a library you may no longer see.',
    }),
    track: Type.Union([TrackSchema, Type.Null()], { description: 'The track as the catalog shows it; null when it is in a library you may not see.' }),
    addedAt: Type.Integer({ description: 'epoch ms' }),
  },
  { title: 'PlaylistItem' },
);

export const CreatePlaylistBodySchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.String({ maxLength: 4000 })),
  shared: Type.Optional(Type.Boolean({ default: false })),
  trackIds: Type.Optional(Type.Array(Type.String(), { maxItems: MAX_TRACKS_PER_ADD, description: 'Initial items, in order; duplicates allowed.' })),
  /** Makes it a smart playlist: its tracks are chosen live by these rules (no `trackIds`). */
  rules: Type.Optional(SmartRulesSchema),
});

export const UpdatePlaylistBodySchema = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  description: Type.Optional(Type.String({ maxLength: 4000 })),
  shared: Type.Optional(Type.Boolean()),
  /** New rules of a smart playlist, replacing the old ones whole. */
  rules: Type.Optional(SmartRulesSchema),
  expectedRevision: Type.Optional(ExpectedRevision),
});

export const AddItemsBodySchema = Type.Object({
  trackIds: Type.Array(Type.String(), { maxItems: MAX_TRACKS_PER_ADD, description: 'Tracks to add, in order; duplicates allowed.' }),
  position: Type.Optional(Position('Insert before the item now at this position; at the end when absent or past the end.')),
  expectedRevision: Type.Optional(ExpectedRevision),
});

export const MoveItemBodySchema = Type.Object({
  position: Position('The position the item ends up at; past the end means last.'),
  expectedRevision: Type.Optional(ExpectedRevision),
});

export const ExpectedRevisionQuerySchema = Type.Object({ expectedRevision: Type.Optional(ExpectedRevision) });

export const AddItemsResponseSchema = Type.Object({
  playlist: PlaylistSchema,
  items: Type.Array(PlaylistItemSchema, { description: 'The new items, in order.' }),
});

export const ImportReportSchema = Type.Object(
  {
    playlist: PlaylistSchema,
    matched: Type.Integer({ description: 'Entries that became items.' }),
    unmatched: Type.Array(
      Type.Object({
        line: Type.Integer({ description: '1-based line number in the file.' }),
        entry: Type.String({ description: 'The line as written.' }),
        reason: Type.String(),
      }),
      { description: 'Entries that match no track you may see, in file order.' },
    ),
  },
  { title: 'PlaylistImportReport' },
);

export type SmartRules = Static<typeof SmartRulesSchema>;
export type Playlist = Static<typeof PlaylistSchema>;
export type PlaylistItem = Static<typeof PlaylistItemSchema>;
export type CreatePlaylistBody = Static<typeof CreatePlaylistBodySchema>;
export type UpdatePlaylistBody = Static<typeof UpdatePlaylistBodySchema>;
export type ImportReport = Static<typeof ImportReportSchema>;
