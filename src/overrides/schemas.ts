import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** Request and response shapes of catalog edits; values follow `OverrideValues` (`fields.ts`). */

function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

const Text = (description: string) => Type.String({ minLength: 1, maxLength: 1000, description });
const Position = (description: string) => Nullable(Type.Integer({ minimum: 1, maximum: 9999, description: `${description}; null clears it` }));
const Year = Nullable(Type.Integer({ minimum: 1, maximum: 9999, description: 'Release year; null clears it (and the date).' }));
const Genres = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
  maxItems: 50,
  description: 'Genre names in order ("Rock;Blues" counts as two, ID3 numbers like "(17)" become names); [] clears them.',
});

export const TrackEditSchema = Type.Object(
  {
    title: Type.Optional(Text('Title.')),
    artists: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), {
        minItems: 1,
        maxItems: 50,
        description: 'Artist credits in order; one value is displayed as given ("A feat. B" also credits B), several joined "A & B".',
      }),
    ),
    album: Type.Optional(Text('Album title; the track moves to that album (created when new).')),
    albumArtist: Type.Optional(Text('Album artist; the track moves to that artist\'s album of the same title.')),
    trackNumber: Type.Optional(Position('Track number')),
    discNumber: Type.Optional(Position('Disc number')),
    year: Type.Optional(Year),
    genres: Type.Optional(Genres),
    bpm: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 999, description: 'Beats per minute (whole, as ID3 stores it); null clears it.' }))),
    musicalKey: Type.Optional(Nullable(Type.String({ maxLength: 20, description: 'Musical key, e.g. "F#m"; null or blank clears it.' }))),
  },
  { additionalProperties: false, title: 'TrackEdit', description: 'Fields to change; absent fields stay as they are.' },
);

export const AlbumEditSchema = Type.Object(
  {
    title: Type.Optional(Text('Album title, set on every track of the album.')),
    albumArtist: Type.Optional(Text('Album artist, set on every track of the album.')),
    year: Type.Optional(Year),
    genres: Type.Optional(Genres),
    compilation: Type.Optional(Type.Boolean({ description: 'Part of a compilation (its album is then credited to "Various Artists" unless the tracks name an album artist).' })),
  },
  { additionalProperties: false, title: 'AlbumEdit', description: 'Fields to change on every track of the album; absent fields stay as they are.' },
);

const EditValue = Type.Union([Type.String(), Type.Array(Type.String()), Type.Number(), Type.Boolean(), Type.Null()], {
  description: "The field's value: text, a list of names, a number, a flag, or null (not set).",
});

export const CatalogEditSchema = Type.Object(
  {
    id: Type.String({ description: 'Edit id (hex).' }),
    scope: Type.Union([Type.Literal('track'), Type.Literal('album')], { description: 'Made with `PATCH /tracks/{id}` or `PATCH /albums/{id}`.' }),
    subjectId: Type.String({ description: 'The track or album it was made on.' }),
    field: Type.String({ description: 'The field in the scope\'s terms (an album\'s `title` is its tracks\' `album`).' }),
    oldValue: EditValue,
    newValue: EditValue,
    trackCount: Type.Integer({ description: 'Tracks whose value it changed.' }),
    user: Nullable(Type.Object({ id: Type.String(), username: Type.String() }, { description: 'Who made it; null once that user is deleted.' })),
    at: Type.Integer({ description: 'epoch ms' }),
    revertsEditId: Nullable(Type.String({ description: 'The edit this one reverted.' })),
  },
  {
    title: 'CatalogEdit',
    description: "One field changed by one edit. In a track's history `oldValue`/`newValue` are that track's; in an album's, the album's.",
  },
);

export type TrackEdit = Static<typeof TrackEditSchema>;
export type AlbumEdit = Static<typeof AlbumEditSchema>;
export type CatalogEdit = Static<typeof CatalogEditSchema>;
