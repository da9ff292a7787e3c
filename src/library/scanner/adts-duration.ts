/**
 * The length of a raw AAC (ADTS) file, which states it nowhere: every frame must be counted. music-metadata's
 * `duration: true` does that with one small read per frame (about 5 s for a 10-minute file); reading 7-byte frame
 * headers out of large blocks takes milliseconds.
 */
import type { ReadBytesAt } from './open-files.js';

const BLOCK_BYTES = 256 * 1024;
const HEADER_BYTES = 7;
const SAMPLES_PER_RAW_BLOCK = 1024;
/** ADTS sampling-frequency indices 0..12; 13..15 are reserved or "explicit", which ADTS cannot carry. */
const SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
/** How far to look for the first frame past junk after the ID3 tag. */
const MAX_SYNC_SEARCH = 64 * 1024;

function isFrameStart(bytes: Uint8Array, offset: number): boolean {
  return bytes[offset] === 0xff && (bytes[offset + 1] & 0xf6) === 0xf0;
}

/** Where the audio starts: after an ID3v2 tag (10-byte header, synchsafe size, optional 10-byte footer). */
async function audioStart(readAt: ReadBytesAt): Promise<number> {
  const header = await readAt(0, 10);
  if (header.length < 10 || String.fromCharCode(header[0], header[1], header[2]) !== 'ID3') {
    return 0;
  }
  const size = ((header[6] & 0x7f) << 21) | ((header[7] & 0x7f) << 14) | ((header[8] & 0x7f) << 7) | (header[9] & 0x7f);
  return 10 + size + ((header[5] & 0x10) !== 0 ? 10 : 0);
}

/**
 * Duration in seconds of an ADTS stream, counting 1024 samples per raw data block of every frame up to the end of
 * the file or the first broken frame. Null when no frame is found or the sample rate is not an ADTS one.
 */
export async function readAdtsDurationSeconds(readAt: ReadBytesAt, fileSize: number): Promise<number | null> {
  let offset = await audioStart(readAt);
  let block = await readAt(offset, BLOCK_BYTES);
  let blockStart = offset;
  let skipped = 0;
  while (!isFrameStart(block, offset - blockStart) && skipped < MAX_SYNC_SEARCH && offset - blockStart + HEADER_BYTES < block.length) {
    offset += 1;
    skipped += 1;
  }
  let sampleRate: number | null = null;
  let samples = 0;
  while (offset + HEADER_BYTES <= fileSize) {
    if (offset + HEADER_BYTES > blockStart + block.length) {
      block = await readAt(offset, BLOCK_BYTES);
      blockStart = offset;
      if (block.length < HEADER_BYTES) {
        break;
      }
    }
    const at = offset - blockStart;
    if (!isFrameStart(block, at)) {
      break;
    }
    const frameLength = ((block[at + 3] & 0x03) << 11) | (block[at + 4] << 3) | (block[at + 5] >> 5);
    if (frameLength < HEADER_BYTES) {
      break;
    }
    sampleRate ??= SAMPLE_RATES[(block[at + 2] >> 2) & 0x0f] ?? null;
    samples += ((block[at + 6] & 0x03) + 1) * SAMPLES_PER_RAW_BLOCK;
    offset += frameLength;
  }
  return sampleRate === null || samples === 0 ? null : samples / sampleRate;
}
