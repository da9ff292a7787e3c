import type { Db } from '../db/database.js';

/**
 * What feature services need from the real-time layer, without depending on how it is built (durable log, bus,
 * SSE hub, presence). `src/events/` implements these; playback, library and collection features call them.
 */

/** Kinds of per-user events, as the SSE stream names them (`event:` field). */
export type UserEventType = 'snapshot' | 'playback' | 'devices' | 'library' | 'scan' | 'collection';

/** One event in a user's stream; `id` increases strictly per user (it is the SSE `id:` / `Last-Event-ID`). */
export interface UserEvent {
  id: number;
  userId: string;
  type: UserEventType;
  data: unknown;
  /** Epoch ms. */
  at: number;
}

export interface UserEventPublisher {
  /**
   * Appends an event to the user's durable log and delivers it to every connected device of that user, on every
   * server instance. Resolves with the stored event (its id assigned).
   */
  publish(userId: string, type: Exclude<UserEventType, 'snapshot'>, data: unknown): Promise<UserEvent>;
}

/**
 * Publishing an event as part of a feature's own database transaction, so its change and the event that announces it
 * commit together (or not at all) and cost one commit instead of two: `appendIn` inside the transaction, `deliver`
 * once it has committed. An event whose transaction rolled back is never delivered, and its id is handed out again
 * (the counter bump rolls back with it), so ids stay gapless.
 */
export interface TransactionalEventPublisher extends UserEventPublisher {
  /**
   * Appends an event to the user's durable log through `executor`, the caller's open transaction (a `Db`: Kysely's
   * `Transaction` is one). Nothing is delivered yet. On PostgreSQL this locks the user's event counter until commit.
   */
  appendIn(executor: Db, userId: string, type: Exclude<UserEventType, 'snapshot'>, data: unknown): Promise<UserEvent>;
  /** Delivers an event whose transaction committed to every connected device of its user, on every server instance. */
  deliver(event: UserEvent): void;
}

/**
 * Tells every device of the user that their device list changed — a device was registered (or re-registered),
 * renamed or revoked — with a `devices` event holding the whole list, so every open app refreshes its device menu.
 */
export type DeviceListChanged = (userId: string) => Promise<void>;

export interface DevicePresence {
  /** True while the device has an open event stream on any instance, or sent a heartbeat within the last 30 s. */
  isOnline(userId: string, deviceId: string): Promise<boolean>;
  /** The user's devices that are online now. */
  onlineDeviceIds(userId: string): Promise<string[]>;
}
