import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { originalArtworkPath, resizedArtworkPath } from '../../src/artwork/artwork-paths.js';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { catalogFixtures, type CatalogFixtures } from '../support/catalog-fixtures.js';
import { describeEachDatabase } from '../support/databases.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, '../shared/corpus/music-metadata-samples');

interface StoredArtwork {
  id: string;
  bytes: Buffer;
}

describeEachDatabase('artwork', (kind) => {
  let t: TestApp;
  let f: CatalogFixtures;
  let auth: { authorization: string };
  let cover: StoredArtwork;
  let transparent: StoredArtwork;
  let small: StoredArtwork;
  const url = (id: string, size?: number | string) => `/api/v1/artwork/${id}${size === undefined ? '' : `?size=${size}`}`;

  /** Stores an image as the scanner does: content-addressed file plus an `artworks` row, used by no track yet. */
  async function storeUnused(bytes: Buffer, mime: string): Promise<StoredArtwork> {
    const id = createHash('sha256').update(bytes).digest('hex');
    const file = originalArtworkPath(t.database.dataDir, id);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    const { width, height } = await sharp(bytes).metadata();
    await t.database.db
      .insertInto('artworks')
      .values({ id, mime, width: width ?? null, height: height ?? null, size: bytes.length, createdAt: Date.now() })
      .execute();
    return { id, bytes };
  }

  /** Stores an image used by a track of the default music library, which the admin sees. */
  async function store(bytes: Buffer, mime: string): Promise<StoredArtwork> {
    const artwork = await storeUnused(bytes, mime);
    await f.track({ title: `Cover ${artwork.id}`, artworkId: artwork.id });
    return artwork;
  }

  /** A JPEG whose size depends on `seed`, so each seed gives other bytes and so its own id. */
  const jpeg = (seed: number) => sharp({ create: { width: 20 + seed, height: 20, channels: 3, background: '#405a90' } }).jpeg().toBuffer();

  beforeAll(async () => {
    t = await createTestApp(kind);
    f = catalogFixtures(t.database.db);
    auth = await signIn(t.app);
    cover = await store(readFileSync(path.join(corpus, 'flac.flac.jpg')), 'image/jpeg');
    const rgba = Buffer.alloc(300 * 200 * 4);
    for (let i = 0; i < rgba.length; i += 4) rgba.set([200, 30, 30, i % 8 === 0 ? 0 : 255], i);
    transparent = await store(await sharp(rgba, { raw: { width: 300, height: 200, channels: 4 } }).png().toBuffer(), 'image/png');
    small = await store(await sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } }).png().toBuffer(), 'image/png');
  });

  afterAll(() => t.close());

  it('answers 401 without credentials', async () => {
    const response = await t.app.inject(url(cover.id));
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('unauthorized');
  });

  it('serves the original bytes with their type, a strong ETag and immutable caching', async () => {
    const response = await t.app.inject({ url: url(cover.id), headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.equals(cover.bytes)).toBe(true);
    expect(response.headers).toMatchObject({
      'content-type': 'image/jpeg',
      'content-length': String(cover.bytes.length),
      etag: `"${cover.id}"`,
      'cache-control': 'private, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
  });

  it('resizes to fit within N×N as JPEG and caches the rendition', async () => {
    const original = await sharp(cover.bytes).metadata();
    const response = await t.app.inject({ url: url(cover.id, 100), headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/jpeg');
    expect(response.headers.etag).toBe(`"${cover.id}-100"`);
    expect(response.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    const resized = await sharp(response.rawPayload).metadata();
    expect(resized.format).toBe('jpeg');
    expect(Math.max(resized.width!, resized.height!)).toBe(100);
    // Aspect ratio kept (to the pixel).
    expect(Math.abs(resized.width! / resized.height! - original.width! / original.height!)).toBeLessThan(0.05);
    const cached = resizedArtworkPath(t.database.dataDir, cover.id, 100, 'jpg');
    expect(readFileSync(cached).equals(response.rawPayload)).toBe(true);
    expect(response.headers['content-length']).toBe(String(response.rawPayload.length));
  });

  it('reuses the cached rendition instead of encoding again', async () => {
    const first = await t.app.inject({ url: url(cover.id, 64), headers: auth });
    const cached = resizedArtworkPath(t.database.dataDir, cover.id, 64, 'jpg');
    const before = statSync(cached);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await t.app.inject({ url: url(cover.id, 64), headers: auth });
    const after = statSync(cached);
    expect(second.statusCode).toBe(200);
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    // A new encode would have renamed a new file into place: another inode and mtime.
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
  });

  it('never enlarges', async () => {
    const response = await t.app.inject({ url: url(small.id, 2048), headers: auth });
    expect(response.statusCode).toBe(200);
    const { width, height } = await sharp(response.rawPayload).metadata();
    expect([width, height]).toEqual([40, 30]);
  });

  it('keeps real transparency as PNG', async () => {
    const response = await t.app.inject({ url: url(transparent.id, 150), headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    const metadata = await sharp(response.rawPayload).metadata();
    expect(metadata).toMatchObject({ format: 'png', hasAlpha: true, width: 150, height: 100 });
    expect(statSync(resizedArtworkPath(t.database.dataDir, transparent.id, 150, 'png')).isFile()).toBe(true);
  });

  it('serves concurrent requests for a missing rendition the same bytes and leaves no temp files', async () => {
    const responses = await Promise.all(Array.from({ length: 6 }, () => t.app.inject({ url: url(cover.id, 300), headers: auth })));
    for (const response of responses) {
      expect(response.statusCode).toBe(200);
      expect(response.rawPayload.equals(responses[0].rawPayload)).toBe(true);
    }
    const folder = path.dirname(resizedArtworkPath(t.database.dataDir, cover.id, 300, 'jpg'));
    expect(readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('answers If-None-Match with 304 per size', async () => {
    const original = await t.app.inject({ url: url(cover.id), headers: { ...auth, 'if-none-match': `"${cover.id}"` } });
    expect(original.statusCode).toBe(304);
    expect(original.rawPayload.length).toBe(0);
    expect(original.headers.etag).toBe(`"${cover.id}"`);
    const sized = await t.app.inject({ url: url(cover.id, 100), headers: { ...auth, 'if-none-match': `W/"${cover.id}-100"` } });
    expect(sized.statusCode).toBe(304);
    // Another size's tag does not match.
    const other = await t.app.inject({ url: url(cover.id, 200), headers: { ...auth, 'if-none-match': `"${cover.id}-100"` } });
    expect(other.statusCode).toBe(200);
  });

  it('answers HEAD with the headers only', async () => {
    const response = await t.app.inject({ method: 'HEAD', url: url(cover.id), headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.length).toBe(0);
    expect(response.headers['content-length']).toBe(String(cover.bytes.length));
  });

  it.each([
    ['an unknown id', () => 'f'.repeat(64)],
    ['an id that is not hex', () => 'not-an-artwork'],
    ['an upper-case id', () => cover.id.toUpperCase()],
    ['a too short id', () => cover.id.slice(0, 63)],
  ])('answers 404 artwork_not_found for %s', async (_name, id) => {
    for (const size of [undefined, 100]) {
      const response = await t.app.inject({ url: url(id(), size), headers: auth });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('artwork_not_found');
    }
  });

  it('answers 404 when the row exists but the file is gone, or the bytes are not an image', async () => {
    const gone = await store(await sharp({ create: { width: 20, height: 20, channels: 3, background: '#000' } }).jpeg().toBuffer(), 'image/jpeg');
    rmSync(originalArtworkPath(t.database.dataDir, gone.id));
    for (const size of [undefined, 100]) {
      const response = await t.app.inject({ url: url(gone.id, size), headers: auth });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('artwork_not_found');
    }

    const junk = Buffer.from('this is not an image at all');
    const id = createHash('sha256').update(junk).digest('hex');
    mkdirSync(path.dirname(originalArtworkPath(t.database.dataDir, id)), { recursive: true });
    writeFileSync(originalArtworkPath(t.database.dataDir, id), junk);
    await t.database.db.insertInto('artworks').values({ id, mime: 'text/html', width: null, height: null, size: junk.length, createdAt: Date.now() }).execute();
    await f.track({ title: 'Junk cover', artworkId: id });
    const resized = await t.app.inject({ url: url(id, 100), headers: auth });
    expect(resized.statusCode).toBe(404);
    expect(resized.json().error.code).toBe('artwork_not_found');
    // A recorded type that could run in a browser is never sent as such.
    const raw = await t.app.inject({ url: url(id), headers: auth });
    expect(raw.statusCode).toBe(200);
    expect(raw.headers['content-type']).toBe('application/octet-stream');
  });

  it.each(['15', '2049', '0', '-5', '1.5', 'abc', ''])('answers 400 validation_failed for size=%s', async (size) => {
    const response = await t.app.inject({ url: url(cover.id, size), headers: auth });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_failed');
  });

  it('accepts the size bounds', async () => {
    for (const size of [16, 2048]) {
      const response = await t.app.inject({ url: url(cover.id, size), headers: auth });
      expect(response.statusCode).toBe(200);
      const { width, height } = await sharp(response.rawPayload).metadata();
      expect(Math.max(width!, height!)).toBeLessThanOrEqual(size);
    }
  });

  it('a user without access to a library sees none of its artwork', async () => {
    const shared = await f.library({ name: 'Shared' });
    const hidden = await f.library({ name: 'Hidden' });
    // In the shared library: one picture on a track itself, one through the track's album.
    const onSharedTrack = await storeUnused(await jpeg(1), 'image/jpeg');
    await f.track({ title: 'Shared single', libraryId: shared.id, artworkId: onSharedTrack.id });
    const onSharedAlbum = await storeUnused(await jpeg(2), 'image/jpeg');
    await f.track({ title: 'Shared album track', libraryId: shared.id, album: await f.album({ title: 'Shared', artworkId: onSharedAlbum.id }) });
    // In the hidden library only, likewise; a missing track still makes its picture visible to whoever sees it.
    const onHiddenTrack = await storeUnused(await jpeg(3), 'image/jpeg');
    await f.track({ title: 'Hidden single', libraryId: hidden.id, artworkId: onHiddenTrack.id, status: 'missing' });
    const onHiddenAlbum = await storeUnused(await jpeg(4), 'image/jpeg');
    await f.track({ title: 'Hidden album track', libraryId: hidden.id, album: await f.album({ title: 'Hidden', artworkId: onHiddenAlbum.id }) });
    const unused = await storeUnused(await jpeg(5), 'image/jpeg');

    const member = await signIn(t.app, 'member', 'user');
    const stranger = await signIn(t.app, 'stranger', 'user');
    const memberId = (await t.app.inject({ url: '/api/v1/me', headers: member })).json().id;
    await f.grant(shared.id, memberId);

    /** Every way of asking: original, resized, HEAD, and a conditional request that would otherwise be a 304. */
    const statuses = async (headers: { authorization: string }, artwork: StoredArtwork) => {
      const answers = await Promise.all([
        t.app.inject({ url: url(artwork.id), headers }),
        t.app.inject({ url: url(artwork.id, 32), headers }),
        t.app.inject({ method: 'HEAD', url: url(artwork.id), headers }),
        t.app.inject({ url: url(artwork.id), headers: { ...headers, 'if-none-match': `"${artwork.id}"` } }),
      ]);
      for (const answer of answers) if (answer.statusCode === 404 && answer.body) expect(answer.json().error.code).toBe('artwork_not_found');
      return answers.map((answer) => answer.statusCode);
    };
    const seen = [200, 200, 200, 304];
    const unseen = [404, 404, 404, 404];

    for (const artwork of [onSharedTrack, onSharedAlbum]) expect(await statuses(member, artwork)).toEqual(seen);
    for (const artwork of [onHiddenTrack, onHiddenAlbum, unused]) expect(await statuses(member, artwork)).toEqual(unseen);
    for (const artwork of [onSharedTrack, onSharedAlbum, onHiddenTrack, onHiddenAlbum, unused, cover]) {
      expect(await statuses(stranger, artwork)).toEqual(unseen);
    }
    for (const artwork of [onSharedTrack, onSharedAlbum, onHiddenTrack, onHiddenAlbum]) expect(await statuses(auth, artwork)).toEqual(seen);
    // Used by nothing at all: nobody sees it, admins included.
    expect(await statuses(auth, unused)).toEqual(unseen);
  });
});
