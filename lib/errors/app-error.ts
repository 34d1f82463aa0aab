/**
 * Errors made to be shown to the caller. Anything else that escapes a handler is logged and
 * answered with a generic 500 (see `lib/api/handler.ts`).
 */
export const errorStatus = {
  bad_request: 400,
  invalid_image: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  unauthorized: 401,
  /** An API token past its expiry: make a new one. */
  token_expired: 401,
  forbidden: 403,
  /** A cookie-authenticated write that did not come from the app's own origin. */
  cross_site_request: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  /** A verdict for a face another reviewer holds under a live lease. */
  claimed_by_another: 409,
  unprocessable: 422,
  too_many_requests: 429,
  model_unavailable: 503,
  database_unavailable: 503,
  /** The image or model folders cannot be written (unwritable, full). */
  storage_unavailable: 507,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.status = errorStatus[code];
    this.details = details;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
