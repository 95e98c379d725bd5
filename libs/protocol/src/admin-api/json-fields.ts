/**
 * Field types of the admin API's JSON (docs/protocol/admin-api.md §1), shared by the admin app
 * (which parses requests and writes answers) and the web client (which writes requests and
 * parses answers): binary fields are unpadded base64url decoded strictly (one value, one
 * encoding), times are Unix seconds that fit a u32 as in the signed documents.
 */
import { z } from 'zod';
import { decodeBase64Url } from '../encoding';

/**
 * Bytes in canonical unpadded base64url: exactly `length` bytes when given, else 1 to
 * `maxLength` bytes when that is given, else any length. Parses to a Uint8Array; its input is the text.
 */
export function base64UrlField(length?: number, maxLength?: number) {
  const expected =
    length !== undefined
      ? `expected ${length} bytes in unpadded base64url`
      : maxLength !== undefined
        ? `expected 1 to ${maxLength} bytes in unpadded base64url`
        : 'expected unpadded base64url';
  return z.string().transform((text, context) => {
    try {
      const bytes = decodeBase64Url(text, length);
      if (maxLength !== undefined && (bytes.length < 1 || bytes.length > maxLength)) throw new RangeError(expected);
      return bytes;
    } catch {
      context.addIssue({ code: 'custom', message: expected });
      return z.NEVER;
    }
  });
}

/** Unix seconds, as every signed document counts time (a u32). */
export const unixSecondsField = z.number().int().min(0).max(0xffff_ffff);
