/**
 * Subsonic error codes (API reference, "Error handling"; Responses/error for 42–44, added by the
 * `apiKeyAuthentication` extension). They are answered inside a `subsonic-response` with `status="failed"` and
 * HTTP 200, as the protocol does, never as the REST API's `{error}` bodies.
 */
export const SUBSONIC_ERRORS = {
  0: 'A generic error.',
  10: 'Required parameter is missing.',
  40: 'Wrong username or password.',
  41: 'Token authentication not supported for LDAP users.',
  42: 'Provided authentication mechanism not supported.',
  43: 'Multiple conflicting authentication mechanisms provided.',
  44: 'Invalid API key.',
  50: 'User is not authorized for the given operation.',
  70: 'The requested data was not found.',
} as const;

export type SubsonicErrorCode = keyof typeof SUBSONIC_ERRORS;

export class SubsonicError extends Error {
  readonly code: SubsonicErrorCode;

  constructor(code: SubsonicErrorCode, message?: string) {
    super(message ?? SUBSONIC_ERRORS[code]);
    this.code = code;
  }
}

/** Error 10 naming the parameter. */
export function missingParameter(name: string): SubsonicError {
  return new SubsonicError(10, `Required parameter is missing: ${name}.`);
}
