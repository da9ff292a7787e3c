import { open } from 'node:fs/promises';

/** An audio format recognised from a file's first bytes: the extension the file gets and its MIME type. */
export interface SniffedType {
  ext: string;
  mime: string;
}

const HEAD_BYTES = 4096;

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return Buffer.from(bytes.subarray(offset, offset + length)).toString('latin1');
}

/** The format of audio bytes that start at `head[0]`; null when they look like nothing the server plays. */
export function sniffAudioHead(head: Uint8Array): SniffedType | null {
  if (head.length < 4) return null;
  const magic4 = ascii(head, 0, 4);
  if (magic4 === 'fLaC') return { ext: 'flac', mime: 'audio/flac' };
  if (magic4 === 'OggS') {
    const page = ascii(head, 0, Math.min(head.length, 128));
    if (page.includes('OpusHead')) return { ext: 'opus', mime: 'audio/ogg; codecs=opus' };
    if (page.includes('\x7fFLAC')) return { ext: 'oga', mime: 'audio/ogg' };
    if (page.includes('Speex')) return { ext: 'spx', mime: 'audio/ogg' };
    return { ext: 'ogg', mime: 'audio/ogg' };
  }
  if (head.length >= 12 && ascii(head, 4, 4) === 'ftyp') {
    const brand = ascii(head, 8, 4);
    if (brand === 'M4B ') return { ext: 'm4b', mime: 'audio/mp4' };
    if (brand === 'M4A ' || brand === 'M4P ') return { ext: 'm4a', mime: 'audio/mp4' };
    return { ext: 'mp4', mime: 'audio/mp4' };
  }
  if (head.length >= 12 && magic4 === 'RIFF' && ascii(head, 8, 4) === 'WAVE') return { ext: 'wav', mime: 'audio/wav' };
  if (head.length >= 12 && magic4 === 'FORM') {
    const form = ascii(head, 8, 4);
    if (form === 'AIFF') return { ext: 'aiff', mime: 'audio/aiff' };
    if (form === 'AIFC') return { ext: 'aifc', mime: 'audio/aiff' };
  }
  if (magic4 === 'MAC ') return { ext: 'ape', mime: 'audio/x-ape' };
  if (magic4 === 'wvpk') return { ext: 'wv', mime: 'audio/x-wavpack' };
  if (magic4 === 'MPCK' || ascii(head, 0, 3) === 'MP+') return { ext: 'mpc', mime: 'audio/x-musepack' };
  if (magic4 === 'DSD ') return { ext: 'dsf', mime: 'audio/x-dsf' };
  if (magic4 === 'FRM8') return { ext: 'dff', mime: 'audio/x-dff' };
  if (Buffer.from(head.subarray(0, 8)).equals(Buffer.from([0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11]))) {
    return { ext: 'wma', mime: 'audio/x-ms-wma' };
  }
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) {
    return ascii(head, 0, Math.min(head.length, 64)).includes('webm') ? { ext: 'webm', mime: 'audio/webm' } : { ext: 'mka', mime: 'audio/x-matroska' };
  }
  // MPEG audio frame sync: 11 set bits. Layer bits 00 mean ADTS (AAC); otherwise MPEG-1/2 layer I–III.
  if (head[0] === 0xff && (head[1] & 0xe0) === 0xe0) {
    const layer = (head[1] >> 1) & 0x03;
    if (layer === 0) return { ext: 'aac', mime: 'audio/aac' };
    const version = (head[1] >> 3) & 0x03;
    const bitrateIndex = head[2] >> 4;
    const rateIndex = (head[2] >> 2) & 0x03;
    if (version === 1 || bitrateIndex === 15 || rateIndex === 3) return null;
    return layer === 1 ? { ext: 'mp3', mime: 'audio/mpeg' } : layer === 2 ? { ext: 'mp2', mime: 'audio/mpeg' } : { ext: 'mp1', mime: 'audio/mpeg' };
  }
  return null;
}

/** Size of an ID3v2 tag at the start of `head` (header, body and footer), or 0 when there is none. */
function id3v2Length(head: Uint8Array): number {
  if (head.length < 10 || ascii(head, 0, 3) !== 'ID3') return 0;
  if ((head[6] | head[7] | head[8] | head[9]) & 0x80) return 0;
  const body = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9];
  const footer = head[5] & 0x10 ? 10 : 0;
  return 10 + body + footer;
}

/**
 * The audio format of a file from its bytes, never its name: magic numbers of FLAC, Ogg (Vorbis/Opus/FLAC/Speex),
 * MP4/M4A, WAVE, AIFF, APE, WavPack, Musepack, DSD, ASF/WMA, Matroska/WebM, and MPEG/ADTS frames. ID3v2 tags in
 * front (MP3s, but also some FLAC and AAC files) are skipped, several if stacked. Null for anything else.
 */
export async function sniffAudioFile(absPath: string): Promise<SniffedType | null> {
  const handle = await open(absPath, 'r');
  try {
    let offset = 0;
    for (let guard = 0; guard < 4; guard += 1) {
      const head = new Uint8Array(HEAD_BYTES);
      const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, offset);
      const bytes = head.subarray(0, bytesRead);
      const tag = id3v2Length(bytes);
      if (tag === 0) {
        // Zero padding after a tag is common before the first MPEG frame.
        let skip = 0;
        if (offset > 0) while (skip < bytes.length && bytes[skip] === 0) skip += 1;
        if (skip > 0 && skip < bytes.length) return sniffAudioHead(bytes.subarray(skip));
        return sniffAudioHead(bytes);
      }
      offset += tag;
    }
    return null;
  } finally {
    await handle.close();
  }
}
