import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signIn, type TestApp } from '../support/app.js';
import { describeEachDatabase } from '../support/databases.js';

const run = promisify(execFile);
const PASSWORD = 'correct horse battery staple';

/** A tone with some noise (so encoders have work to do), `seconds` long, tagged. */
async function makeAudio(file: string, seconds: number, title: string, codec: string[]) {
  mkdirSync(path.dirname(file), { recursive: true });
  await run('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
    '-f', 'lavfi', '-i', `anoisesrc=d=${seconds}:a=0.05`,
    '-filter_complex', 'amix=inputs=2,aformat=channel_layouts=stereo',
    '-ar', '44100', ...codec, '-metadata', `title=${title}`, '-metadata', 'artist=Tone', '-metadata', 'album=Tones', file,
  ]);
}

/** ffprobe's view of an audio file: codec, bit rate (bit/s) and duration (s). */
async function probe(file: string) {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:format=bit_rate,duration,format_name', '-of', 'json', file]);
  const parsed = JSON.parse(stdout) as { streams: { codec_name: string }[]; format: { bit_rate: string; duration: string; format_name: string } };
  return { codec: parsed.streams[0]?.codec_name, format: parsed.format.format_name, bitRate: Number(parsed.format.bit_rate), duration: Number(parsed.format.duration) };
}

