import path from 'node:path';
import { foldKey } from '../shared/text.js';
import { entryTargets, type M3uEntry } from './m3u.js';
import type { CandidateTrack, PlaylistsRepository } from './playlists-repository.js';

/** Where entries of one playlist file may find their tracks. */
export interface MatchContext {
  /** The libraries whose tracks may match (those the playlist's owner may see), with their absolute roots. */
  libraries: { id: string; rootPath: string }[];
  /**
   * What a relative entry is relative to: the file's own folder in its library (a file found by a scan), or null
   * when entries are paths relative to a library root (an uploaded file, e.g. one exported by Omnisonic).
   */
  base: { libraryId: string; dir: string } | null;
}

/** A line of the file that names no track the owner may see. */
export interface UnmatchedEntry {
  /** 1-based line number. */
  line: number;
  /** The line as written. */
  entry: string;
  reason: string;
}

export interface MatchResult {
  /** The matched tracks in file order (a track listed twice is here twice). */
  trackIds: string[];
  unmatched: UnmatchedEntry[];
}

/** `#EXTINF` seconds are whole and rounded either way; two seconds of slack still tells different songs apart. */
const DURATION_SLACK_MS = 2000;

/** A location that names a specific library, or any of the context's libraries (`libraryId` null). */
interface Location {
  libraryId: string | null;
  path: string;
}

const escapes = (relative: string) => relative === '..' || relative.startsWith('../');

/** The library-relative location of an absolute path inside one of the libraries (never for Windows paths or shares). */
function insideLibrary(absolute: string, libraries: MatchContext['libraries']): Location | null {
  if (!absolute.startsWith('/') || absolute.startsWith('//')) return null;
  for (const library of libraries) {
    const relative = path.posix.relative(library.rootPath.split(path.sep).join('/'), path.posix.normalize(absolute));
    if (relative !== '' && !escapes(relative) && !path.posix.isAbsolute(relative)) return { libraryId: library.id, path: relative };
  }
  return null;
}

/** Where the entry's path readings point, most literal first. */
function exactLocations(entry: M3uEntry, context: MatchContext): Location[] {
  const locations: Location[] = [];
  for (const target of entryTargets(entry.location)) {
    if (target.kind !== 'path') continue;
    if (target.absolute) {
      const found = insideLibrary(target.path, context.libraries);
      if (found) locations.push(found);
      continue;
    }
    const { base } = context;
    if (!base) {
      const relative = path.posix.normalize(target.path);
      if (!escapes(relative)) locations.push({ libraryId: null, path: relative });
      continue;
    }
    const relative = path.posix.normalize(path.posix.join(base.dir, target.path));
    if (!escapes(relative)) {
      locations.push({ libraryId: base.libraryId, path: relative });
      continue;
    }
    // "../" beyond the library root: the file may point into another library.
    const root = context.libraries.find((l) => l.id === base.libraryId)?.rootPath;
    const found = root && insideLibrary(path.posix.join(root.split(path.sep).join('/'), relative), context.libraries);
    if (found) locations.push(found);
  }
  return locations;
}

/**
 * The trailing parts of the entry's paths, longest first, of at least a folder and a file name: a playlist written
 * on another machine (`C:\Users\bob\Music\Artist\Album\01.mp3`, `../Music/Artist/Album/01.mp3`) still names the
 * file by its folders inside the library.
 */
function tails(entry: M3uEntry): string[] {
  const out: string[] = [];
  for (const target of entryTargets(entry.location)) {
    if (target.kind !== 'path') continue;
    const segments = target.path.split('/').filter((s) => s !== '' && s !== '.' && s !== '..' && !/^[a-zA-Z]:$/.test(s));
    for (let i = 0; i <= segments.length - 2; i++) out.push(segments.slice(i).join('/'));
  }
  return [...new Set(out)].sort((a, b) => b.split('/').length - a.split('/').length);
}

function durationAgrees(entry: M3uEntry, track: CandidateTrack): boolean {
  if (entry.durationSeconds === null || track.durationMs === null) return true;
  return Math.abs(entry.durationSeconds * 1000 - track.durationMs) <= DURATION_SLACK_MS;
}

function artistAgrees(entry: M3uEntry, track: CandidateTrack): boolean {
  if (entry.artist === null) return true;
  const artist = foldKey(entry.artist);
  return artist === foldKey(track.artist) || artist === foldKey(track.albumArtist);
}

