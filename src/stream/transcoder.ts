import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

/** Output formats the transcoder can produce, with the ffmpeg encoder and muxer of each (all in Debian's ffmpeg). */
export const TRANSCODE_FORMATS = {
  mp3: { encoder: 'libmp3lame', muxer: 'mp3', contentType: 'audio/mpeg', suffix: 'mp3', minKbps: 32, maxKbps: 320, defaultKbps: 192 },
  opus: { encoder: 'libopus', muxer: 'ogg', contentType: 'audio/ogg', suffix: 'opus', minKbps: 6, maxKbps: 510, defaultKbps: 128 },
  ogg: { encoder: 'libvorbis', muxer: 'ogg', contentType: 'audio/ogg', suffix: 'ogg', minKbps: 45, maxKbps: 500, defaultKbps: 192 },
  aac: { encoder: 'aac', muxer: 'adts', contentType: 'audio/aac', suffix: 'aac', minKbps: 32, maxKbps: 512, defaultKbps: 192 },
} as const;

export type TranscodeFormat = keyof typeof TRANSCODE_FORMATS;

export function isTranscodeFormat(name: string): name is TranscodeFormat {
  return Object.hasOwn(TRANSCODE_FORMATS, name);
}

export interface TranscodeRequest {
  /** Absolute path of the source file (already checked to be inside its library). */
  inputPath: string;
  format: TranscodeFormat;
  /** Target bit rate, kbit/s; brought into the format's range. */
  bitRateKbps: number;
  /** Seconds to skip at the start of the source (0: none). */
  offsetSeconds: number;
}

/** A running transcode: its output bytes, and a way to stop it early (the client went away). */
export interface Transcoding {
  output: Readable;
  /** Ends the encoder at once (SIGKILL); safe to call more than once or after it has exited. */
  stop(): void;
  /** Resolves when the encoder process has exited and been reaped. */
  exited: Promise<void>;
}

export interface Transcoder {
  /** Whether the encoder can be run here; decided once, by running `ffmpeg -version`. */
  available(): Promise<boolean>;
  /** Starts encoding `request.inputPath`; the caller must consume `output` or call `stop`. */
  start(request: TranscodeRequest): Transcoding;
}

/** The bit rate ffmpeg is asked for: the request brought into what the format's encoder accepts. */
export function clampBitRate(format: TranscodeFormat, kbps: number): number {
  const { minKbps, maxKbps } = TRANSCODE_FORMATS[format];
  return Math.min(maxKbps, Math.max(minKbps, Math.round(kbps)));
}

/** ffmpeg's arguments: seek before the input (fast), audio only, no tags or pictures, encoded to stdout. */
export function ffmpegArguments(request: TranscodeRequest): string[] {
  const spec = TRANSCODE_FORMATS[request.format];
  return [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    ...(request.offsetSeconds > 0 ? ['-ss', String(request.offsetSeconds)] : []),
    '-i',
    request.inputPath,
    '-map',
    '0:a:0',
    '-vn',
    '-sn',
    '-dn',
    '-map_metadata',
    '-1',
    '-c:a',
    spec.encoder,
    '-b:a',
    `${clampBitRate(request.format, request.bitRateKbps)}k`,
    '-f',
    spec.muxer,
    'pipe:1',
  ];
}

/**
 * Transcoding by spawning ffmpeg (`ffmpegPath`, looked up on PATH when bare). One process per request, its stdout
 * streamed as is; stderr is discarded (ffmpeg runs with `-loglevel error`, and a failure shows as a short output).
 */
export function createFfmpegTranscoder(ffmpegPath = 'ffmpeg'): Transcoder {
  let availability: Promise<boolean> | undefined;
  return {
    available() {
      availability ??= new Promise((resolve) => {
        const probe = spawn(ffmpegPath, ['-hide_banner', '-version'], { stdio: 'ignore' });
        probe.once('error', () => resolve(false));
        probe.once('exit', (code) => resolve(code === 0));
      });
      return availability;
    },

    start(request) {
      const child = spawn(ffmpegPath, ffmpegArguments(request), { stdio: ['ignore', 'pipe', 'ignore'] });
      const exited = new Promise<void>((resolve) => {
        child.once('close', () => resolve());
        child.once('error', () => resolve());
      });
      let running = true;
      void exited.then(() => {
        running = false;
      });
      // A spawn failure (ENOENT after `available` said yes, EMFILE) ends the output instead of crashing the server.
      child.once('error', (error) => child.stdout.destroy(error));
      return {
        output: child.stdout,
        exited,
        stop() {
          if (running && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        },
      };
    },
  };
}
