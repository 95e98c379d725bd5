import { constantTimeEqual, sha256 } from '@opendescent/crypto';
import { ProtocolError } from '../errors';

/**
 * The SDP rules of a direct channel (docs/protocol/direct.md §4): an offer or answer names exactly
 * one SHA-256 DTLS fingerprint and one data-channel section, nothing else, and is bounded. The
 * fingerprint it names travels inside the ratchet; once connected, the peer's certificate must
 * hash to it (sameDtlsFingerprint).
 */

export const MAX_DIRECT_SDP_CHARS = 12_000;
export const DTLS_FINGERPRINT_BYTES = 32;

const FINGERPRINT_LINE = /^a=fingerprint:(\S+) (\S+)$/;
const FINGERPRINT_VALUE = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){31}$/;
const DATA_CHANNEL_SECTION = /^m=application \d{1,5} UDP\/DTLS\/SCTP webrtc-datachannel$/;

function refuse(reason: string): never {
  throw new ProtocolError('malformed', `direct SDP: ${reason}`);
}

/** Checks an offer or answer against §4 and returns the DTLS fingerprint it names (32 bytes). */
export function checkDirectSdp(sdp: unknown): Uint8Array {
  if (typeof sdp !== 'string' || sdp.length === 0) refuse('not a non-empty string');
  if (sdp.length > MAX_DIRECT_SDP_CHARS) refuse(`longer than ${MAX_DIRECT_SDP_CHARS} characters`);
  if (sdp.includes('\0')) refuse('holds a NUL');
  const lines = sdp.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const fingerprints = lines.filter((line) => line.startsWith('a=fingerprint:'));
  if (fingerprints.length !== 1) refuse(`names ${fingerprints.length} fingerprints, not exactly one`);
  const match = FINGERPRINT_LINE.exec(fingerprints[0] as string);
  if (!match) refuse('a fingerprint line that does not read "a=fingerprint:<hash> <value>"');
  const [, hash, value] = match;
  if ((hash as string).toLowerCase() !== 'sha-256') refuse('a fingerprint that is not sha-256');
  if (!FINGERPRINT_VALUE.test(value as string)) refuse('a fingerprint value that is not 32 hex bytes');
  const sections = lines.filter((line) => line.startsWith('m='));
  if (sections.length !== 1 || !DATA_CHANNEL_SECTION.test(sections[0] as string))
    refuse('not exactly one data-channel section (m=application … UDP/DTLS/SCTP webrtc-datachannel)');
  return Uint8Array.from((value as string).split(':'), (byte) => parseInt(byte, 16));
}

/** Whether a DER certificate hashes to the fingerprint (constant time in the fingerprint). */
export function sameDtlsFingerprint(fingerprint: Uint8Array, certificateDer: Uint8Array): boolean {
  if (!(fingerprint instanceof Uint8Array) || fingerprint.length !== DTLS_FINGERPRINT_BYTES) return false;
  if (!(certificateDer instanceof Uint8Array) || certificateDer.length === 0) return false;
  return constantTimeEqual(sha256(certificateDer), fingerprint);
}
