import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/sync-client/backoff.js';
import { eventNames } from '../../src/sync-client/library-events.js';
import { resolveInside, UnsafeFileNameError } from '../../src/sync-client/safe-paths.js';

describe('sync client file names', () => {
  it('places a suggested name inside the folder', () => {
    expect(resolveInside('/m', 'Artist/Album/1-01 Song.flac')).toBe(path.join('/m', 'Artist', 'Album', '1-01 Song.flac'));
    expect(resolveInside('/m', '..hidden but fine.mp3')).toBe(path.join('/m', '..hidden but fine.mp3'));
  });

  it.each([
    ['../x.mp3', 'path segment ".."'],
    ['a/../../x.mp3', 'path segment ".."'],
    ['/etc/passwd', 'absolute path'],
    ['C:/x.mp3', 'absolute path'],
    ['a\\b.mp3', 'backslash'],
    ['./x.mp3', 'path segment "."'],
    ['a//x.mp3', 'path segment ""'],
    ['', 'empty'],
    ['x\u0000.mp3', 'control character'],
    ['.omnisonic-sync/state.json', 'client folder'],
  ])('refuses %j (%s)', (name, reason) => {
    expect(() => resolveInside('/m', name)).toThrow(UnsafeFileNameError);
    expect(() => resolveInside('/m', name)).toThrow(reason);
  });
});

describe('sync client backoff', () => {
  it('doubles from 0.5 s up to 30 s, each delay between half and all of that', () => {
    const low = Array.from({ length: 9 }, (_, attempt) => backoffDelay(attempt, () => 0));
    const high = Array.from({ length: 9 }, (_, attempt) => backoffDelay(attempt, () => 0.999999));
    expect(low).toEqual([250, 500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    expect(high).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(backoffDelay(1000, () => 0)).toBe(15000);
  });
});

describe('sync client event stream', () => {
  it('names each server-sent event and skips comments and retry hints', async () => {
    const text = 'retry: 3000\n\n: heartbeat\n\nevent: snapshot\ndata: {}\n\nid: 4\nevent: library\r\ndata: {"entity":"track"}\r\n\r\ndata: plain\n\nevent: libr';
    const parts = [text.slice(0, 20), text.slice(20, 61), text.slice(61)];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
        controller.close();
      },
    });
    const names: string[] = [];
    for await (const name of eventNames(new Response(body))) names.push(name);
    expect(names).toEqual(['snapshot', 'library', 'message']);
  });
});
