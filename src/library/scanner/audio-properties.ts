/**
 * Audio properties from the parser's format section, and the test for "this file has no audio to play":
 * the parser returns without error for tag-only files, video without sound and some truncated files.
 */
import type { IFormat } from 'music-metadata';
import type { AudioProperties } from './track-file.js';
import { cleanText, positiveNumber } from './tag-text.js';

/** Codec names for containers where music-metadata reports none although the stream is plainly that codec. */
const CODEC_BY_CONTAINER: Record<string, string> = {
  "Monkey's Audio": "Monkey's Audio",
  DSF: 'DSD',
};

/** Used only when the parser leaves `lossless` unset (Ogg, Matroska, ASF, Musepack): these codecs are lossless. */
const LOSSLESS_CODEC = /\b(?:flac|alac|pcm|wavpack|monkey's audio|dsd|tta|truehd|mlp)\b/i;

/**
 * The codec as the parser names it, with two repairs: for Musepack the parser puts the encoder version ("1.15") in
 * the codec field or nothing, so the stream version from the container is used ("Musepack SV7"); and a missing codec
 * on a stream with a sample rate is named after its container ("Monkey's Audio", "DSD").
 */
function codecOf(format: IFormat): string | null {
  const container = cleanText(format.container);
  if (container?.startsWith('Musepack')) {
    return container.replace(/,\s*/, ' ');
  }
  const codec = cleanText(format.codec);
  if (codec !== null) {
    return codec;
  }
  if (container === null || positiveNumber(format.sampleRate) === null) {
    return null;
  }
  return CODEC_BY_CONTAINER[container] ?? container;
}

/**
 * Why the parsed file is not a playable track, or null when it is. No audio: no audio stream, no codec, or neither a
 * sample rate nor a positive duration. No samples: the header says the stream is empty (duration exactly 0).
 */
export function findMissingAudio(format: IFormat): string | null {
  if (format.hasAudio === false || codecOf(format) === null) {
    return 'no audio stream found';
  }
  const duration = positiveNumber(format.duration);
  if (positiveNumber(format.sampleRate) === null && duration === null) {
    return 'no audio stream found';
  }
  if (format.duration === 0) {
    return 'no audio samples';
  }
  return null;
}

/**
 * Length of one MPEG audio frame in ms, for SYLT lyrics timed in frame numbers; null for other codecs.
 * Samples per frame: Layer I 384, Layer II 1152, Layer III 1152 (MPEG-1) or 576 (MPEG-2/2.5).
 */
export function mpegFrameMs(format: IFormat): number | null {
  const match = /^MPEG (1|2|2\.5) Layer (1|2|3)$/.exec(format.codec ?? '');
  const sampleRate = positiveNumber(format.sampleRate);
  if (match === null || sampleRate === null) {
    return null;
  }
  const samples = match[2] === '1' ? 384 : match[2] === '2' || match[1] === '1' ? 1152 : 576;
  return (samples / sampleRate) * 1000;
}

/**
 * The audio properties of a file that passed `findMissingAudio`.
 * @param durationSeconds the duration found by whichever means (header, end-of-file scan, full parse); null when
 *   unknown, which gives `durationMs` 0.
 */
export function toAudioProperties(format: IFormat, durationSeconds: number | null): AudioProperties {
  const codec = codecOf(format) ?? 'unknown';
  const bitrate = positiveNumber(format.bitrate);
  const sampleRate = positiveNumber(format.sampleRate);
  return {
    durationMs: durationSeconds !== null && Number.isFinite(durationSeconds) && durationSeconds > 0 ? Math.round(durationSeconds * 1000) : 0,
    bitrate: bitrate === null ? null : Math.round(bitrate),
    sampleRate: sampleRate === null ? null : Math.round(sampleRate),
    bitDepth: positiveNumber(format.bitsPerSample),
    channels: positiveNumber(format.numberOfChannels),
    codec,
    container: cleanText(format.container),
    lossless: typeof format.lossless === 'boolean' ? format.lossless : LOSSLESS_CODEC.test(codec),
  };
}
