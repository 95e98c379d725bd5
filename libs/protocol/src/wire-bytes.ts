/**
 * The protocol's use of the one byte codec (@opendescent/crypto's ByteReader and ByteWriter):
 * the same reader and writer, with this library's error contract (README.md, "Conventions"):
 * every failure is a ProtocolError, 'malformed' unless it is a version this code does not take.
 */
import { ByteReader, ByteWriter, type ByteCodecFaults } from '@opendescent/crypto';
import { ProtocolError } from './errors';

const protocolFaults: ByteCodecFaults = (fault, message) =>
  new ProtocolError(
    fault === 'version_too_old' ? 'version_too_old' : fault === 'version_unknown' ? 'version_unknown' : 'malformed',
    message,
  );

/** A reader of `bytes` whose every refusal is a ProtocolError. */
export function protocolReader(bytes: Uint8Array, what: string): ByteReader {
  return new ByteReader(bytes, what, protocolFaults);
}

/** A writer whose every refusal (a value that does not fit, a field of the wrong length) is ProtocolError('malformed'). */
export function protocolWriter(): ByteWriter {
  return new ByteWriter(protocolFaults);
}

/** Refuses an input that is not a Uint8Array, or is over `maxLength`, before any parsing. */
export function expectBytesInput(value: unknown, what: string, maxLength: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new ProtocolError('malformed', `${what}: expected bytes`);
  if (value.length > maxLength)
    throw new ProtocolError('oversized', `${what}: ${value.length} bytes exceeds ${maxLength}`);
  return value;
}
