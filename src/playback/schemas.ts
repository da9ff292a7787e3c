import { Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox';
import { MAX_QUEUE_ITEMS } from './state.js';

const Id = Type.String({ minLength: 1, maxLength: 64 });
const Ms = (description: string) => Type.Integer({ minimum: 0, description: `${description}, ms` });
const EpochMs = (description: string) => Type.Integer({ description: `${description}, epoch ms (server clock)` });

const QueueItemSchema = Type.Object({
  itemId: Type.String({ description: 'Stable id of this queue entry (the same track queued twice has two).' }),
  trackId: Type.String(),
  durationMs: Type.Union([Type.Integer(), Type.Null()], { description: 'The track\'s length when it was queued, ms; null when unknown.' }),
});

export const PlaybackStateSchema = Type.Object(
  {
    revision: Type.Integer({ description: 'Increases by one with every change; 0 before the first.' }),
    activeDeviceId: Type.Union([Type.String(), Type.Null()], { description: 'The device playing the audio; null when none is.' }),
    playState: Type.Union([Type.Literal('playing'), Type.Literal('paused'), Type.Literal('stopped')]),
    current: Type.Union([Type.Object({ queueItemId: Type.String(), trackId: Type.String() }), Type.Null()]),
    positionMs: Ms('Position in the current track at `positionAsOf`'),
    positionAsOf: EpochMs('When `positionMs` was true. While playing, the position now is `positionMs + (now − positionAsOf)`, at most the duration'),
    queue: Type.Object({
      revision: Type.Integer({ description: 'Changes whenever the items or their order change.' }),
      items: Type.Array(QueueItemSchema, { description: 'In play order (the shuffled order while `shuffle` is on).' }),
    }),
    shuffle: Type.Boolean(),
    repeat: Type.Union([Type.Literal('off'), Type.Literal('all'), Type.Literal('one')]),
    volume: Type.Integer({ minimum: 0, maximum: 100, description: 'percent' }),
    updatedBy: Type.Union([Type.String(), Type.Null()], {
      description: 'The device whose command or report made this revision; null for the server or a web session.',
    }),
  },
  { description: 'The user\'s one playback session.' },
);

const TrackIds = Type.Array(Id, { minItems: 1, maxItems: MAX_QUEUE_ITEMS, description: 'Tracks in order; a track may appear more than once.' });
const trackSource = {
  trackIds: Type.Optional(TrackIds),
  albumId: Type.Optional(Type.String({ maxLength: 64, description: 'Every playable track of the album in disc/track order.' })),
  playlistId: Type.Optional(Type.String({ maxLength: 64, description: 'The playlist\'s playable tracks in its order.' })),
};
const NoArgs = Type.Optional(Type.Object({}, { additionalProperties: false }));
const Args = <P extends TProperties>(properties: P) => Type.Object(properties, { additionalProperties: false });

/** One command kind: `type` and its `args`, with the fields every command has. */
function command<K extends string, A extends TSchema>(type: K, args: A, description: string) {
  return Type.Object(
    {
      commandId: Type.String({ format: 'uuid', description: 'Chosen by the client; a retry with the same id returns the first outcome.' }),
      type: Type.Literal(type),
      args,
      expectedRevision: Type.Optional(Type.Integer({ minimum: 0, description: 'Refuse (409) unless the state is still at this revision.' })),
    },
    { additionalProperties: false, description },
  );
}

export const CommandSchema = Type.Union([
  command(
    'play',
    Args({
      ...trackSource,
      queueItemId: Type.Optional(Type.String({ maxLength: 64, description: 'Play this item of the current queue instead.' })),
      startIndex: Type.Optional(Type.Integer({ minimum: 0, description: 'Which of the new tracks to start with (default 0).' })),
      positionMs: Type.Optional(Ms('Where to start in that track (default 0)')),
    }),
    'Replaces the queue with the tracks of exactly one of `trackIds`, `albumId`, `playlistId` and plays, or plays `queueItemId` of the queue.',
  ),
  command('pause', NoArgs, 'Pauses at the current position.'),
  command('resume', NoArgs, 'Plays on from the current position (from the top of the queue when nothing is current).'),
  command('stop', NoArgs, 'Stops and rewinds the current track.'),
  command('next', NoArgs, 'Skips to the next item; after the last: the first, playing with repeat `all`, else stopped.'),
  command('previous', NoArgs, 'Restarts the track after 3 s of it, else goes to the previous item.'),
  command('seek', Args({ positionMs: Ms('Position in the current track') }), 'Moves within the current track.'),
  command(
    'transfer',
    Args({
      deviceId: Type.String({ maxLength: 64 }),
      play: Type.Optional(Type.Boolean({ description: 'true: play there; false: pause; absent: keep playing or paused.' })),
    }),
    'Makes another of your online devices the active one, at the current position.',
  ),
  command(
    'queue.add',
    Args({ ...trackSource, at: Type.Union([Type.Literal('next'), Type.Literal('end')]) }),
    'Adds the tracks of exactly one of `trackIds`, `albumId`, `playlistId` right after the current item or at the end.',
  ),
  command(
    'queue.remove',
    Args({ itemIds: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: MAX_QUEUE_ITEMS }) }),
    'Removes queue items.',
  ),
  command(
    'queue.move',
    Args({ itemId: Type.String({ maxLength: 64 }), toIndex: Type.Integer({ minimum: 0, description: '0-based, in play order' }) }),
    'Moves a queue item.',
  ),
  command('queue.clear', NoArgs, 'Empties the queue except the current item.'),
  command('shuffle', Args({ enabled: Type.Boolean() }), 'Shuffles the queue (the current item first) or restores its order.'),
  command('repeat', Args({ mode: Type.Union([Type.Literal('off'), Type.Literal('all'), Type.Literal('one')]) }), 'Sets the repeat mode.'),
  command('volume', Args({ percent: Type.Integer({ minimum: 0, maximum: 100 }) }), 'Sets the volume.'),
]);

export type CommandRequest = Static<typeof CommandSchema>;

/** Every command `type`, in the schema's order. */
export const COMMAND_TYPES: string[] = CommandSchema.anyOf.map((branch) => branch.properties.type.const);

/**
 * The schema of one command type, or undefined for an unknown type. Validating a body against its own type's schema
 * says what is wrong with it; the union would report every other type's mismatch too.
 */
export function commandSchemaOf(type: unknown): TSchema | undefined {
  return CommandSchema.anyOf.find((branch) => branch.properties.type.const === type);
}

/** Ajv's errors as one line, e.g. "body/args/percent must be <= 100". */
export function describeValidationErrors(
  errors: { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }[],
  dataVar: string,
): string {
  return errors
    .map((error) => {
      const extra = error.keyword === 'additionalProperties' ? ` ('${String(error.params.additionalProperty)}')` : '';
      return `${dataVar}${error.instancePath} ${error.message ?? 'is not valid'}${extra}`;
    })
    .join('; ');
}

export const ReportSchema = Type.Object(
  {
    revision: Type.Integer({ minimum: 0, description: 'The revision the device is playing (from its latest state).' }),
    positionMs: Ms('Where the device is in the current track'),
    ended: Type.Optional(Type.Boolean({ description: 'The current track played to its end: advance.' })),
  },
  { additionalProperties: false },
);

export type ReportRequest = Static<typeof ReportSchema>;
