import type { Clock } from '../shared/clock.js';
import type { UserEvent } from './contracts.js';
import { durableEventFrame, HEARTBEAT, retryField } from './sse.js';

/** Where a connection's bytes go: the HTTP response. `write` returns false when the caller should wait for `drained()`. */
export interface SseSink {
  write(chunk: string): boolean;
  /** Ends the response normally. */
  end(): void;
  /** Drops the connection (a client that stopped reading). */
  destroy(): void;
}

/** How a connection catches up: replay from the durable log, or a snapshot of the current state. */
export interface StreamCatchUp {
  /** The user's events after `afterId`, or null when they cannot be replayed exactly (a snapshot is due). */
  since(afterId: number): Promise<UserEvent[] | null>;
  /** A `snapshot` event frame and the id of the last event it already reflects. */
  snapshot(): Promise<{ id: number; frame: string }>;
}

/**
 * The per-connection buffer bound: once more than `maxEvents` frames or `maxBytes` bytes wait for a client that does
 * not read, they are dropped and the client gets a fresh snapshot when its socket drains (collapse to latest state).
 */
export interface QueueLimits {
  maxEvents: number;
  maxBytes: number;
  /** A client whose socket has not drained for this long (ms) is disconnected; it reconnects with Last-Event-ID. */
  stallTimeoutMs: number;
}

export const DEFAULT_QUEUE_LIMITS: QueueLimits = { maxEvents: 256, maxBytes: 1024 * 1024, stallTimeoutMs: 60_000 };

export interface ConnectionDeps {
  id: string;
  userId: string;
  deviceId: string | null;
  sink: SseSink;
  catchUp: StreamCatchUp;
  clock: Clock;
  limits: QueueLimits;
  retryMs: number;
  /** Catching up failed (database error): the connection closes and the client reconnects. */
  onError(error: unknown): void;
}

/**
 * One SSE connection. Durable events are delivered in id order exactly once: duplicates are dropped, and a gap (two
 * instances' events crossing on the bus) is filled from the log before anything after it. While catching up (first
 * snapshot or replay, a gap fill), live events are held and delivered afterwards. Writes never wait: a client that
 * stops reading costs at most `limits` of memory, then collapses to a snapshot (see `QueueLimits`).
 */
export class EventStreamConnection {
  readonly id: string;
  readonly userId: string;
  readonly deviceId: string | null;
  private readonly deps: ConnectionDeps;
  /** Id of the last durable event written or queued for this client. */
  private lastId = 0;
  private queue: string[] = [];
  private queuedBytes = 0;
  /** When the sink last refused a write (epoch ms); null while it accepts writes. */
  private blockedSince: number | null = null;
  private catchingUp = true;
  private held: { event: UserEvent | null; frame: string }[] = [];
  /** Queued deltas were dropped: the next thing this client gets is a snapshot. */
  private collapsed = false;
  private closed = false;

  constructor(deps: ConnectionDeps) {
    this.deps = deps;
    this.id = deps.id;
    this.userId = deps.userId;
    this.deviceId = deps.deviceId;
  }

  /** Writes `retry:`, then replays what came after `lastEventId` — or sends a snapshot when there is none or it is too old. */
  start(lastEventId: number | undefined): Promise<void> {
    this.write(retryField(this.deps.retryMs));
    if (lastEventId === undefined) return this.catchUp('snapshot');
    this.lastId = lastEventId;
    return this.catchUp(lastEventId);
  }

  /** Delivers a durable `event` (frame already built) or, with `event` null, a live-only frame. */
  deliver(event: UserEvent | null, frame: string): void {
    if (this.closed || this.collapsed) return;
    if (this.catchingUp) {
      this.hold(event, frame);
      return;
    }
    if (event) {
      if (event.id <= this.lastId) return;
      if (event.id > this.lastId + 1) {
        this.hold(event, frame);
        void this.catchUp(this.lastId);
        return;
      }
      this.lastId = event.id;
    }
    this.enqueue(frame);
  }

  /** The sink can take writes again: flush what queued up, then send the snapshot a collapse asked for. */
  drained(): void {
    if (this.closed) return;
    this.blockedSince = null;
    if (this.queue.length > 0) {
      const chunk = this.queue.join('');
      this.queue = [];
      this.queuedBytes = 0;
      this.write(chunk);
    }
    if (this.blockedSince === null && this.collapsed && !this.catchingUp) void this.catchUp('snapshot');
  }

  /** A heartbeat comment, unless the sink is blocked — then the connection is dropped once it stalled too long. */
  heartbeat(): void {
    if (this.closed) return;
    if (this.blockedSince === null) {
      this.write(HEARTBEAT);
    } else if (this.deps.clock.now() - this.blockedSince > this.deps.limits.stallTimeoutMs) {
      this.close();
    }
  }

  /** Ends the stream; a client that is not reading is dropped instead of waited for. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.held = [];
    if (this.blockedSince === null) this.deps.sink.end();
    else this.deps.sink.destroy();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async catchUp(from: number | 'snapshot'): Promise<void> {
    this.catchingUp = true;
    try {
      const replay = from === 'snapshot' ? null : await this.deps.catchUp.since(from);
      if (this.closed) return;
      if (replay) {
        for (const event of replay) {
          if (event.id <= this.lastId) continue;
          this.lastId = event.id;
          this.enqueue(durableEventFrame(event));
        }
      } else {
        this.collapsed = false;
        const snapshot = await this.deps.catchUp.snapshot();
        if (this.closed) return;
        this.lastId = snapshot.id;
        this.enqueue(snapshot.frame);
      }
    } catch (error) {
      this.deps.onError(error);
      this.close();
      return;
    }
    this.catchingUp = false;
    const held = this.held;
    this.held = [];
    for (const { event, frame } of held) this.deliver(event, frame);
    if (this.collapsed && !this.catchingUp && this.blockedSince === null) void this.catchUp('snapshot');
  }

  private hold(event: UserEvent | null, frame: string): void {
    this.held.push({ event, frame });
    if (this.held.length > this.deps.limits.maxEvents) this.collapse();
  }

  private enqueue(frame: string): void {
    if (this.collapsed) return;
    if (this.blockedSince === null) {
      this.write(frame);
      return;
    }
    this.queue.push(frame);
    this.queuedBytes += Buffer.byteLength(frame);
    if (this.queue.length > this.deps.limits.maxEvents || this.queuedBytes > this.deps.limits.maxBytes) this.collapse();
  }

  /** Drops every queued and held delta: the snapshot sent once the client reads again supersedes them. */
  private collapse(): void {
    this.queue = [];
    this.queuedBytes = 0;
    this.held = [];
    this.collapsed = true;
  }

  private write(chunk: string): void {
    if (!this.deps.sink.write(chunk)) this.blockedSince ??= this.deps.clock.now();
  }
}
