import type { Readable } from 'node:stream';
import type { AuthUser } from '../auth/auth-service.js';
import { AppError } from '../shared/errors.js';
import { ifNoneMatchMatches, strongEtag } from '../stream/conditional.js';
import { originalArtworkPath, resizedArtworkPath } from './artwork-paths.js';
import type { ArtworkFiles } from './artwork-files.js';
import type { ArtworkRepository, ArtworkVisibility } from './artwork-repository.js';
import type { ImageResizer, ResizedImage } from './image-resizer.js';

/** What the artwork route passes on from the request. */
export interface ArtworkRequest {
  method: 'GET' | 'HEAD';
  /** Longest edge wanted, in pixels (the route allows 16..2048); undefined for the original. */
  size?: number;
  ifNoneMatch?: string;
}

export interface ArtworkResponse {
  status: 200 | 304;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Null for HEAD and 304. */
  body: Readable | Buffer | null;
}

export interface ArtworkService {
  /** Throws `AppError('artwork_not_found')` for an unknown or malformed id, a missing file, or undecodable bytes. */
  get(id: string, request: ArtworkRequest): Promise<ArtworkResponse>;
}

/** Minimal logger (pino's shape) for problems worth a warning that do not fail the request. */
export interface WarnLogger {
  warn(details: object, message: string): void;
}

/** Ids are SHA-256 hex of the bytes; anything else cannot name an artwork and is never looked up (nor used in a path). */
const ARTWORK_ID = /^[0-9a-f]{64}$/;

/**
 * An artwork id names fixed bytes, and the rendition for a size is made once and then read from the cache, so a
 * response never changes for a URL: the browser may keep it for a year without revalidating (RFC 9111 §5.2.2.5,
 * RFC 8246 `immutable`). `private`, not `public`: artwork is filtered by library access, and a shared cache in
 * front of the server would hand one user's picture to another who may not see it (RFC 9111 §5.2.2.7).
 */
const CACHE_CONTROL = 'private, max-age=31536000, immutable';

/**
 * Originals are served with the media type recorded at extraction, which comes from the audio file's tags. Only
 * raster types a browser displays inertly pass; anything else (text/html, image/svg+xml…) becomes
 * application/octet-stream, so a crafted tag cannot make us serve active content from our origin.
 */
const SAFE_IMAGE_TYPES = new Set(['image/jpeg', 'image/jpg', 'image/png', 'image/gif', 'image/webp', 'image/bmp', 'image/avif', 'image/tiff']);

/** Rendition encodings; cache lookups try them in this order. */
const FORMATS: Record<ResizedImage['format'], { extension: string; contentType: string }> = {
  jpeg: { extension: 'jpg', contentType: 'image/jpeg' },
  png: { extension: 'png', contentType: 'image/png' },
};

/**
 * Serves artwork originals and resized renditions. Renditions are cached at `resizedArtworkPath` (`.jpg`, or
 * `.png` for transparent images) and reused; concurrent requests for the same missing rendition share one encode.
 */
