import {
  HANDSHAKE_VERSION,
  MLKEM768_CIPHERTEXT_LENGTH,
  MLKEM768_ENCAPSULATION_KEY_LENGTH,
  PREKEY_KIND_BYTE,
  X25519_KEY_LENGTH,
  type ByteReader,
  type ByteWriter,
  type HandshakeInitiation,
  type PrekeyBundle,
  type PrekeyKind,
  type PublicPrekey,
  type PublishedPrekeys,
} from '@opendescent/crypto';
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from './attestation';
import { expectBytesInput, protocolReader, protocolWriter } from './wire-bytes';
import { ProtocolError } from './errors';

/**
 * Wire forms of the prekey objects and of the handshake's initial message (docs/protocol/
 * prekeys.md). The relay holds a device's prekeys in a slot as opaque bytes: one slot bundle
 * (signed X25519 prekey + last-resort ML-KEM-768 prekey) and a list of one-time items, each a
 * one-time X25519 prekey and/or a one-time ML-KEM-768 prekey, handed out once by `prekey_claim`.
 * Signatures are checked by the initiator (crypto's verifyPrekeyBundle), never by the relay.
 */
export const PREKEY_FORMAT_VERSION = 1;
const SLOT_BUNDLE_TYPE = 0x03;
const ONE_TIME_ITEM_TYPE = 0x04;
const INITIATION_TYPE = 0x05;

const KIND_BY_BYTE = new Map<number, PrekeyKind>(
  Object.entries(PREKEY_KIND_BYTE).map(([kind, byte]) => [byte, kind as PrekeyKind]),
);
const KEY_LENGTH: Readonly<Record<PrekeyKind, number>> = {
  'signed-x25519': X25519_KEY_LENGTH,
  'last-resort-mlkem768': MLKEM768_ENCAPSULATION_KEY_LENGTH,
  'one-time-x25519': X25519_KEY_LENGTH,
  'one-time-mlkem768': MLKEM768_ENCAPSULATION_KEY_LENGTH,
};
/** Times are ms since the epoch, sent as u32 high || u32 low (fits every date before year 285,000). */
const TWO_32 = 2 ** 32;
const MAX_PREKEY_BYTES = 1 + 4 + 8 + 8 + MLKEM768_ENCAPSULATION_KEY_LENGTH + SIGNATURE_LENGTH;
export const MAX_SLOT_BUNDLE_BYTES = 2 + 2 * MAX_PREKEY_BYTES;
export const MAX_ONE_TIME_ITEM_BYTES = 3 + 2 * MAX_PREKEY_BYTES;
export const HANDSHAKE_INITIATION_BYTES = 2 + 3 * PUBLIC_KEY_LENGTH + 4 + 4 + 1 + 4 + MLKEM768_CIPHERTEXT_LENGTH;

/** A device's prekeys as it uploads them to its relay slot (relay.md §3.10). */
export interface SlotUpload {
  readonly bundle: Uint8Array;
  readonly oneTimeItems: Uint8Array[];
}

export function encodeSlotUpload(published: PublishedPrekeys): SlotUpload {
  expectKind(published.signedPrekey, 'signed-x25519');
  expectKind(published.lastResortKemPrekey, 'last-resort-mlkem768');
  const bundle = writePrekey(
    writePrekey(header(SLOT_BUNDLE_TYPE), published.signedPrekey),
    published.lastResortKemPrekey,
  ).finish();
  const count = Math.max(published.oneTimePrekeys.length, published.oneTimeKemPrekeys.length);
  const oneTimeItems: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const x25519 = published.oneTimePrekeys[i];
    const kem = published.oneTimeKemPrekeys[i];
    if (x25519) expectKind(x25519, 'one-time-x25519');
    if (kem) expectKind(kem, 'one-time-mlkem768');
    const writer = header(ONE_TIME_ITEM_TYPE).u8((x25519 ? 1 : 0) | (kem ? 2 : 0));
    if (x25519) writePrekey(writer, x25519);
    if (kem) writePrekey(writer, kem);
    oneTimeItems.push(writer.finish());
  }
  return { bundle, oneTimeItems };
}

/**
 * What `prekey_fetch`/`prekey_claim` returned, as the PrekeyBundle an initiator hands to
 * initiateHandshake (which verifies every signature and expiry). `oneTimeItem` is null when the
 * slot had none left.
 */
export function decodeClaimedBundle(bundleInput: unknown, oneTimeItemInput: unknown | null): PrekeyBundle {
  const bundleBytes = expectBytesInput(bundleInput, 'prekey bundle', MAX_SLOT_BUNDLE_BYTES);
  const reader = protocolReader(bundleBytes, 'prekey bundle');
  readHeader(reader, SLOT_BUNDLE_TYPE, 'prekey bundle');
  const signedPrekey = readPrekey(reader, 'signed-x25519');
  const lastResortKemPrekey = readPrekey(reader, 'last-resort-mlkem768');
  reader.end();
  let oneTimePrekey: PublicPrekey | null = null;
  let kemPrekey = lastResortKemPrekey;
  if (oneTimeItemInput !== null) {
    const item = protocolReader(
      expectBytesInput(oneTimeItemInput, 'one-time prekey', MAX_ONE_TIME_ITEM_BYTES),
      'one-time prekey',
    );
    readHeader(item, ONE_TIME_ITEM_TYPE, 'one-time prekey');
    const flags = item.u8('flags');
    if (flags === 0 || flags > 3) throw new ProtocolError('malformed', 'one-time prekey: flags name no known prekey');
    if (flags & 1) oneTimePrekey = readPrekey(item, 'one-time-x25519');
    if (flags & 2) kemPrekey = readPrekey(item, 'one-time-mlkem768');
    item.end();
  }
  return { signedPrekey, kemPrekey, oneTimePrekey };
}

