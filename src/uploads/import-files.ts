import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isAppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { Uploader, UploadService } from './upload-service.js';

/** What happened to one file of an import. */
export interface ImportOutcome {
  fileName: string;
  result: 'added' | 'duplicate' | 'rejected';
  /** The new track (`added`) or the one you already own (`duplicate`). */
  trackId: string | null;
  /** Why a file was rejected. */
  reason: string | null;
}

/**
 * The web app's simple path (`POST /api/v1/library/import`): each file goes through the same prepare → receive →
 * finalize pipeline as a resumable upload. The browser cannot know the SHA-256 up front, so each file is first
 * spooled to `spoolRoot/import-<id>/` while it is hashed; start-up recovery removes spools a crash left behind.
 */
export function createFileImporter(deps: { uploads: UploadService; spoolRoot: string }) {
  const { uploads } = deps;
  const rejected = (fileName: string, reason: string): ImportOutcome => ({ fileName, result: 'rejected', trackId: null, reason });

  return {
    /**
     * Imports one file from a stream. Never throws for a bad file: the outcome says `rejected` with the reason.
     * `truncated` tells that the multipart parser cut the file at the size limit.
     */
    async importFile(user: Uploader, fileName: string, mimeType: string | undefined, stream: Readable & { truncated?: boolean }): Promise<ImportOutcome> {
      const spoolDir = path.join(deps.spoolRoot, `import-${newId()}`);
      const spool = path.join(spoolDir, 'data');
      try {
        await mkdir(spoolDir, { recursive: true });
        const hash = createHash('sha256');
        let size = 0;
        const measure = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            hash.update(chunk);
            size += chunk.length;
            done(null, chunk);
          },
        });
        await pipeline(stream, measure, createWriteStream(spool));
        if (stream.truncated) return rejected(fileName, 'The file is larger than the upload size limit.');
        if (size === 0) return rejected(fileName, 'The file is empty.');
        const prepared = await uploads.prepare(user, { fileName, size, sha256: hash.digest('hex'), mimeType });
        if (prepared.status === 'duplicate') return { fileName, result: 'duplicate', trackId: prepared.trackId, reason: null };
        await uploads.receive(user, prepared.uploadId, null, createReadStream(spool), size);
        const finished = await uploads.finalize(user, prepared.uploadId);
        return finished.status === 'complete'
          ? { fileName, result: 'added', trackId: finished.trackId, reason: null }
          : rejected(fileName, finished.error ?? `The upload ended ${finished.status}.`);
      } catch (error) {
        if (isAppError(error)) return rejected(fileName, error.message);
        throw error;
      } finally {
        await rm(spoolDir, { recursive: true, force: true });
      }
    },
  };
}

export type FileImporter = ReturnType<typeof createFileImporter>;
