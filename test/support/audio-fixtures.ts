import { execFile } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

const run = promisify(execFile);
const FFMPEG = '/usr/bin/ffmpeg';

export interface FixtureTags {
  title: string;
  artist: string;
  album: string;
  albumArtist?: string;
  track?: number;
  disc?: number;
  year?: number;
  genre?: string;
  compilation?: boolean;
}

/**
 * Makes small real audio files for scanner tests: one sine tone per (format, frequency) is encoded once by ffmpeg
 * into `workDir`, then every fixture is a stream copy of it with its own tags (and optionally an embedded cover),
 * which takes a few tens of ms.
 */
export function createAudioFixtures(workDir: string) {
  const bases = new Map<string, Promise<string>>();

  function base(format: 'mp3' | 'flac', frequency: number): Promise<string> {
    const key = `${format}-${frequency}`;
    let file = bases.get(key);
    if (!file) {
      const target = path.join(workDir, `base-${key}.${format}`);
      file = mkdir(workDir, { recursive: true })
        .then(() => run(FFMPEG, ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${frequency}:duration=1`, '-ac', '2', target]))
        .then(() => target);
      bases.set(key, file);
    }
    return file;
  }

  return {
    /** Writes a tagged audio file at `absPath`; `cover` is an image embedded as the front cover. */
    async track(absPath: string, tags: FixtureTags, options: { format?: 'mp3' | 'flac'; frequency?: number; cover?: string } = {}) {
      const format = options.format ?? (absPath.endsWith('.flac') ? 'flac' : 'mp3');
      const source = await base(format, options.frequency ?? 440);
      await mkdir(path.dirname(absPath), { recursive: true });
      const meta: string[] = [];
      const add = (key: string, value: string | number | undefined) => {
        if (value !== undefined) meta.push('-metadata', `${key}=${value}`);
      };
      add('title', tags.title);
      add('artist', tags.artist);
      add('album', tags.album);
      add('album_artist', tags.albumArtist);
      add('track', tags.track);
      add('disc', tags.disc);
      add('date', tags.year);
      add('genre', tags.genre);
      if (tags.compilation) add('compilation', 1);
      const inputs = ['-i', source, ...(options.cover ? ['-i', options.cover] : [])];
      const maps = options.cover
        ? ['-map', '0:a', '-map', '1', '-c', 'copy', '-disposition:v', 'attached_pic', '-metadata:s:v', 'comment=Cover (front)']
        : ['-map', '0:a', '-c', 'copy'];
      const extra = format === 'mp3' ? ['-id3v2_version', '3'] : [];
      await run(FFMPEG, ['-v', 'error', '-y', ...inputs, ...maps, ...meta, ...extra, '-f', format, absPath]);
      return absPath;
    },

    /** Copies a fixture byte for byte. */
    copy: (from: string, to: string) => mkdir(path.dirname(to), { recursive: true }).then(() => copyFile(from, to)),
  };
}

/** A small solid-colour image (JPEG or PNG) for cover tests; different colours give different bytes. */
export async function writeImage(absPath: string, colour: { r: number; g: number; b: number }, size = 64): Promise<string> {
  await mkdir(path.dirname(absPath), { recursive: true });
  const image = sharp({ create: { width: size, height: size, channels: 3, background: colour } });
  await (absPath.endsWith('.png') ? image.png() : image.jpeg()).toFile(absPath);
  return absPath;
}