/** This process's ffmpeg children, with their state (`Z` = zombie, not reaped). */
function ffmpegChildren(): { pid: number; state: string }[] {
  const children: { pid: number; state: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const match = /^\d+ \((.*)\) (\S) (\d+)/.exec(stat);
    if (match && match[1] === 'ffmpeg' && Number(match[3]) === process.pid) children.push({ pid: Number(entry), state: match[2]! });
  }
  return children;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

describeEachDatabase('Subsonic stream transcoding', (kind) => {
  let t: TestApp;
  let workDir: string;
  const ids: Record<string, string> = {};
  const originals: Record<string, Buffer> = {};

  const url = (params: Record<string, string>) => `/rest/stream?${new URLSearchParams({ u: 'admin', p: PASSWORD, v: '1.16.1', c: 'test', ...params })}`;
  const save = (name: string, bytes: Buffer) => {
    const file = path.join(workDir, 'out', name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    return file;
  };

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-transcode-'));
    const music = path.join(workDir, 'music');
    await makeAudio(path.join(music, 'tone.flac'), 8, 'Tone FLAC', ['-c:a', 'flac']);
    await makeAudio(path.join(music, 'tone.mp3'), 4, 'Tone MP3', ['-c:a', 'libmp3lame', '-b:a', '128k']);
    await makeAudio(path.join(music, 'long.flac'), 300, 'Long FLAC', ['-c:a', 'flac', '-compression_level', '0']);
    for (const name of ['tone.flac', 'tone.mp3']) originals[name] = readFileSync(path.join(music, name));
    t = await createTestApp(kind, { musicDirs: [music] });
    await t.app.omnisonic.library.scan();
    await signIn(t.app);
    const songs = (await t.app.inject({ url: `/rest/search3?${new URLSearchParams({ u: 'admin', p: PASSWORD, f: 'json', query: '' })}` })).json()['subsonic-response'].searchResult3.song;
    for (const song of songs) ids[song.path] = song.id;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('a FLAC asked for as mp3 at 128 kbit/s arrives as an MP3 at about 128 kbit/s, without Range', async () => {
    const response = await t.app.inject({ url: url({ id: ids['tone.flac']!, maxBitRate: '128', format: 'mp3' }), headers: { range: 'bytes=0-99' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('audio/mpeg');
    expect(response.headers['accept-ranges']).toBe('none');
    expect(response.headers['content-range']).toBeUndefined();
    const info = await probe(save('flac-128.mp3', response.rawPayload));
    expect(info.codec).toBe('mp3');
    expect(Math.abs(info.bitRate - 128_000)).toBeLessThan(6_400);
    expect(Math.abs(info.duration - 8)).toBeLessThan(0.3);
  });

  it('timeOffset starts the transcode that many seconds in', async () => {
    const response = await t.app.inject({ url: url({ id: ids['tone.flac']!, maxBitRate: '128', format: 'mp3', timeOffset: '2' }) });
    expect(response.statusCode).toBe(200);
    const info = await probe(save('offset.mp3', response.rawPayload));
    expect(Math.abs(info.duration - 6)).toBeLessThan(0.3);
    expect(response.headers['x-content-duration']).toBe('6.00');
    expect((await t.app.inject({ url: url({ id: ids['tone.flac']!, f: 'json', timeOffset: '-2' }) })).json()['subsonic-response'].error.code).toBe(0);
  });

  it('other formats: opus in Ogg, and mp3 by default when only a bit rate limit is given', async () => {
    const opus = await t.app.inject({ url: url({ id: ids['tone.flac']!, format: 'opus', maxBitRate: '96' }) });
    expect(opus.headers['content-type']).toBe('audio/ogg');
    const opusInfo = await probe(save('tone.opus', opus.rawPayload));
    expect(opusInfo).toMatchObject({ codec: 'opus', format: 'ogg' });
    const limited = await t.app.inject({ url: url({ id: ids['tone.flac']!, maxBitRate: '64' }) });
    const limitedInfo = await probe(save('limited.mp3', limited.rawPayload));
    expect(limitedInfo.codec).toBe('mp3');
    expect(Math.abs(limitedInfo.bitRate - 64_000)).toBeLessThan(3_200);
  });

  it('serves the original when nothing needs changing: format=raw, same format within the limit, unknown formats', async () => {
    const raw = await t.app.inject({ url: url({ id: ids['tone.flac']!, format: 'raw', maxBitRate: '64' }) });
    expect(raw.headers['content-type']).toBe('audio/flac');
    expect(raw.rawPayload.equals(originals['tone.flac']!)).toBe(true);
    // An mp3 of 128 kbit/s under a 320 limit, asked as mp3: the file itself, so Range still works.
    const ranged = await t.app.inject({ url: url({ id: ids['tone.mp3']!, maxBitRate: '320', format: 'mp3' }), headers: { range: 'bytes=10-99' } });
    expect(ranged.statusCode).toBe(206);
    expect(ranged.rawPayload.equals(originals['tone.mp3']!.subarray(10, 100))).toBe(true);
    const flv = await t.app.inject({ url: url({ id: ids['tone.flac']!, format: 'flv' }) });
    expect(flv.rawPayload.equals(originals['tone.flac']!)).toBe(true);
    expect((await t.app.inject({ url: url({ id: ids['tone.flac']!, maxBitRate: 'fast', f: 'json' }) })).json()['subsonic-response'].error.code).toBe(0);
  });

  it('estimateContentLength sends a Content-Length that the body matches exactly', async () => {
    const response = await t.app.inject({ url: url({ id: ids['tone.flac']!, format: 'mp3', maxBitRate: '128', estimateContentLength: 'true' }) });
    const expected = Math.ceil((8 * 128_000) / 8);
    expect(Number(response.headers['content-length'])).toBeGreaterThan(expected - 2_000);
    expect(response.rawPayload.length).toBe(Number(response.headers['content-length']));
    const head = await t.app.inject({ method: 'HEAD', url: url({ id: ids['tone.flac']!, format: 'mp3', maxBitRate: '128', estimateContentLength: 'true' }) });
    expect(head.headers['content-length']).toBe(response.headers['content-length']);
    expect(ffmpegChildren().filter((child) => child.state !== 'Z')).toEqual([]);
  });

  describe('over a real connection', () => {
    let base: string;
    beforeAll(async () => {
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });

    it('a client that goes away mid-stream ends its ffmpeg, which is reaped (no zombie)', async () => {
      const before = ffmpegChildren().length;
      const request = http.get(`${base}${url({ id: ids['long.flac']!, format: 'mp3', maxBitRate: '128' })}`);
      const firstChunk = await new Promise<Buffer>((resolve, reject) => {
        request.once('response', (response) => {
          response.once('data', (chunk: Buffer) => {
            // Stop reading: ffmpeg fills the pipe and waits, so it is surely still running when we leave.
            response.pause();
            resolve(chunk);
          });
        });
        request.once('error', reject);
      });
      expect(firstChunk.length).toBeGreaterThan(0);
      expect(await until(() => ffmpegChildren().length > before, 5_000)).toBe(true);
      request.destroy();
      expect(await until(() => ffmpegChildren().length === before, 5_000)).toBe(true);
    });
  });
});
