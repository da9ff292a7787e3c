import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TrackSchema } from '../catalog/schemas.js';

/** Playlist shapes: request validation, types, serialisation and the OpenAPI document. Times epoch ms, durations ms. */

function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

/** Most items one playlist holds: edits rewrite positions in one transaction, and playback resolves it whole. */
export const MAX_PLAYLIST_ITEMS = 10_000;

/** Tracks one request may add. */
export const MAX_TRACKS_PER_ADD = 1000;

const ExpectedRevision = Type.Integer({
  minimum: 1,
  description: 'The revision you last read; when the playlist has changed since, nothing happens and the answer is 409 `revision_conflict`.',
});

const Position = (description: string) => Type.Integer({ minimum: 0, description });

export const PlaylistSchema = Type.Object(
  {
    id: Type.String({ description: 'Playlist id (hex).' }),
    name: Type.String(),
    description: Type.String(),
    owner: Type.Object({ id: Type.String(), username: Type.String() }),
    shared: Type.Boolean({ description: 'Visible, read-only, to every user who may see all of its tracks.' }),
    editable: Type.Boolean({ description: 'You own it; shared playlists of others are read-only.' }),
    revision: Type.Integer({ description: 'Grows by one with every edit; send it back as `expectedRevision`.' }),
    itemCount: Type.Integer({ description: 'Items, available or not.' }),
    availableCount: Type.Integer({ description: 'Items whose track is playable (`status` ok) in a library you may see.' }),
    durationMs: Type.Integer({ description: 'Total duration of the available items, ms.' }),
    artworkId: Nullable(Type.String({ description: 'Artwork of the first available item that has one.' })),
    artworkIds: Type.Array(Type.String(), { description: 'Up to four distinct artworks of available items, in item order (for a mosaic).' }),
    createdAt: Type.Integer({ description: 'epoch ms' }),
    updatedAt: Type.Integer({ description: 'Last edit (epoch ms).' }),
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
});

export const UpdatePlaylistBodySchema = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  description: Type.Optional(Type.String({ maxLength: 4000 })),
  shared: Type.Optional(Type.Boolean()),
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

export type Playlist = Static<typeof PlaylistSchema>;
export type PlaylistItem = Static<typeof PlaylistItemSchema>;
export type CreatePlaylistBody = Static<typeof CreatePlaylistBodySchema>;
export type UpdatePlaylistBody = Static<typeof UpdatePlaylistBodySchema>;
export type ImportReport = Static<typeof ImportReportSchema>;
