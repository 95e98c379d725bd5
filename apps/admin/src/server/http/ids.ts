// Ids that arrive in requests and URLs. A value that is not a well-formed id is refused here, as
// 400 `malformed` (or "not found" for pages), before it reaches the database: PostgreSQL would
// otherwise fail the query (`invalid input syntax for type uuid`) and the caller would see a 500.
import { malformed } from './api-error';

/** RFC 9562 UUIDs as PostgreSQL prints them: 8-4-4-4-12 lower-case hexadecimal digits. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** The UUID in `field`, or 400 `malformed` naming the field. */
export function requireUuid(value: unknown, field: string): string {
  if (!isUuid(value)) throw malformed(`${field}: expected a UUID (8-4-4-4-12 lower-case hexadecimal digits)`);
  return value;
}
