import { describe, expect, it } from 'vitest';
import type { UserEvent } from '../../src/events/contracts.js';
import { EventStreamConnection, type StreamCatchUp } from '../../src/events/sse-connection.js';
import { durableEventFrame, parseLastEventId } from '../../src/events/sse.js';

const event = (id: number): UserEvent => ({ id, userId: 'u', type: 'playback', data: { id }, at: 1000 + id });
const deliver = (connection: EventStreamConnection, id: number) => connection.deliver(event(id), durableEventFrame(event(id)));
const flush = () => new Promise((resolve) => setImmediate(resolve));

/** A connection on a fake socket; `log` holds the user's durable events, `state` what a snapshot would say. */
function setup(options: { maxEvents?: number; stallTimeoutMs?: number } = {}) {
  const written: string[] = [];
  const sink = { accepting: true, ended: false, destroyed: false };
  const log: UserEvent[] = [];
  let now = 0;
  let snapshotGate: Promise<void> = Promise.resolve();
  const catchUp: StreamCatchUp = {
    async since(afterId) {
      return log.filter((e) => e.id > afterId);
    },
    async snapshot() {
      await snapshotGate;
      const id = log.at(-1)?.id ?? 0;
      return { id, frame: `id: ${id}\nevent: snapshot\ndata: {}\n\n` };
    },
  };
  const connection = new EventStreamConnection({
    id: 'c',
    userId: 'u',
    deviceId: null,
    sink: {
      write(chunk) {
        written.push(chunk);
        return sink.accepting;
      },
      end: () => void (sink.ended = true),
      destroy: () => void (sink.destroyed = true),
    },
    catchUp,
    clock: { now: () => now },
    limits: { maxEvents: options.maxEvents ?? 4, maxBytes: 1024 * 1024, stallTimeoutMs: options.stallTimeoutMs ?? 60_000 },
    retryMs: 3000,
    onError: () => undefined,
  });
  /** Ids (`snapshot@N` for snapshots) in the order the client got them. */
  const received = () =>
    written
      .join('')
      .split('\n\n')
      .filter((block) => block.startsWith('id: '))
      .map((block) => (block.includes('event: snapshot') ? `snapshot@${block.slice(4, block.indexOf('\n'))}` : Number(block.slice(4, block.indexOf('\n')))));
  return {
    connection,
    written,
    sink,
    log,
    received,
    advance: (ms: number) => (now += ms),
    gateSnapshots() {
      let open!: () => void;
      snapshotGate = new Promise((resolve) => (open = resolve));
      return () => open();
    },
  };
}

describe('an SSE connection', () => {
  it('starts with retry and a snapshot, then delivers each event once in id order, filling gaps from the log', async () => {
    const s = setup();
    s.log.push(event(1));
    await s.connection.start(undefined);
    expect(s.written[0]).toBe('retry: 3000\n\n');
    s.log.push(event(2), event(3), event(4));
    deliver(s.connection, 2);
    deliver(s.connection, 2);
    deliver(s.connection, 4); // 3 is still on its way from another instance
    await flush();
    deliver(s.connection, 3);
    expect(s.received()).toEqual(['snapshot@1', 2, 3, 4]);
  });

  it('holds live events while the snapshot is read, then delivers only those it does not cover', async () => {
    const s = setup();
    const open = s.gateSnapshots();
    s.log.push(event(1), event(2));
    const started = s.connection.start(undefined);
    deliver(s.connection, 2);
    s.log.push(event(3));
    deliver(s.connection, 3);
    open();
    await started;
    expect(s.received()).toEqual(['snapshot@3']);
    s.log.push(event(4));
    deliver(s.connection, 4);
    expect(s.received()).toEqual(['snapshot@3', 4]);
  });

  it('replays exactly the events after Last-Event-ID instead of a snapshot', async () => {
    const s = setup();
    s.log.push(event(1), event(2), event(3));
    await s.connection.start(1);
    expect(s.received()).toEqual([2, 3]);
  });

  it('collapses to a snapshot when a client that stopped reading exceeds its queue, and sends it once drained', async () => {
    const s = setup({ maxEvents: 4 });
    await s.connection.start(undefined);
    s.sink.accepting = false;
    for (let id = 1; id <= 10; id++) {
      s.log.push(event(id));
      deliver(s.connection, id);
    }
    // The first write was refused (it is in the socket buffer); the next 4 queued, the 5th overflowed the queue.
    expect(s.received()).toEqual(['snapshot@0', 1]);
    s.sink.accepting = true;
    s.connection.drained();
    await flush();
    expect(s.received()).toEqual(['snapshot@0', 1, 'snapshot@10']);
    s.log.push(event(11));
    deliver(s.connection, 11);
    expect(s.received().at(-1)).toBe(11);
  });

  it('flushes a queue within its bound in one write once drained, without a snapshot', async () => {
    const s = setup({ maxEvents: 4 });
    await s.connection.start(undefined);
    s.sink.accepting = false;
    for (let id = 1; id <= 4; id++) deliver(s.connection, id);
    s.sink.accepting = true;
    const writes = s.written.length;
    s.connection.drained();
    expect(s.written.length).toBe(writes + 1);
    expect(s.received()).toEqual(['snapshot@0', 1, 2, 3, 4]);
  });

  it('sends heartbeats, and drops a client whose socket has not drained within the stall timeout', async () => {
    const s = setup({ stallTimeoutMs: 1000 });
    await s.connection.start(undefined);
    s.connection.heartbeat();
    expect(s.written.at(-1)).toBe(': heartbeat\n\n');
    s.sink.accepting = false;
    deliver(s.connection, 1);
    s.advance(500);
    s.connection.heartbeat();
    expect(s.sink.destroyed).toBe(false);
    s.advance(600);
    s.connection.heartbeat();
    expect(s.sink.destroyed).toBe(true);
    expect(s.connection.isClosed).toBe(true);
  });
});

describe('Last-Event-ID', () => {
  it('is a non-negative integer or ignored', () => {
    expect(parseLastEventId('42')).toBe(42);
    expect(parseLastEventId(' 7 ')).toBe(7);
    for (const raw of [undefined, '', '-1', 'abc', '1.5', '9'.repeat(16)]) expect(parseLastEventId(raw)).toBeUndefined();
  });
});
