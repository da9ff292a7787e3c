import type { paths } from './schema';

type Json<R> = R extends { content: { 'application/json': infer T } } ? T : never;
type Ok<O> = O extends { responses: infer R } ? (R extends { 200: infer A } ? Json<A> : R extends { 201: infer B } ? Json<B> : never) : never;

/** The JSON a route answers with on success: `Response<'/api/v1/albums/{id}'>`, `Response<'/api/v1/setup', 'post'>`. */
export type Response<P extends keyof paths, M extends 'get' | 'post' | 'put' | 'patch' | 'delete' = 'get'> = Ok<paths[P][M]>;

/** The query parameters a GET route takes. */
export type Query<P extends keyof paths> = paths[P]['get'] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type Track = Response<'/api/v1/tracks/{id}'>;
export type Album = Response<'/api/v1/albums'>['items'][number];
export type AlbumDetail = Response<'/api/v1/albums/{id}'>;
export type Artist = Response<'/api/v1/artists'>['items'][number];
export type ArtistDetail = Response<'/api/v1/artists/{id}'>;
export type SearchResult = Response<'/api/v1/search'>;
export type PlaybackState = Response<'/api/v1/playback'>;
export type QueueItem = PlaybackState['queue']['items'][number];
export type Device = Response<'/api/v1/devices'>['items'][number];
export type User = Response<'/api/v1/me'>;
export type PlaybackCommand = NonNullable<
  paths['/api/v1/playback/commands']['post']['requestBody']
>['content']['application/json'];
export type CommandType = PlaybackCommand['type'];
/** `args` of one command type, e.g. `CommandArgs<'seek'>` is `{positionMs: number}`. */
export type CommandArgs<T extends CommandType> = Extract<PlaybackCommand, { type: T }>['args'];

/** A device as the event stream lists it, with whether it is connected now. */
export interface DeviceStatus {
  id: string;
  name: string;
  platform: string;
  online: boolean;
  lastSeenAt: number | null;
}
