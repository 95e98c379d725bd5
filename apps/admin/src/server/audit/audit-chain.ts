// The audit log's hash chain (docs/protocol/audit-log.md §2), recomputed here exactly as the
// database's insert trigger computes it (the `audit_event_hash` SQL function in
// prisma/migrations/20261204210815_audit_chain): the verifier must not trust the database's own
// arithmetic.
import { concatBytes, sha256, utf8Encode } from '@opendescent/crypto';

/** §2: the domain label, so that no other SHA-256 input in the system can collide with an event's. */
export const AUDIT_EVENT_LABEL = 'OpenDescent audit event v1';
export const AUDIT_HASH_LENGTH = 32;
/** §2: what the first event (seq 1) links to. */
export const GENESIS_PREV_HASH = new Uint8Array(AUDIT_HASH_LENGTH);

/** One event as stored, with `detail` as PostgreSQL prints the jsonb value (`detail::text`). */
export interface ChainedEventFields {
  readonly seq: bigint;
  /** The UUID, in its text form. */
  readonly id: string;
  /** Milliseconds since the Unix epoch (the column keeps milliseconds). */
  readonly at: Date;
  readonly actor: string;
  readonly action: string;
  readonly detailText: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LABEL_BYTES = concatBytes(utf8Encode(AUDIT_EVENT_LABEL), Uint8Array.of(0));

function int64(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, value, false);
  return out;
}

function lengthPrefixed(text: string): Uint8Array {
  const bytes = utf8Encode(text);
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length, false);
  out.set(bytes, 4);
  return out;
}

function uuidBytes(id: string): Uint8Array {
  if (!UUID.test(id)) throw new Error(`not a UUID: ${JSON.stringify(id)}`);
  const hex = id.replace(/-/g, '');
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

/**
 * §2: SHA-256(label || 0x00 || prevHash || seq (int64 BE) || id (16 bytes) || at (int64 BE, ms)
 * || u32 BE length || actor || u32 length || action || u32 length || detail), strings in UTF-8.
 */
export function auditEventHash(prevHash: Uint8Array, event: ChainedEventFields): Uint8Array {
  if (prevHash.length !== AUDIT_HASH_LENGTH) throw new Error(`prevHash must be ${AUDIT_HASH_LENGTH} bytes`);
  return sha256(
    concatBytes(
      LABEL_BYTES,
      prevHash,
      int64(event.seq),
      uuidBytes(event.id),
      int64(BigInt(event.at.getTime())),
      lengthPrefixed(event.actor),
      lengthPrefixed(event.action),
      lengthPrefixed(event.detailText),
    ),
  );
}
