import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * The catalog's public shapes. They are the single source of request validation, TypeScript types, response
 * serialisation and the OpenAPI document; Subsonic, sync and search reuse them so a track looks the same everywhere.
 * Times are epoch milliseconds, durations milliseconds, sizes bytes.
 */

function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

const Id = (description: string) => Type.String({ description });
const EpochMs = (description: string) => Type.Integer({ description: `${description} (epoch ms)` });

export const TrackStatusSchema = Type.Union([Type.Literal('ok'), Type.Literal('missing'), Type.Literal('broken')], {
  description: '`ok`: playable; `missing`: the file disappeared; `broken`: the file exists but cannot be read.',
});

/** What favorites, ratings and play statistics are about. */
export const CatalogItemTypeSchema = Type.Union([Type.Literal('track'), Type.Literal('album'), Type.Literal('artist')]);

/**
 * The viewer's own relation to a track, album or artist (the collection feature keeps it): plays count every
 * recorded play (scrobble) of the track, of the album's tracks, or of tracks crediting the artist or on their albums.
 */
export const UserItemStatsSchema = Type.Object({
  playCount: Type.Integer({ description: 'Your recorded plays (scrobbles).' }),
  lastPlayedAt: Nullable(EpochMs('Your last recorded play')),
  favorite: Type.Boolean({ description: 'You marked it as a favorite.' }),
  rating: Type.Integer({ minimum: 0, maximum: 5, description: 'Your 1–5 star rating; 0 when unrated.' }),
});

/** An artist as credited on a track. */
export const ArtistRefSchema = Type.Object({ id: Type.String(), name: Type.String() }, { title: 'ArtistRef' });

export const ReplayGainSchema = Type.Object(
  {
    trackGain: Nullable(Type.Number({ description: 'dB' })),
    trackPeak: Nullable(Type.Number({ description: 'linear, 1.0 = full scale' })),
    albumGain: Nullable(Type.Number({ description: 'dB' })),
    albumPeak: Nullable(Type.Number({ description: 'linear, 1.0 = full scale' })),
  },
  { title: 'ReplayGain' },
);

/** One audio file of the catalog, whatever its status. */
export const TrackSchema = Type.Object(
  {
    id: Id('Track id (hex).'),
    title: Type.String(),
    artist: Type.String({ description: 'Artist credit as displayed, e.g. "A feat. B".' }),
    artists: Type.Array(ArtistRefSchema, { description: 'Credited artists, in credit order.' }),
    album: Nullable(Type.String()),
    albumId: Nullable(Type.String()),
    albumArtist: Type.String({ description: 'Album artist as displayed.' }),
    trackNumber: Nullable(Type.Integer()),
    trackTotal: Nullable(Type.Integer()),
    discNumber: Nullable(Type.Integer()),
    discTotal: Nullable(Type.Integer()),
    year: Nullable(Type.Integer()),
    date: Nullable(Type.String({ description: 'As tagged, ISO-8601 when possible ("2004", "2004-05-17").' })),
    originalDate: Nullable(Type.String({ description: 'Original release date, as tagged.' })),
    genres: Type.Array(Type.String(), { description: 'Genre names in tag order.' }),
    durationMs: Nullable(Type.Integer({ description: 'ms' })),
    codec: Nullable(Type.String({ description: 'As reported by the parser, e.g. "FLAC", "MPEG 1 Layer 3".' })),
    container: Nullable(Type.String({ description: 'e.g. "FLAC", "MPEG", "MPEG-4".' })),
    bitrate: Nullable(Type.Integer({ description: 'bits per second' })),
    sampleRate: Nullable(Type.Integer({ description: 'Hz' })),
    bitDepth: Nullable(Type.Integer()),
    channels: Nullable(Type.Integer()),
    lossless: Type.Boolean(),
    size: Type.Integer({ description: 'File size in bytes.' }),
    contentHash: Nullable(Type.String({ description: 'SHA-256 (hex) of the file; null until hashed.' })),
    artworkId: Nullable(Type.String({ description: "The track's own picture, else its album's." })),
    status: TrackStatusSchema,
    brokenReason: Nullable(Type.String({ description: 'Why a `broken` file could not be read.' })),
    path: Type.String({ description: 'Relative to the root of its library, "/"-separated.' }),
    libraryId: Type.String(),
    addedAt: EpochMs('First seen'),
    updatedAt: EpochMs('Last changed'),
    replayGain: ReplayGainSchema,
    bpm: Nullable(Type.Number()),
    musicalKey: Nullable(Type.String()),
    isrc: Nullable(Type.String()),
    comment: Nullable(Type.String()),
    mbTrackId: Nullable(Type.String({ description: 'MusicBrainz track id.' })),
    mbRecordingId: Nullable(Type.String({ description: 'MusicBrainz recording id.' })),
    mbReleaseId: Nullable(Type.String({ description: 'MusicBrainz release id.' })),
    compilation: Type.Boolean(),
    hasLyrics: Type.Boolean({ description: 'Whether `GET /api/v1/tracks/{id}/lyrics` has something to return.' }),
    ...UserItemStatsSchema.properties,
  },
  { title: 'Track' },
);

