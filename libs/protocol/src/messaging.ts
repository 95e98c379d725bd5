import {
  ed25519Sign,
  ed25519Verify,
  RATCHET_MESSAGE_OVERHEAD,
  type Ed25519PrivateKey,
  type ByteReader,
  type ByteWriter,
} from '@opendescent/crypto';
import { expectBytesInput, protocolReader, protocolWriter } from './wire-bytes';
import { ProtocolError } from './errors';
import { HANDSHAKE_INITIATION_BYTES, MAX_SLOT_BUNDLE_BYTES } from './prekey-bundle';
import { MAX_ENVELOPE_CONTENT } from './envelope';
import { QUEUE_ID_LENGTH } from './relay/constants';
import { domainSeparated } from './signing-input';

/**
 * The client-to-client layer (docs/protocol/messages.md): what a device publishes in its prekey
 * slot besides its prekeys (the sender id of its introduction queue, signed), how a pairwise
 * envelope's content is framed (an initial message carrying the handshake, or a plain ratchet
 * message), and the version byte in front of the application payload. No I/O.
 */
export const MESSAGING_FORMAT_VERSION = 1;
const CONTACT_SLOT_TYPE = 0x06;
const INITIAL_CONTENT_TYPE = 0x07;
const RATCHET_CONTENT_TYPE = 0x08;
export const CONTACT_SLOT_SIGNATURE_LABEL = 'OpenDescent contact slot v1';
const SIGNATURE_LENGTH = 64;
export const MAX_CONTACT_SLOT_BYTES = 2 + QUEUE_ID_LENGTH + SIGNATURE_LENGTH + MAX_SLOT_BUNDLE_BYTES;

/** messages.md §2: the bytes a device publishes as its slot "bundle" (relay.md §3.10). */
export interface ContactSlot {
  /** The slot bundle of prekeys.md §2, verified later by initiateHandshake. */
  readonly bundle: Uint8Array;
  /** Sender id of the device's introduction queue, on the relay that holds the slot. */
  readonly introSenderId: Uint8Array;
}

function header(type: number): ByteWriter {
  return protocolWriter().u8(MESSAGING_FORMAT_VERSION).u8(type);
}

function readHeader(reader: ByteReader, what: string): number {
  const version = reader.u8('version');
  if (version < MESSAGING_FORMAT_VERSION)
    throw new ProtocolError('version_too_old', `${what}: version ${version} is no longer accepted`);
  if (version > MESSAGING_FORMAT_VERSION)
    throw new ProtocolError('version_unknown', `${what}: version ${version} is newer than this code knows`);
  return reader.u8('type');
}

function contactSlotSigningInput(slot: ContactSlot): Uint8Array {
  return domainSeparated(CONTACT_SLOT_SIGNATURE_LABEL, slot.introSenderId, slot.bundle);
}

/** Signed by the device's identity key, so a relay cannot redirect introductions to a queue of its own. */
export async function encodeContactSlot(slot: ContactSlot, identitySigningKey: Ed25519PrivateKey): Promise<Uint8Array> {
  if (slot.introSenderId.length !== QUEUE_ID_LENGTH)
    throw new ProtocolError('malformed', 'contact slot: the intro sender id must be 16 bytes');
  if (slot.bundle.length < 1 || slot.bundle.length > MAX_SLOT_BUNDLE_BYTES)
    throw new ProtocolError('oversized', 'contact slot: bundle length out of range');
  const signature = await ed25519Sign(identitySigningKey, contactSlotSigningInput(slot));
  return header(CONTACT_SLOT_TYPE)
    .raw(slot.introSenderId, QUEUE_ID_LENGTH)
    .raw(signature, SIGNATURE_LENGTH)
    .raw(slot.bundle)
    .finish();
}

/**
 * Decodes a contact slot and checks its signature against the owner's identity key as its device
 * attestation states it. Errors: malformed, oversized, version_*, bad_signature.
 */
export async function openContactSlot(input: unknown, ownerSigningKey: Uint8Array): Promise<ContactSlot> {
  const reader = protocolReader(expectBytesInput(input, 'contact slot', MAX_CONTACT_SLOT_BYTES), 'contact slot');
  if (readHeader(reader, 'contact slot') !== CONTACT_SLOT_TYPE)
    throw new ProtocolError('malformed', 'contact slot: wrong type byte');
  const introSenderId = reader.raw(QUEUE_ID_LENGTH, 'intro sender id');
  const signature = reader.raw(SIGNATURE_LENGTH, 'signature');
  if (reader.remaining < 1) throw new ProtocolError('malformed', 'contact slot: no bundle');
  const bundle = reader.raw(reader.remaining, 'bundle');
  const slot = { bundle, introSenderId };
  if (!(await ed25519Verify(ownerSigningKey, contactSlotSigningInput(slot), signature))) {
    throw new ProtocolError('bad_signature', 'contact slot: not signed by the device its attestation names');
  }
  return slot;
}