/** The handshake's initial message (PQXDH §3.3), carried inside the first sealed envelope. */
export function encodeHandshakeInitiation(initiation: HandshakeInitiation): Uint8Array {
  const oneTime = initiation.oneTimePrekeyId;
  return header(INITIATION_TYPE)
    .raw(initiation.initiator.signingKey, PUBLIC_KEY_LENGTH)
    .raw(initiation.initiator.agreementKey, PUBLIC_KEY_LENGTH)
    .raw(initiation.ephemeralKey, PUBLIC_KEY_LENGTH)
    .u32(initiation.signedPrekeyId)
    .u32(initiation.kemPrekeyId)
    .u8(oneTime === null ? 0 : 1)
    .u32(oneTime ?? 0)
    .raw(initiation.kemCiphertext, MLKEM768_CIPHERTEXT_LENGTH)
    .finish();
}

export function decodeHandshakeInitiation(input: unknown): HandshakeInitiation {
  const reader = protocolReader(
    expectBytesInput(input, 'handshake initiation', HANDSHAKE_INITIATION_BYTES),
    'handshake initiation',
  );
  readHeader(reader, INITIATION_TYPE, 'handshake initiation');
  const signingKey = reader.raw(PUBLIC_KEY_LENGTH, 'initiator signing key');
  const agreementKey = reader.raw(PUBLIC_KEY_LENGTH, 'initiator agreement key');
  const ephemeralKey = reader.raw(PUBLIC_KEY_LENGTH, 'ephemeral key');
  const signedPrekeyId = reader.u32('signed prekey id');
  const kemPrekeyId = reader.u32('KEM prekey id');
  const hasOneTime = reader.u8('one-time flag');
  const oneTimeId = reader.u32('one-time prekey id');
  if (hasOneTime > 1 || (hasOneTime === 0 && oneTimeId !== 0))
    throw new ProtocolError('malformed', 'handshake initiation: bad one-time prekey flag');
  const kemCiphertext = reader.raw(MLKEM768_CIPHERTEXT_LENGTH, 'KEM ciphertext');
  reader.end();
  return {
    version: HANDSHAKE_VERSION,
    initiator: { signingKey, agreementKey },
    ephemeralKey,
    kemCiphertext,
    signedPrekeyId,
    kemPrekeyId,
    oneTimePrekeyId: hasOneTime ? oneTimeId : null,
  };
}

function header(type: number): ByteWriter {
  return protocolWriter().u8(PREKEY_FORMAT_VERSION).u8(type);
}

function readHeader(reader: ByteReader, type: number, what: string): void {
  const version = reader.u8('version');
  if (version < PREKEY_FORMAT_VERSION)
    throw new ProtocolError('version_too_old', `${what}: version ${version} is no longer accepted`);
  if (version > PREKEY_FORMAT_VERSION)
    throw new ProtocolError('version_unknown', `${what}: version ${version} is newer than this code knows`);
  if (reader.u8('type') !== type) throw new ProtocolError('malformed', `${what}: wrong type byte`);
}

function writePrekey(writer: ByteWriter, prekey: PublicPrekey): ByteWriter {
  return writer
    .u8(PREKEY_KIND_BYTE[prekey.kind])
    .u32(prekey.id)
    .u32(Math.floor(prekey.createdAt / TWO_32))
    .u32(prekey.createdAt % TWO_32)
    .u32(Math.floor(prekey.expiresAt / TWO_32))
    .u32(prekey.expiresAt % TWO_32)
    .raw(prekey.publicKey, KEY_LENGTH[prekey.kind])
    .raw(prekey.signature, SIGNATURE_LENGTH);
}

function readPrekey(reader: ByteReader, expected: PrekeyKind): PublicPrekey {
  const kind = KIND_BY_BYTE.get(reader.u8('prekey kind'));
  if (kind !== expected) throw new ProtocolError('malformed', `prekey: expected a ${expected} prekey`);
  const id = reader.u32('prekey id');
  const createdAt = reader.u32('createdAt high') * TWO_32 + reader.u32('createdAt low');
  const expiresAt = reader.u32('expiresAt high') * TWO_32 + reader.u32('expiresAt low');
  if (!Number.isSafeInteger(createdAt) || !Number.isSafeInteger(expiresAt))
    throw new ProtocolError('malformed', 'prekey: time out of range');
  const publicKey = reader.raw(KEY_LENGTH[kind], 'prekey public key');
  const signature = reader.raw(SIGNATURE_LENGTH, 'prekey signature');
  return { kind, id, createdAt, expiresAt, publicKey, signature };
}

function expectKind(prekey: PublicPrekey, kind: PrekeyKind): void {
  if (prekey.kind !== kind)
    throw new ProtocolError('malformed', `prekey: expected a ${kind} prekey, got ${prekey.kind}`);
}
