import { allowedEdits, boundedDistance, indexTerms, nameForm, searchWords, withoutArticle } from './text.js';

export type EntityType = 'artist' | 'album' | 'track';

/**
 * Where a term occurs, best first: the item's own name (artist name, album or track title), its artist, its album,
 * anything else (album artist of a track credited to someone else, genres). Two bits in a posting.
 */
export const Field = { name: 0, artist: 1, album: 2, other: 3 } as const;

export interface ArtistDoc {
  id: string;
  name: string;
}

export interface AlbumDoc {
  id: string;
  title: string;
  /** Album artist as displayed. */
  albumArtist: string;
}

/** A playable track as search needs it: its text, the filterable tags, and what makes albums and artists visible. */
export interface TrackDoc {
  id: string;
  title: string;
  /** Artist credit as displayed. */
  artist: string;
  album: string | null;
  albumId: string | null;
  albumArtist: string;
  genres: string[];
  /** Folded (`foldKey`) once here, so filters and sorts over 100 000 tracks compare plain strings. */
  genreKeys: string[];
  titleKey: string;
  artistKey: string;
  albumKey: string;
  libraryId: string;
  year: number | null;
  durationMs: number | null;
  bpm: number | null;
  /** Folded. */
  musicalKey: string | null;
  /** Folded. */
  codec: string | null;
  lossless: boolean;
  /** Epoch ms. */
  addedAt: number;
  /** Credited artists and the album's artist: the artists this track makes visible in its library. */
  artistIds: string[];
}

/**
 * A matched item before user statistics, packed in one small integer so that tens of thousands of them cost no
 * objects: `rank * SLOTS + slot`, where `rank = tier * 64 + quality`. `tier` is the ranking tier (0 exact name, 1
 * name starts with the query, 2 every word in the name, 3 worst-placed word in the artist, 4 in the album,
 * 5 elsewhere), `quality` the sum over query words of how each matched (0 whole word, 1 word prefix, 1 + edits for
 * a typo; capped at 63). Ascending order is ranking order up to the user's statistics.
 */
export type Candidate = number;

/** Slots per rank in a packed `Candidate` (2^22: four million items per type; 6 × 64 ranks stay below 2^31). */
export const SLOTS = 1 << 22;
/** The rank of every item when there is no query (browsing by filters). */
export const NO_RANK = 0;

/** A query as the index takes it: `words` its folded runs (deduplicated), `form` them joined by spaces. */
export interface ParsedQuery {
  words: string[];
  form: string;
}

export function parseQuery(q: string): ParsedQuery {
  const runs = searchWords(q);
  return { words: [...new Set(runs)], form: runs.join(' ') };
}

/** One entity type's documents: slots reused after deletes, postings per term as `slot << 2 | field`. */
class DocTable<D extends { id: string }> {
  readonly docs: (D | undefined)[] = [];
  /** `nameForm` of each slot's name, the same without a leading article, and without spaces ("ac dc" → "acdc"). */
  readonly names: string[] = [];
  readonly bareNames: string[] = [];
  readonly compactNames: string[] = [];
  /** Final tie-break key ("then name"): the name form, artists without their article ("help" before "help me"). */
  readonly sortKeys: string[] = [];
  readonly slotOf = new Map<string, number>();
  /** Per slot, the postings it added (`termId << 2 | field`), to take them out again on update or delete. */
  private readonly entries: number[][] = [];
  private readonly free: number[] = [];
  readonly postings: number[][] = [];
  private buffers = { worst: new Uint8Array(0), quality: new Uint16Array(0), best: new Uint8Array(0) };

  /**
   * Per-slot work arrays for `SearchIndex.match`, all zero; the caller zeroes what it set before returning. Reused
   * because a query would otherwise allocate (and leave to the garbage collector) a few hundred KB per type.
   */
  scratch(): { worst: Uint8Array; quality: Uint16Array; best: Uint8Array } {
    const size = this.docs.length;
    if (this.buffers.best.length < size) {
      const capacity = Math.max(size, Math.ceil(this.buffers.best.length * 1.5));
      this.buffers = { worst: new Uint8Array(capacity), quality: new Uint16Array(capacity), best: new Uint8Array(capacity) };
    }
    return this.buffers;
  }

