import path from 'node:path';

/**
 * Where artwork lives in the data directory: originals at `artwork/<first 2 hex>/<sha256>` (content-addressed, so
 * each image is stored once however many tracks embed it), resized variants under `artwork-cache/`.
 */
export function originalArtworkPath(dataDir: string, artworkId: string): string {
  return path.join(dataDir, 'artwork', artworkId.slice(0, 2), artworkId);
}

export function resizedArtworkPath(dataDir: string, artworkId: string, size: number, extension: string): string {
  return path.join(dataDir, 'artwork-cache', artworkId.slice(0, 2), `${artworkId}-${size}.${extension}`);
}
