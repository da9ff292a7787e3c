/**
 * The length of an Ogg file from its last page. music-metadata without `duration: true` stops after the header
 * pages of larger Ogg files and reports no duration; with it, it reads every page of the file. The last page's
 * granule position gives the same answer from one read at the end of the file, as other players do.
 */
import type { ReadBytesAt } from './open-files.js';

interface AudioStream {
  serial: number;
  /** Granule positions count samples at this rate (48 kHz for Opus whatever the input rate). */
  granuleRate: number;
  /** Samples at the start that decoders drop (Opus pre-skip). */
  preSkip: number;
}

const PAGE_HEADER_LENGTH = 27;
const BEGINNING_OF_STREAM = 0x02;
const HEAD_BYTES = 64 * 1024;
/** A page is at most 27 + 255 + 255 × 255 bytes, so the last page starts within this distance of the end. */
const FIRST_TAIL_BYTES = 66 * 1024;
/** Interleaved video can push the audio's last page further back; look that far at most. */
const MAX_TAIL_BYTES = 1024 * 1024;

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

function isPageStart(bytes: Uint8Array, offset: number): boolean {
  return offset + PAGE_HEADER_LENGTH <= bytes.length && ascii(bytes, offset, 4) === 'OggS' && bytes[offset + 4] === 0;
}

function audioStreamOf(serial: number, packet: Uint8Array): AudioStream | null {
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  if (packet.length >= 16 && packet[0] === 1 && ascii(packet, 1, 6) === 'vorbis') {
    return { serial, granuleRate: view.getUint32(12, true), preSkip: 0 };
  }
  if (packet.length >= 12 && ascii(packet, 0, 8) === 'OpusHead') {
    return { serial, granuleRate: 48_000, preSkip: view.getUint16(10, true) };
  }
  if (packet.length >= 30 && packet[0] === 0x7f && ascii(packet, 1, 4) === 'FLAC') {
    // STREAMINFO follows the 13-byte mapping header and a 4-byte block header; the rate is its bits 80..99.
    return { serial, granuleRate: (packet[27] << 12) | (packet[28] << 4) | (packet[29] >> 4), preSkip: 0 };
  }
  if (packet.length >= 40 && ascii(packet, 0, 8) === 'Speex   ') {
    return { serial, granuleRate: view.getInt32(36, true), preSkip: 0 };
  }
  return null;
}

/** The first audio stream among the beginning-of-stream pages, which all come before any data page. */
function findAudioStream(head: Uint8Array): AudioStream | null {
  let offset = 0;
  while (isPageStart(head, offset) && (head[offset + 5] & BEGINNING_OF_STREAM) !== 0) {
    const segmentCount = head[offset + 26];
    const payloadStart = offset + PAGE_HEADER_LENGTH + segmentCount;
    if (payloadStart > head.length) {
      return null;
    }
    let payloadLength = 0;
    for (let index = offset + PAGE_HEADER_LENGTH; index < payloadStart; index += 1) {
      payloadLength += head[index];
    }
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const stream = audioStreamOf(view.getUint32(offset + 14, true), head.subarray(payloadStart, payloadStart + payloadLength));
    if (stream !== null) {
      return stream;
    }
    offset = payloadStart + payloadLength;
  }
  return null;
}

/** Whether the page at `offset` ends within the bytes: a page cut off by a truncated file does not count. */
function isCompletePage(bytes: Uint8Array, offset: number): boolean {
  const payloadStart = offset + PAGE_HEADER_LENGTH + bytes[offset + 26];
  if (payloadStart > bytes.length) {
    return false;
  }
  let end = payloadStart;
  for (let index = offset + PAGE_HEADER_LENGTH; index < payloadStart; index += 1) {
    end += bytes[index];
  }
  return end <= bytes.length;
}

/** The granule position of the stream's last complete page that has one, scanning backwards. */
function lastGranule(tail: Uint8Array, serial: number): bigint | null {
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  for (let offset = tail.length - PAGE_HEADER_LENGTH; offset >= 0; offset -= 1) {
    if (tail[offset] !== 0x4f || !isPageStart(tail, offset) || view.getUint32(offset + 14, true) !== serial || !isCompletePage(tail, offset)) {
      continue;
    }
    const granule = view.getBigInt64(offset + 6, true);
    if (granule >= 0n) {
      return granule;
    }
  }
  return null;
}

/**
 * Duration in seconds of the first Vorbis, Opus, FLAC or Speex stream of an Ogg file, from the granule position
 * of its last page (minus the Opus pre-skip). Null when the file is not Ogg, the stream is unknown, or no page with
 * a position is found within the last MiB.
 */
export async function readOggDurationSeconds(readAt: ReadBytesAt, fileSize: number): Promise<number | null> {
  const stream = findAudioStream(await readAt(0, Math.min(fileSize, HEAD_BYTES)));
  if (stream === null || !(stream.granuleRate > 0)) {
    return null;
  }
  for (let tailBytes = FIRST_TAIL_BYTES; ; tailBytes *= 4) {
    const length = Math.min(fileSize, tailBytes, MAX_TAIL_BYTES);
    const granule = lastGranule(await readAt(fileSize - length, length), stream.serial);
    if (granule !== null) {
      const seconds = Number(granule - BigInt(stream.preSkip)) / stream.granuleRate;
      return seconds > 0 ? seconds : null;
    }
    if (length === fileSize || length === MAX_TAIL_BYTES) {
      return null;
    }
  }
}
