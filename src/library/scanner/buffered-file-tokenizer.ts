/**
 * A strtok3 random-access tokenizer over one file that serves music-metadata's many small reads (frame headers of
 * 4–10 bytes, one token at a time) from two cached blocks of the file: its head and one block elsewhere, typically
 * the end. A tag read then costs one or two `read` calls instead of dozens; only reads the blocks cannot serve, such
 * as a picture beyond the head, go to the file. Like strtok3's own file tokenizer, it stops a parse when closed:
 * every later read fails.
 */
import { close, constants, fstat, open, read } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { AbstractTokenizer, EndOfStreamError, NotRegularFileError, type IRandomAccessFileInfo, type IRandomAccessTokenizer, type IReadChunkOptions } from 'strtok3';

/**
 * Bytes read at once from the start of a file. Enough for the headers, tags and usual cover art of every container
 * the reader meets, so most files need this read and one at the end (ID3v1, Lyrics3, APE footer); a file no bigger
 * than this is read whole, once.
 */
const HEAD_BYTES = 256 * 1024;

/**
 * Bytes read at once anywhere else (the end of the file, audio frames after a long tag). A read of this many bytes or
 * more beyond the head goes straight into the caller's buffer.
 */
const BLOCK_BYTES = 64 * 1024;

/**
 * Reads served from memory between two real I/Os before the tokenizer yields to the event loop. A healthy parse
 * stays far below it; a parser loop spinning inside the cache would otherwise starve the timer that abandons it.
 */
const CACHED_READS_PER_YIELD = 4096;

/** Spare block buffers kept per size: the scanner has 8 reads in flight. */
const MAX_SPARE_BUFFERS = 8;

/**
 * Block buffers of closed tokenizers, by size, for the next ones. A scan opens thousands of files, a few at a time:
 * reusing buffers spares allocating and zero-filling 320 KiB per file, and keeps the C heap from fragmenting into
 * resident memory that is never given back.
 */
const spareBuffers = new Map<number, Uint8Array[]>();

interface Block {
  /** Offset of `bytes[0]` in the file. */
  start: number;
  /** File bytes from `start`; shorter than asked for only at the end of the file. */
  bytes: Uint8Array;
  /** The whole buffer `bytes` lies in, returned to `spareBuffers` on close. */
  buffer: Uint8Array;
}

/** `fs` calls in their callback form: a scan makes several per file, and these cost less CPU than `fs.promises`. */
function callback<T>(run: (done: (error: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));
}

export class BufferedFileTokenizer extends AbstractTokenizer implements IRandomAccessTokenizer {
  fileInfo: IRandomAccessFileInfo;
  private readonly fd: number;
  /** File bytes [0, HEAD_BYTES), once read. */
  private head: Block | null = null;
  /** The last BLOCK_BYTES-sized block read beyond the head. */
  private window: Block | null = null;
  /** End of the file as a short read found it, or null while no read has reached it. */
  private endOfFile: number | null = null;
  private cachedReads = 0;
  private closed = false;
  /** Reads in flight: the descriptor is closed only once they have returned, so it is never reused under them. */
  private reading = 0;
  private onIdle: (() => void) | null = null;

  /**
   * Opens a file for reading. `size` is its size as the caller's own stat of it just found (a regular file), which
   * spares a stat; without it the file is stat'ed and anything but a regular file (a directory, FIFO or device) is
   * refused with strtok3's `NotRegularFileError`. O_NONBLOCK keeps a FIFO from blocking the open.
   */
  static async open(absolutePath: string, size?: number): Promise<BufferedFileTokenizer> {
    const fd = await callback<number>((done) => open(absolutePath, constants.O_RDONLY | constants.O_NONBLOCK, done));
    if (size !== undefined) return new BufferedFileTokenizer(fd, { path: absolutePath, size });
    try {
      const stats = await callback<{ size: number; isFile(): boolean }>((done) => fstat(fd, done));
      if (!stats.isFile()) throw new NotRegularFileError(absolutePath);
      return new BufferedFileTokenizer(fd, { path: absolutePath, size: stats.size });
    } catch (error) {
      await callback<void>((done) => close(fd, (closeError) => done(closeError, undefined)));
      throw error;
    }
  }

  private constructor(fd: number, fileInfo: IRandomAccessFileInfo) {
    super();
    this.fd = fd;
    this.fileInfo = fileInfo;
  }

