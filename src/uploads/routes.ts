import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { requireUser } from '../auth/routes.js';
import { AppError, ErrorResponseSchema } from '../shared/errors.js';
import { parseChunkRange } from './content-range.js';
import type { FileImporter } from './import-files.js';
import type { UploadService, UploadView } from './upload-service.js';

/** Files per import request; more are refused so one request cannot hold the server for long. */
const MAX_IMPORT_FILES = 50;

const ImportOutcomeSchema = Type.Object({
  fileName: Type.String(),
  result: Type.Union([Type.Literal('added'), Type.Literal('duplicate'), Type.Literal('rejected')]),
  trackId: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
});

const UploadSchema = Type.Object(
  {
    uploadId: Type.String(),
    status: Type.Union(['pending', 'receiving', 'finalizing', 'complete', 'duplicate', 'failed', 'expired'].map((s) => Type.Literal(s)), {
      description:
        '`pending` no bytes yet, `receiving` bytes arriving, `finalizing` being catalogued, `complete` the track exists, ' +
        '`duplicate` you already own the content (`trackId` names it; nothing stored), `failed` a check failed (`error`; nothing kept), ' +
        '`expired` abandoned and deleted',
    }),
    fileName: Type.String(),
    size: Type.Integer({ description: 'declared bytes' }),
    received: Type.Integer({ description: 'bytes the server holds: where the next chunk starts' }),
    trackId: Type.Union([Type.String(), Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()]),
    expiresAt: Type.Integer({ description: 'epoch ms; unfinished uploads are deleted after it (extended by every chunk)' }),
  },
  { title: 'Upload' },
);

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const errors = { 400: ErrorResponseSchema, 404: ErrorResponseSchema, 409: ErrorResponseSchema, 413: ErrorResponseSchema, 415: ErrorResponseSchema, 422: ErrorResponseSchema };

/**
 * Uploads into the caller's private upload library: `POST /api/v1/uploads` (prepare), `PUT /api/v1/uploads/{id}`
 * (bytes, resumable with `Content-Range`), `GET`/`HEAD /api/v1/uploads/{id}` (status, `Upload-Offset`),
 * `POST /api/v1/uploads/{id}/finalize`. Another user's upload ids answer 404.
 */
