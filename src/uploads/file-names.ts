import path from 'node:path';

/** Longest file or folder name the upload library gets, in UTF-8 bytes (file systems allow 255). */
const MAX_SEGMENT_BYTES = 120;

function capBytes(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    out += char;
    bytes += size;
  }
  return out;
}

/**
 * One clean path segment from untrusted text (tags or a client's file name): Unicode NFC; control characters
 * (NUL included) removed; path separators and characters Windows forbids replaced by "_"; whitespace collapsed;
 * leading dots and trailing dots/spaces dropped (no hidden files, no `..`); at most 120 UTF-8 bytes. `fallback` when
 * nothing is left.
 */
export function safeSegment(raw: string, fallback: string, maxBytes = MAX_SEGMENT_BYTES): string {
  let text = raw
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g, '')
    .replace(/[/\\:*?"<>|]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  text = capBytes(text, maxBytes).replace(/[. ]+$/, '');
  return text === '' ? fallback : text;
}

/** The name part of a client's file name without folders or extension, made safe (`safeSegment`). */
export function safeStem(fileName: string): string {
  const base = fileName.split(/[/\\]/).pop() ?? '';
  const ext = path.posix.extname(base);
  return safeSegment(ext && ext.length < base.length ? base.slice(0, -ext.length) : base, 'upload');
}

/** What a track's place in the upload library is derived from. */
export interface TargetNameInput {
  albumArtist: string;
  album: string;
  title: string;
  trackNumber: number | null;
  discNumber: number | null;
  discTotal: number | null;
  ext: string;
}

/**
 * The relative path of an uploaded track in its upload library, '/'-separated: `Album Artist/Album/NN - Title.ext`
 * ("D-NN - Title" on multi-disc albums, no number when untagged). Every segment goes through `safeSegment`, so the
 * result never leaves the library root.
 */
export function targetPath(input: TargetNameInput): { dir: string; stem: string; ext: string } {
  const artist = safeSegment(input.albumArtist, 'Unknown Artist');
  const album = safeSegment(input.album, 'Unknown Album');
  const number =
    input.trackNumber && input.trackNumber > 0
      ? `${input.discNumber && (input.discTotal ?? 0) > 1 ? `${input.discNumber}-` : ''}${String(input.trackNumber).padStart(2, '0')} - `
      : '';
  const stem = safeSegment(`${number}${input.title}`, 'Untitled');
  return { dir: `${artist}/${album}`, stem, ext: input.ext };
}

/** The `n`-th candidate name: `stem.ext`, then `stem (2).ext`, `stem (3).ext`, … */
export function candidateName(stem: string, ext: string, n: number): string {
  return n <= 1 ? `${stem}.${ext}` : `${stem} (${n}).${ext}`;
}
