import sharp from 'sharp';

/** A resized rendition and its encoding. */
export interface ResizedImage {
  bytes: Buffer;
  format: 'jpeg' | 'png';
}

/** Resizes images; behind an interface so the artwork service's rules are testable without decoding pictures. */
export interface ImageResizer {
  /**
   * Fits the image within `maxEdge` × `maxEdge` pixels, keeping its aspect ratio and never enlarging it. Returns null
   * when the bytes are not an image we can decode (embedded pictures are sometimes truncated or mislabelled).
   */
  resize(original: Buffer, maxEdge: number): Promise<ResizedImage | null>;
}

/**
 * Decoding costs width × height × 4 bytes of memory; covers larger than 50 megapixels (≈ 7000 × 7000) are refused
 * rather than decoded, so one hostile embedded picture cannot take the server's memory (sharp's default is 268 MP).
 */
const MAX_INPUT_PIXELS = 50_000_000;

/**
 * sharp (libvips). Output is JPEG (quality 85, mozjpeg), which every client renders and is the smallest for cover
 * art; images with real transparency stay PNG, because JPEG would paint the transparent parts black. An alpha
 * channel that is fully opaque (common in exported PNGs) does not count. EXIF orientation is applied first:
 * the output carries no metadata, so a rotated photo would otherwise come out sideways.
 */
export const sharpResizer: ImageResizer = {
  async resize(original, maxEdge) {
    const input = () => sharp(original, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' });
    try {
      const { hasAlpha } = await input().metadata();
      const transparent = hasAlpha && !(await input().stats()).isOpaque;
      const pipeline = input().autoOrient().resize({ width: maxEdge, height: maxEdge, fit: 'inside', withoutEnlargement: true });
      return transparent
        ? { bytes: await pipeline.png({ compressionLevel: 9 }).toBuffer(), format: 'png' }
        : { bytes: await pipeline.jpeg({ quality: 85, mozjpeg: true }).toBuffer(), format: 'jpeg' };
    } catch {
      // libvips reports every undecodable input (unknown format, truncated data, too many pixels) as a plain Error.
      return null;
    }
  },
};