  put(doc: D, name: string, dropArticle: boolean, terms: { termId: number; field: number }[]): number {
    this.remove(doc.id);
    const slot = this.free.pop() ?? this.docs.length;
    this.docs[slot] = doc;
    const form = nameForm(name);
    this.names[slot] = form;
    this.bareNames[slot] = withoutArticle(form);
    this.compactNames[slot] = form.replaceAll(' ', '');
    this.sortKeys[slot] = dropArticle ? this.bareNames[slot] : form;
    this.slotOf.set(doc.id, slot);
    const seen = new Set<number>();
    for (const { termId, field } of terms) {
      const entry = (termId << 2) | field;
      if (seen.has(entry)) continue;
      seen.add(entry);
      (this.postings[termId] ??= []).push((slot << 2) | field);
    }
    this.entries[slot] = [...seen];
    return slot;
  }

  remove(id: string): D | undefined {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return undefined;
    const doc = this.docs[slot];
    for (const entry of this.entries[slot]!) {
      const list = this.postings[entry >> 2]!;
      const posting = (slot << 2) | (entry & 3);
      const at = list.indexOf(posting);
      // Order inside a posting list does not matter: move the last one into the hole.
      list[at] = list[list.length - 1]!;
      list.pop();
    }
    this.entries[slot] = [];
    this.docs[slot] = undefined;
    this.slotOf.delete(id);
    this.free.push(slot);
    return doc;
  }
}

/** Library number (`SearchIndex.libraryNumber`) → number of indexed tracks there, per album or artist id. */
type LibraryCounts = Map<string, Map<number, number>>;

function count(counts: LibraryCounts, id: string, libraryId: number, delta: number): void {
  let perLibrary = counts.get(id);
  if (!perLibrary) counts.set(id, (perLibrary = new Map()));
  const next = (perLibrary.get(libraryId) ?? 0) + delta;
  if (next > 0) perLibrary.set(libraryId, next);
  else perLibrary.delete(libraryId);
  if (perLibrary.size === 0) counts.delete(id);
}

/**
 * The in-process search index of one server instance. Terms live in one dictionary (id per folded term, a sorted
 * array for prefix ranges, buckets by length for typo lookup); each entity type keeps postings per term. Albums and
 * artists are visible in a library when an indexed (playable) track there belongs to them, the catalog's rule,
 * counted here so access checks need no query. Not thread-safe by design: Node runs it on one thread.
 */
export class SearchIndex {
  private readonly termIds = new Map<string, number>();
  private readonly terms: string[] = [];
  /** Term ids ordered by term (code units), for prefix ranges by binary search. */
  private readonly sorted: number[] = [];
  private readonly byLength: number[][] = [];
  readonly artists = new DocTable<ArtistDoc>();
  readonly albums = new DocTable<AlbumDoc>();
  readonly tracks = new DocTable<TrackDoc>();
  private readonly albumLibraries: LibraryCounts = new Map();
  private readonly artistLibraries: LibraryCounts = new Map();
  /** Library ids as small numbers, so access checks over 100 000 tracks index a byte mask instead of hashing strings. */
  private readonly libraryNumbers = new Map<string, number>();
  /** Per track slot, its library's number; -1 for a free slot. */
  readonly trackLibrary: number[] = [];

  /** The number standing for `libraryId` in `trackLibrary` and library masks (assigned on first sight, never reused). */
  libraryNumber(libraryId: string): number {
    let number = this.libraryNumbers.get(libraryId);
    if (number === undefined) this.libraryNumbers.set(libraryId, (number = this.libraryNumbers.size));
    return number;
  }

  /** A mask over library numbers: 1 at each of `libraryIds` the index knows, 0 elsewhere. */
  libraryMask(libraryIds: Iterable<string>): Uint8Array {
    const mask = new Uint8Array(this.libraryNumbers.size);
    for (const id of libraryIds) {
      const number = this.libraryNumbers.get(id);
      if (number !== undefined) mask[number] = 1;
    }
    return mask;
  }

  private termId(term: string): number {
    let id = this.termIds.get(term);
    if (id !== undefined) return id;
    id = this.terms.length;
    this.terms.push(term);
    this.termIds.set(term, id);
    this.sorted.splice(this.lowerBound(term), 0, id);
    (this.byLength[term.length] ??= []).push(id);
    return id;
  }

