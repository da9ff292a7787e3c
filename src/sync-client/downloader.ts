import { createHash } from 'node:crypto';
import path from 'node:path';
import { ServerUnavailableError, type SyncApi } from './api-client.js';
import type { SyncFileSystem } from './file-system.js';
import type { LocalCopy } from './state-store.js';

/** The bytes that arrived are not the file the server described (SHA-256 or size differ). Nothing was kept. */
export class HashMismatchError extends Error {}

/** A track to fetch: where it goes (absolute, already checked to be inside DIR) and what it must hash to. */
export interface DownloadRequest {
  id: string;
  fileName: string;
  target: string;
  sha256: string;
  size: number;
}

export interface DownloadOutcome {
  /** The copy now in place; null when the server no longer has the track (404). */
  local: LocalCopy | null;
  /** Body bytes received in this call. */
  transferred: number;
  /** Whether it continued a partial download from an earlier attempt. */
  resumed: boolean;
}

/** `.part` file of a track under the client folder; ids that are not plain tokens are hashed into one. */
export function partPath(partsDir: string, trackId: string): string {
  const name = /^[A-Za-z0-9_-]{1,128}$/.test(trackId) ? trackId : createHash('sha256').update(trackId).digest('hex');
  return path.join(partsDir, `${name}.part`);
}

/**
 * Downloads one track into `request.target`: appends to `<parts>/<id>.part`, resuming with a Range request from the
 * bytes an earlier attempt kept (`If-Range` with the expected SHA-256, so a changed file comes back whole), checks size
 * and SHA-256 over the whole part, fsyncs it and renames it into place (a reader of DIR never sees a half file).
 *
 * Errors: `ServerUnavailableError` when the connection breaks — the part keeps what arrived for the next attempt;
 * `HashMismatchError` when the bytes are wrong — the part is deleted, so the next attempt starts from zero.
 * `onBytes(n)` reports progress.
 */
export async function downloadTrack(
  deps: { api: SyncApi; fs: SyncFileSystem; partsDir: string },
  request: DownloadRequest,
  onBytes: (n: number) => void = () => undefined,
): Promise<DownloadOutcome> {
  const { api, fs } = deps;
  const part = partPath(deps.partsDir, request.id);
  let held = (await fs.stat(part))?.size ?? 0;
  if (held > request.size) {
    await fs.remove(part);
    held = 0;
  }
  const resumed = held > 0;
  const hash = createHash('sha256');
  let transferred = 0;

  if (held < request.size) {
    let response = await api.download(request.id, held, request.sha256);
    if (response === null) {
      await fs.remove(part);
      return { local: null, transferred, resumed };
    }
    if (response.status === 416) {
      // The server's idea of the file no longer covers what we hold: start over.
      await fs.remove(part);
      held = 0;
      response = await api.download(request.id, 0, request.sha256);
      if (response === null) return { local: null, transferred, resumed };
    }
    let truncate = false;
    if (response.status === 206) {
      const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== held) {
        await response.body?.cancel();
        await fs.remove(part);
        throw new ServerUnavailableError(`download ${request.id}: the server answered another range (${response.headers.get('content-range')}) than bytes=${held}-`);
      }
    } else {
      truncate = true;
      held = 0;
    }
    if (!truncate && held > 0) for await (const chunk of fs.read(part)) hash.update(chunk);
    const file = await fs.openAppend(part, truncate);
    let broken: unknown = null;
    try {
      if (response.body) {
        for await (const chunk of response.body) {
          if (held + transferred + chunk.byteLength > request.size) throw new HashMismatchError(`download ${request.id}: more bytes than the ${request.size} announced`);
          await file.write(chunk);
          hash.update(chunk);
          transferred += chunk.byteLength;
          onBytes(chunk.byteLength);
        }
      }
    } catch (error) {
      broken = error;
    } finally {
      await file.close(true);
    }
    if (broken instanceof HashMismatchError) {
      await fs.remove(part);
      throw broken;
    }
    if (broken !== null || held + transferred < request.size) {
      const reason = broken ? (broken as Error).message : 'the body ended early';
      throw new ServerUnavailableError(`download ${request.id}: interrupted after ${held + transferred} of ${request.size} bytes (${reason})`);
    }
  } else {
    for await (const chunk of fs.read(part)) hash.update(chunk);
  }

  const digest = hash.digest('hex');
  if (digest !== request.sha256) {
    await fs.remove(part);
    throw new HashMismatchError(`download ${request.id}: SHA-256 ${digest} is not the expected ${request.sha256}`);
  }
  await fs.rename(part, request.target);
  const info = await fs.stat(request.target);
  return {
    local: { fileName: request.fileName, sha256: request.sha256, size: request.size, mtimeMs: info?.mtimeMs ?? 0 },
    transferred,
    resumed,
  };
}
