import {
  concatBytes,
  constantTimeEqual,
  generateX25519KeyPair,
  hkdfSha256,
  hmacSha256,
  isCryptoError,
  open,
  seal,
  SEAL_OVERHEAD,
  x25519SharedSecret,
  type X25519PrivateKey,
} from '@opendescent/crypto';
import { decodeAttestation, MAX_ATTESTATION_BYTES, PUBLIC_KEY_LENGTH } from './attestation';
import { expectBytesInput, protocolReader, protocolWriter } from './wire-bytes';
import { ProtocolError } from './errors';

/**
 * Sealed, padded envelopes (docs/protocol/envelopes.md): what a relay stores and forwards. The
 * sender's identity (its attestation) travels inside the encryption, so a relay learns neither
 * who sent a blob nor, thanks to the size buckets, its exact length. Built like Signal's sealed
 * sender v1: an ephemeral-static X25519 layer hides the sender's certificate; a static-static
 * layer authenticates the sender to the recipient (deniably: no signature a third party can
 * check) and encrypts the content.
 */
export const ENVELOPE_VERSION = 1;
/**
 * Every envelope is exactly one of these sizes, in bytes (envelopes.md §3). Five sizes, each 4x
 * the last: a short chat message fills the smallest, and the waste is capped at 4x while the
 * relay learns at most log4 of a length. 256 KiB is the relay's frame ceiling.
 */
export const ENVELOPE_BUCKETS = [1024, 4096, 16_384, 65_536, 262_144] as const;
export const MAX_ENVELOPE_BYTES = 262_144;

const EPHEMERAL_INFO = new TextEncoder().encode('OpenDescent envelope v1 ephemeral');
const STATIC_INFO = new TextEncoder().encode('OpenDescent envelope v1 static');
/** The sender block holds the attestation padded to its maximum size, so its length says nothing. */
const SENDER_BLOCK_PLAINTEXT = 2 + MAX_ATTESTATION_BYTES;
const SENDER_BLOCK_LENGTH = SENDER_BLOCK_PLAINTEXT + SEAL_OVERHEAD;
const HEADER_LENGTH = 1 + PUBLIC_KEY_LENGTH;
/** Fixed bytes of every envelope around the content: header, sender block, body's overhead and length. */
export const ENVELOPE_OVERHEAD = HEADER_LENGTH + SENDER_BLOCK_LENGTH + SEAL_OVERHEAD + 4;
/** The most content one envelope carries. */
export const MAX_ENVELOPE_CONTENT = MAX_ENVELOPE_BYTES - ENVELOPE_OVERHEAD;

export interface EnvelopeSender {
  /** The sender's device attestation, as the admin app signed it. */
  readonly attestation: Uint8Array;
  /** The sender's X25519 identity private key: its public half is the attestation's agreement key. */
  readonly agreementKey: X25519PrivateKey;
}

export interface OpenedEnvelope {
  /** The sender's attestation, not yet verified: check it with verifyAttestation and the revocation list. */
  readonly senderAttestation: Uint8Array;
  readonly content: Uint8Array;
}

/** The bucket an envelope carrying `contentLength` bytes is padded to. */
export function envelopeSizeFor(contentLength: number): number {
  const needed = ENVELOPE_OVERHEAD + contentLength;
  const bucket = ENVELOPE_BUCKETS.find((size) => size >= needed);
  if (bucket === undefined)
    throw new ProtocolError('oversized', `envelope: ${contentLength} bytes of content exceeds ${MAX_ENVELOPE_CONTENT}`);
  return bucket;
}

export async function sealEnvelope(
  sender: EnvelopeSender,
  recipientAgreementKey: Uint8Array,
  content: Uint8Array,
): Promise<Uint8Array> {
  const { attestation } = decodeAttestation(sender.attestation);
  if (!constantTimeEqual(attestation.agreementKey, sender.agreementKey.publicKey)) {
    throw new ProtocolError('malformed', 'envelope: the sender key is not the one its attestation names');
  }
  const size = envelopeSizeFor(content.length);
  const ephemeral = await generateX25519KeyPair();
  try {
    const header = protocolWriter().u8(ENVELOPE_VERSION).raw(ephemeral.publicKey, PUBLIC_KEY_LENGTH).finish();
    const { chainKey, senderBlockKey } = await ephemeralKeys(
      ephemeral.privateKey,
      recipientAgreementKey,
      ephemeral.publicKey,
      recipientAgreementKey,
    );
    const senderPlaintext = protocolWriter().u16(sender.attestation.length).raw(sender.attestation).finish();
    const senderBlock = seal(
      senderBlockKey,
      padTo(senderPlaintext, SENDER_BLOCK_PLAINTEXT),
      concatBytes(header, recipientAgreementKey),
    );
    const bodyKey = await staticKey(sender.agreementKey, recipientAgreementKey, chainKey, senderBlock);
    const bodyPlaintext = padTo(
      protocolWriter().u32(content.length).raw(content).finish(),
      size - HEADER_LENGTH - SENDER_BLOCK_LENGTH - SEAL_OVERHEAD,
    );
    const body = seal(bodyKey, bodyPlaintext, concatBytes(header, recipientAgreementKey, senderBlock));
    return concatBytes(header, senderBlock, body);
  } finally {
    ephemeral.privateKey.wipe();
  }
}

