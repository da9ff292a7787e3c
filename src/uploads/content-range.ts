/** A chunk's place in the whole upload, from `Content-Range: bytes first-last/total` (last inclusive). */
export interface ChunkRange {
  first: number;
  /** Inclusive. */
  last: number;
  total: number;
}

/**
 * Parses an upload chunk's `Content-Range`. Undefined header: null (the body is the whole file from offset 0).
 * Throws `Error` with a message for anything malformed, including the empty-chunk form "bytes star/total".
 */
export function parseChunkRange(header: string | undefined): ChunkRange | null {
  if (header === undefined) return null;
  const match = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15})$/.exec(header.trim());
  if (!match) throw new Error('Content-Range must be "bytes first-last/total".');
  const [first, last, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (last < first || last >= total) throw new Error('Content-Range must have first ≤ last < total.');
  return { first, last, total };
}
