import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/shared/ids.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { catalogFixtures, FIXTURE_EPOCH_MS, type TrackFixture } from '../support/catalog-fixtures.js';
import { describeEachDatabase } from '../support/databases.js';

/**
 * The relevance set: a fixed library and queries with the results expected first. `top` lists the names (artist
 * name, album or track title) that must open the list, in order; `absent` names that must not appear at all.
 */
interface Case {
  name: string;
  query: Record<string, string>;
  list: 'artists' | 'albums' | 'tracks';
  top: string[];
  absent?: string[];
  /** The whole list, in order (filters). */
  exactly?: string[];
}

const DAY = 86_400_000;
/** "Now" of the fixture library: tracks added at or after it count as recent. */
const RECENT = FIXTURE_EPOCH_MS + 365 * DAY;

const cases: Case[] = [
  // Exact names and articles.
  { name: 'exact artist, article dropped', query: { q: 'beatles' }, list: 'artists', top: ['The Beatles', 'Beatles Tribute Band'] },
  { name: 'exact artist with article', query: { q: 'the beatles' }, list: 'artists', top: ['The Beatles'] },
  { name: 'exact artist', query: { q: 'radiohead' }, list: 'artists', top: ['Radiohead'] },
  { name: 'exact artist, one word', query: { q: 'nirvana' }, list: 'artists', top: ['Nirvana'] },
  { name: 'exact track before prefix', query: { q: 'help' }, list: 'tracks', top: ['Help!', 'Help Me Rhonda'] },
  { name: 'exact album', query: { q: 'help' }, list: 'albums', top: ['Help!'] },
  { name: 'exact track', query: { q: 'yesterday' }, list: 'tracks', top: ['Yesterday'] },
  { name: 'exact album, two words', query: { q: 'abbey road' }, list: 'albums', top: ['Abbey Road'] },
  { name: 'exact title beats title containing it', query: { q: 'lithium' }, list: 'tracks', top: ['Lithium', 'Lithium Sunset'] },
  // Prefixes as you type.
  { name: 'prefix of a word', query: { q: 'radioh' }, list: 'artists', top: ['Radiohead', 'Radio Birdman'] },
  { name: 'whole word before prefix', query: { q: 'radio' }, list: 'artists', top: ['Radio Birdman', 'Radiohead'] },
  { name: 'prefix of the last word', query: { q: 'karma pol' }, list: 'tracks', top: ['Karma Police'] },
  { name: 'prefix of a long title', query: { q: 'smells like t' }, list: 'tracks', top: ['Smells Like Teen Spirit'] },
  { name: 'prefix with diacritics to come', query: { q: 'beyon' }, list: 'artists', top: ['Beyoncé'] },
  { name: 'prefix of an album', query: { q: 'homog' }, list: 'albums', top: ['Homogenic'] },
  { name: 'prefix of every word', query: { q: 'par andr' }, list: 'tracks', top: ['Paranoid Android'] },
  // Diacritics and letters NFKD keeps whole.
  { name: 'diacritics: beyonce', query: { q: 'beyonce' }, list: 'artists', top: ['Beyoncé'] },
  { name: 'diacritics: sigur ros', query: { q: 'sigur ros' }, list: 'artists', top: ['Sigur Rós'] },
  { name: 'diacritics: bjork', query: { q: 'bjork' }, list: 'artists', top: ['Björk'] },
  { name: 'diacritics: motorhead', query: { q: 'MOTORHEAD' }, list: 'artists', top: ['Motörhead'] },
  { name: 'diacritics: joga', query: { q: 'joga' }, list: 'tracks', top: ['Jóga'] },
  { name: 'ligature: agaetis', query: { q: 'agaetis' }, list: 'albums', top: ['Ágætis byrjun'] },
  { name: 'diacritics in the query', query: { q: 'Starálfur' }, list: 'tracks', top: ['Starálfur'] },
  // Punctuation.
  { name: 'punctuation: acdc', query: { q: 'acdc' }, list: 'artists', top: ['AC/DC'] },
  { name: 'punctuation: ac dc', query: { q: 'ac dc' }, list: 'artists', top: ['AC/DC'] },
  { name: 'punctuation: ac/dc', query: { q: 'ac/dc' }, list: 'artists', top: ['AC/DC'] },
  { name: 'punctuation: apostrophe', query: { q: 'guns n roses' }, list: 'artists', top: ["Guns N' Roses"] },
  { name: 'punctuation: title', query: { q: 'sweet child o mine' }, list: 'tracks', top: ["Sweet Child o' Mine"] },
  { name: 'punctuation: commas', query: { q: 'harder better faster stronger' }, list: 'tracks', top: ['Harder, Better, Faster, Stronger'] },
  { name: 'punctuation: ampersand', query: { q: 'simon garfunkel' }, list: 'artists', top: ['Simon & Garfunkel'] },
  // Several fields.
  { name: 'artist + title', query: { q: 'beatles help' }, list: 'tracks', top: ['Help!', 'Help Me Rhonda'] },
  { name: 'artist + title, other order', query: { q: 'lithium nirvana' }, list: 'tracks', top: ['Lithium', 'Lithium Sunset'] },
  { name: 'artist + word prefix', query: { q: 'radiohead karma' }, list: 'tracks', top: ['Karma Police'] },
  { name: 'album + title', query: { q: 'abbey road something' }, list: 'tracks', top: ['Something'] },
  { name: 'genre + title', query: { q: 'jazz so what' }, list: 'tracks', top: ['So What'] },
  { name: 'title in name ranks above artist match', query: { q: 'nirvana' }, list: 'tracks', top: ['Nirvana Dreams', 'Come as You Are'] },
  { name: 'artist ranks above album', query: { q: 'blue' }, list: 'tracks', top: ['Blue Monday', 'Azure', 'So What'] },
  // Typos.
  { name: 'typo: deletion', query: { q: 'beatls' }, list: 'artists', top: ['The Beatles'] },
  { name: 'typo: insertion', query: { q: 'nirvanna' }, list: 'artists', top: ['Nirvana'] },
  { name: 'typo: two edits in a long word', query: { q: 'radiohaed' }, list: 'artists', top: ['Radiohead'] },
  { name: 'typo: track', query: { q: 'yesterdy' }, list: 'tracks', top: ['Yesterday'] },
  { name: 'typo: album, two edits', query: { q: 'lemonaed' }, list: 'albums', top: ['Lemonade'] },
  { name: 'typo in the second word', query: { q: 'karma polise' }, list: 'tracks', top: ['Karma Police'] },
  { name: 'typo with diacritics', query: { q: 'beyonse' }, list: 'artists', top: ['Beyoncé'] },
  { name: 'no typo below four letters', query: { q: 'hwl' }, list: 'tracks', top: [], exactly: [] },
  { name: 'same title, both found', query: { q: 'intro' }, list: 'tracks', top: [], exactly: ['Intro', 'Intro'] },
  // Filters, with and without a query.
  { name: 'filter: genre', query: { genre: 'jazz' }, list: 'tracks', top: [], exactly: ['Azure', 'So What'] },
  { name: 'filter: genre, artists', query: { genre: 'Jazz' }, list: 'artists', top: [], exactly: ['Blue Notes', 'Miles Davis'] },
  { name: 'filter: year range, newest first', query: { yearFrom: '1990', yearTo: '1999', sort: 'year', types: 'track' }, list: 'tracks', top: ['Starálfur'], absent: ['Help!', 'Formation'] },
  { name: 'filter: codec', query: { codec: 'mp3' }, list: 'tracks', top: [], exactly: ['Formation', 'Hold Up'] },
  { name: 'filter: lossy', query: { lossless: 'false', sort: 'title' }, list: 'tracks', top: [], exactly: ['Formation', 'Hold Up'] },
  { name: 'filter: bpm range', query: { bpmMin: '120', bpmMax: '130' }, list: 'tracks', top: [], exactly: ['One More Time'] },
  { name: 'filter: key', query: { key: 'am' }, list: 'tracks', top: [], exactly: ['Karma Police'] },
  { name: 'filter: duration, longest first', query: { durationMin: '380', sort: 'duration' }, list: 'tracks', top: [], exactly: ['So What', 'Paranoid Android'] },
  { name: 'filter: added since', query: { addedSince: String(RECENT) }, list: 'tracks', top: [], exactly: ['Lithium Sunset'] },
  { name: 'filter with query', query: { q: 'help', yearFrom: '1965', yearTo: '1965' }, list: 'tracks', top: ['Help!'], absent: ['Help Me Rhonda'] },
  { name: 'filter: favorites', query: { favorites: 'true' }, list: 'tracks', top: [], exactly: ['Outro'] },
  { name: 'filter with query, albums', query: { q: 'beatles', genre: 'rock' }, list: 'albums', top: [], exactly: ['Abbey Road'] },
];

