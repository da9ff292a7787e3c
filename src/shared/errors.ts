import { Type } from '@sinclair/typebox';

/**
 * The one error catalogue. Every error a client can see has a stable `code`, an HTTP status and a default message;
 * responses carry `{error: {code, message}}`. Add new codes here, never ad hoc in a route.
 */
export const errorCatalogue = {
  validation_failed: { status: 400, message: 'The request is not valid.' },
  invalid_cursor: { status: 400, message: 'The cursor is malformed or belongs to another listing; start again without it.' },
  unauthorized: { status: 401, message: 'Sign in or send a valid bearer token.' },
  invalid_credentials: { status: 401, message: 'Wrong username or password.' },
  forbidden: { status: 403, message: 'You are not allowed to do this.' },
  not_found: { status: 404, message: 'Nothing exists at this address.' },
  artist_not_found: { status: 404, message: 'No such artist.' },
  album_not_found: { status: 404, message: 'No such album.' },
  track_not_found: { status: 404, message: 'No such track.' },
  lyrics_not_found: { status: 404, message: 'This track has no lyrics.' },
  track_unavailable: { status: 404, message: 'The track is known but its file is missing or unreadable.' },
  artwork_not_found: { status: 404, message: 'No such artwork.' },
  device_not_found: { status: 404, message: 'No such device.' },
  user_not_found: { status: 404, message: 'No such user.' },
  library_not_found: { status: 404, message: 'No such library.' },
  playlist_item_not_found: { status: 404, message: 'No such item in this playlist.' },
  listenbrainz_token_invalid: { status: 400, message: 'ListenBrainz does not know this user token.' },
  conflict: { status: 409, message: 'The request conflicts with the current state.' },
  username_taken: { status: 409, message: 'That username is already taken.' },
  already_set_up: { status: 409, message: 'This server already has users; sign in instead.' },
  last_admin: { status: 409, message: 'The last admin cannot be demoted, disabled or deleted.' },
  playlist_too_long: { status: 409, message: 'A playlist holds at most 10000 items.' },
  smart_playlist_read_only: { status: 409, message: "A smart playlist's tracks come from its rules: change the rules instead of its items." },
  current_password_wrong: { status: 403, message: 'The current password is wrong.' },
  too_many_attempts: { status: 429, message: 'Too many failed sign-in attempts; wait and try again.' },
  csrf_rejected: { status: 403, message: 'Cross-site request refused: the Origin does not match this server.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'The request body has a content type this route does not take.' },
  range_not_satisfiable: { status: 416, message: 'The requested byte range lies outside the file.' },
  revision_conflict: { status: 409, message: 'The playback state changed since the revision you sent; the current state is attached.' },
  invalid_command: { status: 422, message: 'The command makes no sense in the current playback state.' },
  command_id_reused: { status: 422, message: 'This commandId was already used for a different command.' },
  queue_empty: { status: 409, message: 'The queue is empty.' },
  queue_item_not_found: { status: 404, message: 'No such item in the queue.' },
  seek_out_of_range: { status: 422, message: 'The position is past the end of the track.' },
  no_active_device: { status: 409, message: 'No device is active: send the command with a device token or transfer playback.' },
  not_active_device: { status: 409, message: 'Only the active device can do this.' },
  device_offline: { status: 409, message: 'The device is offline.' },
  playlist_not_found: { status: 404, message: 'No such playlist.' },
  saved_search_not_found: { status: 404, message: 'No such saved search.' },
  playback_busy: { status: 503, message: 'The playback state is changing too fast to apply the command; retry it.' },
  edit_not_found: { status: 404, message: 'No such edit of this track or album.' },
  scan_in_progress: { status: 409, message: 'A library scan is running; edit the catalog when it has finished.' },
  tag_writes_disabled: { status: 403, message: 'Writing tags into files is turned off (OMNISONIC_ALLOW_TAG_WRITES).' },
  tag_write_unsupported: { status: 422, message: 'Tags can only be written into MP3 (ID3v2) and FLAC files.' },
  tag_write_failed: { status: 500, message: 'The tags could not be written safely; the file is unchanged.' },
  api_key_not_found: { status: 404, message: 'No such API key.' },
  bookmark_not_found: { status: 404, message: 'You have no bookmark of that track.' },
  upload_not_found: { status: 404, message: 'No such upload.' },
  upload_too_large: { status: 413, message: 'The file is larger than the server accepts for uploads.' },
  upload_quota_exceeded: { status: 413, message: 'The upload would exceed your storage quota.' },
  upload_not_receiving: { status: 409, message: 'The upload no longer takes bytes (finished, failed or expired).' },
  upload_offset_mismatch: { status: 409, message: 'The chunk does not start at the number of bytes the server holds.' },
  upload_incomplete: { status: 409, message: 'The server does not hold all bytes of the upload yet.' },
  upload_busy: { status: 409, message: 'Another request is working on this upload; retry when it has finished.' },
  upload_size_mismatch: { status: 400, message: 'The bytes do not match the size declared for the upload.' },
  upload_checksum_mismatch: { status: 422, message: 'The SHA-256 of the bytes is not the one declared for the upload.' },
  upload_unsupported_type: { status: 415, message: 'The bytes are not an audio format the server knows.' },
  upload_unreadable: { status: 422, message: 'The audio file could not be read.' },
  cursor_expired: {
    status: 410,
    message: 'The sync cursor can no longer be continued (the change log was compacted past it, your libraries changed, or an admin asked this device to resync); bootstrap again.',
  },
  not_ready: { status: 503, message: 'The server is starting up.' },
  internal: { status: 500, message: 'Something went wrong on the server.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** The body of every error response, `{error: {code, message}}`; routes declare it for their 4xx statuses. */
export const ErrorResponseSchema = Type.Object({
  error: Type.Object({ code: Type.String({ description: 'Stable code from the error catalogue.' }), message: Type.String() }),
});

/** An error with a catalogue code; routes throw it and the error handler turns it into `{error: {code, message}}`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message?: string, headers: Record<string, string> = {}) {
    super(message ?? errorCatalogue[code].message);
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.headers = headers;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
