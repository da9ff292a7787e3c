import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../auth/routes.js';
import { ErrorResponseSchema } from '../shared/errors.js';
import { createEventStreams, type PlaybackStateProvider } from './event-streams.js';
import type { SseSink } from './sse-connection.js';
import { parseLastEventId } from './sse.js';
import type { Realtime } from './wiring.js';

const EVENTS_DESCRIPTION = [
  'Server-sent events (WHATWG HTML, "Server-sent events"): this user\'s real-time stream, one per open app.',
  '',
  '**Events.** Each is `event: <type>` with `data:` one line of JSON `{id, type, at, data}` (`at` epoch ms):',
  '`snapshot` first (`data: {playback, devices: [{id, name, platform, online, lastSeenAt}]}`), then deltas —',
  '`playback`, `devices` (the whole device list when one goes online or offline, or is registered, renamed or',
  'revoked), `collection`, …. Every durable event',
  'has an `id:` that strictly increases per user across all server instances. `library` (`{change, entity, ids}`)',
  'and `scan` (`{state, phase, processed, total}`, progress at most every 0.5 s) are live-only: no `id:`, not replayed',
  '(refetch library views after a reconnect); their ids may include items you cannot open (those answer 404).',
  '',
  '**Reconnecting.** Send `Last-Event-ID` (EventSource does) or `?lastEventId=`: the missed events are replayed',
  'exactly, from the newest 1,000 events of the last 24 h; an older or unknown id gets a fresh `snapshot` instead.',
  'The stream starts with `retry: 3000` and sends a `: heartbeat` comment every 15 s.',
  '',
  '**Slow clients.** At most 256 events or 1 MiB wait for a client that does not read; beyond that they are dropped',
  'and the client gets a fresh `snapshot` once it reads again. A client that reads nothing for about a minute is dropped.',
  '',
  '**Auth and presence.** A device token (`Authorization: Bearer omd_…`): the device shows as online while its',
  'stream is open. The web app\'s EventSource cannot send headers, so it authenticates with the session cookie and',
  'names its registered device with `?deviceId=` (404 `device_not_found` if that is not one of yours; ignored for',
  'a device token). Tokens are never accepted in the query string (they would end up in access logs). A stream',
  'ends within 10 s when its device is revoked, its session ends or expires, or its user is disabled.',
  'Errors: 401 `unauthorized`.',
].join('\n');

/** `text/event-stream` response headers; `no-transform` and `X-Accel-Buffering: no` keep proxies from buffering. */
const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
};

/**
 * The real-time layer's routes: `GET /api/v1/events` (SSE) and `GET /api/v1/time` (server clock for offset
 * estimation). Starts the heartbeat, stream refresh and presence sweep when the server is ready; closes every stream
 * before the server closes.
 */
export async function eventsPlugin(fastify: FastifyInstance, options: { realtime: Realtime; playbackState?: PlaybackStateProvider }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { log, presence, hub, bus, clock, scheduler, settings } = options.realtime.internals;
  const streams = createEventStreams({
    hub,
    presence,
    log,
    clock,
    scheduler,
    playbackState: options.playbackState,
    settings: { queue: settings.queue, retryMs: settings.retryMs, presence: settings.presence },
    logger: { error: (details, message) => app.log.error(details, message) },
  });
  const unsubscribe = bus.subscribe(hub.dispatch);
  app.addHook('onReady', async () => streams.start());
  app.addHook('preClose', async () => {
    unsubscribe();
    await streams.stop();
  });

  app.get(
    '/api/v1/events',
    {
      schema: {
        summary: 'Real-time events (SSE)',
        description: EVENTS_DESCRIPTION,
        tags: ['events'],
        querystring: Type.Object({
          deviceId: Type.Optional(Type.String({ maxLength: 64, description: 'With a session cookie: the registered device this stream speaks for.' })),
          lastEventId: Type.Optional(Type.String({ maxLength: 20, description: 'Same as the `Last-Event-ID` header, which wins.' })),
        }),
        response: {
          200: {
            description: '`text/event-stream`; never ends on its own.',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
          404: ErrorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const deviceId = await streams.deviceFor(user, request.query.deviceId);
      const lastEventId = parseLastEventId(request.headers['last-event-id'] ?? request.query.lastEventId);
      reply.hijack();
      const response = reply.raw;
      // Hijacking skips Fastify's reply headers (e.g. CORS); carry them over.
      for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) response.setHeader(name, value);
      response.writeHead(200, SSE_HEADERS);
      response.socket?.setNoDelay(true);
      const sink: SseSink = {
        write: (chunk) => response.write(chunk),
        end: () => response.end(),
        destroy: () => response.destroy(),
      };
      const connection = streams.open({ userId: user.id, deviceId, sessionId: user.sessionId ?? null }, sink, lastEventId);
      response.on('drain', () => connection.drained());
      response.on('close', () => void streams.close(connection));
      if (response.destroyed) void streams.close(connection);
    },
  );

  app.get(
    '/api/v1/time',
    {
      schema: {
        summary: 'Server time',
        description:
          'The server clock, for clients estimating their offset (NTP-style: `offset ≈ serverTime − (sent + received) / 2`, ' +
          'taking the sample with the shortest round trip). `Cache-Control: no-store`.',
        tags: ['events'],
        response: { 200: Type.Object({ serverTime: Type.Integer({ description: 'epoch ms' }) }) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return { serverTime: clock.now() };
    },
  );
}
