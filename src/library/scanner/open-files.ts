/**
 * The files one tag read has open, and random-access reads through them. Everything the reader does with a file
 * goes through here, so that closing these files stops a read that ran out of time.
 */
import type { ITokenizer } from 'strtok3';
import { BufferedFileTokenizer } from './buffered-file-tokenizer.js';

/** Reads up to `length` bytes at `position`; fewer at the end of the file. */
export type ReadBytesAt = (position: number, length: number) => Promise<Uint8Array>;

/**
 * Closing is how a timed-out read is stopped: music-metadata has no cancel option, but every parser loop reads from
 * its tokenizer, and a read from a closed file fails. Files opened after `closeAll` are closed at once.
 */
export class OpenFiles {
  private readonly tokenizers = new Set<ITokenizer>();
  private closed = false;

  /** Opens a file, see `BufferedFileTokenizer.open` for `size`. */
  async open(absolutePath: string, size?: number): Promise<ITokenizer> {
    const tokenizer = await BufferedFileTokenizer.open(absolutePath, size);
    if (this.closed) {
      await tokenizer.close().catch(() => undefined);
      throw new Error('read abandoned');
    }
    this.tokenizers.add(tokenizer);
    return tokenizer;
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    const tokenizers = [...this.tokenizers];
    this.tokenizers.clear();
    await Promise.all(tokenizers.map((tokenizer) => tokenizer.close().catch(() => undefined)));
  }
}

/** A `ReadBytesAt` over a random-access tokenizer; reads never move the tokenizer's own position. */
export function bytesReaderOf(tokenizer: ITokenizer): ReadBytesAt {
  return async (position, length) => {
    const available = Math.max(0, Math.min(length, (tokenizer.fileInfo.size ?? position + length) - position));
    const buffer = new Uint8Array(available);
    if (available === 0) {
      return buffer;
    }
    const read = await tokenizer.peekBuffer(buffer, { position, length: available, mayBeLess: true });
    return buffer.subarray(0, read);
  };
}
