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

export interface DevicePresence {
  /** True while the device has an open event stream on any instance, or sent a heartbeat within the last 30 s. */
  isOnline(userId: string, deviceId: string): Promise<boolean>;
  /** The user's devices that are online now. */
  onlineDeviceIds(userId: string): Promise<string[]>;
}
