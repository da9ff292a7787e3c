import { EventEmitter } from 'node:events';
import type { UserEvent } from '../events/contracts.js';

/**
 * Events published on the bus. `scan` reports scanner progress; `library` says which catalog entities changed so
 * SSE, sync and search can follow without polling; `user-event` carries one event of a user's durable stream (already
 * in the log, id assigned) to every instance's SSE connections of that user.
 */
export type BusEvent =
  | { type: 'scan'; state: 'started' | 'progress' | 'finished'; phase?: string; processed?: number; total?: number }
  | {
      type: 'library';
      change: 'upsert' | 'delete';
      entity: 'track' | 'album' | 'artist' | 'artwork';
      ids: string[];
      /**
       * The libraries whose viewers the change concerns: SSE delivers it only to users who may see one of them.
       * Every catalog writer sets it; absent means a change tied to no library, sent to every stream.
       */
      libraryIds?: string[];
    }
  | { type: 'user-event'; event: UserEvent };

/** The one event bus. In-process by default; a Redis-backed implementation plugs in behind the same interface. */
export interface EventBus {
  publish(event: BusEvent): void;
  /** Returns an unsubscribe function. */
  subscribe(listener: (event: BusEvent) => void): () => void;
  close(): Promise<void>;
}

export function createInProcessEventBus(): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish: (event) => emitter.emit('event', event),
    subscribe(listener) {
      emitter.on('event', listener);
      return () => emitter.off('event', listener);
    },
    close: async () => {
      emitter.removeAllListeners();
    },
  };
}