  readBuffer(target: Uint8Array, options?: IReadChunkOptions): Promise<number> {
    try {
      const { position, length, mayBeLess } = this.normalizeOptions(target, options);
      this.position = position;
      if (this.readCached(target, position, length)) {
        this.position += length;
        return Promise.resolve(length);
      }
      return this.readAt(target, position, length).then((read) => {
        this.position += read;
        if (!mayBeLess && read < length) throw new EndOfStreamError();
        return read;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  peekBuffer(target: Uint8Array, options?: IReadChunkOptions): Promise<number> {
    try {
      const { position, length, mayBeLess } = this.normalizeOptions(target, options);
      if (this.readCached(target, position, length)) return Promise.resolve(length);
      return this.readAt(target, position, length).then((read) => {
        if (!mayBeLess && read < length) throw new EndOfStreamError();
        return read;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  setPosition(position: number): void {
    this.validateLength(position, 'position');
    this.position = position;
  }

  supportsRandomAccess(): boolean {
    return true;
  }

  protected override async closeOnce(): Promise<void> {
    this.closed = true;
    const blocks = [this.head, this.window];
    this.head = null;
    this.window = null;
    if (this.reading > 0) await new Promise<void>((resolve) => (this.onIdle = resolve));
    await callback<void>((done) => close(this.fd, (error) => done(error, undefined)));
    // No read can write into the buffers now, and every read of this tokenizer checks `closed` before copying.
    for (const block of blocks) {
      if (!block) continue;
      const spares = spareBuffers.get(block.buffer.length) ?? [];
      if (spares.length < MAX_SPARE_BUFFERS) spares.push(block.buffer);
      spareBuffers.set(block.buffer.length, spares);
    }
    await super.closeOnce();
  }

  /**
   * The fast path of almost every read (no promise of its own, no view to copy from): copies [position, position +
   * length) into `target` when a cached block holds all of it. False when `readAt` has to do the work.
   */
  private readCached(target: Uint8Array, position: number, length: number): boolean {
    if (this.closed || ++this.cachedReads >= CACHED_READS_PER_YIELD) return false;
    const end = position + length;
    let block = this.head;
    if (!block || end > block.bytes.length) {
      block = this.window;
      if (!block || position < block.start || end > block.start + block.bytes.length) return false;
    }
    const bytes = block.bytes;
    const offset = position - block.start;
    // Most reads are tokens of a few bytes, for which a loop beats allocating a view to copy from.
    if (length <= 16) for (let i = 0; i < length; i++) target[i] = bytes[offset + i];
    else target.set(bytes.subarray(offset, offset + length));
    return true;
  }

  /** Copies file bytes [position, position + length) into `target`; fewer only at the end of the file. */
  private async readAt(target: Uint8Array, position: number, length: number): Promise<number> {
    if (this.closed) throw new Error('file closed');
    if (this.cachedReads >= CACHED_READS_PER_YIELD) {
      this.cachedReads = 0;
      await yieldToEventLoop();
      if (this.closed) throw new Error('file closed');
    }
    let done = 0;
    while (done < length) {
      const at = position + done;
      if (this.endOfFile !== null && at >= this.endOfFile) break;
      const block = await this.blockAt(at, length - done);
      if (this.closed) throw new Error('file closed');
      if (block === null) {
        done += await this.readFile(target.subarray(done, length), at);
        break;
      }
      const offset = at - block.start;
      const count = Math.min(length - done, block.bytes.length - offset);
      if (count <= 0) break;
      target.set(block.bytes.subarray(offset, offset + count), done);
      done += count;
    }
    return done;
  }

  /**
   * The cached block holding `position`, loading it when needed, or null when the `wanted` bytes there are better
   * read straight into the caller's buffer (a picture or a long tag beyond the head). A block near the end of the
   * file ends at the end of the file, so the backward steps of the trailing-tag search (ID3v1, then Lyrics3 and APE
   * before it) land in one block.
   */
  private async blockAt(position: number, wanted: number): Promise<Block | null> {
    if (position < HEAD_BYTES) {
      this.head ??= await this.loadBlock(0, HEAD_BYTES);
      return this.head;
    }
    const window = this.window;
    if (window && position >= window.start && position < window.start + window.bytes.length) return window;
    if (wanted >= BLOCK_BYTES) return null;
    const { size } = this.fileInfo;
    const start = position < size ? Math.max(HEAD_BYTES, Math.min(position, size - BLOCK_BYTES)) : position;
    this.window = await this.loadBlock(start, BLOCK_BYTES);
    return this.window;
  }

  /**
   * Reads up to `length` bytes at `start` into a block, stopping at the file's size when it was opened (a block
   * starting at or past that size still tries, for a file that has grown since).
   */
  private async loadBlock(start: number, length: number): Promise<Block> {
    const { size } = this.fileInfo;
    const buffer = spareBuffers.get(length)?.pop() ?? new Uint8Array(length);
    const read = await this.readFile(buffer.subarray(0, start < size ? Math.min(length, size - start) : length), start);
    if (this.closed) throw new Error('file closed');
    return { start, bytes: buffer.subarray(0, read), buffer };
  }

  /** Fills `target` from the file at `position`, across short reads; only a zero-byte read means the end. */
  private async readFile(target: Uint8Array, position: number): Promise<number> {
    this.cachedReads = 0;
    let done = 0;
    while (done < target.length) {
      if (this.closed) throw new Error('file closed');
      this.reading++;
      let bytesRead: number;
      try {
        bytesRead = await callback<number>((finish) => read(this.fd, target, done, target.length - done, position + done, finish));
      } finally {
        if (--this.reading === 0) this.onIdle?.();
      }
      if (bytesRead === 0) {
        this.endOfFile = position + done;
        break;
      }
      done += bytesRead;
    }
    return done;
  }
}
