import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EndOfStreamError, NotRegularFileError } from 'strtok3';
import { afterAll, describe, expect, it } from 'vitest';
import { BufferedFileTokenizer } from '../../src/library/scanner/buffered-file-tokenizer.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-tokenizer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file whose byte at offset i is a function of i, so any read can be checked against its position. */
function patternFile(name: string, size: number): { file: string; bytes: Uint8Array } {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return { file, bytes };
}

async function peek(tokenizer: BufferedFileTokenizer, position: number, length: number, mayBeLess = false): Promise<Uint8Array> {
  const target = new Uint8Array(length);
  const read = await tokenizer.peekBuffer(target, { position, length, mayBeLess });
  return target.subarray(0, read);
}

describe('BufferedFileTokenizer', () => {
  // Larger than the cached head (256 KiB) plus a block (64 KiB), so reads hit the head, the window and the file.
  const large = patternFile('large.bin', 1_000_003);

  it('returns the file bytes for reads in the head, across its end, near the end and beyond any block', async () => {
    const tokenizer = await BufferedFileTokenizer.open(large.file);
    try {
      expect(tokenizer.fileInfo.size).toBe(large.bytes.length);
      const probes: [number, number][] = [
        [large.bytes.length - 128, 128],
        [large.bytes.length - 160, 32],
        [0, 10],
        [10, 4],
        [200_000, 100_000],
        [262_140, 8],
        [500_000, 3],
        [500_003, 300_000],
        [999_990, 13],
      ];
      for (const [position, length] of probes) {
        const read = Buffer.from(await peek(tokenizer, position, length));
        // Buffer#equals: a deep comparison of 300,000 array elements would dominate the test's time.
        expect(read.equals(large.bytes.subarray(position, position + length)), `${length} bytes at ${position}`).toBe(true);
      }
    } finally {
      await tokenizer.close();
    }
  });

  it('moves its position on reads only, and reports the end of the file', async () => {
    const small = patternFile('small.bin', 1000);
    const tokenizer = await BufferedFileTokenizer.open(small.file);
    try {
      const target = new Uint8Array(600);
      expect(await tokenizer.readBuffer(target)).toBe(600);
      expect(tokenizer.position).toBe(600);
      expect(await tokenizer.peekBuffer(target, { length: 10 })).toBe(10);
      expect(tokenizer.position).toBe(600);
      expect(target.subarray(0, 10)).toEqual(small.bytes.subarray(600, 610));
      await expect(tokenizer.readBuffer(target)).rejects.toBeInstanceOf(EndOfStreamError);
      expect(await peek(tokenizer, 900, 200, true)).toEqual(small.bytes.subarray(900));
      expect(await peek(tokenizer, 5000, 10, true)).toHaveLength(0);
    } finally {
      await tokenizer.close();
    }
  });

  it('takes the size from the caller when given, and refuses what is not a regular file otherwise', async () => {
    const hinted = await BufferedFileTokenizer.open(large.file, 4096);
    expect(hinted.fileInfo.size).toBe(4096);
    await hinted.close();
    const folder = path.join(dir, 'folder.mp3');
    mkdirSync(folder);
    await expect(BufferedFileTokenizer.open(folder)).rejects.toBeInstanceOf(NotRegularFileError);
  });

  it('fails every read once closed, even of bytes it has cached', async () => {
    const tokenizer = await BufferedFileTokenizer.open(large.file);
    expect(await peek(tokenizer, 0, 4)).toEqual(large.bytes.subarray(0, 4));
    await tokenizer.close();
    await expect(peek(tokenizer, 0, 4)).rejects.toThrow('file closed');
    await expect(peek(tokenizer, 900_000, 4)).rejects.toThrow('file closed');
  });

  it('lets timers run while a parser spins on cached bytes, so a timed-out read can be abandoned', async () => {
    const tokenizer = await BufferedFileTokenizer.open(large.file);
    let timerRan = false;
    setTimeout(() => (timerRan = true), 0);
    const target = new Uint8Array(4);
    let reads = 0;
    while (!timerRan && reads < 100_000) {
      await tokenizer.peekBuffer(target, { position: 0 });
      reads++;
    }
    await tokenizer.close();
    expect(reads).toBeLessThan(100_000);
  });
});
