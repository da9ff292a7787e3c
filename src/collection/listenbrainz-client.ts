/**
 * The ListenBrainz HTTP API (https://listenbrainz.readthedocs.io/en/latest/users/api/core.html), the only code that
 * talks to it. Every request sends the user token as `Authorization: Token <user token>`; the token never appears
 * in a URL, a log line or an error message.
 */

/** One listen as ListenBrainz takes it (`single`/`import` listens; `listened_at` in epoch **seconds**). */
export interface ListenBrainzListen {
  listened_at: number;
  track_metadata: {
    artist_name: string;
    track_name: string;
    release_name?: string;
    additional_info: {
      /** The track's duration (not how long it played), ms. */
      duration_ms?: number;
      recording_mbid?: string;
      release_mbid?: string;
      track_mbid?: string;
      tracknumber?: number;
      isrc?: string;
      submission_client: string;
    };
  };
}

/** `single`: one listen that just finished; `import`: several past listens at once (a backlog). */
export type ListenType = 'single' | 'import';

export type SubmitOutcome =
  | { kind: 'accepted' }
  /** Worth trying again later: network failure, timeout, 429 or 5xx. `retryAfterMs` when the server said. */
  | { kind: 'retry'; error: string; retryAfterMs: number | null }
  /** ListenBrainz refused the request itself (4xx other than 429): sending it again would fail the same way. */
  | { kind: 'rejected'; error: string };

export type TokenCheck =
  | { kind: 'valid'; userName: string | null }
  | { kind: 'invalid'; error: string }
  /** ListenBrainz could not be asked (offline, timeout, 429, 5xx). */
  | { kind: 'unreachable'; error: string };

export interface ListenBrainzClient {
  /** `GET /1/validate-token`. Never throws. */
  validateToken(token: string): Promise<TokenCheck>;
  /** `POST /1/submit-listens` with `{listen_type, payload}`. Never throws. */
  submitListens(token: string, listenType: ListenType, listens: ListenBrainzListen[]): Promise<SubmitOutcome>;
}

/** How long one request may take before it counts as a network failure (ms). */
const REQUEST_TIMEOUT_MS = 10_000;

/** What ListenBrainz said in an error body (`{code, error}`), shortened; never the request, which holds the token. */
async function describeFailure(response: Response): Promise<string> {
  let detail = '';
  try {
    const body = (await response.json()) as { error?: unknown; message?: unknown };
    const text = typeof body.error === 'string' ? body.error : typeof body.message === 'string' ? body.message : '';
    detail = text.slice(0, 300);
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  return `HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
}

/**
 * How long ListenBrainz asked us to wait: its `X-RateLimit-Reset-In` (seconds, see the API's rate-limiting section),
 * else a standard `Retry-After` in seconds.
 */
function retryAfterMs(response: Response): number | null {
  for (const header of ['x-ratelimit-reset-in', 'retry-after']) {
    const seconds = Number(response.headers.get(header));
    if (response.headers.has(header) && Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  }
  return null;
}

function networkError(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'ListenBrainz did not answer in time';
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
  return `ListenBrainz is unreachable: ${cause}`;
}

/** The client for the API at `baseUrl`, e.g. `https://api.listenbrainz.org` (without the `/1`). */
export function createListenBrainzClient(baseUrl: string): ListenBrainzClient {
  const root = baseUrl.replace(/\/+$/, '');

  function request(path: string, token: string, init: { method: 'GET' | 'POST'; body?: string }): Promise<Response> {
    return fetch(`${root}${path}`, {
      method: init.method,
      headers: { authorization: `Token ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
      body: init.body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  }

  return {
    async validateToken(token) {
      let response: Response;
      try {
        response = await request('/1/validate-token', token, { method: 'GET' });
      } catch (error) {
        return { kind: 'unreachable', error: networkError(error) };
      }
      if (response.status === 429 || response.status >= 500) return { kind: 'unreachable', error: await describeFailure(response) };
      // An unknown token is `200 {valid: false}`; some deployments answer 401 instead.
      if (!response.ok) return { kind: 'invalid', error: await describeFailure(response) };
      const body = (await response.json().catch(() => ({}))) as { valid?: unknown; user_name?: unknown; message?: unknown };
      if (body.valid !== true) return { kind: 'invalid', error: typeof body.message === 'string' ? body.message : 'Token invalid.' };
      return { kind: 'valid', userName: typeof body.user_name === 'string' ? body.user_name : null };
    },

    async submitListens(token, listenType, listens) {
      let response: Response;
      try {
        response = await request('/1/submit-listens', token, { method: 'POST', body: JSON.stringify({ listen_type: listenType, payload: listens }) });
      } catch (error) {
        return { kind: 'retry', error: networkError(error), retryAfterMs: null };
      }
      if (response.ok) {
        await response.body?.cancel();
        return { kind: 'accepted' };
      }
      const error = await describeFailure(response);
      if (response.status === 429 || response.status >= 500) return { kind: 'retry', error, retryAfterMs: retryAfterMs(response) };
      return { kind: 'rejected', error };
    },
  };
}