describeEachDatabase('search relevance', (kind) => {
  let t: TestApp;
  let headers: { authorization: string };
  /** The two "Intro" tracks, most played first. */
  let intros: string[];
  /** A Quiet Sun track without plays, for the artist tie-break test. */
  let outroOfQuietSun: string;

  beforeAll(async () => {
    t = await createTestApp(kind);
    headers = await signIn(t.app);
    const f = catalogFixtures(t.database.db);
    const tracks: Record<string, string> = {};
    const add = async (
      artist: string,
      albumTitle: string | null,
      year: number | null,
      titles: string[],
      extra: Partial<TrackFixture> = {},
    ) => {
      const album = albumTitle ? await f.album({ title: albumTitle, artist, year }) : null;
      for (const title of titles) tracks[`${artist}|${title}`] = (await f.track({ title, album, artists: [artist], year, addedAt: FIXTURE_EPOCH_MS, ...extra })).id;
    };
    await add('The Beatles', 'Help!', 1965, ['Help!', 'Yesterday', 'Ticket to Ride']);
    await add('The Beatles', 'Abbey Road', 1969, ['Come Together', 'Something', 'Here Comes the Sun'], { genres: ['Rock'] });
    await add('Beatles Tribute Band', 'Beatles Forever', 2000, ['Help Me Rhonda', 'Beatles Medley']);
    await add('Beyoncé', 'Lemonade', 2016, ['Formation', 'Hold Up'], { codec: 'MP3', container: 'MPEG', lossless: false });
    await add('Sigur Rós', 'Ágætis byrjun', 1999, ['Svefn-g-englar', 'Starálfur']);
    await add('Radiohead', 'OK Computer', 1997, ['Paranoid Android'], { durationMs: 387_000 });
    await add('Radiohead', 'OK Computer', 1997, ['Karma Police'], { musicalKey: 'Am' });
    await add('Radio Birdman', 'Radios Appear', 1977, ['New Race']);
    await add('AC/DC', 'Highway to Hell', 1979, ['Highway to Hell', 'Touch Too Much']);
    await add('Nirvana', 'Nevermind', 1991, ['Smells Like Teen Spirit', 'Come as You Are', 'Lithium']);
    await add('The Lithium Project', null, 2001, ['Nirvana Dreams']);
    await add('Björk', 'Homogenic', 1997, ['Jóga', 'Bachelorette']);
    await add('Motörhead', 'Ace of Spades', 1980, ['Ace of Spades']);
    await add('Daft Punk', 'Discovery', 2001, ['One More Time'], { bpm: 123 });
    await add('Daft Punk', 'Discovery', 2001, ['Harder, Better, Faster, Stronger'], { bpm: 140 });
    await add('Simon & Garfunkel', 'Bridge over Troubled Water', 1970, ['The Boxer']);
    await add("Guns N' Roses", 'Appetite for Destruction', 1987, ["Sweet Child o' Mine"]);
    await add('Miles Davis', 'Kind of Blue', 1959, ['So What'], { genres: ['Jazz'], durationMs: 562_000 });
    await add('Blue Notes', 'Azure', 1962, ['Azure'], { genres: ['Jazz'] });
    await add('New Order', 'Power, Corruption & Lies', 1983, ['Blue Monday']);
    await add('Quiet Sun', null, 2010, ['Intro', 'Outro']);
    await add('Loud Moon', null, 2011, ['Intro', 'Outro']);
    await add('Nirvana Tribute', null, 2024, ['Lithium Sunset'], { addedAt: RECENT + DAY });

    // The second "Intro" is played twice, the first once: plays order them. "Outro" ties on plays; favorite first.
    const admin = await t.database.db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow();
    const plays = [tracks['Loud Moon|Intro']!, tracks['Loud Moon|Intro']!, tracks['Quiet Sun|Intro']!];
    await t.database.db
      .insertInto('plays')
      .values(plays.map((trackId, i) => ({ id: newId(), userId: admin.id, trackId, playedAt: FIXTURE_EPOCH_MS + i * 1000, durationPlayedMs: 60_000, deviceId: null, recordedAt: FIXTURE_EPOCH_MS })))
      .execute();
    const favorite = await t.app.inject({ method: 'PUT', url: `/api/v1/favorites/track/${tracks['Loud Moon|Outro']}`, headers });
    expect(favorite.statusCode).toBe(204);
    // As the scanner does after writing rows: the index follows these events.
    const db = t.database.db;
    for (const [entity, table] of [['artist', 'artists'], ['album', 'albums'], ['track', 'tracks']] as const) {
      const ids = (await db.selectFrom(table).select('id').execute()).map((row) => row.id);
      t.app.omnisonic.bus.publish({ type: 'library', change: 'upsert', entity, ids });
    }
    await t.app.omnisonic.search.settled();
    intros = [tracks['Loud Moon|Intro']!, tracks['Quiet Sun|Intro']!];
    outroOfQuietSun = tracks['Quiet Sun|Outro']!;
  });
  afterAll(() => t.close());

  it.each(cases)('$name', async ({ query, list, top, absent, exactly }) => {
    const response = await t.app.inject({ url: `/api/v1/search?${new URLSearchParams(query)}`, headers });
    expect(response.statusCode, response.body).toBe(200);
    const items: { name?: string; title?: string }[] = response.json()[list];
    const names = items.map((item) => item.name ?? item.title);
    expect(names.slice(0, top.length)).toEqual(top);
    for (const name of absent ?? []) expect(names).not.toContain(name);
    if (exactly) expect(names).toEqual(exactly);
  });

  it('breaks ties by the caller’s plays, then favorites', async () => {
    const intro = (await t.app.inject({ url: '/api/v1/search?q=intro&types=track', headers })).json();
    expect(intro.tracks.map((track: { id: string }) => track.id)).toEqual(intros);
    const outro = (await t.app.inject({ url: '/api/v1/search?q=outro&types=track', headers })).json();
    expect(outro.tracks.map((track: { artist: string }) => track.artist)).toEqual(['Loud Moon', 'Quiet Sun']);
  });

  it('breaks ties between artists by the plays of all their tracks', async () => {
    const browse = async () =>
      (await t.app.inject({ url: '/api/v1/search?yearFrom=2010&yearTo=2011&types=artist', headers }))
        .json()
        .artists.map((artist: { name: string }) => artist.name);
    // Loud Moon has 2 plays (and would come first by name too); three more of another Quiet Sun track make it 4 to 2.
    expect(await browse()).toEqual(['Loud Moon', 'Quiet Sun']);
    const admin = await t.database.db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow();
    const ids = [newId(), newId(), newId()];
    await t.database.db
      .insertInto('plays')
      .values(ids.map((id, i) => ({ id, userId: admin.id, trackId: outroOfQuietSun, playedAt: FIXTURE_EPOCH_MS + 10_000 + i, durationPlayedMs: 60_000, deviceId: null, recordedAt: FIXTURE_EPOCH_MS })))
      .execute();
    try {
      expect(await browse()).toEqual(['Quiet Sun', 'Loud Moon']);
    } finally {
      await t.database.db.deleteFrom('plays').where('id', 'in', ids).execute();
    }
  });

  it('suggests the closest term when nothing matches', async () => {
    const body = (await t.app.inject({ url: '/api/v1/search?q=beetlez', headers })).json();
    expect(body).toMatchObject({ artists: [], albums: [], tracks: [], didYouMean: 'beatles' });
    const none = (await t.app.inject({ url: '/api/v1/search?q=beatles', headers })).json();
    expect(none.didYouMean).toBeUndefined();
  });

  it('pages every list with one cursor', async () => {
    const first = (await t.app.inject({ url: '/api/v1/search?q=intro&types=track&limit=1', headers })).json();
    expect(first.tracks).toHaveLength(1);
    const second = (await t.app.inject({ url: `/api/v1/search?q=intro&types=track&limit=1&cursor=${first.nextCursor}`, headers })).json();
    expect(second.tracks).toHaveLength(1);
    expect(second.tracks[0].id).not.toBe(first.tracks[0].id);
    expect(second.nextCursor).toBeNull();
    const other = await t.app.inject({ url: `/api/v1/search?q=outro&types=track&limit=1&cursor=${first.nextCursor}`, headers });
    expect(other.json().error.code).toBe('invalid_cursor');
  });

  it('rejects unknown types and sorts', async () => {
    expect((await t.app.inject({ url: '/api/v1/search?q=a&types=song', headers })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/v1/search?q=a&sort=loudness', headers })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/v1/search?q=a' })).statusCode).toBe(401);
  });
});
