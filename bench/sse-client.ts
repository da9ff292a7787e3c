/**
 * A minimal server-sent events client on raw `http.request`, for tests and the fan-out benchmark: no EventSource
 * polyfill, so a test can pause reading a socket, and a benchmark can hold thousands of streams cheaply.
 * Parsing follows the WHATWG HTML "Server-sent events" interpretation rules: lines end in CRLF, LF or CR; a line
 * starting with ':' is a comment; `field: value` (one optional space after the colon); a blank line dispatches.
 */
import http from 'node:http';

export interface SseMessage {
  /** The `id:` of this event; undefined when it had none (the last event ID is then unchanged). */
  id?: string;
  /** `event:`, "message" when absent. */
  event: string;
  data: string;
}

export interface SseCallbacks {
  onMessage(message: SseMessage): void;
  onComment?(text: string): void;
  /** A `retry:` field (reconnection time, ms). */
  onRetry?(ms: number): void;
}

/** Incremental SSE parser: feed it chunks, it calls back per event, comment and `retry:`. */
export function createSseParser(callbacks: SseCallbacks) {
  let buffer = '';
  let id: string | undefined;
  let event = '';
  let data: string[] = [];
  let sawCarriageReturn = false;

  function line(text: string): void {
    if (text === '') {
      // An event with no data line is not dispatched (the spec's "data buffer is empty" rule).
      if (data.length > 0) callbacks.onMessage({ id, event: event || 'message', data: data.join('\n') });
      id = undefined;
      event = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) {
      callbacks.onComment?.(text.slice(1).trimStart());
      return;
    }
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry' && /^\d+$/.test(value)) callbacks.onRetry?.(Number(value));
  }

  return (chunk: string): void => {
    buffer += chunk;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c === 10 && sawCarriageReturn) {
        // The LF of a CRLF whose CR already ended the line.
        sawCarriageReturn = false;
        start = i + 1;
        continue;
      }
      sawCarriageReturn = false;
      if (c === 10 || c === 13) {
        line(buffer.slice(start, i));
        sawCarriageReturn = c === 13;
        start = i + 1;
      }
    }
    buffer = buffer.slice(start);
  };
}

export interface EventStreamClient {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Every event received so far, in order. */
  messages: SseMessage[];
  /** Comments received so far (heartbeats). */
  comments: string[];
  /** The last `retry:` the server sent, ms. */
  retry?: number;
  /** The first message at index ≥ `from` matching `predicate`, waiting up to `timeoutMs`. */
  waitFor(predicate: (message: SseMessage) => boolean, options?: { from?: number; timeoutMs?: number }): Promise<SseMessage>;
  /** Stops reading the socket (the server's writes then back up), and resumes it. */
  pause(): void;
  resume(): void;
  /** Resolves when the server ends or drops the stream. */
  ended: Promise<void>;
  close(): void;
}

/**
 * Opens `GET url` as an event stream with `headers`. Resolves once the response headers arrive (any status; a
 * non-200 body is read as text into `messages[0].data`).
 */
export function openEventStream(url: string, options: { headers?: Record<string, string>; agent?: http.Agent; onMessage?: (message: SseMessage) => void } = {}): Promise<EventStreamClient> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { headers: { accept: 'text/event-stream', ...options.headers }, agent: options.agent });
    request.on('error', reject);
    request.on('response', (response) => {
      const messages: SseMessage[] = [];
      const comments: string[] = [];
      const waiters = new Set<() => void>();
      const notify = () => {
        for (const waiter of [...waiters]) waiter();
      };
      const parse = createSseParser({
        onMessage(message) {
          messages.push(message);
          options.onMessage?.(message);
          notify();
        },
        onComment(text) {
          comments.push(text);
          notify();
        },
        onRetry(ms) {
          client.retry = ms;
        },
      });
      let ended!: () => void;
      const endedPromise = new Promise<void>((done) => (ended = done));
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => parse(chunk));
      response.on('close', () => {
        ended();
        notify();
      });
      response.on('error', () => undefined);
      if (response.statusCode !== 200) {
        let body = '';
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => messages.push({ event: 'error', data: body }));
      }
      const client: EventStreamClient = {
        status: response.statusCode ?? 0,
        headers: response.headers,
        messages,
        comments,
        ended: endedPromise,
        waitFor(predicate, { from = 0, timeoutMs = 5000 } = {}) {
          return new Promise((found, fail) => {
            let checked = from;
            const check = () => {
              for (; checked < messages.length; checked++) {
                if (predicate(messages[checked])) {
                  cleanup();
                  found(messages[checked]);
                  return;
                }
              }
              if (response.destroyed || response.complete) {
                cleanup();
                fail(new Error('the stream ended before a matching event arrived'));
              }
            };
            const timer = setTimeout(() => {
              cleanup();
              fail(new Error(`no matching event within ${timeoutMs} ms; got ${messages.map((m) => `${m.event}#${m.id ?? '-'}`).join(' ')}`));
            }, timeoutMs);
            const cleanup = () => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          });
        },
        pause: () => response.pause(),
        resume: () => response.resume(),
        close: () => request.destroy(),
      };
      resolve(client);
    });
    request.end();
  });
}