export function createArtworkService(deps: {
  artworks: ArtworkRepository;
  files: ArtworkFiles;
  resizer: ImageResizer;
  dataDir: string;
  log: WarnLogger;
}): ArtworkService {
  const { artworks, files, resizer, dataDir, log } = deps;
  const encoding = new Map<string, Promise<ResizedImage>>();

  /** The cached rendition, whichever format it was made in (one id always yields the same format). */
  async function findCached(id: string, size: number) {
    for (const info of Object.values(FORMATS)) {
      const filePath = resizedArtworkPath(dataDir, id, size, info.extension);
      const bytes = await files.size(filePath);
      if (bytes !== null) return { filePath, bytes, contentType: info.contentType };
    }
    return null;
  }

  async function encode(id: string, size: number): Promise<ResizedImage> {
    const original = await files.read(originalArtworkPath(dataDir, id));
    if (!original) throw new AppError('artwork_not_found');
    const resized = await resizer.resize(original, size);
    if (!resized) throw new AppError('artwork_not_found', 'The artwork cannot be decoded.');
    const target = resizedArtworkPath(dataDir, id, size, FORMATS[resized.format].extension);
    try {
      await files.writeAtomically(target, resized.bytes);
    } catch (error) {
      // The rendition is still correct; a data folder that cannot be written only costs re-encoding next time.
      log.warn({ err: error, path: target }, 'could not cache resized artwork');
    }
    return resized;
  }

  function encodeOnce(id: string, size: number): Promise<ResizedImage> {
    const key = `${id}-${size}`;
    let pending = encoding.get(key);
    if (!pending) {
      pending = encode(id, size).finally(() => encoding.delete(key));
      encoding.set(key, pending);
    }
    return pending;
  }

  async function original(
    id: string,
    mime: string,
    originalSize: number,
    request: ArtworkRequest,
    headers: Record<string, string>,
  ): Promise<ArtworkResponse> {
    const lowerMime = mime.toLowerCase();
    const contentType = SAFE_IMAGE_TYPES.has(lowerMime) ? lowerMime : 'application/octet-stream';
    if (request.method === 'HEAD') {
      return { status: 200, headers: { ...headers, 'content-type': contentType, 'content-length': String(originalSize) }, body: null };
    }
    const opened = await files.open(originalArtworkPath(dataDir, id));
    if (!opened) throw new AppError('artwork_not_found');
    return { status: 200, headers: { ...headers, 'content-type': contentType, 'content-length': String(opened.size) }, body: opened.stream };
  }

  async function resized(id: string, size: number, request: ArtworkRequest, headers: Record<string, string>): Promise<ArtworkResponse> {
    const cached = await findCached(id, size);
    if (cached) {
      const withType = { ...headers, 'content-type': cached.contentType };
      if (request.method === 'HEAD') return { status: 200, headers: { ...withType, 'content-length': String(cached.bytes) }, body: null };
      // Another request may have replaced the file since the lookup; rename keeps it whole, and the fresh
      // descriptor's size is the one that counts.
      const opened = await files.open(cached.filePath);
      if (opened) return { status: 200, headers: { ...withType, 'content-length': String(opened.size) }, body: opened.stream };
    }
    const image = await encodeOnce(id, size);
    return {
      status: 200,
      headers: { ...headers, 'content-type': FORMATS[image.format].contentType, 'content-length': String(image.bytes.length) },
      body: request.method === 'HEAD' ? null : image.bytes,
    };
  }

  return {
    async get(id, request) {
      if (!ARTWORK_ID.test(id)) throw new AppError('artwork_not_found');
      const record = await artworks.findById(id);
      if (!record) throw new AppError('artwork_not_found');
      // RFC 9110 §13.2.1: preconditions only apply when the answer would otherwise be a success.
      const originalSize = await files.size(originalArtworkPath(dataDir, id));
      if (originalSize === null) throw new AppError('artwork_not_found');

      // Strong: the bytes for (id, size) never change (see CACHE_CONTROL).
      const etag = strongEtag(request.size === undefined ? id : `${id}-${request.size}`);
      const headers = { etag, 'cache-control': CACHE_CONTROL, 'x-content-type-options': 'nosniff' };
      // RFC 9110 §13.1.2: If-None-Match (weak comparison) → 304 for GET and HEAD.
      if (request.ifNoneMatch !== undefined && ifNoneMatchMatches(request.ifNoneMatch, etag)) {
        return { status: 304, headers: { etag, 'cache-control': CACHE_CONTROL }, body: null };
      }
      return request.size === undefined
        ? original(id, record.mime, originalSize, request, headers)
        : resized(id, request.size, request, headers);
    },
  };
}

/** Who is asking; decides which libraries' artwork they may receive. */
export type Viewer = Pick<AuthUser, 'id' | 'role'>;

export interface ArtworkAccess {
  /**
   * Throws `AppError('artwork_not_found')` unless a track in a library the viewer may see uses the artwork, itself
   * or through its album. Unknown ids and other libraries' ids answer alike, revealing nothing (not even whether a
   * 304 would apply); check before `ArtworkService.get`.
   */
  assertVisible(id: string, viewer: Viewer): Promise<void>;
}

/** Artwork access by the one library-access rule: the viewer's visible libraries (grants, own uploads, admins all music). */
export function createArtworkAccess(deps: {
  artworks: ArtworkVisibility;
  /** The libraries a viewer may see (`LibraryAccessRepository.visibleLibraryIds`). */
  visibleLibraryIds(viewer: Viewer): Promise<string[]>;
}): ArtworkAccess {
  return {
    async assertVisible(id, viewer) {
      if (!ARTWORK_ID.test(id)) throw new AppError('artwork_not_found');
      if (!(await deps.artworks.isUsedIn(id, await deps.visibleLibraryIds(viewer)))) throw new AppError('artwork_not_found');
    },
  };
}
