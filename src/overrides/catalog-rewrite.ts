import type { TracksTable } from '../db/schema.js';
import { creditedArtists } from '../library/scanner/artist-credits.js';
import { trackCredits, VARIOUS_ARTISTS } from '../library/scanner/grouping.js';
import { UNKNOWN_ALBUM } from '../library/scanner/track-tags.js';
import { newId } from '../shared/ids.js';
import { foldKey } from '../shared/text.js';
import { editableColumns, type EditableTags, type TrackOverrides } from './fields.js';
import { librariesOf, markDeleted, type LibraryEvent } from '../sync/library-events-repository.js';
import type { EditQueries, TrackState } from './overrides-repository.js';

/**
 * The tags the catalog shows for a track, rebuilt from its row and links (they hold the file's tags as last read,
 * with the track's overrides applied). Names of credited artists and genres are the catalog's spelling, which
 * matches the tag's up to case and accents, so grouping on them is the same.
 */
export function catalogTags(state: TrackState): EditableTags {
  const c = state.columns;
  const albumArtists = state.albumArtists.map((a) => a.name);
  // A compilation's album is credited to "Various Artists" while the file's album artist (the column) is the track
  // artist (see `albumIdentity`); the file's credit is what must survive the flag being turned off.
  const substituted = albumArtists.length === 1 && foldKey(albumArtists[0]) === foldKey(VARIOUS_ARTISTS) && foldKey(c.albumArtist) !== foldKey(VARIOUS_ARTISTS);
  return {
    title: c.title,
    artist: c.artist,
    artists: state.artists.length > 0 ? state.artists.map((a) => a.name) : [c.artist],
    album: state.albumTitle ?? UNKNOWN_ALBUM,
    albumArtist: c.albumArtist,
    albumArtists: substituted || albumArtists.length === 0 ? creditedArtists([c.albumArtist]) : albumArtists,
    trackNumber: c.trackNumber,
    discNumber: c.discNumber,
    year: c.year,
    date: c.date,
    genres: state.genres.map((g) => g.name),
    bpm: c.bpm,
    musicalKey: c.musicalKey,
    compilation: c.compilation === 1,
    mbReleaseId: c.mbReleaseId,
  };
}

/** The track's tags as its file has them: the catalog's, with each overridden field put back to the file's value. */
export function fileTagsOf(state: TrackState): EditableTags {
  return Object.assign(catalogTags(state), ...state.overrides.map((o) => o.fileValue));
}

export function overridesOf(state: TrackState): TrackOverrides {
  return Object.fromEntries(state.overrides.map((o) => [o.field, o.value]));
}

/** A track to write: its state before, the tags the catalog shows from now on, and other columns to set. */
export interface RewriteItem {
  state: TrackState;
  tags: EditableTags;
  extra?: Partial<TracksTable>;
}

/** What a rewrite changed, for `library` events. */
export interface RewriteResult {
  tracks: string[];
  albums: { upserted: string[]; deleted: string[] };
  artists: { upserted: string[]; deleted: string[] };
  /** The libraries whose viewers the change concerns. */
  libraryIds: string[];
}

const unique = <T>(values: (T | null | undefined)[]): T[] => [...new Set(values.filter((v): v is T => v !== null && v !== undefined))];

/**
 * Writes tracks with new tags inside the caller's transaction, regrouping as the scanner would: artists, album and
 * genres are matched on their folded names and group key (`trackCredits`), unknown ones created; albums left
 * without tracks and artists and genres nobody credits any more are deleted; affected albums get their cover, year
 * and compilation flag recomputed (`albumRefreshUpdates`).
 *
 * When every track of an album moves to one new group key that no other album has (an album renamed, or given
 * another album artist), the album row is re-keyed instead of replaced, so it keeps its id (favourites and clients
 * keep pointing at it); an album whose tracks all take the same new spelling of the same key is
 * re-titled in place. Otherwise the tracks join the album already holding the key, or a new one.
 */
