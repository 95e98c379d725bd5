import type { ByteReader, ByteWriter } from '@opendescent/crypto';
import { ProtocolError } from '../errors';
import { protocolWriter } from '../wire-bytes';
import { RELAY_COMMANDS, RELAY_FRAME_VERSION, type RelayCommandName } from './constants';

/**
 * Accepts the binary shapes socket.io hands over (a Node Buffer or a Uint8Array on the server,
 * an ArrayBuffer in the browser) and refuses everything else before any parsing.
 */
export function relayFrameBytes(value: unknown, what: string, maxLength: number): Uint8Array {
  let bytes: Uint8Array;
  if (value instanceof Uint8Array) bytes = value;
  else if (value instanceof ArrayBuffer) bytes = new Uint8Array(value);
  else throw new ProtocolError('malformed', `${what}: expected one binary frame`);
  if (bytes.length > maxLength)
    throw new ProtocolError('oversized', `${what}: ${bytes.length} bytes exceeds ${maxLength}`);
  return bytes;
}

/** The version byte, with distinct errors for too old and unknown (README.md, "Conventions"). */
export function readRelayVersion(reader: ByteReader, what: string): void {
  const version = reader.u8('version');
  if (version < RELAY_FRAME_VERSION)
    throw new ProtocolError('version_too_old', `${what}: version ${version} is no longer accepted`);
  if (version > RELAY_FRAME_VERSION)
    throw new ProtocolError('version_unknown', `${what}: version ${version} is newer than this code knows`);
}

/** A length field checked against its limit before the bytes it announces are read. */
export function boundedLength(
  reader: ByteReader,
  width: 2 | 4,
  field: string,
  min: number,
  max: number,
  what: string,
): number {
  const length = width === 2 ? reader.u16(`${field} length`) : reader.u32(`${field} length`);
  if (length > max) throw new ProtocolError('oversized', `${what}: ${field} of ${length} bytes exceeds ${max}`);
  if (length < min) throw new ProtocolError('malformed', `${what}: ${field} must have at least ${min} byte(s)`);
  return length;
}

export function boundedCount(
  reader: ByteReader,
  width: 2 | 4,
  field: string,
  min: number,
  max: number,
  what: string,
): number {
  const count = width === 2 ? reader.u16(field) : reader.u32(field);
  if (count > max) throw new ProtocolError('oversized', `${what}: ${count} ${field} exceeds ${max}`);
  if (count < min) throw new ProtocolError('malformed', `${what}: at least ${min} ${field} required`);
  return count;
}

/** §3.0: the header of a client frame, for the encoders; the request id must be 1 … 2^32-1. */
export function commandHeader(command: RelayCommandName, requestId: number): ByteWriter {
  if (!Number.isSafeInteger(requestId) || requestId < 1 || requestId > 0xffff_ffff) {
    throw new ProtocolError('malformed', 'relay frame: request id must be 1 … 2^32-1');
  }
  return protocolWriter().u8(RELAY_FRAME_VERSION).u8(RELAY_COMMANDS[command]).u32(requestId);
}

/** An encoder's field checked before it is written: `oversized` past `max`, `malformed` otherwise. */
export function checkLength(value: Uint8Array, field: string, min: number, max: number): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length < min || value.length > max) {
    throw new ProtocolError(
      value instanceof Uint8Array && value.length > max ? 'oversized' : 'malformed',
      `relay frame: ${field} must be ${min} … ${max} bytes`,
    );
  }
  return value;
}