/** An album with at least one playable track; counts and duration cover its playable tracks only. */
export const AlbumSchema = Type.Object(
  {
    id: Id('Album id (hex).'),
    title: Type.String(),
    albumArtist: Type.String({ description: 'Album artist as displayed (may credit several artists).' }),
    albumArtistId: Type.String(),
    year: Nullable(Type.Integer()),
    compilation: Type.Boolean(),
    trackCount: Type.Integer({ description: 'Playable tracks.' }),
    durationMs: Type.Integer({ description: 'Total duration of the playable tracks, ms.' }),
    artworkId: Nullable(Type.String()),
    genres: Type.Array(Type.String(), { description: 'Genres of its tracks, most frequent first.' }),
    createdAt: EpochMs('Added to the library'),
    ...UserItemStatsSchema.properties,
  },
  { title: 'Album' },
);

export const AlbumDetailSchema = Type.Composite(
  [AlbumSchema, Type.Object({ tracks: Type.Array(TrackSchema, { description: 'Playable tracks in disc and track order.' }) })],
  { title: 'AlbumDetail' },
);

/** An artist with at least one playable track, as track artist or album artist. */
export const ArtistSchema = Type.Object(
  {
    id: Id('Artist id (hex).'),
    name: Type.String(),
    albumCount: Type.Integer({ description: 'Albums they are album artist of.' }),
    trackCount: Type.Integer({ description: 'Playable tracks crediting them, or on their albums.' }),
    artworkId: Nullable(Type.String({ description: 'Artwork of one of their albums.' })),
    ...UserItemStatsSchema.properties,
  },
  { title: 'Artist' },
);

export const ArtistDetailSchema = Type.Composite(
  [
    ArtistSchema,
    Type.Object({
      albums: Type.Array(AlbumSchema, { description: 'Albums they are album artist of, by year (undated last) then title.' }),
      appearsOn: Type.Array(AlbumSchema, {
        description: "Other artists' albums with a track crediting them, by year (undated last) then title.",
      }),
    }),
  ],
  { title: 'ArtistDetail' },
);

export const LyricsSchema = Type.Object(
  {
    plain: Nullable(Type.String({ description: 'Unsynchronised text; derived from the synced lines when only those exist.' })),
    synced: Nullable(
      Type.Array(Type.Object({ timeMs: Type.Integer({ description: 'ms from the start' }), text: Type.String() }), {
        description: 'Time-stamped lines, in time order.',
      }),
    ),
  },
  { title: 'Lyrics' },
);

export const AlbumSortSchema = Type.Union(
  [Type.Literal('name'), Type.Literal('artist'), Type.Literal('year'), Type.Literal('recent')],
  {
    default: 'name',
    description:
      '`name`: by title; `artist`: by album artist sort name, then title; `year`: oldest first, undated last; ' +
      '`recent`: most recently added first.',
  },
);

export const TrackStatusFilterSchema = Type.Union(
  [Type.Literal('ok'), Type.Literal('missing'), Type.Literal('broken'), Type.Literal('all')],
  { default: 'ok', description: 'Which tracks to list by status; `all` lists every status.' },
);

export type CatalogItemType = Static<typeof CatalogItemTypeSchema>;
export type UserItemStats = Static<typeof UserItemStatsSchema>;
export type TrackStatus = Static<typeof TrackStatusSchema>;
export type ArtistRef = Static<typeof ArtistRefSchema>;
export type Track = Static<typeof TrackSchema>;
export type Album = Static<typeof AlbumSchema>;
export type AlbumDetail = Static<typeof AlbumDetailSchema>;
export type Artist = Static<typeof ArtistSchema>;
export type ArtistDetail = Static<typeof ArtistDetailSchema>;
export type Lyrics = Static<typeof LyricsSchema>;
export type AlbumSort = Static<typeof AlbumSortSchema>;
export type TrackStatusFilter = Static<typeof TrackStatusFilterSchema>;