/**
 * Opens an envelope addressed to `recipient`. Fails with ProtocolError only: 'oversized' or
 * 'malformed' for a blob that is not an envelope of a bucket size, version errors, and
 * 'undecryptable' when it was not sealed to this key, was altered, or its sender does not hold
 * the key its attestation names.
 */
export async function openEnvelope(recipient: X25519PrivateKey, input: unknown): Promise<OpenedEnvelope> {
  const bytes = expectBytesInput(input, 'envelope', MAX_ENVELOPE_BYTES);
  if (!(ENVELOPE_BUCKETS as readonly number[]).includes(bytes.length)) {
    throw new ProtocolError('malformed', `envelope: ${bytes.length} bytes is not a bucket size`);
  }
  const reader = protocolReader(bytes, 'envelope');
  const version = reader.u8('version');
  if (version < ENVELOPE_VERSION)
    throw new ProtocolError('version_too_old', `envelope: version ${version} is no longer accepted`);
  if (version > ENVELOPE_VERSION)
    throw new ProtocolError('version_unknown', `envelope: version ${version} is newer than this code knows`);
  const ephemeralPublic = reader.raw(PUBLIC_KEY_LENGTH, 'ephemeral key');
  const header = bytes.subarray(0, HEADER_LENGTH);
  const senderBlock = reader.raw(SENDER_BLOCK_LENGTH, 'sender block');
  const body = reader.raw(reader.remaining, 'body');
  const recipientPublic = recipient.publicKey;

  return undecryptableOnCryptoError(async () => {
    const { chainKey, senderBlockKey } = await ephemeralKeys(
      recipient,
      ephemeralPublic,
      ephemeralPublic,
      recipientPublic,
    );
    const senderReader = protocolReader(
      open(senderBlockKey, senderBlock, concatBytes(header, recipientPublic)),
      'envelope sender block',
    );
    const senderAttestation = senderReader.raw(senderReader.u16('attestation length'), 'attestation');
    const { attestation } = decodeAttestation(senderAttestation);
    const bodyKey = await staticKey(recipient, attestation.agreementKey, chainKey, senderBlock);
    const bodyReader = protocolReader(
      open(bodyKey, body, concatBytes(header, recipientPublic, senderBlock)),
      'envelope body',
    );
    const content = bodyReader.raw(bodyReader.u32('content length'), 'content');
    return { senderAttestation, content };
  });
}

/**
 * envelopes.md §2.1: HKDF over the ephemeral-static DH, salted with both public keys. The sender
 * holds the ephemeral private key and the recipient its identity key; both reach the same DH.
 */
async function ephemeralKeys(
  ours: X25519PrivateKey,
  peerPublic: Uint8Array,
  ephemeralPublic: Uint8Array,
  recipientPublic: Uint8Array,
) {
  const shared = await x25519SharedSecret(ours, peerPublic);
  try {
    const okm = hkdfSha256(shared, concatBytes(ephemeralPublic, recipientPublic), EPHEMERAL_INFO, 64);
    return { chainKey: okm.slice(0, 32), senderBlockKey: okm.slice(32, 64) };
  } finally {
    shared.wipe();
  }
}

/** envelopes.md §2.2: HKDF over the static-static DH, salted with the chain key and the sender block. */
async function staticKey(
  ours: X25519PrivateKey,
  peerPublic: Uint8Array,
  chainKey: Uint8Array,
  senderBlock: Uint8Array,
) {
  const shared = await x25519SharedSecret(ours, peerPublic);
  try {
    return hkdfSha256(shared, concatBytes(chainKey, senderBlock), STATIC_INFO, 32);
  } finally {
    shared.wipe();
  }
}