/** Whether what `#EXTINF` says (if anything) fits the track. */
function agrees(entry: M3uEntry, track: CandidateTrack): boolean {
  return (entry.title === null || foldKey(entry.title) === track.titleKey) && artistAgrees(entry, track) && durationAgrees(entry, track);
}

/** Best of several tracks for an entry: agreeing with `#EXTINF`, then playable, then closest in duration, then by id. */
function best(entry: M3uEntry, candidates: CandidateTrack[]): CandidateTrack {
  const gap = (t: CandidateTrack) =>
    entry.durationSeconds === null || t.durationMs === null ? 0 : Math.abs(entry.durationSeconds * 1000 - t.durationMs);
  return [...candidates].sort(
    (a, b) =>
      Number(agrees(entry, b)) - Number(agrees(entry, a)) ||
      Number(b.status === 'ok') - Number(a.status === 'ok') ||
      gap(a) - gap(b) ||
      (a.id < b.id ? -1 : 1),
  )[0]!;
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}

/**
 * Matches playlist file entries to catalog tracks, in three passes over the whole file (a few queries however long
 * it is):
 * 1. by path: absolute paths inside a library, relative paths against `context.base` (else against a library root);
 * 2. by the path's trailing folders and file name, when exactly one track (or one agreeing with `#EXTINF`) has them;
 * 3. by `#EXTINF` artist + title (folded, like the catalog's keys; artist or album artist) and duration (±2 s when
 *    both are known); a title without an artist must have a matching duration.
 * Missing tracks match too, so an exported playlist imports whole; among several, a playable one wins.
 */
export function createTrackMatcher(repository: Pick<PlaylistsRepository, 'tracksAtPaths' | 'tracksWithTitleKeys'>) {
  return async function match(entries: M3uEntry[], context: MatchContext): Promise<MatchResult> {
    const libraryIds = context.libraries.map((l) => l.id);
    const found = new Map<M3uEntry, CandidateTrack>();

    const exact = new Map(entries.map((entry) => [entry, exactLocations(entry, context)]));
    const atPath = groupBy(await repository.tracksAtPaths(libraryIds, [...new Set([...exact.values()].flat().map((l) => l.path))]), (t) => t.path);
    for (const [entry, locations] of exact) {
      for (const location of locations) {
        const candidates = (atPath.get(location.path) ?? []).filter((t) => location.libraryId === null || t.libraryId === location.libraryId);
        if (candidates.length > 0) {
          found.set(entry, best(entry, candidates));
          break;
        }
      }
    }

    const byTail = new Map(entries.filter((e) => !found.has(e)).map((entry) => [entry, tails(entry)]));
    const atTail = groupBy(await repository.tracksAtPaths(libraryIds, [...new Set([...byTail.values()].flat())]), (t) => t.path);
    for (const [entry, paths] of byTail) {
      const candidates = paths.map((p) => atTail.get(p) ?? []).find((c) => c.length > 0) ?? [];
      const agreeing = candidates.length > 1 ? candidates.filter((t) => agrees(entry, t)) : candidates;
      if (agreeing.length === 1) found.set(entry, agreeing[0]!);
    }

    const byTitle = entries.filter((e) => !found.has(e) && e.title !== null && (e.artist !== null || e.durationSeconds !== null));
    const titled = groupBy(await repository.tracksWithTitleKeys(libraryIds, [...new Set(byTitle.map((e) => foldKey(e.title!)))]), (t) => t.titleKey);
    for (const entry of byTitle) {
      const candidates = (titled.get(foldKey(entry.title!)) ?? []).filter(
        (t) => artistAgrees(entry, t) && durationAgrees(entry, t) && (entry.artist !== null || t.durationMs !== null),
      );
      if (candidates.length > 0) found.set(entry, best(entry, candidates));
    }

    const trackIds: string[] = [];
    const unmatched: UnmatchedEntry[] = [];
    for (const entry of entries) {
      const track = found.get(entry);
      if (track) trackIds.push(track.id);
      else if (entryTargets(entry.location).some((t) => t.kind === 'remote')) {
        unmatched.push({ line: entry.line, entry: entry.location, reason: 'A stream URL, not a file in a library.' });
      } else {
        unmatched.push({ line: entry.line, entry: entry.location, reason: 'No track you may see has this path, or this artist, title and duration.' });
      }
    }
    return { trackIds, unmatched };
  };
}

export type TrackMatcher = ReturnType<typeof createTrackMatcher>;