/** messages.md §3: the content of a pairwise sealed envelope. */
export type PairwiseContent =
  | { readonly kind: 'initial'; readonly initiation: Uint8Array; readonly ratchetMessage: Uint8Array }
  | { readonly kind: 'ratchet'; readonly ratchetMessage: Uint8Array };

export function encodePairwiseContent(content: PairwiseContent): Uint8Array {
  if (content.kind === 'initial') {
    return header(INITIAL_CONTENT_TYPE)
      .raw(content.initiation, HANDSHAKE_INITIATION_BYTES)
      .raw(content.ratchetMessage)
      .finish();
  }
  return header(RATCHET_CONTENT_TYPE).raw(content.ratchetMessage).finish();
}

export function decodePairwiseContent(input: unknown): PairwiseContent {
  const reader = protocolReader(expectBytesInput(input, 'pairwise content', MAX_ENVELOPE_CONTENT), 'pairwise content');
  const type = readHeader(reader, 'pairwise content');
  if (type !== INITIAL_CONTENT_TYPE && type !== RATCHET_CONTENT_TYPE)
    throw new ProtocolError('malformed', 'pairwise content: unknown type');
  const initiation =
    type === INITIAL_CONTENT_TYPE ? reader.raw(HANDSHAKE_INITIATION_BYTES, 'handshake initiation') : undefined;
  if (reader.remaining < RATCHET_MESSAGE_OVERHEAD)
    throw new ProtocolError('malformed', 'pairwise content: truncated ratchet message');
  const ratchetMessage = reader.raw(reader.remaining, 'ratchet message');
  return initiation ? { kind: 'initial', initiation, ratchetMessage } : { kind: 'ratchet', ratchetMessage };
}

/** messages.md §4: the version byte in front of every application payload (UTF-8 JSON after it). */
export const APP_PAYLOAD_VERSION = 1;
/** Fits the 64 KiB envelope bucket with a ratchet header; longer texts are refused by the client. */
export const MAX_APP_PAYLOAD_BYTES = 60_000;

export function frameAppPayload(json: Uint8Array): Uint8Array {
  if (json.length > MAX_APP_PAYLOAD_BYTES)
    throw new ProtocolError('oversized', `application payload over ${MAX_APP_PAYLOAD_BYTES} bytes`);
  return protocolWriter().u8(APP_PAYLOAD_VERSION).raw(json).finish();
}

export function unframeAppPayload(input: unknown): Uint8Array {
  const bytes = expectBytesInput(input, 'application payload', MAX_APP_PAYLOAD_BYTES + 1);
  if (bytes.length < 2) throw new ProtocolError('malformed', 'application payload: empty');
  const version = bytes[0] as number;
  if (version < APP_PAYLOAD_VERSION)
    throw new ProtocolError('version_too_old', `application payload version ${version} is no longer accepted`);
  if (version > APP_PAYLOAD_VERSION)
    throw new ProtocolError('version_unknown', `application payload version ${version} is newer than this code knows`);
  return bytes.slice(1);
}

/**
 * messages.md §5.7: a bounded history bundle a member shares with a new member is signed by the
 * sharer's device identity key over the bundle's JSON text exactly as sent (no canonicalisation,
 * as admin-api.md §3.2), so the recipient can show whose word the earlier messages rest on.
 */
export const HISTORY_BUNDLE_SIGNATURE_LABEL = 'OpenDescent history bundle v1';
export const MAX_HISTORY_BUNDLE_CHARACTERS = 50_000;

function historyBundleSigningInput(bundle: string): Uint8Array {
  if (typeof bundle !== 'string' || bundle.length === 0 || bundle.length > MAX_HISTORY_BUNDLE_CHARACTERS) {
    throw new ProtocolError('oversized', `history bundle: 1 to ${MAX_HISTORY_BUNDLE_CHARACTERS} characters`);
  }
  return domainSeparated(HISTORY_BUNDLE_SIGNATURE_LABEL, new TextEncoder().encode(bundle));
}

export async function signHistoryBundle(bundle: string, identitySigningKey: Ed25519PrivateKey): Promise<Uint8Array> {
  return ed25519Sign(identitySigningKey, historyBundleSigningInput(bundle));
}

export async function verifyHistoryBundle(
  bundle: string,
  signature: Uint8Array,
  sharerSigningKey: Uint8Array,
): Promise<void> {
  if (!(await ed25519Verify(sharerSigningKey, historyBundleSigningInput(bundle), signature))) {
    throw new ProtocolError('bad_signature', 'history bundle: not signed by the device that sent it');
  }
}