export async function rewriteTracks(q: EditQueries, items: RewriteItem[], now: number): Promise<RewriteResult> {
  if (items.length === 0) return { tracks: [], albums: { upserted: [], deleted: [] }, artists: { upserted: [], deleted: [] }, libraryIds: [] };
  const planned = items.map((item) => ({ item, credits: trackCredits(item.tags) }));
  const artists = await q.ensureArtists(planned.flatMap((p) => [...p.credits.artists, ...p.credits.albumArtists]), now);
  const genreIds = await q.ensureGenres(planned.flatMap((p) => p.credits.genres));
  const artistId = (name: string) => artists.ids.get(foldKey(name))!;

  const sourceIds = unique(items.map((i) => i.state.albumId));
  const sources = await q.albumsByIds(sourceIds);
  const counts = await q.albumTrackCounts(sourceIds);
  const albumOf = await q.albumIdsByKeys(unique(planned.map((p) => p.credits.album.groupKey)));
  const upsertedAlbums = new Set<string>();

  for (const source of sources) {
    const moving = planned.filter((p) => p.item.state.albumId === source.id);
    const target = moving[0]?.credits.album;
    if (!target || moving.length !== counts.get(source.id) || moving.some((p) => p.credits.album.groupKey !== target.groupKey)) continue;
    if (target.groupKey !== source.groupKey && albumOf.has(target.groupKey)) continue;
    const albumArtistId = artistId(moving[0].credits.albumArtists[0]);
    const sameSpelling = moving.every((p) => p.credits.album.title === target.title && p.credits.album.albumArtist === target.albumArtist);
    const respelled = target.title !== source.title || target.albumArtist !== source.albumArtistName || albumArtistId !== source.albumArtistId;
    if (target.groupKey === source.groupKey && !(sameSpelling && respelled)) continue;
    await q.updateAlbum(source.id, {
      groupKey: target.groupKey,
      title: target.title,
      titleKey: target.titleKey,
      albumArtistId,
      albumArtistName: target.albumArtist,
      mbid: target.mbid,
      updatedAt: now,
    });
    if (albumOf.get(source.groupKey) === source.id) albumOf.delete(source.groupKey);
    albumOf.set(target.groupKey, source.id);
    upsertedAlbums.add(source.id);
  }

  for (const { item, credits } of planned) {
    const album = credits.album;
    if (albumOf.has(album.groupKey)) continue;
    const id = newId();
    await q.insertAlbum({
      id,
      title: album.title,
      titleKey: album.titleKey,
      albumArtistId: artistId(credits.albumArtists[0]),
      albumArtistName: album.albumArtist,
      groupKey: album.groupKey,
      mbid: album.mbid,
      year: item.tags.year,
      compilation: album.compilation ? 1 : 0,
      artworkId: null,
      createdAt: now,
      updatedAt: now,
    });
    albumOf.set(album.groupKey, id);
    upsertedAlbums.add(id);
  }

  for (const { item, credits } of planned) {
    const albumId = albumOf.get(credits.album.groupKey)!;
    await q.rewriteTrack(
      item.state.id,
      { ...item.extra, ...editableColumns(item.tags), albumId, updatedAt: now },
      {
        artists: [
          ...credits.artists.map((name, position) => ({ artistId: artistId(name), role: 'artist' as const, position })),
          ...credits.albumArtists.map((name, position) => ({ artistId: artistId(name), role: 'album_artist' as const, position })),
        ],
        genreIds: credits.genres.map((name) => genreIds.get(foldKey(name))!),
      },
    );
    if (albumId !== item.state.albumId) {
      upsertedAlbums.add(albumId);
      if (item.state.albumId) upsertedAlbums.add(item.state.albumId);
    }
  }

  const deletedAlbums = await q.deleteEmptyAlbums(sourceIds);
  const formerArtists = unique([...items.flatMap((i) => [...i.state.artists, ...i.state.albumArtists].map((a) => a.id)), ...sources.map((s) => s.albumArtistId)]);
  const deletedArtists = await q.deleteUnusedArtists(formerArtists);
  await q.deleteUnusedGenres(unique(items.flatMap((i) => i.state.genres.map((g) => g.id))));
  const gone = new Set(deletedAlbums);
  const refreshed = await q.refreshAlbums(unique([...sourceIds, ...albumOf.values()]).filter((id) => !gone.has(id)), now);
  for (const id of refreshed) upsertedAlbums.add(id);

  const goneArtists = new Set(deletedArtists);
  const upserted = [...upsertedAlbums].filter((id) => !gone.has(id));
  const events = markDeleted(
    [...items.flatMap(({ state }) => eventsBefore(state)), ...(await q.catalogEvents(items.map((i) => i.state.id), upserted))],
    { album: deletedAlbums, artist: deletedArtists },
  );
  await q.appendEvents(events, now);
  return {
    tracks: items.map((i) => i.state.id),
    albums: { upserted, deleted: deletedAlbums },
    artists: { upserted: unique([...formerArtists, ...artists.ids.values()]).filter((id) => !goneArtists.has(id)), deleted: deletedArtists },
    libraryIds: librariesOf(events),
  };
}

/** What the track touched before the edit, for the viewers of its library: an album or artist it leaves may vanish. */
function eventsBefore(state: TrackState): LibraryEvent[] {
  const event = (entityType: LibraryEvent['entityType'], entityId: string): LibraryEvent => ({
    entityType,
    entityId,
    op: 'upsert',
    libraryId: state.libraryId,
    ownerUserId: null,
  });
  return [
    event('track', state.id),
    ...(state.albumId ? [event('album', state.albumId)] : []),
    ...[...state.artists, ...state.albumArtists].map((artist) => event('artist', artist.id)),
  ];
}
