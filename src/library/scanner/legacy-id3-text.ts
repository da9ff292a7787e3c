/**
 * Exact text of ID3v2.2/2.3 artist frames. ID3v2.3 once named "/" as the separator of several artists, so
 * music-metadata splits TPE1/TPE2 (and v2.2 TP1/TP2) on "/", turning "AC/DC" into "AC" and "DC" and
 * "Their / They're / There" into three artists. The library rule is never to split a single value on "/", and
 * the parser's trimmed pieces cannot be joined back exactly, so the frame is read again from the file.
 * Only the tag at the start of the file is read (MP3, FLAC with a leading ID3 tag); only NUL separates values.
 */
import type { IAudioMetadata } from 'music-metadata';
import type { ReadBytesAt } from './open-files.js';
import { cleanTextList } from './tag-text.js';

const HEADER_LENGTH = 10;
const UNSYNCHRONISATION = 0x80;
const V22_COMPRESSION = 0x40;
const V23_EXTENDED_HEADER = 0x40;
const V23_FRAME_COMPRESSED = 0x80;
const V23_FRAME_ENCRYPTED = 0x40;
const V23_FRAME_GROUPED = 0x20;
/** Larger tags are pictures mostly; giving up on them only costs the exact spelling of a slash. */
const MAX_TAG_BYTES = 4 * 1024 * 1024;

function synchsafe(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] & 0x7f) << 21) | ((bytes[offset + 1] & 0x7f) << 14) | ((bytes[offset + 2] & 0x7f) << 7) | (bytes[offset + 3] & 0x7f);
}

/** Undoes ID3 unsynchronisation: every 0xFF 0x00 pair stands for 0xFF. */
function resynchronise(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let length = 0;
  for (let index = 0; index < bytes.length; index += 1) {
    out[length] = bytes[index];
    length += 1;
    if (bytes[index] === 0xff && bytes[index + 1] === 0x00) {
      index += 1;
    }
  }
  return out.subarray(0, length);
}

function decodeText(frame: Uint8Array): string {
  const body = frame.subarray(1);
  switch (frame[0]) {
    case 0:
      return new TextDecoder('latin1').decode(body);
    case 1: {
      const bigEndian = body[0] === 0xfe && body[1] === 0xff;
      const even = body.subarray(0, body.length - (body.length % 2));
      return new TextDecoder(bigEndian ? 'utf-16be' : 'utf-16le').decode(even).replace(/\ufeff/g, '');
    }
    case 2:
      return new TextDecoder('utf-16be').decode(body.subarray(0, body.length - (body.length % 2)));
    default:
      return new TextDecoder('utf-8').decode(body);
  }
}

/**
 * The values of the given text frames (e.g. ["TPE1", "TPE2"] or v2.2's ["TP1", "TP2"]) of the ID3v2.2/2.3 tag at
 * the start of the file, split on NUL only and trimmed. Null when there is no such tag or it cannot be walked.
 */
