import type { ByteReader, ByteWriter } from '@opendescent/crypto';
import { ProtocolError } from '../errors';
import { expectBytesInput, protocolReader, protocolWriter } from '../wire-bytes';

/**
 * The frame the user-key formats share (docs/protocol/user-keys.md §1): `version ‖ type ‖ …`.
 * These are not organisation documents (no org key id, no organisation signature), so they have
 * a frame of their own; their type values are distinct from every organisation document and
 * message type (0x01-0x08), so no byte string of one kind is ever read as another.
 */
export const USER_KEY_TYPES = {
  deviceCertificate: 0x10,
  deviceLinkOffer: 0x11,
  deviceLinkTransfer: 0x12,
  personSafetyQr: 0x13,
} as const;

export interface UserKeyFormat {
  /** For errors: "device certificate", "device link offer". */
  readonly what: string;
  readonly version: number;
  readonly type: number;
  readonly maxBytes: number;
}

/**
 * Refuses what is not bytes or is over the format's size (`oversized`, before parsing), then
 * reads the version (`version_too_old`, `version_unknown`) and the type (`malformed`).
 */
export function openUserKeyFrame(input: unknown, format: UserKeyFormat): { bytes: Uint8Array; reader: ByteReader } {
  const { what } = format;
  const bytes = expectBytesInput(input, what, format.maxBytes);
  const reader = protocolReader(bytes, what);
  const version = reader.u8('version');
  if (version < format.version)
    throw new ProtocolError('version_too_old', `${what}: version ${version} is no longer accepted`);
  if (version > format.version)
    throw new ProtocolError('version_unknown', `${what}: version ${version} is newer than this code knows`);
  if (reader.u8('type') !== format.type) throw new ProtocolError('malformed', `${what}: not a ${what} (type byte)`);
  return { bytes, reader };
}

/** Starts a frame: version, type. */
export function userKeyFrameWriter(format: UserKeyFormat): ByteWriter {
  return protocolWriter().u8(format.version).u8(format.type);
}
