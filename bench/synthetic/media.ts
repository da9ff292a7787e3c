import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseFlacBody, type FlacBody } from './flac.js';
import { withoutId3v2 } from './id3v2.js';

const run = promisify(execFile);
const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';

export interface Cover {
  data: Buffer;
  mime: 'image/jpeg';
  /** Pixels. */
  width: number;
  height: number;
}

export interface Mp3Body {
  /** MPEG frames only (no tag), starting with the encoder's Xing/Info frame. */
  data: Buffer;
  /** Nominal length, ms. */
  durationMs: number;
}

export interface FlacAudio {
  body: FlacBody;
  /** Nominal length, ms. */
  durationMs: number;
}

/** The few encoded pieces every synthetic file is assembled from. */
export interface BaseMedia {
  mp3: Mp3Body[];
  flac: FlacAudio[];
  covers: Cover[];
}

/** Seconds of audio per base body: short, so 20,000 files fit on disk, and unequal, so durations differ. */
const MP3_SECONDS = [3, 5, 7, 10];
const FLAC_SECONDS = [3, 4, 6, 8];
const COVER_SIZE = 500;
/** Deterministic lavfi sources (fixed seeds), from flat to busy, giving JPEGs of roughly 5 to 110 KB. */
const COVER_SOURCES = [
  `mandelbrot=s=${COVER_SIZE}x${COVER_SIZE}`,
  `mandelbrot=s=${COVER_SIZE}x${COVER_SIZE}:start_x=-0.743643887037151:start_y=0.13182590420533:start_scale=0.005,hue=h=120`,
  `testsrc2=s=${COVER_SIZE}x${COVER_SIZE}`,
  `smptehdbars=s=${COVER_SIZE}x${COVER_SIZE}`,
  `cellauto=s=125x125:seed=3:rule=110,scale=${COVER_SIZE}:${COVER_SIZE}:flags=neighbor`,
  `life=s=100x100:seed=5:mold=10,scale=${COVER_SIZE}:${COVER_SIZE}:flags=neighbor`,
];
/** Output flags that keep encoder versions and timestamps out of the bytes, so a seed always gives the same files. */
const BITEXACT = ['-map_metadata', '-1', '-fflags', '+bitexact', '-flags', '+bitexact'];

/**
 * Encodes the base audio bodies (MP3 CBR 128 kb/s and 16-bit FLAC, 44.1 kHz stereo, synthesised chords) and the
 * base cover images with two ffmpeg runs. Takes about a second; throws if ffmpeg is missing or fails.
 */
export async function makeBaseMedia(): Promise<BaseMedia> {
  const dir = await mkdtemp(join(tmpdir(), 'omnisonic-synthetic-'));
  try {
    const audio = encodeAudio(dir);
    const covers = encodeCovers(dir);
    await Promise.all([audio, covers]);
    return {
      mp3: await Promise.all(
        MP3_SECONDS.map(async (seconds, i) => ({ data: withoutId3v2(await readFile(join(dir, `body-${i}.mp3`))), durationMs: seconds * 1000 })),
      ),
      flac: await Promise.all(
        FLAC_SECONDS.map(async (seconds, i) => ({ body: parseFlacBody(await readFile(join(dir, `body-${i}.flac`))), durationMs: seconds * 1000 })),
      ),
      covers: await Promise.all(
        COVER_SOURCES.map(async (_, i) => ({
          data: await readFile(join(dir, `cover-${i}.jpg`)),
          mime: 'image/jpeg' as const,
          width: COVER_SIZE,
          height: COVER_SIZE,
        })),
      ),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The album's own copy of a base cover: the same picture with a JPEG comment naming the album, so every album's
 * art has distinct bytes (and hash) as in a real library, without running an encoder per album.
 */
export function albumCover(base: Cover, albumNumber: number): Cover {
  const data = base.data;
  const isApp0 = data[2] === 0xff && data[3] === 0xe0;
  const insertAt = isApp0 ? 4 + data.readUInt16BE(4) : 2;
  const text = Buffer.from(`Omnisonic synthetic album ${albumNumber}`, 'latin1');
  const marker = Buffer.from([0xff, 0xfe, 0, 0]);
  marker.writeUInt16BE(text.length + 2, 2);
  return { ...base, data: Buffer.concat([data.subarray(0, insertAt), marker, text, data.subarray(insertAt)]) };
}

async function encodeAudio(dir: string): Promise<void> {
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error'];
  const outputs: string[] = [];
  const bodies = [
    ...MP3_SECONDS.map((seconds, i) => ({ seconds, codec: ['-c:a', 'libmp3lame', '-b:a', '128k'], file: `body-${i}.mp3` })),
    ...FLAC_SECONDS.map((seconds, i) => ({ seconds, codec: ['-c:a', 'flac', '-sample_fmt', 's16'], file: `body-${i}.flac` })),
  ];
  bodies.forEach((body, input) => {
    args.push('-f', 'lavfi', '-i', chord(input, body.seconds));
    outputs.push('-map', `${input}:a`, '-ar', '44100', '-ac', '2', ...body.codec, ...BITEXACT);
    if (body.file.endsWith('.mp3')) outputs.push('-id3v2_version', '0', '-write_id3v1', '0');
    outputs.push(join(dir, body.file));
  });
  await run(FFMPEG, [...args, ...outputs]);
}

async function encodeCovers(dir: string): Promise<void> {
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error'];
  const outputs: string[] = [];
  COVER_SOURCES.forEach((source, input) => {
    args.push('-f', 'lavfi', '-i', source);
    outputs.push('-map', `${input}:v`, '-frames:v', '1', '-c:v', 'mjpeg', '-q:v', '5', '-pix_fmt', 'yuvj420p', ...BITEXACT);
    outputs.push('-f', 'image2', join(dir, `cover-${input}.jpg`));
  });
  await run(FFMPEG, [...args, ...outputs]);
}

/**
 * An aevalsrc source: a root and fifth on the left, a third above on the right, with a tremolo and a wobbling
 * overtone that differ per variant, so every body is distinct, non-silent and not trivially compressible.
 */
function chord(variant: number, seconds: number): string {
  const root = 196 + 23 * variant;
  const pulse = 1 + 0.25 * variant;
  const voice = (base: number): string =>
    `0.22*sin(2*PI*${base}*t)*(0.55+0.45*sin(2*PI*${pulse}*t))+0.12*sin(2*PI*${base * 1.5}*t)+0.08*sin(2*PI*${base * 2}*t+2*sin(2*PI*4*t))`;
  return `aevalsrc=exprs='${voice(root)}|${voice(root * 1.25)}':s=44100:d=${seconds}`;
}
