import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { TrackFileReadResult } from './track-file.js';

/**
 * SHA-256 (hex) of a whole file, read as a stream in 1 MiB chunks so memory stays flat and other requests keep
 * being served while a large file is hashed.
 */
export function sha256File(absPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const stream = createReadStream(absPath, { highWaterMark: 1024 * 1024 });
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve(hash.digest('hex')));
  });
}

export function sha256Bytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The track fingerprint: SHA-256 of the file size, the audio properties, every tag and the embedded picture's
 * length. Two files with the same fingerprint almost surely hold the same bytes, which finds a moved or renamed
 * file without re-reading it; the scanner still confirms with a full hash where that is cheap.
 */
export function trackFingerprint(size: number, result: Extract<TrackFileReadResult, { ok: true }>): string {
  return createHash('sha256')
    .update(JSON.stringify([size, result.audio, result.tags, result.picture?.data.byteLength ?? 0]))
    .digest('hex');
}

/** Broken files never match each other as moves: their fingerprint is tied to their path. */
export function brokenFingerprint(size: number, libraryId: string, relPath: string): string {
  return createHash('sha256').update(JSON.stringify(['broken', size, libraryId, relPath])).digest('hex');
}
