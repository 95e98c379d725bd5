import { concatBytes, utf8Encode } from '@opendescent/crypto';

const SEPARATOR = Uint8Array.of(0);
const encodedLabels = new Map<string, Uint8Array>();

/**
 * `label (UTF-8) || 0x00 || parts…`: the domain separation of every signature in the protocol
 * (attestations.md §1, relay.md §6, admin-api.md §3.2), so a signature made for one purpose never
 * verifies for another.
 */
export function domainSeparated(label: string, ...parts: Uint8Array[]): Uint8Array {
  let encoded = encodedLabels.get(label);
  if (encoded === undefined) {
    encoded = utf8Encode(label);
    encodedLabels.set(label, encoded);
  }
  return concatBytes(encoded, SEPARATOR, ...parts);
}
