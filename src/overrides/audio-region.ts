import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

/** The formats whose tags `write-tags` can write. */
export type TagFormat = 'mp3' | 'flac';

/** Bytes `start` (inclusive) to `end` (exclusive) of a file. */
export interface ByteRange {
  start: number;
  end: number;
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

function synchsafe(bytes: Buffer, offset: number): number {
  return ((bytes[offset] & 0x7f) << 21) | ((bytes[offset + 1] & 0x7f) << 14) | ((bytes[offset + 2] & 0x7f) << 7) | (bytes[offset + 3] & 0x7f);
}

/** The offset after the ID3v2 tags (header, body, optional footer) that start at `offset`. */
async function afterId3v2(handle: FileHandle, offset: number): Promise<number> {
  for (;;) {
    const header = await readAt(handle, offset, 10);
    if (header.length < 10 || header.toString('latin1', 0, 3) !== 'ID3') return offset;
    offset += 10 + synchsafe(header, 6) + (header[5] & 0x10 ? 10 : 0);
  }
}

/** Where the tags at the end of a file (ID3v1, APEv2, an appended ID3v2 with footer) begin; `end` when there are none. */
async function beforeTrailingTags(handle: FileHandle, start: number, end: number): Promise<number> {
  for (;;) {
    if (end - 128 >= start && (await readAt(handle, end - 128, 3)).toString('latin1') === 'TAG') {
      end -= 128;
      continue;
    }
    if (end - 32 >= start) {
      const footer = await readAt(handle, end - 32, 32);
      if (footer.toString('latin1', 0, 8) === 'APETAGEX') {
        // The size counts items and footer; a header, when flagged, comes on top.
        end -= footer.readUInt32LE(12) + (footer.readUInt32LE(20) & 0x80000000 ? 32 : 0);
        continue;
      }
    }
    if (end - 10 >= start) {
      const footer = await readAt(handle, end - 10, 10);
      if (footer.toString('latin1', 0, 3) === '3DI') {
        end -= 20 + synchsafe(footer, 6);
        continue;
      }
    }
    return end;
  }
}

/**
 * The byte ranges that hold a file's audio, which a tag write must leave unchanged: for MP3 the MPEG frames (Xing/LAME
 * header included) between the ID3v2 tag and the ID3v1/APE tags; for FLAC the STREAMINFO block and every byte
 * after the last metadata block. Throws when the file does not have the structure of its format.
 */
export async function audioRanges(handle: FileHandle, format: TagFormat): Promise<ByteRange[]> {
  const size = (await handle.stat()).size;
  const start = await afterId3v2(handle, 0);
  if (format === 'mp3') {
    const end = await beforeTrailingTags(handle, start, size);
    if (end <= start) throw new Error('no MPEG frames');
    return [{ start, end }];
  }
  if ((await readAt(handle, start, 4)).toString('latin1') !== 'fLaC') throw new Error('no FLAC stream marker');
  let offset = start + 4;
  let streamInfo: ByteRange | null = null;
  for (;;) {
    const header = await readAt(handle, offset, 4);
    if (header.length < 4) throw new Error('truncated FLAC metadata');
    const length = header.readUIntBE(1, 3);
    if ((header[0] & 0x7f) === 0) streamInfo = { start: offset + 4, end: offset + 4 + length };
    offset += 4 + length;
    if (header[0] & 0x80) break;
  }
  if (!streamInfo) throw new Error('no FLAC STREAMINFO block');
  const end = await beforeTrailingTags(handle, offset, size);
  if (end <= offset) throw new Error('no FLAC frames');
  return [streamInfo, { start: offset, end }];
}

/** SHA-256 (hex) of a file's audio ranges (see `audioRanges`), read in 1 MiB pieces. */
export async function audioDigest(absPath: string, format: TagFormat): Promise<string> {
  const handle = await open(absPath, 'r');
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.alloc(1024 * 1024);
    for (const range of await audioRanges(handle, format)) {
      for (let position = range.start; position < range.end; ) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, range.end - position), position);
        if (bytesRead === 0) throw new Error('file shorter than its structure says');
        hash.update(buffer.subarray(0, bytesRead));
        position += bytesRead;
      }
    }
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}