export async function uploadsPlugin(
  fastify: FastifyInstance,
  { uploads, importer, maxBytes }: { uploads: UploadService; importer: FileImporter; maxBytes: number },
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // Scoped to this plugin: only the import route reads multipart bodies.
  await app.register(multipart, { limits: { fileSize: maxBytes, files: MAX_IMPORT_FILES, fields: 0 } });
  // The bytes are streamed to the staging file by the handler, never buffered.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

  const reply200 = (upload: UploadView) => upload;

  app.post(
    '/api/v1/uploads',
    {
      schema: {
        summary: 'Prepare an upload',
        description:
          'Declares a file to upload into your upload library. When you already own a track with this SHA-256 (in your ' +
          'upload library or a library granted to you) the answer is `duplicate` with its `trackId` and nothing is stored. ' +
          'Errors: 413 `upload_too_large` (OMNISONIC_UPLOAD_MAX_BYTES), 413 `upload_quota_exceeded`.',
        tags: ['uploads'],
        body: Type.Object({
          fileName: Type.String({ minLength: 1, maxLength: 1024 }),
          size: Type.Integer({ minimum: 1 }),
          sha256: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }),
          mimeType: Type.Optional(Type.String({ maxLength: 255 })),
        }),
        response: { 200: UploadSchema, ...errors },
      },
    },
    async (request) => reply200(await uploads.prepare(requireUser(request), request.body)),
  );

  app.get(
    '/api/v1/uploads/:id',
    {
      schema: {
        summary: 'Upload status',
        description: 'The upload and how many bytes the server holds (also in the `Upload-Offset` header; `HEAD` gives just the headers). 404 `upload_not_found`.',
        tags: ['uploads'],
        params: IdParams,
        response: { 200: UploadSchema, 404: ErrorResponseSchema },
      },
    },
    async (request, reply) => {
      const upload = await uploads.get(requireUser(request), request.params.id);
      reply.header('Upload-Offset', String(upload.received)).header('Cache-Control', 'no-store');
      return upload;
    },
  );

  app.put(
    '/api/v1/uploads/:id',
    {
      bodyLimit: maxBytes,
      schema: {
        summary: 'Send upload bytes',
        description:
          'The body (`application/octet-stream`) is the file or one chunk of it: `Content-Range: bytes first-last/size`, where ' +
          '`first` must be the number of bytes the server holds (`HEAD` tells) and `size` the declared size. Without ' +
          'Content-Range the body is the whole file. Errors: 409 `upload_offset_mismatch` (with `Upload-Offset`), 409 ' +
          '`upload_incomplete` when the body ended early (what arrived is kept; resume at `Upload-Offset`), 400 ' +
          '`upload_size_mismatch`, 409 `upload_not_receiving`, 409 `upload_busy`, 404 `upload_not_found`.',
        tags: ['uploads'],
        params: IdParams,
        response: { 200: UploadSchema, ...errors },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      let range;
      try {
        range = parseChunkRange(request.headers['content-range']);
      } catch (error) {
        throw new AppError('validation_failed', (error as Error).message);
      }
      const body = request.body as Readable | undefined;
      if (!body || typeof (body as Readable).pipe !== 'function') {
        await uploads.get(user, request.params.id); // 404 for ids that are not the caller's, before anything else
        throw new AppError('unsupported_media_type', 'Send the bytes as application/octet-stream.');
      }
      const lengthHeader = request.headers['content-length'];
      const contentLength = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
      if (contentLength !== null && contentLength > maxBytes) throw new AppError('upload_too_large');
      const upload = await uploads.receive(user, request.params.id, range, body, contentLength);
      reply.header('Upload-Offset', String(upload.received));
      return upload;
    },
  );

  app.post(
    '/api/v1/uploads/:id/finalize',
    {
      schema: {
        summary: 'Finish an upload',
        description:
          'Verifies size and SHA-256, recognises the format from the bytes (not the name), reads the tags like the scanner, ' +
          'moves the file to `Album Artist/Album/NN - Title.ext` in your upload library (" (2)" on collisions) and creates ' +
          'the track, album, artists and artwork. A failed check deletes the bytes and marks the upload `failed`: 400 ' +
          '`upload_size_mismatch`, 422 `upload_checksum_mismatch`, 415 `upload_unsupported_type`, 422 `upload_unreadable`. ' +
          '409 `upload_incomplete` while bytes are missing. Answers `duplicate` when you already own the content.',
        tags: ['uploads'],
        params: IdParams,
        response: { 200: UploadSchema, ...errors },
      },
    },
    async (request) => uploads.finalize(requireUser(request), request.params.id),
  );

  app.post(
    '/api/v1/library/import',
    {
      schema: {
        summary: 'Import several files at once (multipart/form-data)',
        description:
          `Each file part (at most ${MAX_IMPORT_FILES}) goes through the same pipeline as \`/uploads\` into your upload library ` +
          'and gets its own result: `added` (with the new track), `duplicate` (a track you already own) or `rejected` ' +
          '(with the reason: unreadable, not audio, too large, …). One bad file never fails the others. Errors: 415 ' +
          '`unsupported_media_type` when the body is not multipart.',
        tags: ['uploads'],
        consumes: ['multipart/form-data'],
        response: { 200: Type.Object({ items: Type.Array(ImportOutcomeSchema) }), 415: ErrorResponseSchema },
      },
    },
    async (request) => {
      const user = requireUser(request);
      if (!request.isMultipart()) throw new AppError('unsupported_media_type', 'Send the files as multipart/form-data.');
      const items = [];
      for await (const part of request.files()) {
        items.push(await importer.importFile(user, part.filename, part.mimetype, part.file));
      }
      return { items };
    },
  );
}
