import type { BootstrapPage, ChangesPage } from './types.js';

/** The subset of `fetch` the client uses; tests pass a fake. */
export type FetchLike = (url: string, init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<Response>;

/** The server could not be reached or answered 5xx / 429: retry later without losing anything. */
export class ServerUnavailableError extends Error {
  constructor(
    message: string,
    /** Server-suggested wait (ms) from `Retry-After`, when it gave one. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/**
 * The cursor is older than the server's log retention, or an admin forced this device to bootstrap again (410
 * `cursor_expired`), or the server cannot read it (400 `invalid_cursor`): load a fresh snapshot.
 */
export class CursorExpiredError extends Error {}

/** Any other refusal (bad token 401, forbidden 403, bad request 400, …): retrying will not help. */
export class SyncRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function errorOf(response: Response, what: string): Promise<Error> {
  const text = await response.text().catch(() => '');
  let code = 'http_error';
  let message = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // Not the error catalogue's shape (a proxy's page, say): keep the raw text.
  }
  // A cursor the server cannot read (a state file from an older server version, say) is as useless as an expired one.
  if ((response.status === 410 && code === 'cursor_expired') || (response.status === 400 && code === 'invalid_cursor')) {
    return new CursorExpiredError(`${what}: ${message}`);
  }
  if (response.status >= 500 || response.status === 429 || response.status === 408) {
    const retryAfter = Number(response.headers.get('retry-after'));
    return new ServerUnavailableError(`${what}: HTTP ${response.status} ${message}`, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null);
  }
  return new SyncRequestError(response.status, code, `${what}: HTTP ${response.status} ${code}: ${message}`);
}

/**
 * The sync endpoints of one server for one device token (`Authorization: Bearer`). Network failures become
 * `ServerUnavailableError`; HTTP errors are classified as above.
 */
export function createSyncApi(options: { server: string; token: string; fetch: FetchLike }) {
  const base = options.server.replace(/\/+$/, '');
  const auth = { authorization: `Bearer ${options.token}` };

  async function send(what: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {}): Promise<Response> {
    let response: Response;
    try {
      response = await options.fetch(`${base}${path}`, { ...init, headers: { ...auth, ...init.headers } });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new ServerUnavailableError(`${what}: ${(error as Error).message}${(error as { cause?: Error }).cause ? ` (${(error as { cause: Error }).cause.message})` : ''}`);
    }
    return response;
  }

  async function json<T>(what: string, path: string): Promise<T> {
    const response = await send(what, path);
    if (!response.ok) throw await errorOf(response, what);
    try {
      return (await response.json()) as T;
    } catch (error) {
      // The connection broke while the body arrived.
      throw new ServerUnavailableError(`${what}: ${(error as Error).message}`);
    }
  }

  const query = (params: Record<string, string | number | null | undefined>) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== null && value !== undefined) search.set(key, String(value));
    const text = search.toString();
    return text ? `?${text}` : '';
  };

  return {
    server: base,
    /** One snapshot page; `cursor` null starts a new snapshot. */
    bootstrap: (cursor: string | null, limit: number) => json<BootstrapPage>('bootstrap', `/api/v1/sync/bootstrap${query({ cursor, limit })}`),
    /** The changes after `cursor`. */
    changes: (cursor: string, limit: number) => json<ChangesPage>('changes', `/api/v1/sync/changes${query({ cursor, limit })}`),
    /** Stores `cursor` as this device's position on the server (204). */
    async ack(cursor: string): Promise<void> {
      const response = await send('ack', '/api/v1/sync/ack', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cursor }) });
      if (!response.ok) throw await errorOf(response, 'ack');
      await response.body?.cancel();
    },
    /**
     * Starts downloading a track's original file from byte `offset`: with `Range: bytes=offset-` and
     * `If-Range: "<sha256>"` so a file that changed meanwhile comes back whole (200) instead of a mismatched tail.
     * Returns the response for 200/206; 404 → null (the track is gone or hidden; a delete record will follow).
     */
    async download(trackId: string, offset: number, sha256: string, signal?: AbortSignal): Promise<Response | null> {
      const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-`, 'if-range': `"${sha256}"` } : {};
      const response = await send(`download ${trackId}`, `/api/v1/tracks/${encodeURIComponent(trackId)}/download`, { headers, signal });
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      if (response.status === 416) {
        await response.body?.cancel();
        return response;
      }
      if (!response.ok) throw await errorOf(response, `download ${trackId}`);
      return response;
    },
    /**
     * Opens the server-sent event stream (`GET /api/v1/events`) for `library` notifications; the caller reads and
     * cancels it.
     */
    async events(signal: AbortSignal): Promise<Response> {
      const response = await send('events', '/api/v1/events', { headers: { accept: 'text/event-stream' }, signal });
      if (!response.ok) throw await errorOf(response, 'events');
      return response;
    },
  };
}

export type SyncApi = ReturnType<typeof createSyncApi>;
