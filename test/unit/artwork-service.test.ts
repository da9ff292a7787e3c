import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ArtworkFiles } from '../../src/artwork/artwork-files.js';
import { originalArtworkPath, resizedArtworkPath } from '../../src/artwork/artwork-paths.js';
import type { ArtworkRepository } from '../../src/artwork/artwork-repository.js';
import { createArtworkService } from '../../src/artwork/artwork-service.js';
import type { ImageResizer } from '../../src/artwork/image-resizer.js';

const DATA = '/data';
const ID = 'c'.repeat(64);

function setup(options: { failWrites?: boolean; format?: 'jpeg' | 'png' } = {}) {
  const disk = new Map<string, Buffer>([[originalArtworkPath(DATA, ID), Buffer.from('original')]]);
  const writes: string[] = [];
  const warnings: string[] = [];
  let encodes = 0;
  const files: ArtworkFiles = {
    size: async (p) => disk.get(p)?.length ?? null,
    open: async (p) => (disk.has(p) ? { size: disk.get(p)!.length, stream: Readable.from([disk.get(p)!]) } : null),
    read: async (p) => disk.get(p) ?? null,
    writeAtomically: async (p, bytes) => {
      if (options.failWrites) throw new Error('read-only file system');
      writes.push(p);
      disk.set(p, Buffer.from(bytes));
    },
  };
  const resizer: ImageResizer = {
    resize: async (_original, maxEdge) => {
      encodes += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { bytes: Buffer.from(`resized-${maxEdge}`), format: options.format ?? 'jpeg' };
    },
  };
  const artworks: ArtworkRepository = { findById: async (id) => (id === ID ? { id, mime: 'image/png', size: 8 } : null) };
  const service = createArtworkService({ artworks, files, resizer, dataDir: DATA, log: { warn: (_d, message) => warnings.push(message) } });
  return { service, writes, warnings, disk, encodes: () => encodes };
}

describe('artwork service', () => {
  it('encodes a missing rendition once for concurrent requests, then serves it from the cache', async () => {
    const { service, writes, encodes } = setup();
    const responses = await Promise.all(Array.from({ length: 5 }, () => service.get(ID, { method: 'GET', size: 100 })));
    expect(encodes()).toBe(1);
    expect(writes).toEqual([resizedArtworkPath(DATA, ID, 100, 'jpg')]);
    for (const response of responses) expect(response.body).toEqual(Buffer.from('resized-100'));

    const cached = await service.get(ID, { method: 'GET', size: 100 });
    expect(encodes()).toBe(1);
    expect(cached.headers['content-type']).toBe('image/jpeg');
    expect(cached.body).toBeInstanceOf(Readable);
  });

  it('finds a PNG rendition in the cache', async () => {
    const { service, encodes } = setup({ format: 'png' });
    await service.get(ID, { method: 'GET', size: 64 });
    const again = await service.get(ID, { method: 'HEAD', size: 64 });
    expect(encodes()).toBe(1);
    expect(again).toMatchObject({ status: 200, body: null, headers: { 'content-type': 'image/png', 'content-length': '10' } });
  });

  it('still serves the rendition when the cache cannot be written, and warns', async () => {
    const { service, warnings, encodes } = setup({ failWrites: true });
    const response = await service.get(ID, { method: 'GET', size: 32 });
    expect(response.body).toEqual(Buffer.from('resized-32'));
    expect(warnings).toEqual(['could not cache resized artwork']);
    await service.get(ID, { method: 'GET', size: 32 });
    expect(encodes()).toBe(2);
  });

  it('answers If-None-Match without touching the rendition', async () => {
    const { service, encodes } = setup();
    const response = await service.get(ID, { method: 'GET', size: 100, ifNoneMatch: `"${ID}-100"` });
    expect(response).toMatchObject({ status: 304, body: null });
    expect(encodes()).toBe(0);
  });
});
