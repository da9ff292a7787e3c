import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { newId } from '../../src/shared/ids.js';
import { encodeCursor } from '../../src/shared/pagination.js';
import { FIXTURE_EPOCH_MS, catalogFixtures, type CatalogFixtures } from '../support/catalog-fixtures.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

/** The viewer's collection figures of an item they never played, favorited or rated. */
const NOTHING_OF_MINE = { playCount: 0, lastPlayedAt: null, favorite: false, rating: 0 };

/** Byte order of the sort keys, as both databases compare them (the keys in these tests are all in the BMP). */
const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describeEachDatabase('browsing the catalog', (kind) => {
  let t: TestApp;
  let headers: { authorization: string };
  let f: CatalogFixtures;
  beforeAll(async () => {
    t = await createTestApp(kind);
    headers = await signIn(t.app);
    f = catalogFixtures(t.app.omnisonic.database.db);
  });
  afterAll(() => t.close());
  beforeEach(() => f.clear());

  // Requests are the admin's unless another user's headers are given.
  const get = (url: string, as = headers) => t.app.inject({ url, headers: as });
  const ok = async (url: string, as = headers) => {
    const response = await get(url, as);
    expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
    return response.json();
  };
  const errorCode = async (url: string, as = headers) => (await get(url, as)).json().error?.code;

  /** Follows `nextCursor` from the first page to the last; returns every item in order. */
  async function pageThrough(url: string, limit: number, as = headers): Promise<any[]> {
    const items: any[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 1000; pages++) {
      const page: { items: any[]; nextCursor: string | null } = await ok(
        `${url}${url.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        as,
      );
      expect(page.items.length).toBeLessThanOrEqual(limit);
      items.push(...page.items);
      cursor = page.nextCursor;
      if (!cursor) return items;
    }
    throw new Error(`${url} never reached its last page`);
  }

  it('answers 401 on every catalog route without credentials', async () => {
    const id = newId();
    for (const url of ['/api/v1/artists', `/api/v1/artists/${id}`, '/api/v1/albums', `/api/v1/albums/${id}`, '/api/v1/tracks', `/api/v1/tracks/${id}`, `/api/v1/tracks/${id}/lyrics`]) {
      const response = await t.app.inject(url);
      expect(response.statusCode, url).toBe(401);
      expect(response.json().error.code).toBe('unauthorized');
    }
  });

  it('lists artists by sort name: "The Beatles" under B, "Émilie" under E, case ignored, silent artists left out', async () => {
    for (const name of ['Zappa', 'The Beatles', 'beck', 'Émilie Simon', 'ABBA', 'Bach']) await f.track({ title: `Song by ${name}`, artists: [name] });
    await f.track({ title: 'Gone', artists: ['Ghost'], status: 'missing' });
    await f.track({ title: 'Unreadable', artists: ['Broken Band'], status: 'broken', brokenReason: 'truncated' });

    const page = await ok('/api/v1/artists');
    expect(page.items.map((a: { name: string }) => a.name)).toEqual(['ABBA', 'Bach', 'The Beatles', 'beck', 'Émilie Simon', 'Zappa']);
    expect(page.items[0]).toEqual({ id: expect.any(String), name: 'ABBA', albumCount: 0, trackCount: 1, artworkId: null, ...NOTHING_OF_MINE });
    expect(page.nextCursor).toBeNull();
  });

  it("shows an artist's own albums and the albums they appear on, counting only playable tracks", async () => {
    const cover = await f.artwork();
    const otherCover = await f.artwork();
    const discovery = await f.album({ title: 'Discovery', artist: 'Daft Punk', year: 2001, artworkId: cover.id });
    const homework = await f.album({ title: 'Homework', artist: 'Daft Punk', year: 1997 });
    const ram = await f.album({ title: 'Random Access Memories', artist: 'Daft Punk', year: 2013, artworkId: otherCover.id });
    const lost = await f.album({ title: 'Lost Tapes', artist: 'Daft Punk', year: 1995 });
    const inMyMind = await f.album({ title: 'In My Mind', artist: 'Pharrell Williams', year: 2006 });
    const collab = await f.album({ title: 'Collab', artist: 'Daft Punk' });
    await f.track({ title: 'One More Time', album: discovery, artists: ['Daft Punk'] });
    await f.track({ title: 'Aerodynamic', album: discovery, artists: ['Daft Punk'] });
    await f.track({ title: 'Da Funk', album: homework, artists: ['Daft Punk'] });
    await f.track({ title: 'Get Lucky', album: ram, artists: ['Daft Punk', 'Pharrell Williams'] });
    await f.track({ title: 'Lost', album: lost, artists: ['Daft Punk'], status: 'missing' });
    await f.track({ title: 'Can I Have It Like That', album: inMyMind, artists: ['Pharrell Williams'] });
    // Credited as second album artist on a track: the album counts as theirs too.
    await f.track({ title: 'Instant Crush', album: collab, artists: ['Daft Punk'], albumArtists: ['Daft Punk', 'Julian Casablancas'] });

    const daftPunk = await f.artist('Daft Punk');
    const detail = await ok(`/api/v1/artists/${daftPunk.id}`);
    expect(detail).toMatchObject({ id: daftPunk.id, name: 'Daft Punk', albumCount: 4, trackCount: 5 });
    expect([cover.id, otherCover.id]).toContain(detail.artworkId);
    // Undated albums last, the album with only a missing track not at all.
    expect(detail.albums.map((a: { title: string }) => a.title)).toEqual(['Homework', 'Discovery', 'Random Access Memories', 'Collab']);
    expect(detail.appearsOn).toEqual([]);
    expect(detail.albums[1]).toMatchObject({ trackCount: 2, durationMs: 360_000, artworkId: cover.id });

    const pharrell = await f.artist('Pharrell Williams');
    const his = await ok(`/api/v1/artists/${pharrell.id}`);
    expect(his).toMatchObject({ albumCount: 1, trackCount: 2, artworkId: otherCover.id });
    expect(his.albums.map((a: { title: string }) => a.title)).toEqual(['In My Mind']);
    expect(his.appearsOn.map((a: { title: string }) => a.title)).toEqual(['Random Access Memories']);

    const julian = await ok(`/api/v1/artists/${(await f.artist('Julian Casablancas')).id}`);
    expect(julian.albums.map((a: { title: string }) => a.title)).toEqual(['Collab']);

    const listed = await ok('/api/v1/artists');
    expect(listed.items.map((a: { name: string }) => a.name)).toEqual(['Daft Punk', 'Julian Casablancas', 'Pharrell Williams']);
  });

  it('lists albums by name, by artist, by year with undated albums last, and newest first', async () => {
    const abbey = await f.album({ title: 'Abbey Road', artist: 'The Beatles', year: 1969 });
    const agaetis = await f.album({ title: 'Ágætis byrjun', artist: 'Sigur Rós', year: 1999 });
    const blue = await f.album({ title: 'Blue', artist: 'Joni Mitchell' });
    const kidA = await f.album({ title: 'Kid A', artist: 'Radiohead', year: 2000 });
    const okComputer = await f.album({ title: 'OK Computer', artist: 'Radiohead', year: 1997 });
    const tribute = await f.album({ title: 'abbey road', artist: 'Zz Tribute', year: 1969, compilation: true });
    for (const album of [abbey, agaetis, blue, okComputer, tribute]) await f.track({ title: `${album.title} 1`, album });
    await f.track({ title: 'Everything', album: kidA, genres: ['Electronic', 'Rock'], durationMs: 250_000 });
    await f.track({ title: 'Idioteque', album: kidA, genres: ['Rock'], durationMs: 300_000 });
    await f.track({ title: 'Lost B-side', album: kidA, genres: ['Jazz'], status: 'missing' });
    const abbeys = [abbey, tribute].map((a) => a.id).sort(byteOrder);

    const ids = async (sort: string) => (await ok(`/api/v1/albums?sort=${sort}`)).items.map((a: { id: string }) => a.id);
    expect(await ids('name')).toEqual([...abbeys, agaetis.id, blue.id, kidA.id, okComputer.id]);
    expect(await ids('artist')).toEqual([abbey.id, blue.id, kidA.id, okComputer.id, agaetis.id, tribute.id]);
    expect(await ids('year')).toEqual([...abbeys, okComputer.id, agaetis.id, kidA.id, blue.id]);
    expect(await ids('recent')).toEqual([tribute.id, okComputer.id, kidA.id, blue.id, agaetis.id, abbey.id]);
    expect(await ids('name')).toEqual((await ok('/api/v1/albums')).items.map((a: { id: string }) => a.id));

    const listed = (await ok('/api/v1/albums?sort=name')).items.find((a: { id: string }) => a.id === kidA.id);
    expect(listed).toEqual({
      id: kidA.id,
      title: 'Kid A',
      albumArtist: 'Radiohead',
      albumArtistId: kidA.albumArtistId,
      year: 2000,
      compilation: false,
      trackCount: 2,
      durationMs: 550_000,
      artworkId: null,
      genres: ['Rock', 'Electronic'],
      createdAt: kidA.createdAt,
      ...NOTHING_OF_MINE,
    });
    expect((await ok('/api/v1/albums')).items.find((a: { id: string }) => a.id === tribute.id).compilation).toBe(true);
  });

  it('pages through every listing in pages of 7 and sees each row exactly once, ties included', async () => {
    const artistNames = ['The Who', 'Who', 'ABBA', 'Ángela', 'the the'];
    const titles = ['Greatest Hits', 'greatest hits', 'Live', 'Éclat', 'Live!'];
    const years = [null, 1999, 2001, 1999, null, 1970];
    for (let i = 0; i < 126; i++) {
      const album = await f.album({
        title: titles[i % titles.length]!,
        artist: artistNames[i % artistNames.length],
        year: years[i % years.length],
        createdAt: FIXTURE_EPOCH_MS + (i % 4) * 1000,
      });
      await f.track({ title: titles[i % 3]!, album, artists: [`${i % 2 ? 'The ' : ''}Band ${Math.floor(i / 2)}`] });
    }
    await f.track({ title: 'Live', status: 'missing' });
    await f.track({ title: 'Live', status: 'broken' });

    const db = t.app.omnisonic.database.db;
    const albums = await db
      .selectFrom('albums')
      .innerJoin('artists', 'artists.id', 'albums.albumArtistId')
      .select(['albums.id', 'albums.titleKey', 'albums.year', 'albums.createdAt', 'artists.sortName'])
      .execute();
    const compare = (...pairs: [string | number, string | number][]) => {
      for (const [a, b] of pairs) if (a !== b) return a < b ? -1 : 1;
      return 0;
    };
    const expected: Record<string, string[]> = {
      name: [...albums].sort((a, b) => compare([a.titleKey, b.titleKey], [a.id, b.id])).map((a) => a.id),
      artist: [...albums].sort((a, b) => compare([a.sortName, b.sortName], [a.titleKey, b.titleKey], [a.id, b.id])).map((a) => a.id),
      year: [...albums]
        .sort((a, b) => compare([a.year ?? Infinity, b.year ?? Infinity], [a.titleKey, b.titleKey], [a.id, b.id]))
        .map((a) => a.id),
      recent: [...albums].sort((a, b) => compare([b.createdAt, a.createdAt], [b.id, a.id])).map((a) => a.id),
    };
    for (const [sort, ids] of Object.entries(expected)) {
      expect((await pageThrough(`/api/v1/albums?sort=${sort}`, 7)).map((a) => a.id), sort).toEqual(ids);
    }

    const tracks = await db.selectFrom('tracks').select(['id', 'titleKey', 'status']).execute();
    const trackOrder = (rows: typeof tracks) => [...rows].sort((a, b) => compare([a.titleKey, b.titleKey], [a.id, b.id])).map((r) => r.id);
    expect((await pageThrough('/api/v1/tracks?status=all', 7)).map((r) => r.id)).toEqual(trackOrder(tracks));
    expect((await pageThrough('/api/v1/tracks', 7)).map((r) => r.id)).toEqual(trackOrder(tracks.filter((r) => r.status === 'ok')));

    // "Unknown Artist" is credited only on the missing and broken tracks.
    const artists = await db.selectFrom('artists').select(['id', 'sortName']).where('name', '!=', 'Unknown Artist').execute();
    const listedArtists = await pageThrough('/api/v1/artists', 7);
    expect(listedArtists.map((a) => a.id)).toEqual([...artists].sort((a, b) => compare([a.sortName, b.sortName], [a.id, b.id])).map((a) => a.id));
    expect(listedArtists.length).toBe(artistNames.length + 126);

    const firstPage = await ok('/api/v1/albums');
    expect(firstPage.items).toHaveLength(50);
    expect(firstPage.nextCursor).toEqual(expect.any(String));
    expect((await ok('/api/v1/albums?limit=500')).items).toHaveLength(126);
  });

  it('lists album tracks by disc, then track number with unnumbered tracks last, then title, with the total duration', async () => {
    const album = await f.album({ title: 'Double', artist: 'Someone' });
    const add = (title: string, discNumber: number | null, trackNumber: number | null, extra = {}) =>
      f.track({ title, album, discNumber, trackNumber, durationMs: 100_000, ...extra });
    await add('2-1', 2, 1);
    await add('1-2', 1, 2);
    await add('1-10', 1, 10);
    await add('?-1', null, 1);
    await add('1-? b', 1, null);
    await add('1-1', 1, 1);
    await add('1-? A', 1, null);
    await add('1-3 missing', 1, 3, { status: 'missing' });

    const detail = await ok(`/api/v1/albums/${album.id}`);
    expect(detail.tracks.map((track: { title: string }) => track.title)).toEqual(['1-1', '1-2', '1-10', '1-? A', '1-? b', '2-1', '?-1']);
    expect(detail).toMatchObject({ id: album.id, title: 'Double', albumArtist: 'Someone', trackCount: 7, durationMs: 700_000 });
  });

  it('hides missing and broken tracks from albums and artists but lists them by status and shows them by id', async () => {
    const gone = await f.album({ title: 'Gone', artist: 'Vanished' });
    await f.track({ title: 'Alpha', artists: ['Present'] });
    const bravo = await f.track({ title: 'Bravo', album: gone, artists: ['Vanished'], status: 'missing', missingSince: FIXTURE_EPOCH_MS });
    const charlie = await f.track({ title: 'Charlie', artists: ['Present'], status: 'broken', brokenReason: 'not an audio file' });
    await f.track({ title: 'Delta', artists: ['Present'] });

    const titles = async (url: string) => (await ok(url)).items.map((track: { title: string }) => track.title);
    expect(await titles('/api/v1/tracks')).toEqual(['Alpha', 'Delta']);
    expect(await titles('/api/v1/tracks?status=ok')).toEqual(['Alpha', 'Delta']);
    expect(await titles('/api/v1/tracks?status=missing')).toEqual(['Bravo']);
    expect(await titles('/api/v1/tracks?status=broken')).toEqual(['Charlie']);
    expect(await titles('/api/v1/tracks?status=all')).toEqual(['Alpha', 'Bravo', 'Charlie', 'Delta']);

    expect((await ok('/api/v1/albums')).items).toEqual([]);
    expect(await errorCode(`/api/v1/albums/${gone.id}`)).toBe('album_not_found');
    expect((await ok('/api/v1/artists')).items.map((a: { name: string }) => a.name)).toEqual(['Present']);
    expect(await errorCode(`/api/v1/artists/${gone.albumArtistId}`)).toBe('artist_not_found');

    expect(await ok(`/api/v1/tracks/${bravo.id}`)).toMatchObject({ status: 'missing', album: 'Gone', albumId: gone.id });
    expect(await ok(`/api/v1/tracks/${charlie.id}`)).toMatchObject({ status: 'broken', brokenReason: 'not an audio file' });
  });

  it('gives a track with its credited artists in order, genres, audio properties and replay gain', async () => {
    const cover = await f.artwork();
    const album = await f.album({ title: 'Random Access Memories', artist: 'Daft Punk', year: 2013, artworkId: cover.id });
    const library = await f.library({ rootPath: '/srv/music' });
    const track = await f.track({
      title: 'Get Lucky',
      album,
      libraryId: library.id,
      path: 'Daft Punk/Random Access Memories/08 Get Lucky.flac',
      artists: ['Daft Punk', 'Pharrell Williams', 'Nile Rodgers'],
      genres: ['Disco', 'Funk'],
      trackNumber: 8,
      trackTotal: 13,
      discNumber: 1,
      discTotal: 1,
      date: '2013-05-17',
      durationMs: 369_000,
      bitDepth: 24,
      sampleRate: 96_000,
      size: 123_456_789,
      contentHash: 'ab'.repeat(32),
      rgTrackGain: -7.5,
      rgTrackPeak: 0.98,
      rgAlbumGain: -8.25,
      rgAlbumPeak: 1,
      bpm: 116,
      musicalKey: 'F#m',
      isrc: 'USQX91300108',
      comment: 'great',
      mbTrackId: 'mb-track',
      mbRecordingId: 'mb-recording',
      mbReleaseId: 'mb-release',
      lyrics: 'Like the legend of the phoenix',
    });
    const artists = await Promise.all(['Daft Punk', 'Pharrell Williams', 'Nile Rodgers'].map((name) => f.artist(name)));

    const body = await ok(`/api/v1/tracks/${track.id}`);
    expect(body).toEqual({
      id: track.id,
      title: 'Get Lucky',
      artist: 'Daft Punk, Pharrell Williams, Nile Rodgers',
      artists: artists.map((a) => ({ id: a.id, name: a.name })),
      album: 'Random Access Memories',
      albumId: album.id,
      albumArtist: 'Daft Punk',
      trackNumber: 8,
      trackTotal: 13,
      discNumber: 1,
      discTotal: 1,
      year: 2013,
      date: '2013-05-17',
      originalDate: null,
      genres: ['Disco', 'Funk'],
      durationMs: 369_000,
      codec: 'FLAC',
      container: 'FLAC',
      bitrate: 900_000,
      sampleRate: 96_000,
      bitDepth: 24,
      channels: 2,
      lossless: true,
      size: 123_456_789,
      contentHash: 'ab'.repeat(32),
      // No picture of its own: the album's.
      artworkId: cover.id,
      status: 'ok',
      brokenReason: null,
      path: 'Daft Punk/Random Access Memories/08 Get Lucky.flac',
      libraryId: library.id,
      addedAt: track.addedAt,
      updatedAt: track.updatedAt,
      replayGain: { trackGain: -7.5, trackPeak: 0.98, albumGain: -8.25, albumPeak: 1 },
      bpm: 116,
      musicalKey: 'F#m',
      isrc: 'USQX91300108',
      comment: 'great',
      mbTrackId: 'mb-track',
      mbRecordingId: 'mb-recording',
      mbReleaseId: 'mb-release',
      compilation: false,
      hasLyrics: true,
      ...NOTHING_OF_MINE,
    });
    expect((await ok('/api/v1/tracks')).items).toEqual([body]);
    expect((await ok(`/api/v1/albums/${album.id}`)).tracks).toEqual([body]);
  });

  it('serves plain and synced lyrics, and says when a track has none', async () => {
    const both = await f.track({
      title: 'Both',
      lyrics: 'Hello\nWorld',
      syncedLyrics: [
        { timeMs: 2500, text: 'World' },
        { timeMs: 1000, text: 'Hello' },
      ],
    });
    const syncedOnly = await f.track({ title: 'Synced', syncedLyrics: [{ timeMs: 0, text: 'La' }, { timeMs: 500, text: 'Di' }] });
    const none = await f.track({ title: 'Instrumental' });

    expect(await ok(`/api/v1/tracks/${both.id}/lyrics`)).toEqual({
      plain: 'Hello\nWorld',
      synced: [
        { timeMs: 1000, text: 'Hello' },
        { timeMs: 2500, text: 'World' },
      ],
    });
    expect(await ok(`/api/v1/tracks/${syncedOnly.id}/lyrics`)).toEqual({ plain: 'La\nDi', synced: [{ timeMs: 0, text: 'La' }, { timeMs: 500, text: 'Di' }] });
    expect((await get(`/api/v1/tracks/${none.id}/lyrics`)).statusCode).toBe(404);
    expect(await errorCode(`/api/v1/tracks/${none.id}/lyrics`)).toBe('lyrics_not_found');
    expect(await errorCode(`/api/v1/tracks/${newId()}/lyrics`)).toBe('track_not_found');
    expect((await ok(`/api/v1/tracks/${none.id}`)).hasLyrics).toBe(false);
    expect((await ok(`/api/v1/tracks/${syncedOnly.id}`)).hasLyrics).toBe(true);
  });

  it('a user without access to a library sees none of its artists, albums, tracks or artwork anywhere', async () => {
    const shared = await f.library({ name: 'Shared' });
    const hidden = await f.library({ name: 'Hidden' });
    const hiddenCover = await f.artwork();
    // "Both Sides" has albums in both libraries, one album spread over both, and appears on a hidden album.
    const daylight = await f.album({ title: 'Daylight', artist: 'Both Sides' });
    const split = await f.album({ title: 'Split', artist: 'Both Sides' });
    const nightfall = await f.album({ title: 'Nightfall', artist: 'Both Sides', artworkId: hiddenCover.id });
    const hosted = await f.album({ title: 'Hosted', artist: 'Only Hidden' });
    const sunrise = await f.track({ title: 'Sunrise', album: daylight, artists: ['Both Sides'], libraryId: shared.id });
    const noon = await f.track({ title: 'Noon', album: daylight, artists: ['Both Sides'], libraryId: shared.id });
    const left = await f.track({ title: 'Left', album: split, artists: ['Both Sides'], genres: ['Folk'], libraryId: shared.id });
    const right = await f.track({ title: 'Right', album: split, artists: ['Both Sides'], genres: ['Noise'], durationMs: 60_000, libraryId: hidden.id });
    const midnight = await f.track({ title: 'Midnight', album: nightfall, artists: ['Both Sides'], lyrics: 'Dark', libraryId: hidden.id });
    const guest = await f.track({ title: 'Guest Spot', album: hosted, artists: ['Only Hidden', 'Both Sides'], libraryId: hidden.id });
    const gone = await f.track({ title: 'Gone', artists: ['Both Sides'], status: 'missing', libraryId: hidden.id });
    const bothSides = await f.artist('Both Sides');
    const onlyHidden = await f.artist('Only Hidden');

    const member = await signIn(t.app, 'member', 'user');
    const stranger = await signIn(t.app, 'stranger', 'user');
    await f.grant(shared.id, (await ok('/api/v1/me', member)).id);
    const titles = (items: { title: string }[]) => items.map((item) => item.title);
    const sorts = ['name', 'artist', 'year', 'recent'];

    // The member sees the shared library only; counts, genres, durations and artwork come from it alone.
    const listed = [{ id: bothSides.id, name: 'Both Sides', albumCount: 2, trackCount: 3, artworkId: null, ...NOTHING_OF_MINE }];
    expect((await ok('/api/v1/artists', member)).items).toEqual(listed);
    const artist = await ok(`/api/v1/artists/${bothSides.id}`, member);
    expect(artist).toMatchObject({ albumCount: 2, trackCount: 3, artworkId: null, appearsOn: [] });
    expect(titles(artist.albums)).toEqual(['Daylight', 'Split']);
    expect(artist.albums[1]).toMatchObject({ trackCount: 1, durationMs: 180_000, genres: ['Folk'] });
    for (const sort of sorts) {
      const expected = sort === 'recent' ? ['Split', 'Daylight'] : ['Daylight', 'Split'];
      expect(titles((await ok(`/api/v1/albums?sort=${sort}`, member)).items), sort).toEqual(expected);
    }
    expect(titles(await pageThrough('/api/v1/albums', 1, member))).toEqual(['Daylight', 'Split']);
    expect(await ok(`/api/v1/albums/${split.id}`, member)).toMatchObject({ trackCount: 1, durationMs: 180_000, genres: ['Folk'], tracks: [{ id: left.id }] });
    for (const status of ['ok', 'all']) expect(titles((await ok(`/api/v1/tracks?status=${status}`, member)).items)).toEqual(['Left', 'Noon', 'Sunrise']);
    expect((await ok('/api/v1/tracks?status=missing', member)).items).toEqual([]);
    expect((await ok(`/api/v1/tracks/${sunrise.id}`, member)).libraryId).toBe(shared.id);
    expect(await errorCode(`/api/v1/tracks/${noon.id}/lyrics`, member)).toBe('lyrics_not_found');
    expect(await errorCode(`/api/v1/artists/${onlyHidden.id}`, member)).toBe('artist_not_found');
    for (const album of [nightfall, hosted]) expect(await errorCode(`/api/v1/albums/${album.id}`, member)).toBe('album_not_found');
    for (const track of [right, midnight, guest, gone]) {
      expect(await errorCode(`/api/v1/tracks/${track.id}`, member)).toBe('track_not_found');
      expect(await errorCode(`/api/v1/tracks/${track.id}/lyrics`, member)).toBe('track_not_found');
    }

    // A user granted nothing sees an empty catalog, and every id answers as an unknown one does.
    const listings = ['/api/v1/artists', ...sorts.map((sort) => `/api/v1/albums?sort=${sort}`)];
    for (const url of [...listings, ...['ok', 'all', 'missing'].map((status) => `/api/v1/tracks?status=${status}`)]) {
      expect(await ok(url, stranger), url).toEqual({ items: [], nextCursor: null });
    }
    for (const id of [bothSides.id, onlyHidden.id]) expect(await errorCode(`/api/v1/artists/${id}`, stranger)).toBe('artist_not_found');
    for (const album of [daylight, split, nightfall, hosted]) expect(await errorCode(`/api/v1/albums/${album.id}`, stranger)).toBe('album_not_found');
    for (const track of [sunrise, noon, left, right, midnight, guest, gone]) {
      expect(await errorCode(`/api/v1/tracks/${track.id}`, stranger)).toBe('track_not_found');
      expect(await errorCode(`/api/v1/tracks/${track.id}/lyrics`, stranger)).toBe('track_not_found');
    }

    // The admin sees every music library.
    expect(titles((await ok('/api/v1/albums')).items)).toEqual(['Daylight', 'Hosted', 'Nightfall', 'Split']);
    expect((await ok('/api/v1/artists')).items.map((item: { name: string }) => item.name)).toEqual(['Both Sides', 'Only Hidden']);
    const all = await ok(`/api/v1/artists/${bothSides.id}`);
    expect(all).toMatchObject({ albumCount: 3, trackCount: 6, artworkId: hiddenCover.id });
    expect(titles(all.albums)).toEqual(['Daylight', 'Nightfall', 'Split']);
    expect(titles(all.appearsOn)).toEqual(['Hosted']);
    expect(await ok(`/api/v1/albums/${split.id}`)).toMatchObject({ trackCount: 2, durationMs: 240_000, genres: ['Folk', 'Noise'] });
    expect(titles((await ok('/api/v1/tracks?status=all')).items)).toEqual(['Gone', 'Guest Spot', 'Left', 'Midnight', 'Noon', 'Right', 'Sunrise']);
    expect(await ok(`/api/v1/tracks/${midnight.id}/lyrics`)).toEqual({ plain: 'Dark', synced: null });
  });

  it('answers 404 with the right code for ids that do not exist, whatever they look like', async () => {
    for (const id of [newId(), 'ABCDEF'.repeat(10), 'not-an-id', 'caf%C3%A9']) {
      for (const [url, code] of [
        [`/api/v1/artists/${id}`, 'artist_not_found'],
        [`/api/v1/albums/${id}`, 'album_not_found'],
        [`/api/v1/tracks/${id}`, 'track_not_found'],
        [`/api/v1/tracks/${id}/lyrics`, 'track_not_found'],
      ]) {
        const response = await get(url!);
        expect(response.statusCode, url).toBe(404);
        expect(response.json().error.code, url).toBe(code);
      }
    }
  });

  it('refuses an id holding a NUL character as invalid input', async () => {
    const response = await get('/api/v1/tracks/%00');
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_failed');
  });

  it('refuses page sizes outside 1–500 and unknown options', async () => {
    await f.track({ title: 'Only' });
    for (const url of ['/api/v1/tracks?limit=0', '/api/v1/tracks?limit=501', '/api/v1/albums?limit=-1', '/api/v1/artists?limit=ten', '/api/v1/albums?sort=colour', '/api/v1/tracks?status=gone']) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.code, url).toBe('validation_failed');
    }
    expect((await ok('/api/v1/tracks?limit=1')).items).toHaveLength(1);
    expect((await ok('/api/v1/tracks?limit=500')).items).toHaveLength(1);
  });

  it('refuses a malformed cursor, a tampered one, and one from another listing', async () => {
    for (let i = 0; i < 3; i++) {
      const album = await f.album({ title: `Album ${i}`, year: 2000 + i });
      await f.track({ title: `Track ${i}`, album });
    }
    const fromName = (await ok('/api/v1/albums?sort=name&limit=1')).nextCursor;
    const fromTracks = (await ok('/api/v1/tracks?limit=1')).nextCursor;
    expect(fromName).toEqual(expect.any(String));
    expect((await ok(`/api/v1/albums?sort=name&limit=1&cursor=${fromName}`)).items).toHaveLength(1);

    const tampered = (listing: string, values: (string | number | null)[], id = newId()) => encodeCursor({ listing, values, id });
    for (const url of [
      `/api/v1/albums?sort=year&cursor=${fromName}`,
      `/api/v1/albums?sort=recent&cursor=${fromName}`,
      `/api/v1/artists?cursor=${fromName}`,
      `/api/v1/albums?cursor=${fromTracks}`,
      `/api/v1/tracks?status=all&cursor=${fromTracks}`,
      '/api/v1/albums?cursor=garbage',
      `/api/v1/albums?cursor=${fromName!.slice(0, -4)}`,
      `/api/v1/albums?sort=recent&cursor=${tampered('albums:recent', ['yesterday'])}`,
      `/api/v1/albums?sort=year&cursor=${tampered('albums:year', [1.5, 'x'])}`,
      `/api/v1/albums?sort=name&cursor=${tampered('albums:name', ['a', 'b'])}`,
      `/api/v1/albums?sort=name&cursor=${tampered('albums:name', ['a\u0000'])}`,
      `/api/v1/albums?sort=name&cursor=${tampered('albums:name', ['a'], 'not hex')}`,
    ]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.code, url).toBe('invalid_cursor');
    }
  });

  it('documents every catalog route in the OpenAPI document', async () => {
    const doc = (await t.app.inject('/api/v1/openapi.json')).json();
    for (const path of ['/api/v1/artists', '/api/v1/artists/{id}', '/api/v1/albums', '/api/v1/albums/{id}', '/api/v1/tracks', '/api/v1/tracks/{id}', '/api/v1/tracks/{id}/lyrics']) {
      const operation = doc.paths[path]?.get;
      expect(operation, path).toMatchObject({ summary: expect.any(String), description: expect.any(String), tags: ['catalog'] });
      expect(Object.keys(operation.responses), path).toEqual(expect.arrayContaining(['200', '401']));
    }
  });
});
