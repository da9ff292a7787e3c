import { Type } from '@sinclair/typebox';
import { TRACK_SORTS } from './search-service.js';

/**
 * Search parameter shapes shared by `GET /search`, saved searches and smart playlists (whose rules are these filters
 * with a sort and a limit). Units as in `SearchFilters`: seconds for durations, epoch ms for dates.
 */

/** The track filters, each optional, combinable with or without `q`. */
export const searchFilterParams = {
  genre: Type.Optional(Type.String({ maxLength: 200 })),
  yearFrom: Type.Optional(Type.Integer()),
  yearTo: Type.Optional(Type.Integer()),
  durationMin: Type.Optional(Type.Number({ minimum: 0, description: 'Seconds.' })),
  durationMax: Type.Optional(Type.Number({ minimum: 0, description: 'Seconds.' })),
  bpmMin: Type.Optional(Type.Number({ minimum: 0 })),
  bpmMax: Type.Optional(Type.Number({ minimum: 0 })),
  key: Type.Optional(Type.String({ maxLength: 20, description: 'Musical key as tagged, e.g. "Am".' })),
  codec: Type.Optional(Type.String({ maxLength: 50, description: 'Codec as detected, e.g. "FLAC".' })),
  lossless: Type.Optional(Type.Boolean()),
  favorites: Type.Optional(Type.Boolean({ description: 'Only your favorites.' })),
  addedSince: Type.Optional(Type.Integer({ minimum: 0, description: 'Epoch ms.' })),
  library: Type.Optional(Type.String({ maxLength: 128, description: 'Only this library.' })),
};

export const searchQueryParam = Type.Optional(Type.String({ maxLength: 200, description: 'Words to find; optional when filtering.' }));

export const trackSortParam = Type.Optional(Type.Union(TRACK_SORTS.map((sort) => Type.Literal(sort)), { description: 'Order of the track list.' }));

/** The search parameters; also what a saved search stores. */
export const searchParams = {
  q: searchQueryParam,
  types: Type.Optional(
    Type.String({ pattern: '^(artist|album|track)(,(artist|album|track))*$', description: 'Lists to fill, comma-separated; default all.' }),
  ),
  sort: trackSortParam,
  ...searchFilterParams,
};