  private lowerBound(term: string): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.terms[this.sorted[mid]!]! < term) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private fieldTerms(fields: [string | null, number][]): { termId: number; field: number }[] {
    return fields.flatMap(([value, field]) => (value ? indexTerms(value).map((term) => ({ termId: this.termId(term), field })) : []));
  }

  putArtist(doc: ArtistDoc): void {
    this.artists.put(doc, doc.name, true, this.fieldTerms([[doc.name, Field.name]]));
  }

  putAlbum(doc: AlbumDoc): void {
    this.albums.put(doc, doc.title, false, this.fieldTerms([[doc.title, Field.name], [doc.albumArtist, Field.artist]]));
  }

  putTrack(doc: TrackDoc): void {
    this.removeTrack(doc.id);
    const terms = this.fieldTerms([
      [doc.title, Field.name],
      [doc.artist, Field.artist],
      [doc.album, Field.album],
      [doc.albumArtist, doc.albumArtist === doc.artist ? Field.artist : Field.other],
      ...doc.genres.map((genre): [string, number] => [genre, Field.other]),
    ]);
    const slot = this.tracks.put(doc, doc.title, false, terms);
    const library = this.libraryNumber(doc.libraryId);
    this.trackLibrary[slot] = library;
    if (doc.albumId) count(this.albumLibraries, doc.albumId, library, 1);
    for (const artistId of doc.artistIds) count(this.artistLibraries, artistId, library, 1);
  }

  removeArtist(id: string): void {
    this.artists.remove(id);
  }

  removeAlbum(id: string): void {
    this.albums.remove(id);
  }

  removeTrack(id: string): void {
    const slot = this.tracks.slotOf.get(id);
    const doc = this.tracks.remove(id);
    if (!doc || slot === undefined) return;
    const library = this.trackLibrary[slot]!;
    this.trackLibrary[slot] = -1;
    if (doc.albumId) count(this.albumLibraries, doc.albumId, library, -1);
    for (const artistId of doc.artistIds) count(this.artistLibraries, artistId, library, -1);
  }

  /** Whether the album has a playable track in a library of `mask` (see `libraryMask`). */
  albumVisible(id: string, mask: Uint8Array): boolean {
    return visibleIn(this.albumLibraries.get(id), mask);
  }

  /** Whether the artist is credited on, or album artist of, a playable track in a library of `mask`. */
  artistVisible(id: string, mask: Uint8Array): boolean {
    return visibleIn(this.artistLibraries.get(id), mask);
  }

  table(type: EntityType): DocTable<{ id: string }> {
    return type === 'artist' ? this.artists : type === 'album' ? this.albums : this.tracks;
  }

  /** Terms a query word reaches, with the word's match quality: 0 the term itself, 1 a longer term it begins, 1 + edits a typo. */
  private reach(word: string): Map<number, number> {
    const found = new Map<number, number>();
    for (let i = this.lowerBound(word); i < this.sorted.length; i++) {
      const termId = this.sorted[i]!;
      const term = this.terms[termId]!;
      if (!term.startsWith(word)) break;
      found.set(termId, term === word ? 0 : 1);
    }
    const edits = allowedEdits(word.length);
    for (let length = word.length - edits; length <= word.length + edits; length++) {
      for (const termId of this.byLength[length] ?? []) {
        if (found.has(termId)) continue;
        const distance = boundedDistance(word, this.terms[termId]!, edits);
        if (distance <= edits) found.set(termId, 1 + distance);
      }
    }
    return found;
  }

  /**
   * Items of `type` matching every word of the query (each in some field, by exact term, prefix or typo) that
   * `accept` lets through, with their tier and quality. Words are intersected rarest first.
   */
  match(type: EntityType, query: ParsedQuery, accept: (slot: number) => boolean): Candidate[] {
    if (this.table(type).docs.length > SLOTS) throw new Error('search index: too many items to pack candidates');
    const table = this.table(type);
    const reaches = query.words.map((word) => {
      const reached = this.reach(word);
      let size = 0;
      for (const termId of reached.keys()) size += table.postings[termId]?.length ?? 0;
      return { reached, size };
    });
    reaches.sort((a, b) => a.size - b.size);
    const compactQuery = query.form.replaceAll(' ', '');
    // Typed arrays over all slots rather than maps: a common word's postings reach tens of thousands of items.
    const { worst, quality, best } = table.scratch();
    let firstReached: number[] = [];
    let reachedSlots: number[] = [];
    try {
      let matched: number[] = [];
      for (const [w, { reached }] of reaches.entries()) {
        // `best`: the best `field * 8 + quality + 1` of this word per slot; 0 where it does not match.
        reachedSlots = [];
        for (const [termId, q] of reached) {
          for (const posting of table.postings[termId] ?? []) {
            const slot = posting >> 2;
            const value = (posting & 3) * 8 + q + 1;
            const current = best[slot]!;
            if (current === 0) {
              if (w === 0 ? !accept(slot) : worst[slot] === 0) continue;
              reachedSlots.push(slot);
            } else if (value >= current) continue;
            best[slot] = value;
          }
        }
        if (w === 0) firstReached = reachedSlots;
        const next: number[] = [];
        for (const slot of w === 0 ? reachedSlots : matched) {
          const value = best[slot]!;
          if (value === 0) {
            worst[slot] = 0;
            continue;
          }
          // Field is stored + 1 so that 0 still means "not a candidate".
          worst[slot] = Math.max(worst[slot]!, ((value - 1) >> 3) + 1);
          quality[slot] = quality[slot]! + ((value - 1) & 7);
          next.push(slot);
        }
        for (const slot of reachedSlots) best[slot] = 0;
        reachedSlots = [];
        matched = next;
      }
      return matched.map((slot) => {
        const field = worst[slot]! - 1;
        const tier = field === Field.name ? nameTier(table, slot, query.form, compactQuery) : 2 + field;
        return (tier * 64 + Math.min(63, quality[slot]!)) * SLOTS + slot;
      });
    } finally {
      // Every slot the words touched was reached by the first one: zeroing those leaves the scratch clean.
      for (const slot of reachedSlots) best[slot] = 0;
      for (const slot of firstReached) {
        worst[slot] = 0;
        quality[slot] = 0;
      }
    }
  }

  /**
   * The indexed term closest to `word` (at most 1 edit up to 3 letters, 2 up to 7, 3 beyond) that occurs in an
   * item `accept` lets through, preferring fewer edits, then the more frequent term. Null when none is that close.
   */
  closestTerm(word: string, accepts: { type: EntityType; accept: (slot: number) => boolean }[]): string | null {
    const max = word.length <= 3 ? 1 : word.length <= 7 ? 2 : 3;
    let best: { term: string; distance: number; frequency: number } | null = null;
    for (let length = Math.max(1, word.length - max); length <= word.length + max; length++) {
      for (const termId of this.byLength[length] ?? []) {
        const term = this.terms[termId]!;
        const distance = boundedDistance(word, term, max);
        if (distance > max || (best && distance > best.distance)) continue;
        let frequency = 0;
        for (const { type, accept } of accepts) {
          for (const posting of this.table(type).postings[termId] ?? []) if (accept(posting >> 2)) frequency++;
        }
        if (frequency === 0) continue;
        if (!best || distance < best.distance || frequency > best.frequency || (frequency === best.frequency && term < best.term)) {
          best = { term, distance, frequency };
        }
      }
    }
    return best?.term ?? null;
  }

  /** Rough footprint: terms and posting entries (for the benchmark's report). */
  stats(): { terms: number; postings: number; artists: number; albums: number; tracks: number } {
    let postings = 0;
    for (const table of [this.artists, this.albums, this.tracks]) for (const list of table.postings) postings += list?.length ?? 0;
    return { terms: this.terms.length, postings, artists: this.artists.slotOf.size, albums: this.albums.slotOf.size, tracks: this.tracks.slotOf.size };
  }
}

function visibleIn(perLibrary: Map<number, number> | undefined, mask: Uint8Array): boolean {
  if (!perLibrary) return false;
  for (const library of perLibrary.keys()) if (mask[library] === 1) return true;
  return false;
}

/**
 * Tier of an item whose name holds every query word: 0 when the name is the query (also without a leading article,
 * or without spaces: "acdc" is "AC/DC"), 1 when it starts with it, else 2. Plain comparisons of forms kept per slot:
 * a common word makes this run for tens of thousands of items.
 */
function nameTier(table: DocTable<{ id: string }>, slot: number, form: string, compact: string): number {
  const name = table.names[slot]!;
  const bare = table.bareNames[slot]!;
  const compactName = table.compactNames[slot]!;
  if (name === form || bare === form || compactName === compact) return 0;
  if (name.startsWith(form) || bare.startsWith(form) || compactName.startsWith(compact)) return 1;
  return 2;
}
