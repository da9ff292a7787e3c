import type { FileTags } from './catalog.js';
import type { Cover } from './media.js';

const STREAMINFO = 0;
const PADDING = 1;
const SEEKTABLE = 3;
const VORBIS_COMMENT = 4;
const PICTURE = 6;
const LAST_BLOCK = 0x80;
const FRONT_COVER = 3;
const BITS_PER_PIXEL = 24;
/** Colours in a palette; 0 for images that have none, like JPEG. */
const NOT_INDEXED = 0;

/** What a FLAC file contributes as an audio body: the blocks that describe the frames, and the frames. */
export interface FlacBody {
  /** STREAMINFO, then SEEKTABLE if present; `content` excludes the 4-byte block header. */
  blocks: { type: number; content: Buffer }[];
  frames: Buffer;
}

/**
 * Splits a FLAC file into its audio-describing metadata blocks and its frames, dropping tags, pictures and padding.
 * Throws when the file is not FLAC or its block chain runs past the end.
 */
export function parseFlacBody(file: Buffer): FlacBody {
  if (file.subarray(0, 4).toString('latin1') !== 'fLaC') throw new Error('not a FLAC stream');
  const blocks: FlacBody['blocks'] = [];
  let offset = 4;
  for (let last = false; !last; ) {
    if (offset + 4 > file.length) throw new Error('FLAC metadata runs past the end of the file');
    last = (file[offset] & LAST_BLOCK) !== 0;
    const type = file[offset] & 0x7f;
    const length = file.readUIntBE(offset + 1, 3);
    const content = file.subarray(offset + 4, offset + 4 + length);
    if (type === STREAMINFO || type === SEEKTABLE) blocks.push({ type, content });
    offset += 4 + length;
  }
  if (blocks[0]?.type !== STREAMINFO) throw new Error('FLAC stream does not start with STREAMINFO');
  return { blocks, frames: file.subarray(offset) };
}

/**
 * The pieces of a tagged FLAC file, in order: "fLaC", the body's blocks, a VORBIS_COMMENT with the tags, a PICTURE
 * (front cover) when given, a little PADDING flagged as the last block, then the frames.
 */
export function flacFileParts(body: FlacBody, tags: FileTags, cover: Cover | null): Buffer[] {
  const blocks = [...body.blocks, { type: VORBIS_COMMENT, content: vorbisComment(tags) }];
  if (cover) blocks.push({ type: PICTURE, content: picture(cover) });
  blocks.push({ type: PADDING, content: Buffer.alloc(512) });
  const parts: Buffer[] = [Buffer.from('fLaC', 'latin1')];
  blocks.forEach((block, i) => {
    const header = Buffer.alloc(4);
    header[0] = block.type | (i === blocks.length - 1 ? LAST_BLOCK : 0);
    header.writeUIntBE(block.content.length, 1, 3);
    parts.push(header, block.content);
  });
  parts.push(body.frames);
  return parts;
}

/** Vorbis comments are little-endian and UTF-8, unlike the rest of FLAC's metadata. */
function vorbisComment(tags: FileTags): Buffer {
  const comments = [
    `TITLE=${tags.title}`,
    `ARTIST=${tags.artist}`,
    `ALBUM=${tags.album}`,
    `ALBUMARTIST=${tags.albumArtist}`,
    `TRACKNUMBER=${tags.trackNumber}`,
    `TRACKTOTAL=${tags.trackTotal}`,
    `DISCNUMBER=${tags.discNumber}`,
    `DISCTOTAL=${tags.discTotal}`,
    `DATE=${tags.date}`,
    `GENRE=${tags.genre}`,
  ];
  if (tags.compilation) comments.push('COMPILATION=1');
  if (tags.replayGain) {
    const { track, album } = tags.replayGain;
    comments.push(
      `REPLAYGAIN_TRACK_GAIN=${track.gainDb.toFixed(2)} dB`,
      `REPLAYGAIN_TRACK_PEAK=${track.peak.toFixed(6)}`,
      `REPLAYGAIN_ALBUM_GAIN=${album.gainDb.toFixed(2)} dB`,
      `REPLAYGAIN_ALBUM_PEAK=${album.peak.toFixed(6)}`,
    );
  }
  const parts = [lengthPrefixed('reference libFLAC 1.4.2 20221022'), uint32le(comments.length), ...comments.map(lengthPrefixed)];
  return Buffer.concat(parts);
}

function picture(cover: Cover): Buffer {
  const mime = Buffer.from(cover.mime, 'latin1');
  const description = Buffer.alloc(0);
  return Buffer.concat([
    uint32be(FRONT_COVER),
    uint32be(mime.length),
    mime,
    uint32be(description.length),
    description,
    uint32be(cover.width),
    uint32be(cover.height),
    uint32be(BITS_PER_PIXEL),
    uint32be(NOT_INDEXED),
    uint32be(cover.data.length),
    cover.data,
  ]);
}

function lengthPrefixed(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([uint32le(bytes.length), bytes]);
}

function uint32be(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value, 0);
  return bytes;
}

function uint32le(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value, 0);
  return bytes;
}
