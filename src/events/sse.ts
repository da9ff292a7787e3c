import type { UserEvent } from './contracts.js';

/**
 * Server-sent event framing, per the WHATWG HTML standard, "Server-sent events" (§9.2): UTF-8 lines of `field: value`,
 * an event ends with a blank line; `id:` sets the stream's last event ID (sent back as `Last-Event-ID` when the
 * browser reconnects), `event:` names the event, `data:` carries the payload, `retry:` sets the reconnection delay in
 * ms, and a line starting with `:` is a comment that clients ignore.
 *
 * Payloads are one line of JSON (JSON.stringify escapes CR and LF, the only line breaks SSE knows), so every event
 * has exactly one `data:` line.
 */

/** What every event's `data:` holds: the event without its user. `id` is absent on live-only events. */
export interface EventPayload {
  id?: number;
  type: string;
  /** Epoch ms when the server produced the event. */
  at: number;
  data: unknown;
}

/** The first bytes of every stream: the reconnection delay (ms) for EventSource. */
export function retryField(retryMs: number): string {
  return `retry: ${retryMs}\n\n`;
}

/** A comment line: keeps proxies and NAT from dropping an idle connection; invisible to EventSource. */
export const HEARTBEAT = ': heartbeat\n\n';

/** A durable event of the user's stream, with `id:` so a reconnect resumes after it. */
export function durableEventFrame(event: Pick<UserEvent, 'id' | 'type' | 'at' | 'data'>): string {
  const payload: EventPayload = { id: event.id, type: event.type, at: event.at, data: event.data };
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(payload)}\n\n`;
}

/**
 * A live-only event (library changes, scan progress). Without an `id:` field the browser keeps the last event ID of
 * the previous durable event, so these neither consume nor disturb replay positions.
 */
export function liveEventFrame(type: string, at: number, data: unknown): string {
  const payload: EventPayload = { type, at, data };
  return `event: ${type}\ndata: ${JSON.stringify(payload)}\n\n`;
}

/**
 * The `Last-Event-ID` a client sent (header, or the `lastEventId` query parameter for a client that starts a new
 * EventSource after a page reload): a non-negative integer, otherwise undefined (treated as a first connection).
 */
export function parseLastEventId(raw: string | string[] | undefined): number | undefined {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || !/^\d{1,15}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}
