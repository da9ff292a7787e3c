import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireUser } from '../auth/routes.js';
import { AppError, ErrorResponseSchema } from '../shared/errors.js';
import { RevisionConflictError } from './playback-service.js';
import { COMMAND_TYPES, commandSchemaOf, CommandSchema, describeValidationErrors, PlaybackStateSchema, ReportSchema } from './schemas.js';
import type { PlaybackState } from './state.js';
import type { Playback } from './wiring.js';

/** A 409 that carries the current state, so the client can retry on top of it without another request. */
const ConflictSchema = Type.Object({
  error: ErrorResponseSchema.properties.error,
  state: Type.Optional(PlaybackStateSchema),
});

const STATE_RULES =
  'While `playing`, the position now is `positionMs + (now − positionAsOf)` (server time; see `GET /api/v1/time`), at ' +
  'most the track\'s duration. Every change bumps `revision` and is published to all your devices as a `playback` event.';

const COMMAND_DESCRIPTION = [
  'Applies one command to your playback session and returns the new state. Send it with a device token: when no',
  'device is active, `play` and `resume` make the sending device the active one.',
  '',
  '**Commands** (`type` and its `args`): `play {trackIds | albumId | playlistId | queueItemId, startIndex?, positionMs?}`',
  '(replaces the queue, album tracks in disc/track order; or jumps to an item of the queue), `pause`, `resume`, `stop`,',
  '`seek {positionMs}`, `next`, `previous` (restarts the track after 3 s of it), `transfer {deviceId, play?}` (`play`:',
  'true plays there, false pauses, absent keeps the play state), `queue.add {trackIds | albumId | playlistId, at:',
  '"next" | "end"}`, `queue.remove {itemIds}`, `queue.move {itemId, toIndex}`, `queue.clear` (keeps the current item),',
  '`shuffle {enabled}` (a stable shuffled order with the current item first; off restores the order), `repeat {mode}`,',
  '`volume {percent}`. Only tracks you may see and that are playable can be queued; a playlist\'s others are skipped.',
  'A queue holds at most 2000 items.',
  '',
  '**Ordering**: each user\'s commands apply one at a time, across all server processes; none is lost.',
  '**Idempotency**: a retry with the same `commandId` (within 24 h) returns the first outcome — its state, or its',
  'error — and applies nothing again; the same id with other `type`/`args` → 422 `command_id_reused`.',
  '**Optimistic concurrency**: with `expectedRevision`, a state at another revision → 409 `revision_conflict` with',
  'the current `state` in the body (not stored: the same `commandId` may be sent again).',
  '',
  'Errors: 400 `validation_failed` (e.g. not exactly one track source); 404 `track_not_found`, `album_not_found`,',
  '`playlist_not_found`, `queue_item_not_found`, `device_not_found` (also another user\'s device); 409',
  '`revision_conflict`, `queue_empty` (nothing to play, or `next`/`previous` on an empty queue), `device_offline`',
  '(transfer target), `no_active_device` (play without a device token while none is active); 422 `seek_out_of_range`,',
  '`invalid_command` (e.g. pause while stopped, seek with nothing current, `startIndex`/`toIndex` out of range),',
  '`command_id_reused`; 503 `playback_busy` (retry).',
].join('\n');

const REPORT_DESCRIPTION = [
  'Sent by the active device, with its token, every few seconds while playing and when a track ends. `revision` is the',
  'latest one the device got; the position is clamped to the track\'s length. `ended: true` finishes the track (counted',
  'in your history after half of it or 4 minutes) and advances: repeat `one` plays it again, otherwise the next item',
  'in play order; after the last, the first — still playing with repeat `all`, stopped otherwise. A report bumps',
  '`revision` like any change. If the active device goes offline for 30 s, the session pauses where it last reported',
  'and no device is active.',
  '',
  'Errors: 409 `revision_conflict` (with the current `state`: something changed since; re-report against it),',
  '`not_active_device`; 422 `invalid_command` (nothing is playing).',
].join('\n');

async function answeringConflicts(reply: FastifyReply, action: () => Promise<PlaybackState>) {
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof RevisionConflictError)) throw error;
    return reply.code(409).send({ error: { code: error.code, message: error.message }, state: error.state });
  }
}

/**
 * Playback: one authoritative, persisted session per user, controlled from any of their devices.
 * Routes: `GET /api/v1/playback`, `POST /api/v1/playback/commands`, `POST /api/v1/playback/report`.
 * Runs the sweeper that pauses sessions whose active device vanished from ready to close.
 */
export async function playbackPlugin(fastify: FastifyInstance, options: { playback: Playback }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { service: playback, sweeper } = options.playback;
  fastify.addHook('onReady', async () => sweeper.start());
  fastify.addHook('onClose', async () => sweeper.stop());

  app.get(
    '/api/v1/playback',
    {
      schema: {
        summary: 'Your playback session',
        description: `The saved session (revision 0 before anything was played): a device signing in resumes from it. ${STATE_RULES}`,
        tags: ['playback'],
        response: { 200: PlaybackStateSchema },
      },
    },
    async (request) => playback.getState(requireUser(request).id),
  );

  app.post(
    '/api/v1/playback/commands',
    {
      // The body is validated against its own type's schema first: the union alone would answer a mistake in one
      // command's args with every other command type's mismatch as well.
      preValidation: async (request) => {
        const schema = commandSchemaOf((request.body as { type?: unknown } | null)?.type);
        if (!schema) throw new AppError('validation_failed', `body/type must be one of: ${COMMAND_TYPES.join(', ')}.`);
        const validate = request.compileValidationSchema(schema, 'body');
        if (!validate(request.body)) throw new AppError('validation_failed', describeValidationErrors(validate.errors ?? [], 'body'));
      },
      schema: {
        summary: 'Control playback',
        description: COMMAND_DESCRIPTION,
        tags: ['playback'],
        body: CommandSchema,
        response: {
          200: PlaybackStateSchema,
          400: ErrorResponseSchema,
          404: ErrorResponseSchema,
          409: ConflictSchema,
          422: ErrorResponseSchema,
          503: ErrorResponseSchema,
        },
      },
    },
    async (request, reply) => answeringConflicts(reply, () => playback.execute(requireUser(request), request.body)),
  );

  app.post(
    '/api/v1/playback/report',
    {
      schema: {
        summary: 'Report progress (active device)',
        description: REPORT_DESCRIPTION,
        tags: ['playback'],
        body: ReportSchema,
        response: { 200: PlaybackStateSchema, 409: ConflictSchema, 422: ErrorResponseSchema },
      },
    },
    async (request, reply) => answeringConflicts(reply, () => playback.report(requireUser(request), request.body)),
  );
}
