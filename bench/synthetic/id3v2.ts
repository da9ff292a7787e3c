import type { FileTags } from './catalog.js';
import type { Cover } from './media.js';

/** Zeroed bytes after the frames, as taggers leave so that later edits need not rewrite the audio. */
const PADDING_BYTES = 1024;

/**
 * An ID3v2.3 tag (header, frames, padding) for the front of an MP3 file: TIT2, TPE1, TALB, TPE2, TRCK "n/total",
 * TPOS "n/total", TYER, TCON, TCMP on compilations, TXXX ReplayGain when present and an APIC front cover when given.
 * v2.3 rather than v2.4 because it is what most real libraries hold; its frame sizes are plain big-endian.
 */
export function id3v23Tag(tags: FileTags, cover: Cover | null): Buffer {
  const frames = [
    textFrame('TIT2', tags.title),
    textFrame('TPE1', tags.artist),
    textFrame('TALB', tags.album),
    textFrame('TPE2', tags.albumArtist),
    textFrame('TRCK', `${tags.trackNumber}/${tags.trackTotal}`),
    textFrame('TPOS', `${tags.discNumber}/${tags.discTotal}`),
    textFrame('TYER', String(tags.year)),
    textFrame('TCON', tags.genre),
  ];
  if (tags.compilation) frames.push(textFrame('TCMP', '1'));
  if (tags.replayGain) {
    const { track, album } = tags.replayGain;
    frames.push(
      userTextFrame('REPLAYGAIN_TRACK_GAIN', `${track.gainDb.toFixed(2)} dB`),
      userTextFrame('REPLAYGAIN_TRACK_PEAK', track.peak.toFixed(6)),
      userTextFrame('REPLAYGAIN_ALBUM_GAIN', `${album.gainDb.toFixed(2)} dB`),
      userTextFrame('REPLAYGAIN_ALBUM_PEAK', album.peak.toFixed(6)),
    );
  }
  if (cover) frames.push(pictureFrame(cover));
  const body = Buffer.concat([...frames, Buffer.alloc(PADDING_BYTES)]);
  const header = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0]);
  writeSyncsafe(header, 6, body.length);
  return Buffer.concat([header, body]);
}

/** Strips a leading ID3v2 tag, so a body made by any encoder starts at its first MPEG frame. */
export function withoutId3v2(file: Buffer): Buffer {
  if (file.subarray(0, 3).toString('latin1') !== 'ID3') return file;
  const footer = (file[5] & 0x10) !== 0 ? 10 : 0;
  return file.subarray(10 + footer + readSyncsafe(file, 6));
}

function frame(id: string, content: Buffer): Buffer {
  const header = Buffer.alloc(10);
  header.write(id, 0, 'latin1');
  header.writeUInt32BE(content.length, 4);
  return Buffer.concat([header, content]);
}

/** ISO-8859-1 when every character fits, else UTF-16 with BOM: ID3v2.3 knows no UTF-8. */
function textFrame(id: string, value: string): Buffer {
  if (/^[\u0000-\u00ff]*$/.test(value)) return frame(id, Buffer.concat([Buffer.from([0]), Buffer.from(value, 'latin1')]));
  return frame(id, Buffer.concat([Buffer.from([1, 0xff, 0xfe]), Buffer.from(value, 'utf16le')]));
}

/** ReplayGain descriptions and values are ASCII, so ISO-8859-1 always fits. */
function userTextFrame(description: string, value: string): Buffer {
  return frame('TXXX', Buffer.concat([Buffer.from([0]), Buffer.from(`${description}\u0000${value}`, 'latin1')]));
}

/** Encoding byte, MIME type, picture type, empty description, then the image. */
function pictureFrame(cover: Cover): Buffer {
  const latin1 = 0;
  const frontCover = 3;
  return frame(
    'APIC',
    Buffer.concat([Buffer.from([latin1]), Buffer.from(`${cover.mime}\u0000`, 'latin1'), Buffer.from([frontCover, 0]), cover.data]),
  );
}

function writeSyncsafe(target: Buffer, offset: number, value: number): void {
  for (let i = 0; i < 4; i++) target[offset + i] = (value >>> (7 * (3 - i))) & 0x7f;
}

function readSyncsafe(source: Buffer, offset: number): number {
  return ((source[offset] & 0x7f) << 21) | ((source[offset + 1] & 0x7f) << 14) | ((source[offset + 2] & 0x7f) << 7) | (source[offset + 3] & 0x7f);
}
