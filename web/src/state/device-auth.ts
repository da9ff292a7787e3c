/**
 * This tab's device token (`omd_…`, from `POST /devices`), kept in memory only. Playback commands, reports and
 * stream URLs are sent with it, so the server knows which device acts: a `play` from here makes this browser the
 * active device, and stream URLs are bound to it. Every other call uses the HttpOnly session cookie.
 */
export const deviceAuth = (() => {
  let token: string | null = null;
  const DEVICE_PATHS = ['/api/v1/playback', '/api/v1/tracks/{id}/stream-url'];
  return {
    set(value: string | null) {
      token = value;
    },
    get: () => token,
    /** The token for requests to this OpenAPI path, or null when the cookie should authenticate it. */
    tokenFor(schemaPath: string): string | null {
      return token && DEVICE_PATHS.some((prefix) => schemaPath.startsWith(prefix)) ? token : null;
    },
  };
})();
