import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { connectivity } from '../state/connectivity';
import { deviceAuth } from '../state/device-auth';

/** The error body every API route answers with: `{error: {code, message}}` (codes: src/shared/errors.ts). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The whole error body, e.g. a 409 `revision_conflict` carries the current `state`. */
    readonly body: unknown = undefined,
  ) {
    super(message);
  }
}

/**
 * Reports reachability and expired sessions: a request that fails at the network level marks the app offline,
 * any answer marks it online, and a 401 on a cookie-authenticated call tells the session store to sign out.
 */
const watchConnection: Middleware = {
  async onRequest({ request, schemaPath }) {
    const token = deviceAuth.tokenFor(schemaPath);
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  async onResponse({ request, response }) {
    connectivity.reportReachable();
    // A device token refused means another tab re-registered this browser; the caller registers again instead.
    const byDevice = request.headers.has('authorization');
    if (response.status === 401 && !byDevice && !response.url.includes('/api/v1/auth/')) connectivity.reportUnauthorized();
    return response;
  },
  async onError({ error }) {
    connectivity.reportUnreachable();
    return error instanceof Error ? error : new Error(String(error));
  },
};

/** The typed client: paths, parameters and bodies come from the OpenAPI document (`npm run generate:web-client`). */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(watchConnection);

/**
 * The data of an openapi-fetch result, or an `ApiError` thrown with the server's code and message.
 * Usage: `const album = await ok(api.GET('/api/v1/albums/{id}', { params: { path: { id } } }));`
 */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const body = error as { error?: { code?: string; message?: string } } | undefined;
  throw new ApiError(
    response.status,
    body?.error?.code ?? `http_${response.status}`,
    body?.error?.message ?? `The server answered ${response.status}.`,
    error,
  );
}

/** Words for an error, for the UI: the server's message, or what a network failure means to a person. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'Cannot reach the server. Check your connection; this retries by itself.';
  return error instanceof Error ? error.message : String(error);
}
