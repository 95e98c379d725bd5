/**
 * The plaintext of a vault record: JSON (RFC 8259) in UTF-8, with each Uint8Array written as
 * {"$b": "<base64url, RFC 4648 §5, unpadded>"}. Only plain data is accepted: null, booleans,
 * finite numbers, strings, Uint8Arrays, arrays and plain objects. Anything else (undefined in an
 * array, NaN, a Date, a Map, a class instance such as a SecretBytes, whose toJSON would store a
 * redacted placeholder in place of the key) is refused rather than silently changed. An object
 * property that is undefined is omitted, as JSON.stringify does.
 */
import { utf8Decode, utf8Encode } from '@opendescent/crypto';
import { decodeBase64Url, encodeBase64Url } from '@opendescent/protocol';
import { isBytes } from './record-store';

const BYTES_TAG = '$b';

export function encodeRecordValue(value: unknown): Uint8Array {
  return utf8Encode(JSON.stringify(toJsonTree(value, 'value', new Set())));
}

/** The inverse of encodeRecordValue. Throws on bytes that are not such a record (bytes not in canonical base64url: ProtocolError). */
export function decodeRecordValue(bytes: Uint8Array): unknown {
  return JSON.parse(utf8Decode(bytes), (_key, value: unknown) =>
    isBytesTag(value) ? decodeBase64Url(value[BYTES_TAG]) : value,
  );
}

function toJsonTree(value: unknown, path: string, ancestors: Set<object>): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`record: ${path} is not a finite number`);
    return value;
  }
  if (isBytes(value)) return { [BYTES_TAG]: encodeBase64Url(value) };
  if (typeof value !== 'object' || !(Array.isArray(value) || isPlainObject(value))) {
    // The type only: a message must never carry the value, which may be a secret.
    throw new TypeError(`record: ${path} is a ${describeType(value)}, which a record cannot hold`);
  }
  if (ancestors.has(value)) throw new TypeError(`record: ${path} refers back to itself`);
  ancestors.add(value);
  let tree: unknown;
  if (Array.isArray(value)) {
    // Array.from visits holes as undefined, which is refused, where map would keep them as holes.
    tree = Array.from(value as unknown[], (item, i) => toJsonTree(item, `${path}[${i}]`, ancestors));
  } else {
    // No prototype, so a "__proto__" key is data and cannot set one.
    const object: Record<string, unknown> = Object.create(null);
    for (const [key, item] of Object.entries(value)) {
      if (key === BYTES_TAG) throw new TypeError(`record: ${path} has the key "${BYTES_TAG}", reserved for bytes`);
      if (item !== undefined) object[key] = toJsonTree(item, `${path}.${key}`, ancestors);
    }
    tree = object;
  }
  ancestors.delete(value);
  return tree;
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describeType(value: unknown): string {
  if (typeof value !== 'object' || value === null) return typeof value;
  return (value.constructor as { name?: string } | undefined)?.name ?? 'object';
}

function isBytesTag(value: unknown): value is { [BYTES_TAG]: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return (
    keys.length === 1 && keys[0] === BYTES_TAG && typeof (value as Record<string, unknown>)[BYTES_TAG] === 'string'
  );
}
