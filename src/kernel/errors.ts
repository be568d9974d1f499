/**
 * @module One error type for everything the application refuses on purpose.
 *
 * @example
 * throw new AppError('NOT_FOUND', 'Subject not found')
 * throw new AppError('VALIDATION_FAILED', 'Invalid note', { fields: { body: 'required' } })
 */

export const ERROR_STATUS = {
  /** The request body, query or parameters do not match the schema; `details` lists the fields. */
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  /** No valid session, or the session expired. */
  UNAUTHENTICATED: 401,
  /** Signed in, but the role may not do this, or the CSRF token is missing. */
  FORBIDDEN: 403,
  /** The policy refuses this processing (undisclosed purpose, restriction, objection, no consent). */
  PURPOSE_REFUSED: 403,
  /** Password correct, second factor still required. */
  MFA_REQUIRED: 403,
  NOT_FOUND: 404,
  /** The request conflicts with the current state (duplicate, already done). */
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  /** An upload whose content (checked by its bytes, not its name) is not an accepted type. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export type ErrorBody = { code: ErrorCode; message: string; details: Record<string, unknown> };

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
