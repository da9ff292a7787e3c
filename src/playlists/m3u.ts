/**
 * Playlist files: M3U and M3U8 as players write them (plain lists of paths, or extended M3U with `#EXTM3U` and
 * `#EXTINF`). Pure text handling; matching entries to catalog tracks is `track-matcher.ts`.
 */

/** One media line of a playlist file, with what the `#EXTINF` line before it said about it. */
export interface M3uEntry {
  /** 1-based line number in the file (for the import report). */
  line: number;
  /** The line as written, trimmed. */
  location: string;
  /** Seconds from `#EXTINF`; null when absent, zero or negative (`-1` means unknown). */
  durationSeconds: number | null;
  /** From `#EXTINF:…,Artist - Title`; null when the line has no " - ". */
  artist: string | null;
  title: string | null;
}

export interface M3uPlaylist {
  /** From `#PLAYLIST:`, when the file has one. */
  name: string | null;
  entries: M3uEntry[];
}

/**
 * How to read the bytes: `utf-8` (`.m3u8`, or a declared charset), `latin1` (a declared ISO-8859-1; read as
 * Windows-1252, its superset), or `detect` (`.m3u`, whose encoding is whatever the writing player used: UTF-8 when the
 * bytes are valid UTF-8, else Windows-1252 — Latin-1 text is practically never valid UTF-8).
 */
export type M3uEncoding = 'utf-8' | 'latin1' | 'detect';

/** Decodes a playlist file. A byte-order mark (UTF-8 or UTF-16) wins over `encoding` and is dropped. */
export function decodeM3u(bytes: Uint8Array, encoding: M3uEncoding): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (encoding === 'utf-8') return new TextDecoder('utf-8').decode(bytes);
  if (encoding === 'detect') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      // Not UTF-8: a legacy 8-bit file.
    }
  }
  return decodeWindows1252(bytes);
}

// Windows-1252 differs from ISO-8859-1 only in 0x80–0x9F (C1 controls there, "€", "‘", "™"… here). Node's
// TextDecoder decodes both labels as ISO-8859-1, so those 32 code points are mapped here (undefined bytes stay as is).
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1').replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

/** The encoding a playlist file's name implies: `.m3u8` is UTF-8 by definition, `.m3u` anything. */
export function encodingOfFileName(name: string): M3uEncoding {
  return /\.m3u8$/i.test(name) ? 'utf-8' : 'detect';
}

/** The index of the first comma outside double quotes (`#EXTINF` attributes such as `tvg-name="a,b"` may hold commas). */
function displayComma(text: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === ',' && !quoted) return i;
  }
  return -1;
}

function parseExtinf(rest: string): Pick<M3uEntry, 'durationSeconds' | 'artist' | 'title'> {
  const seconds = Number(/^\s*(-?\d+(?:\.\d+)?)/.exec(rest)?.[1]);
  const comma = displayComma(rest);
  const display = comma < 0 ? '' : rest.slice(comma + 1).trim();
  const separator = display.indexOf(' - ');
  const artist = separator > 0 ? display.slice(0, separator).trim() : null;
  const title = (separator > 0 ? display.slice(separator + 3) : display).trim();
  return { durationSeconds: seconds > 0 ? seconds : null, artist: artist || null, title: title || null };
}

/**
 * Parses M3U text: blank lines and `#` comments are skipped, `#EXTINF:seconds[ attributes],Artist - Title` describes
 * the next media line, `#PLAYLIST:` names the playlist; every other line is an entry. Line ends may be LF, CRLF or CR.
 */
export function parseM3u(text: string): M3uPlaylist {
  let name: string | null = null;
  let pending: ReturnType<typeof parseExtinf> | null = null;
  const entries: M3uEntry[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const directive = /^#([A-Z0-9-]+):(.*)$/i.exec(line);
      const tag = directive?.[1]!.toUpperCase();
      if (tag === 'EXTINF') pending = parseExtinf(directive![2]!);
      else if (tag === 'PLAYLIST') name = directive![2]!.trim() || name;
      continue;
    }
    entries.push({ line: index + 1, location: line, durationSeconds: null, artist: null, title: null, ...pending });
    pending = null;
  }
  return { name, entries };
}

/** What an entry's location points at, '/'-separated. */
export type EntryTarget =
  | { kind: 'remote' }
  | {
      kind: 'path';
      /** `/…`, a Windows drive (`C:/…`) or a UNC share (`//server/…`). */
      absolute: boolean;
      path: string;
    };

/**
 * The readings of an entry's location, most literal first. Backslashes (Windows) become '/'. A `file:` URL is
 * decoded; any other `scheme://` is a remote stream. A plain path containing `%XX` escapes is read both as written
 * and URL-decoded (a real name may contain '%'), and a path with accents both in NFC and NFD (macOS names files
 * decomposed; most writers compose).
 */
export function entryTargets(location: string): EntryTarget[] {
  if (/^file:/i.test(location)) {
    let decoded: string;
    try {
      const url = new URL(location.replace(/\\/g, '/'));
      const share = url.host && url.host !== 'localhost' ? `//${url.host}` : '';
      decoded = share + decodeURIComponent(url.pathname);
    } catch {
      return [];
    }
    // file:///C:/Music/x.mp3 has the path "/C:/Music/x.mp3".
    return withForms(decoded.replace(/^\/([a-zA-Z]:\/)/, '$1'));
  }
  if (/^[a-zA-Z][a-zA-Z0-9+.-]+:\/\//.test(location)) return [{ kind: 'remote' }];
  const written = location.replace(/\\/g, '/');
  const readings = withForms(written);
  if (/%[0-9a-fA-F]{2}/.test(written)) {
    try {
      for (const target of withForms(decodeURIComponent(written))) {
        if (!readings.some((r) => r.kind === 'path' && target.kind === 'path' && r.path === target.path)) readings.push(target);
      }
    } catch {
      // A stray '%' that is no escape: the name as written is the only reading.
    }
  }
  return readings;
}

function withForms(path: string): EntryTarget[] {
  const absolute = path.startsWith('/') || /^[a-zA-Z]:\//.test(path);
  return [...new Set([path, path.normalize('NFC'), path.normalize('NFD')])].map((p) => ({ kind: 'path', absolute, path: p }));
}

/** One track as an exported playlist lists it. */
export interface M3uExportEntry {
  path: string;
  artist: string;
  title: string;
  durationMs: number | null;
}

const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ');

/**
 * Extended M3U in UTF-8 (`.m3u8`): `#EXTM3U`, `#PLAYLIST:name`, then per entry `#EXTINF:seconds,Artist - Title`
 * (seconds rounded; -1 when unknown) and its path. A path starting with '#' or white space is written as `./path`, so
 * that it reads back as a path rather than a comment; entries whose path holds a line break cannot be written and are
 * left out.
 */
export function renderM3u8(name: string, entries: M3uExportEntry[]): string {
  const lines = ['#EXTM3U', `#PLAYLIST:${oneLine(name)}`];
  for (const entry of entries) {
    if (/[\r\n]/.test(entry.path)) continue;
    const seconds = entry.durationMs === null ? -1 : Math.round(entry.durationMs / 1000);
    lines.push(`#EXTINF:${seconds},${oneLine(entry.artist)} - ${oneLine(entry.title)}`, /^[#\s]/.test(entry.path) ? `./${entry.path}` : entry.path);
  }
  return `${lines.join('\n')}\n`;
}
