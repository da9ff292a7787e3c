import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../auth/routes.js';
import { AppError } from '../shared/errors.js';
import type { LibraryService } from './library-service.js';

const PATH_NOTE =
  'Paths are relative to the library root, prefixed by the library (music folder) name when several libraries are configured.';

const BrokenEntrySchema = Type.Object({
  path: Type.String({ description: PATH_NOTE }),
  reason: Type.String(),
});

const ScanSummarySchema = Type.Object(
  {
    startedAt: Type.Integer({ description: 'epoch ms' }),
    finishedAt: Type.Integer({ description: 'epoch ms' }),
    durationMs: Type.Integer(),
    added: Type.Integer({ description: 'new tracks (broken files included)' }),
    updated: Type.Integer({ description: 'changed files (size or mtime) re-read; the track keeps its id' }),
    moved: Type.Integer({ description: 'tracks found at a new path with the same content; ids kept' }),
    missing: Type.Integer({ description: 'tracks whose file is gone, soft-deleted (status `missing`)' }),
    reactivated: Type.Integer({ description: 'missing tracks whose file came back' }),
    unchanged: Type.Integer(),
    duplicates: Type.Integer({ description: 'new locations of content already catalogued' }),
    scope: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'folders scanned; null for a full scan' }),
    broken: Type.Array(BrokenEntrySchema, { description: 'broken files and unreadable folders seen by the scan' }),
  },
  { description: PATH_NOTE },
);

const StatusSchema = Type.Object({
  state: Type.Union([Type.Literal('idle'), Type.Literal('scanning')]),
  progress: Type.Union([
    Type.Object({
      phase: Type.String({ description: 'walk, read-tags, detect-moves, group, artwork or finish' }),
      processed: Type.Integer({ description: 'files handled so far' }),
      total: Type.Integer({ description: 'audio files found by the walk (0 while walking)' }),
    }),
    Type.Null(),
  ]),
  hashing: Type.Object({ pending: Type.Integer({ description: 'available tracks whose content hash is not computed yet' }) }),
  lastScan: Type.Union([ScanSummarySchema, Type.Null()]),
});

/**
 * `POST /api/v1/library/scans` (admin) starts a full scan or joins the running one; `GET /api/v1/library/status`
 * reports scanning, hashing and the last scan's summary.
 */
export async function libraryPlugin(fastify: FastifyInstance, { library }: { library: LibraryService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/api/v1/library/scans',
    {
      schema: {
        summary: 'Scan the music folders',
        description:
          'Starts a full scan of every music folder, or joins the one already running, and answers at once; follow it ' +
          'with `GET /library/status` or the `scan` events. Admins only: 403 `forbidden` otherwise.',
        tags: ['library'],
        response: { 202: Type.Object({ state: Type.Literal('scanning') }) },
      },
    },
    async (request, reply) => {
      if (requireUser(request).role !== 'admin') throw new AppError('forbidden');
      library.scan().catch((error) => request.log.error({ err: error }, 'scan failed'));
      return reply.code(202).send({ state: 'scanning' as const });
    },
  );

  app.get(
    '/api/v1/library/status',
    {
      schema: {
        summary: 'Scanner status',
        description:
          'Whether a scan runs and how far it got, how many tracks still wait for their content hash, and the summary ' +
          `of the last finished scan (kept across restarts). ${PATH_NOTE}`,
        tags: ['library'],
        response: { 200: StatusSchema },
      },
    },
    async () => library.status(),
  );
}
