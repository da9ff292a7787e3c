/** `Content-Type` of an audio file as we stream it: by extension first, by the parser's container as a fallback. */

// A Map, not an object literal: a file named "x.constructor" must not find Object.prototype members.
const BY_EXTENSION: ReadonlyMap<string, string> = new Map(Object.entries({
  mp3: 'audio/mpeg',
  mp2: 'audio/mpeg',
  mp1: 'audio/mpeg',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  spx: 'audio/ogg',
  opus: 'audio/ogg; codecs=opus',
  m4a: 'audio/mp4',
  m4b: 'audio/mp4',
  mp4: 'audio/mp4',
  aac: 'audio/aac',
  wav: 'audio/wav',
  aif: 'audio/aiff',
  aiff: 'audio/aiff',
  aifc: 'audio/aiff',
  wma: 'audio/x-ms-wma',
  asf: 'audio/x-ms-wma',
  ape: 'audio/x-ape',
  wv: 'audio/x-wavpack',
  mpc: 'audio/x-musepack',
  dsf: 'audio/x-dsf',
  dff: 'audio/x-dff',
  mka: 'audio/x-matroska',
  webm: 'audio/webm',
}));

/**
 * Container names as music-metadata reports them (e.g. "MPEG", "M4A/mp42/isom", "EBML/webm", "Monkey's Audio"),
 * matched on their start. Order matters: "MPEG" must not catch "MPEG-4", and "EBML/webm" comes before other EBML.
 */
const BY_CONTAINER: readonly [RegExp, string][] = [
  [/^mpeg$/i, 'audio/mpeg'],
  [/^flac/i, 'audio/flac'],
  [/^ogg/i, 'audio/ogg'],
  [/^(m4a|m4b|mp4|isom|iso\d|mp4\d|3gp|qt|mpeg-4)/i, 'audio/mp4'],
  [/^adts/i, 'audio/aac'],
  [/^wave/i, 'audio/wav'],
  [/^aiff/i, 'audio/aiff'],
  [/^asf/i, 'audio/x-ms-wma'],
  [/^monkey/i, 'audio/x-ape'],
  [/^wavpack/i, 'audio/x-wavpack'],
  [/^musepack/i, 'audio/x-musepack'],
  [/^dsf/i, 'audio/x-dsf'],
  [/^dsdiff/i, 'audio/x-dff'],
  [/^ebml\/webm/i, 'audio/webm'],
  [/^(ebml|matroska)/i, 'audio/x-matroska'],
];

/**
 * The media type for a track file. The extension decides when we know it (the scanner only admits audio
 * extensions, and players go by the same names); files without a known extension — the corpus has an MP3 without
 * any — fall back to the container the tag parser detected, then to `application/octet-stream`.
 */
export function audioContentType(relativePath: string, container: string | null): string {
  const name = relativePath.slice(relativePath.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  const byExtension = dot > 0 ? BY_EXTENSION.get(name.slice(dot + 1).toLowerCase()) : undefined;
  if (byExtension) return byExtension;
  const byContainer = container ? BY_CONTAINER.find(([pattern]) => pattern.test(container)) : undefined;
  return byContainer?.[1] ?? 'application/octet-stream';
}
