/**
 * A refusal with a stable machine-readable code (docs/protocol/admin-api.md §2): route handlers
 * turn it into `{"error": code, "message": …}` with its HTTP status. Anything else thrown is a
 * 500 `internal`, logged without request details.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const malformed = (message: string) => new ApiError(400, 'malformed', message);