async function readLegacyId3TextFrames(readAt: ReadBytesAt, frameIds: readonly string[]): Promise<Map<string, string[]> | null> {
  const header = await readAt(0, HEADER_LENGTH);
  if (header.length < HEADER_LENGTH || String.fromCharCode(header[0], header[1], header[2]) !== 'ID3') {
    return null;
  }
  const major = header[3];
  const flags = header[5];
  const size = synchsafe(header, 6);
  if ((major !== 2 && major !== 3) || size > MAX_TAG_BYTES || (major === 2 && (flags & V22_COMPRESSION) !== 0)) {
    return null;
  }
  let tag = await readAt(HEADER_LENGTH, size);
  if ((flags & UNSYNCHRONISATION) !== 0) {
    tag = resynchronise(tag);
  }
  const view = new DataView(tag.buffer, tag.byteOffset, tag.byteLength);
  const idLength = major === 2 ? 3 : 4;
  const frameHeaderLength = major === 2 ? 6 : 10;
  let offset = major === 3 && (flags & V23_EXTENDED_HEADER) !== 0 && tag.length >= 4 ? 4 + view.getUint32(0) : 0;
  const values = new Map<string, string[]>();
  while (offset + frameHeaderLength <= tag.length) {
    const id = String.fromCharCode(...tag.subarray(offset, offset + idLength));
    if (!/^[A-Z0-9]+$/.test(id)) {
      break;
    }
    const frameSize = major === 2 ? (tag[offset + 3] << 16) | (tag[offset + 4] << 8) | tag[offset + 5] : view.getUint32(offset + 4);
    const frameFlags = major === 2 ? 0 : tag[offset + 9];
    const start = offset + frameHeaderLength;
    if (start + frameSize > tag.length) {
      break;
    }
    if (frameIds.includes(id) && (frameFlags & (V23_FRAME_COMPRESSED | V23_FRAME_ENCRYPTED)) === 0 && frameSize > 1) {
      const data = tag.subarray(start + ((frameFlags & V23_FRAME_GROUPED) !== 0 ? 1 : 0), start + frameSize);
      const texts = decodeText(data)
        .split('\u0000')
        .map((text) => text.trim())
        .filter((text) => text !== '');
      values.set(id, [...(values.get(id) ?? []), ...texts]);
    }
    offset = start + frameSize;
  }
  return values;
}

/** An artist field whose value music-metadata split on "/": its pieces as parsed, and the values as stored. */
export interface RestoredArtistFrame {
  pieces: string[];
  values: string[];
}

export interface RestoredArtistFrames {
  artist: RestoredArtistFrame | null;
  albumArtist: RestoredArtistFrame | null;
}

const ARTIST_FRAMES = [
  { tagType: 'ID3v2.3', artist: 'TPE1', albumArtist: 'TPE2' },
  { tagType: 'ID3v2.2', artist: 'TP1', albumArtist: 'TP2' },
] as const;

/** music-metadata warns when an ID3v2.2/2.3 frame separates values with NUL, which those versions do not define. */
function usedNulSeparators(metadata: IAudioMetadata, frameId: string): boolean {
  return metadata.quality.warnings.some((warning) => warning.message.includes(` ${frameId} uses non standard null-separator`));
}

/**
 * Finds ID3v2.2/2.3 artist frames that the parser split on "/" and reads their stored values. A frame counts as
 * split when it yielded several values without the parser's warning about NUL separators. Costs nothing for files
 * without such a frame; otherwise one read of the tag. When the tag cannot be read again (an ID3 chunk inside
 * WAV or AIFF), the pieces are joined with " / ", which restores the common spelling.
 */
export async function restoreSlashSplitArtists(metadata: IAudioMetadata, readAt: ReadBytesAt): Promise<RestoredArtistFrames> {
  const restored: RestoredArtistFrames = { artist: null, albumArtist: null };
  const split = new Map<keyof RestoredArtistFrames, { frameId: string; pieces: string[] }>();
  for (const frames of ARTIST_FRAMES) {
    const tags = metadata.native[frames.tagType] ?? [];
    for (const field of ['artist', 'albumArtist'] as const) {
      const frameId = frames[field];
      const pieces = cleanTextList(tags.filter((tag) => tag.id === frameId).map((tag) => tag.value));
      if (pieces.length > 1 && !split.has(field) && !usedNulSeparators(metadata, frameId)) {
        split.set(field, { frameId, pieces });
      }
    }
  }
  if (split.size === 0) {
    return restored;
  }
  const frameIds = [...split.values()].map((frame) => frame.frameId);
  const stored = await readLegacyId3TextFrames(readAt, frameIds).catch(() => null);
  for (const [field, { frameId, pieces }] of split) {
    const values = cleanTextList(stored?.get(frameId));
    restored[field] = { pieces, values: values.length > 0 ? values : [pieces.join(' / ')] };
  }
  return restored;
}
