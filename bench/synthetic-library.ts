import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { trackStream, type AudioFormat, type FileTags, type TrackSpec } from './synthetic/catalog.js';
import { flacFileParts } from './synthetic/flac.js';
import { id3v23Tag } from './synthetic/id3v2.js';
import { albumCover, makeBaseMedia, type BaseMedia, type Cover } from './synthetic/media.js';

export type { AudioFormat, FileTags } from './synthetic/catalog.js';

export interface GenerateLibraryOptions {
  /** How many audio files to write. */
  files: number;
  /** Same seed, same options: byte-identical files at identical paths. Default 1. */
  seed?: number;
  /** Share of albums, 0..1, whose tracks embed a front cover (the same bytes on every track of the album). Default 0.7. */
  coverRatio?: number;
  /**
   * Where in the seed's endless track sequence to start, default 0. Writing `files: 200, startIndex: 20000` into a
   * library generated with `files: 20000` adds the next 200 tracks: new albums, or the rest of a partial one.
   */
  startIndex?: number;
}

export interface GeneratedFile {
  /** Relative to the library directory, "/"-separated: `Artist/Album (Year)/NN - Title.ext`. */
  path: string;
  format: AudioFormat;
  /** File size in bytes. */
  bytes: number;
  /** Nominal audio length in ms (the base body's; decoders may report a few frames more). */
  durationMs: number;
  hasCover: boolean;
  /** Exactly what the file's tags say. */
  tags: FileTags;
}

export interface GeneratedLibrary {
  dir: string;
  /** In sequence order. */
  files: GeneratedFile[];
  counts: Record<AudioFormat, number>;
  /** Sum of file sizes in bytes. */
  totalBytes: number;
  /** Distinct albums the files belong to. */
  albums: number;
}

/** Files written at once: enough to keep the disk busy while the next files' tags are built. */
const WRITE_CONCURRENCY = 16;

/**
 * Writes a deterministic synthetic music library under `dir`: ~60% MP3 (ID3v2.3) / ~40% FLAC (Vorbis comments),
 * laid out `Artist/Album (Year)/NN - Title.ext` ("D-NN" on two-disc albums, "NN - Artist - Title" on "Various
 * Artists" compilations), 10–14 tracks an album, about 8 albums an artist, some non-ASCII names, "feat." credits
 * and ReplayGain tags. Audio is real but short (3–10 s bodies encoded once by ffmpeg and shared), so files are
 * 50–400 KB rather than full-length. Refuses to overwrite: throws EEXIST if a path is already taken.
 */
export async function generateLibrary(dir: string, options: GenerateLibraryOptions): Promise<GeneratedLibrary> {
  const { files, seed = 1, coverRatio = 0.7, startIndex = 0 } = options;
  if (!Number.isInteger(files) || files < 0) throw new RangeError(`files must be a non-negative integer, got ${files}`);
  if (!Number.isInteger(startIndex) || startIndex < 0) throw new RangeError(`startIndex must be a non-negative integer, got ${startIndex}`);
  if (!(coverRatio >= 0 && coverRatio <= 1)) throw new RangeError(`coverRatio must be within 0..1, got ${coverRatio}`);

  const media = await makeBaseMedia();
  const specs = takeTracks(
    trackStream({
      seed,
      coverRatio,
      coverVariants: media.covers.length,
      bodyVariants: { mp3: media.mp3.length, flac: media.flac.length },
    }),
    startIndex,
    files,
  );
  const covers = albumCovers(specs, media);
  for (const directory of new Set(specs.map((spec) => dirname(spec.path)))) {
    await mkdir(join(dir, directory), { recursive: true });
  }

  const written: GeneratedFile[] = new Array(specs.length);
  let next = 0;
  const writer = async (): Promise<void> => {
    while (next < specs.length) {
      const position = next++;
      const spec = specs[position];
      const cover = covers.get(spec.albumNumber) ?? null;
      const { data, durationMs } = assemble(spec, cover, media);
      await writeFile(join(dir, spec.path), data, { flag: 'wx' });
      written[position] = { path: spec.path, format: spec.format, bytes: data.length, durationMs, hasCover: cover !== null, tags: spec.tags };
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, writer));

  return {
    dir,
    files: written,
    counts: {
      mp3: written.filter((file) => file.format === 'mp3').length,
      flac: written.filter((file) => file.format === 'flac').length,
    },
    totalBytes: written.reduce((sum, file) => sum + file.bytes, 0),
    albums: new Set(specs.map((spec) => spec.albumNumber)).size,
  };
}

function takeTracks(stream: Iterable<TrackSpec>, skip: number, count: number): TrackSpec[] {
  const taken: TrackSpec[] = [];
  for (const spec of stream) {
    if (taken.length === count) break;
    if (spec.index >= skip) taken.push(spec);
  }
  return taken;
}

/** One cover per covered album, built once and shared by its tracks. */
function albumCovers(specs: TrackSpec[], media: BaseMedia): Map<number, Cover> {
  const covers = new Map<number, Cover>();
  for (const spec of specs) {
    if (spec.coverVariant !== null && !covers.has(spec.albumNumber)) {
      covers.set(spec.albumNumber, albumCover(media.covers[spec.coverVariant], spec.albumNumber));
    }
  }
  return covers;
}

function assemble(spec: TrackSpec, cover: Cover | null, media: BaseMedia): { data: Buffer; durationMs: number } {
  if (spec.format === 'mp3') {
    const body = media.mp3[spec.bodyVariant];
    return { data: Buffer.concat([id3v23Tag(spec.tags, cover), body.data]), durationMs: body.durationMs };
  }
  const audio = media.flac[spec.bodyVariant];
  return { data: Buffer.concat(flacFileParts(audio.body, spec.tags, cover)), durationMs: audio.durationMs };
}