async function undecryptableOnCryptoError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isCryptoError(error)) throw new ProtocolError('undecryptable', `envelope: does not open (${error.code})`);
    if (error instanceof ProtocolError && error.code !== 'undecryptable') {
      // Inside an authenticated box, a bad layout means a sender that holds the keys sent junk.
      throw new ProtocolError('malformed', `envelope: ${error.message}`);
    }
    throw error;
  }
}

function padTo(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.set(bytes);
  return out;
}

/**
 * Fan-out envelopes (envelopes.md §6): the per-member wrapping of one group message. A Sender Key
 * message is encrypted once; each member device's copy is then sealed under the fan-out key its
 * sender shares with that device (agreed over their pairwise session), so the relay sees a
 * different random blob in every queue and cannot link members by identical bytes. Symmetric
 * only: no DH per member, which is what keeps a 1,000-member send cheap.
 */
export const FANOUT_ENVELOPE_VERSION = 1;
export const FANOUT_KEY_LENGTH = 32;
const FANOUT_HINT_LENGTH = 8;
const FANOUT_HINT_LABEL = new TextEncoder().encode('OpenDescent fan-out hint v1');
const FANOUT_HEADER = Uint8Array.of(FANOUT_ENVELOPE_VERSION);
/** version, hint, the sealed box's overhead and the content length. */
export const FANOUT_ENVELOPE_OVERHEAD = 1 + FANOUT_HINT_LENGTH + SEAL_OVERHEAD + 4;

/** Seals group content for one member device; the result is exactly a bucket size. */
export function sealFanoutEnvelope(fanoutKey: Uint8Array, content: Uint8Array): Uint8Array {
  const needed = FANOUT_ENVELOPE_OVERHEAD + content.length;
  const size = ENVELOPE_BUCKETS.find((bucket) => bucket >= needed);
  if (size === undefined)
    throw new ProtocolError('oversized', `fan-out envelope: ${content.length} bytes of content is too much`);
  const plaintext = padTo(
    protocolWriter().u32(content.length).raw(content).finish(),
    size - (FANOUT_ENVELOPE_OVERHEAD - 4),
  );
  const sealed = seal(fanoutKey, plaintext, FANOUT_HEADER);
  return concatBytes(FANOUT_HEADER, fanoutHint(fanoutKey, sealed), sealed);
}

/**
 * Opens a fan-out envelope with whichever of the candidate keys (one per group member that
 * shares one with this device) its hint names; returns the content and the index of the key.
 * The hint is HMAC(key, label || nonce), so it is unlinkable across envelopes and costs one HMAC
 * per candidate rather than one trial decryption.
 */
export function openFanoutEnvelope(
  candidateKeys: readonly Uint8Array[],
  input: unknown,
): { content: Uint8Array; keyIndex: number } {
  const bytes = expectBytesInput(input, 'fan-out envelope', MAX_ENVELOPE_BYTES);
  if (!(ENVELOPE_BUCKETS as readonly number[]).includes(bytes.length)) {
    throw new ProtocolError('malformed', `fan-out envelope: ${bytes.length} bytes is not a bucket size`);
  }
  const version = bytes[0] as number;
  if (version < FANOUT_ENVELOPE_VERSION)
    throw new ProtocolError('version_too_old', `fan-out envelope: version ${version} is no longer accepted`);
  if (version > FANOUT_ENVELOPE_VERSION)
    throw new ProtocolError('version_unknown', `fan-out envelope: version ${version} is newer than this code knows`);
  const hint = bytes.subarray(1, 1 + FANOUT_HINT_LENGTH);
  const sealed = bytes.subarray(1 + FANOUT_HINT_LENGTH);
  for (let keyIndex = 0; keyIndex < candidateKeys.length; keyIndex++) {
    const key = candidateKeys[keyIndex] as Uint8Array;
    if (!constantTimeEqual(fanoutHint(key, sealed), hint)) continue;
    let plaintext: Uint8Array;
    try {
      plaintext = open(key, sealed, FANOUT_HEADER);
    } catch (error) {
      if (isCryptoError(error))
        throw new ProtocolError('undecryptable', `fan-out envelope: does not open (${error.code})`);
      throw error;
    }
    const reader = protocolReader(plaintext, 'fan-out envelope body');
    return { content: reader.raw(reader.u32('content length'), 'content'), keyIndex };
  }
  throw new ProtocolError('undecryptable', 'fan-out envelope: sealed under none of the candidate keys');
}

function fanoutHint(key: Uint8Array, sealed: Uint8Array): Uint8Array {
  const nonce = sealed.subarray(0, 24);
  return hmacSha256(key, concatBytes(FANOUT_HINT_LABEL, nonce)).subarray(0, FANOUT_HINT_LENGTH);
}
