/**
 * Choosing the embedded front cover and giving it a trustworthy MIME type. Tags often declare "image/jpg", a bare
 * "PNG", nothing, or a wrong type, and a mis-parsed picture frame yields bytes that are no image at all (the corpus'
 * WMA files do, with music-metadata 11), so the bytes decide.
 */
import type { IPicture } from 'music-metadata';
import type { EmbeddedPicture } from './track-file.js';

const FRONT_COVER_TYPE = 'Cover (front)';

function startsWith(data: Uint8Array, bytes: readonly number[], offset = 0): boolean {
  return data.length >= offset + bytes.length && bytes.every((byte, index) => data[offset + index] === byte);
}

function ascii(data: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...data.subarray(offset, offset + length));
}

/** The image type from its first bytes, or null when they match no format a browser can show. */
function sniffImageMime(data: Uint8Array): string | null {
  if (startsWith(data, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (ascii(data, 0, 6) === 'GIF87a' || ascii(data, 0, 6) === 'GIF89a') return 'image/gif';
  if (ascii(data, 0, 4) === 'RIFF' && ascii(data, 8, 4) === 'WEBP') return 'image/webp';
  if (ascii(data, 0, 2) === 'BM' && data.length > 14) return 'image/bmp';
  if (startsWith(data, [0x49, 0x49, 0x2a, 0x00]) || startsWith(data, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  if (ascii(data, 4, 4) === 'ftyp') {
    const brand = ascii(data, 8, 4);
    if (brand === 'avif' || brand === 'avis') return 'image/avif';
    if (brand === 'heic' || brand === 'heix' || brand === 'mif1') return 'image/heic';
  }
  return null;
}

/** Types recognised by `sniffImageMime`: a tag claiming one of these while the bytes disagree holds no image. */
const SNIFFABLE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/bmp', 'image/tiff', 'image/avif', 'image/heic']);

const MIME_ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
  'image/x-ms-bmp': 'image/bmp',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  bmp: 'image/bmp',
};

/**
 * A declared picture type as a lower-case "image/…" MIME type: "image/jpg" → "image/jpeg", ID3v2.2's "PNG" →
 * "image/png", parameters and NUL padding dropped. Null when it is no image type.
 */
function normaliseImageMime(declared: string | null | undefined): string | null {
  const bare = (declared ?? '').split(/[\u0000;]/)[0].trim().toLowerCase();
  const mime = MIME_ALIASES[bare] ?? bare;
  return /^image\/[a-z0-9.+-]+$/.test(mime) ? mime : null;
}

function asEmbeddedPicture(picture: IPicture): EmbeddedPicture | null {
  const data = picture.data;
  if (!(data instanceof Uint8Array) || data.length === 0) {
    return null;
  }
  const sniffed = sniffImageMime(data);
  if (sniffed !== null) {
    return { data, mime: sniffed };
  }
  const declared = normaliseImageMime(picture.format);
  return declared !== null && !SNIFFABLE.has(declared) ? { data, mime: declared } : null;
}

/**
 * The front cover: the first picture typed "Cover (front)", else the first picture (APE, iTunes and Matroska
 * pictures carry no type). Pictures whose bytes are not an image are skipped in favour of the next one.
 * Returns null when the file has no usable picture.
 */
export function pickFrontCover(pictures: readonly IPicture[] | null | undefined): EmbeddedPicture | null {
  const all = pictures ?? [];
  const ordered = [...all.filter((picture) => picture.type === FRONT_COVER_TYPE), ...all.filter((picture) => picture.type !== FRONT_COVER_TYPE)];
  for (const picture of ordered) {
    const embedded = asEmbeddedPicture(picture);
    if (embedded !== null) {
      return embedded;
    }
  }
  return null;
}
