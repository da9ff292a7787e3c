import { Redis } from 'ioredis';
import { createInProcessEventBus, type BusEvent, type EventBus } from '../shared/events.js';
import { newId } from '../shared/ids.js';

export interface RedisEventBusOptions {
  /** `redis://` or `rediss://` URL. */
  url: string;
  /** Pub/sub channel shared by every instance of one deployment. */
  channel: string;
  /** Redis connection or publish failures; the bus keeps going (ioredis reconnects and resubscribes). */
  onError(error: Error): void;
  /** How long start-up waits for the subscription before giving up (ms). */
  connectTimeoutMs?: number;
}

interface Envelope {
  /** The publishing bus, so it does not deliver its own events twice. */
  origin: string;
  event: BusEvent;
}

/**
 * The event bus across server instances: `publish` delivers to this process's listeners at once (same order as
 * in-process) and to every other instance through Redis pub/sub on `channel`. Pub/sub is fire-and-forget: an instance
 * that is disconnected from Redis misses events; per-user events stay replayable from the durable log in the database
 * (clients catch up with `Last-Event-ID`, and a connection that sees a gap fills it from the log).
 * Resolves once subscribed; rejects when Redis does not answer within `connectTimeoutMs` (default 10 s).
 */
export async function createRedisEventBus(options: RedisEventBusOptions): Promise<EventBus> {
  const origin = newId();
  const local = createInProcessEventBus();
  const publisher = new Redis(options.url, { lazyConnect: true });
  const subscriber = new Redis(options.url, { lazyConnect: true });
  publisher.on('error', options.onError);
  subscriber.on('error', options.onError);
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== options.channel) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message) as Envelope;
    } catch (error) {
      options.onError(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (envelope.origin !== origin) local.publish(envelope.event);
  });

  const disconnect = () => {
    publisher.disconnect();
    subscriber.disconnect();
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all([publisher.connect(), subscriber.connect().then(() => subscriber.subscribe(options.channel))]),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${options.connectTimeoutMs ?? 10_000} ms`)), options.connectTimeoutMs ?? 10_000);
      }),
    ]);
  } catch (error) {
    disconnect();
    throw new Error(`REDIS_URL: cannot subscribe to Redis: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
  }

  return {
    publish(event) {
      local.publish(event);
      const envelope: Envelope = { origin, event };
      publisher.publish(options.channel, JSON.stringify(envelope)).catch(options.onError);
    },
    subscribe: (listener) => local.subscribe(listener),
    async close() {
      await Promise.allSettled([subscriber.quit(), publisher.quit()]);
      await local.close();
    },
  };
}
