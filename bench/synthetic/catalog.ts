import { ArtistNamer, GENRES, albumTitle, compilationTitle, trackTitle } from './names.js';
import { Random } from './random.js';

export type AudioFormat = 'mp3' | 'flac';

/** ReplayGain pair as taggers write it: gain in dB, peak linear (1.0 = full scale). */
export interface Gain {
  gainDb: number;
  peak: number;
}

/** The tags one file carries; what a tag reader should read back. */
export interface FileTags {
  title: string;
  /** Artist credit, e.g. "Ada Hart feat. Björk". */
  artist: string;
  album: string;
  /** "Various Artists" on compilations. */
  albumArtist: string;
  trackNumber: number;
  /** Tracks on this disc. */
  trackTotal: number;
  discNumber: number;
  discTotal: number;
  year: number;
  /** "YYYY" or, on FLAC only, "YYYY-MM-DD" (ID3v2.3 TYER holds a year). */
  date: string;
  genre: string;
  compilation: boolean;
  replayGain: { track: Gain; album: Gain } | null;
}

export interface TrackSpec {
  /** Position of the track in the stream, from 0. */
  index: number;
  /** Relative, "/"-separated: `Artist/Album (Year)/NN - Title.ext`. */
  path: string;
  format: AudioFormat;
  /** Which base audio body of this format to use (an index below `bodyVariants[format]`). */
  bodyVariant: number;
  /** Position of the album in the stream, from 0; makes its cover bytes unique. */
  albumNumber: number;
  /** Which base cover image the album embeds (an index below `coverVariants`), or null for an album without art. */
  coverVariant: number | null;
  tags: FileTags;
}

export interface CatalogOptions {
  seed: number;
  /** Share of albums, 0..1, with an embedded front cover. */
  coverRatio: number;
  coverVariants: number;
  bodyVariants: Record<AudioFormat, number>;
}

/** How many artists are "releasing" at once; albums rotate among them so even a small prefix has several artists. */
const ACTIVE_ARTISTS = 10;
const VARIOUS_ARTISTS = 'Various Artists';
const LAST_YEAR = 2024;

interface ArtistState {
  name: string;
  directory: string;
  genre: string;
  albumsLeft: number;
  nextYear: number;
  albumDirectories: Set<string>;
}

/**
 * The endless, deterministic sequence of tracks for a seed, album by album. A library of N files is the first N
 * tracks; adding files later means continuing the sequence, so new paths never collide with earlier ones.
 * Each album draws the same number of random values whatever `coverRatio` is, so the ratio changes art, not names.
 */
export function* trackStream(options: CatalogOptions): Generator<TrackSpec> {
  const random = new Random(options.seed);
  const namer = new ArtistNamer(random);
  const active: ArtistState[] = [];
  const credited: string[] = [];
  const artistDirectories = new Set<string>();
  const compilationDirectories = new Set<string>();
  let index = 0;

  const newArtist = (): ArtistState => {
    let name = namer.next();
    while (artistDirectories.has(folderKey(name))) name = namer.next();
    artistDirectories.add(folderKey(name));
    credited.push(name);
    return {
      name,
      directory: safeName(name),
      genre: random.pick(GENRES),
      albumsLeft: random.int(5, 11),
      nextYear: random.int(1965, 2015),
      albumDirectories: new Set(),
    };
  };
  const otherArtist = (self: string): string => {
    const at = random.int(0, credited.length - 1);
    return credited[at] === self ? credited[(at + 1) % credited.length] : credited[at];
  };

  for (let albumNumber = 0; ; albumNumber++) {
    while (active.length < ACTIVE_ARTISTS) active.push(newArtist());
    const compilation = random.chance(0.06);
    const artist = compilation ? null : random.pick(active);
    const year = artist ? Math.min(artist.nextYear, LAST_YEAR) : random.int(1975, LAST_YEAR);
    const date = random.chance(0.3) ? `${year}-${pad(random.int(1, 12))}-${pad(random.int(1, 28))}` : String(year);
    const used = artist ? artist.albumDirectories : compilationDirectories;
    let title = compilation ? compilationTitle(random) : albumTitle(random);
    while (used.has(folderKey(`${title} (${year})`))) title = compilation ? compilationTitle(random) : albumTitle(random);
    used.add(folderKey(`${title} (${year})`));
    const directory = `${artist ? artist.directory : VARIOUS_ARTISTS}/${safeName(`${title} (${year})`)}`;
    const discTotal = !compilation && random.chance(0.08) ? 2 : 1;
    const covered = random.chance(options.coverRatio);
    const coverVariant = random.int(0, options.coverVariants - 1);
    const hasReplayGain = random.chance(0.5);
    const format: AudioFormat = random.chance(0.6) ? 'mp3' : 'flac';
    const albumTags = {
      album: title,
      albumArtist: artist ? artist.name : VARIOUS_ARTISTS,
      discTotal,
      year,
      date: format === 'mp3' ? String(year) : date,
      genre: artist ? artist.genre : random.pick(GENRES),
      compilation,
    };
    const albumGain = hasReplayGain ? gain(random) : null;
    if (artist) {
      artist.nextYear += random.int(1, 4);
      artist.albumsLeft -= 1;
      if (artist.albumsLeft === 0) active.splice(active.indexOf(artist), 1);
    }

    for (let disc = 1; disc <= discTotal; disc++) {
      const trackTotal = discTotal > 1 ? random.int(9, 13) : random.int(10, 14);
      for (let track = 1; track <= trackTotal; track++) {
        const name = trackTitle(random);
        const mainArtist = artist ? artist.name : random.pick(credited);
        const featured = random.chance(compilation ? 0.2 : 0.1);
        const credit = featured ? `${mainArtist} feat. ${otherArtist(mainArtist)}` : mainArtist;
        const trackGain = gain(random);
        const bodyVariant = random.int(0, options.bodyVariants[format] - 1);
        const prefix = discTotal > 1 ? `${disc}-${pad(track)}` : pad(track);
        const fileName = compilation ? `${prefix} - ${credit} - ${name}` : `${prefix} - ${name}`;
        yield {
          index: index++,
          path: `${directory}/${safeName(fileName)}.${format}`,
          format,
          bodyVariant,
          albumNumber,
          coverVariant: covered ? coverVariant : null,
          tags: {
            ...albumTags,
            title: name,
            artist: credit,
            trackNumber: track,
            trackTotal,
            discNumber: disc,
            replayGain: albumGain ? { track: trackGain, album: albumGain } : null,
          },
        };
      }
    }
  }
}

function gain(random: Random): Gain {
  return { gainDb: random.int(-1200, -200) / 100, peak: random.int(850000, 999999) / 1000000 };
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** Replaces what FAT/NTFS and POSIX forbid in a path segment, the way common taggers do. */
function safeName(value: string): string {
  return value.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').replace(/[. ]+$/, '');
}

/** Folder names compared as a case-insensitive file system would. */
function folderKey(value: string): string {
  return safeName(value).toLowerCase();
}
