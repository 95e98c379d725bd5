/**
 * The hybrid handshake (docs/protocol/crypto.md §10), after Signal's PQXDH
 * (revision 3): X25519 Diffie-Hellman between identity, signed, one-time and ephemeral keys,
 * combined with an ML-KEM-768 encapsulation to the responder's PQ prekey, so that recording the
 * traffic today and breaking X25519 later is not enough (PQXDH §4.7).
 *
 * Initiator A, responder B (PQXDH §3.3):
 *   DH1 = DH(IK_A, SPK_B)   DH2 = DH(EK_A, IK_B)   DH3 = DH(EK_A, SPK_B)   DH4 = DH(EK_A, OPK_B)
 *   (CT, SS) = ML-KEM-768.Encaps(PQPK_B)
 *   SK = HKDF-SHA256(IKM = F || DH1 || DH2 || DH3 [|| DH4] || SS, salt = 0^32,
 *                    info = PQXDH_INFO || SHA-256(transcript), L = 32)      (PQXDH §2.2 "KDF")
 *   AD = version || IKsig_A || IKdh_A || IKsig_B || IKdh_B                    (PQXDH §3.3 "AD")
 * IK here is each device's X25519 agreement key; its Ed25519 signing key signs the prekeys and is
 * bound into AD beside it. The transcript (every public value of the exchange) in `info` is our
 * addition: it binds the KEM ciphertext and public key and the prekey ids into SK, which closes
 * the KEM re-encapsulation and key-confusion concerns raised in the PQXDH analyses.
 *
 * Everything is a pure function of its inputs: the responder's prekey state comes in and a new
 * one goes out. The responder must persist that new state only after the first ratchet message
 * decrypts (PQXDH §3.4: "If the initial ciphertext fails to decrypt, then Bob aborts the protocol
 * and deletes SK"), so that a forged initial message consumes nothing.
 */
import { ByteWriter } from './byte-codec';
import { concatBytes, expectBytes, utf8Encode } from './bytes';
import { CryptoError } from './errors';
import type { DeviceIdentity, PublicDeviceIdentity } from './identity';
import { hkdfSha256, sha256 } from './kdf';
import { MLKEM768_CIPHERTEXT_LENGTH, mlKem768Decapsulate, mlKem768Encapsulate } from './mlkem';
import { verifyPrekeyBundle } from './prekey-bundle';
import { claimPrekeysForHandshake } from './prekey-claim';
import { PREKEY_KIND_BYTE, type PrekeyBundle, type PrekeyState } from './prekeys';
import { SecretBytes } from './secret';
import { generateX25519KeyPair, x25519SharedSecret, X25519_KEY_LENGTH, type X25519KeyPair } from './x25519';

export const HANDSHAKE_VERSION = 1;
/** PQXDH §2.1 "info": names the application, curve, hash and KEM. */
export const PQXDH_INFO = 'OpenDescent_PQXDH_X25519_SHA-256_ML-KEM-768';
/** PQXDH §2.2: for X25519, F is 32 0xFF bytes, so the DH/KEM input never starts like an XEdDSA key. */
const F = new Uint8Array(32).fill(0xff);
/** PQXDH §2.2: "a zero-filled byte sequence with length equal to the hash output length". */
const ZERO_SALT = new Uint8Array(32);
export const SHARED_SECRET_LENGTH = 32;
const MAX_U32 = 0xffff_ffff;

/** PQXDH §3.3 "initial message", minus the first ciphertext (that is the first ratchet message). */
export interface HandshakeInitiation {
  readonly version: typeof HANDSHAKE_VERSION;
  /** Both identity keys of the initiating device; the responder checks them against an attestation. */
  readonly initiator: PublicDeviceIdentity;
  /** EK_A, a fresh X25519 public key. */
  readonly ephemeralKey: Uint8Array;
  /** ML-KEM-768 ciphertext to the PQ prekey named by kemPrekeyId. */
  readonly kemCiphertext: Uint8Array;
  readonly signedPrekeyId: number;
  readonly kemPrekeyId: number;
  readonly oneTimePrekeyId: number | null;
}

export interface HandshakeOutcome {
  /** SK, the Double Ratchet's initial secret (Double Ratchet §5.1). */
  readonly sharedSecret: SecretBytes;
  /** AD, bound into every ratchet message of the session. */
  readonly associatedData: Uint8Array;
}

export interface InitiatorHandshake extends HandshakeOutcome {
  readonly initiation: HandshakeInitiation;
  /** SPK_B: the responder's first ratchet public key (Double Ratchet §5.1). */
  readonly remoteRatchetKey: Uint8Array;
}

export interface ResponderHandshake extends HandshakeOutcome {
  /** The prekey state with the one-time prekeys consumed: persist it once the first message decrypts. */
  readonly prekeys: PrekeyState;
  readonly initiator: PublicDeviceIdentity;
  /** The signed prekey pair: the responder's first ratchet key pair (Double Ratchet §5.1). */
  readonly ratchetKeyPair: X25519KeyPair;
}

function checkIdentity(identity: PublicDeviceIdentity, what: string): PublicDeviceIdentity {
  if (identity === null || typeof identity !== 'object')
    throw new CryptoError('malformed_message', `${what} is missing`);
  expectBytes(identity.signingKey, `${what} signing key`, 32);
  expectBytes(identity.agreementKey, `${what} agreement key`, X25519_KEY_LENGTH);
  return identity;
}

function checkId(id: unknown, what: string): number {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0 || id > MAX_U32) {
    throw new CryptoError('malformed_message', `${what} is not a u32`);
  }
  return id;
}

/** AD = version(1) || IKsig_A(32) || IKdh_A(32) || IKsig_B(32) || IKdh_B(32): 129 bytes. */
export function handshakeAssociatedData(initiator: PublicDeviceIdentity, responder: PublicDeviceIdentity): Uint8Array {
  return new ByteWriter()
    .u8(HANDSHAKE_VERSION)
    .raw(initiator.signingKey, 32)
    .raw(initiator.agreementKey, 32)
    .raw(responder.signingKey, 32)
    .raw(responder.agreementKey, 32)
    .finish();
}

interface TranscriptInputs {
  readonly initiator: PublicDeviceIdentity;
  readonly responder: PublicDeviceIdentity;
  readonly ephemeralKey: Uint8Array;
  readonly signedPrekeyId: number;
  readonly signedPrekey: Uint8Array;
  readonly kemPrekeyKindByte: number;
  readonly kemPrekeyId: number;
  readonly kemPrekey: Uint8Array;
  readonly kemCiphertext: Uint8Array;
  readonly oneTimePrekey: { readonly id: number; readonly publicKey: Uint8Array } | null;
}

/**
 * The transcript whose SHA-256 ends the HKDF info (docs/protocol/crypto.md §10.2):
 *   version || AD's four keys || EK_A || u32 spkId || SPK_B || kemKind || u32 kemId || PQPK_B
 *   || CT || hasOPK(1) [|| u32 opkId || OPK_B]
 */
export function handshakeTranscript(inputs: TranscriptInputs): Uint8Array {
  const w = new ByteWriter()
    .u8(HANDSHAKE_VERSION)
    .raw(inputs.initiator.signingKey, 32)
    .raw(inputs.initiator.agreementKey, 32)
    .raw(inputs.responder.signingKey, 32)
    .raw(inputs.responder.agreementKey, 32)
    .raw(inputs.ephemeralKey, 32)
    .u32(inputs.signedPrekeyId)
    .raw(inputs.signedPrekey, 32)
    .u8(inputs.kemPrekeyKindByte)
    .u32(inputs.kemPrekeyId)
    .raw(inputs.kemPrekey)
    .raw(inputs.kemCiphertext, MLKEM768_CIPHERTEXT_LENGTH);
  if (inputs.oneTimePrekey === null) w.u8(0);
  else w.u8(1).u32(inputs.oneTimePrekey.id).raw(inputs.oneTimePrekey.publicKey, 32);
  return w.finish();
}

/** PQXDH §2.2 KDF over KM = DH1 || DH2 || DH3 [|| DH4] || SS; wipes every input secret. */
function deriveSharedSecret(secrets: readonly SecretBytes[], transcript: Uint8Array): SecretBytes {
  const ikm = concatBytes(F, ...secrets.map((s) => s.exposeBytes()));
  try {
    const info = concatBytes(utf8Encode(PQXDH_INFO), sha256(transcript));
    return new SecretBytes(hkdfSha256(ikm, ZERO_SALT, info, SHARED_SECRET_LENGTH), 'handshake shared secret');
  } finally {
    ikm.fill(0);
    for (const secret of secrets) secret.wipe();
  }
}

export interface InitiateHandshakeInput {
  /** Our device identity (IK_A). */
  readonly identity: DeviceIdentity;
  /** The responder's identity as its device attestation states it, never as a bundle claims it. */
  readonly responder: PublicDeviceIdentity;
  readonly bundle: PrekeyBundle;
  /** ms since the Unix epoch, for the expiry checks. */
  readonly now: number;
}

/**
 * The initiator's side (PQXDH §3.3). Refuses, before any secret is computed, a bundle that is
 * malformed, has a missing or bad signature ('bad_signature') or an expired prekey
 * ('expired_prekey') (see verifyPrekeyBundle).
 */
export async function initiateHandshake(input: InitiateHandshakeInput): Promise<InitiatorHandshake> {
  const { identity, bundle, now } = input;
  const responder = checkIdentity(input.responder, 'the responder identity');
  await verifyPrekeyBundle(bundle, responder, now);

  const ephemeral = await generateX25519KeyPair();
  try {
    const dhs = await Promise.all([
      x25519SharedSecret(identity.agreement.privateKey, bundle.signedPrekey.publicKey),
      x25519SharedSecret(ephemeral.privateKey, responder.agreementKey),
      x25519SharedSecret(ephemeral.privateKey, bundle.signedPrekey.publicKey),
      ...(bundle.oneTimePrekey === null
        ? []
        : [x25519SharedSecret(ephemeral.privateKey, bundle.oneTimePrekey.publicKey)]),
    ]);
    const { ciphertext, sharedSecret: ss } = mlKem768Encapsulate(bundle.kemPrekey.publicKey);
    const initiator: PublicDeviceIdentity = {
      signingKey: identity.signing.publicKey.slice(),
      agreementKey: identity.agreement.publicKey.slice(),
    };
    const initiation: HandshakeInitiation = {
      version: HANDSHAKE_VERSION,
      initiator,
      ephemeralKey: ephemeral.publicKey.slice(),
      kemCiphertext: ciphertext,
      signedPrekeyId: bundle.signedPrekey.id,
      kemPrekeyId: bundle.kemPrekey.id,
      oneTimePrekeyId: bundle.oneTimePrekey?.id ?? null,
    };
    const transcript = handshakeTranscript({
      initiator,
      responder,
      ephemeralKey: initiation.ephemeralKey,
      signedPrekeyId: bundle.signedPrekey.id,
      signedPrekey: bundle.signedPrekey.publicKey,
      kemPrekeyKindByte: PREKEY_KIND_BYTE[bundle.kemPrekey.kind],
      kemPrekeyId: bundle.kemPrekey.id,
      kemPrekey: bundle.kemPrekey.publicKey,
      kemCiphertext: ciphertext,
      oneTimePrekey:
        bundle.oneTimePrekey === null
          ? null
          : { id: bundle.oneTimePrekey.id, publicKey: bundle.oneTimePrekey.publicKey },
    });
    return {
      initiation,
      sharedSecret: deriveSharedSecret([...dhs, ss], transcript),
      associatedData: handshakeAssociatedData(initiator, responder),
      remoteRatchetKey: bundle.signedPrekey.publicKey.slice(),
    };
  } finally {
    // PQXDH §3.3: "Alice deletes her ephemeral private key and the DH outputs."
    ephemeral.privateKey.wipe();
  }
}

export interface RespondToHandshakeInput {
  /** Our device identity (IK_B). */
  readonly identity: DeviceIdentity;
  readonly prekeys: PrekeyState;
  readonly initiation: HandshakeInitiation;
  readonly now: number;
}

/**
 * The responder's side (PQXDH §3.4). Refuses an unknown version ('unknown_version'), malformed
 * fields, an unknown prekey id ('unknown_prekey'), a retired prekey ('expired_prekey'), a
 * one-time prekey already consumed ('reused_prekey') and a replayed initial message
 * ('duplicate_message'). The caller must check `initiator` against the initiator's device
 * attestation before trusting the session.
 */
export async function respondToHandshake(input: RespondToHandshakeInput): Promise<ResponderHandshake> {
  const { identity, initiation, now } = input;
  if (initiation === null || typeof initiation !== 'object')
    throw new CryptoError('malformed_message', 'no initial message');
  if (initiation.version !== HANDSHAKE_VERSION) {
    throw new CryptoError('unknown_version', `handshake version ${String(initiation.version)} is not known`);
  }
  const initiator = checkIdentity(initiation.initiator, 'the initiator identity');
  expectBytes(initiation.ephemeralKey, 'ephemeral key', X25519_KEY_LENGTH);
  expectBytes(initiation.kemCiphertext, 'ML-KEM ciphertext', MLKEM768_CIPHERTEXT_LENGTH);
  const ids = {
    signedPrekeyId: checkId(initiation.signedPrekeyId, 'the signed prekey id'),
    kemPrekeyId: checkId(initiation.kemPrekeyId, 'the ML-KEM prekey id'),
    oneTimePrekeyId:
      initiation.oneTimePrekeyId === null ? null : checkId(initiation.oneTimePrekeyId, 'the one-time prekey id'),
  };
  const claimed = claimPrekeysForHandshake(input.prekeys, ids, initiation.ephemeralKey, now);

  const dhs = await Promise.all([
    x25519SharedSecret(claimed.signedPrekey.privateKey, initiator.agreementKey),
    x25519SharedSecret(identity.agreement.privateKey, initiation.ephemeralKey),
    x25519SharedSecret(claimed.signedPrekey.privateKey, initiation.ephemeralKey),
    ...(claimed.oneTimePrekey === null
      ? []
      : [x25519SharedSecret(claimed.oneTimePrekey.privateKey, initiation.ephemeralKey)]),
  ]);
  const ss = mlKem768Decapsulate(claimed.kemPrekey.decapsulationKey, initiation.kemCiphertext);
  const responder: PublicDeviceIdentity = {
    signingKey: identity.signing.publicKey.slice(),
    agreementKey: identity.agreement.publicKey.slice(),
  };
  const transcript = handshakeTranscript({
    initiator,
    responder,
    ephemeralKey: initiation.ephemeralKey,
    signedPrekeyId: ids.signedPrekeyId,
    signedPrekey: claimed.signedPrekey.publicKey,
    kemPrekeyKindByte: PREKEY_KIND_BYTE[claimed.kemPrekeyKind],
    kemPrekeyId: ids.kemPrekeyId,
    kemPrekey: claimed.kemPrekey.encapsulationKey,
    kemCiphertext: initiation.kemCiphertext,
    oneTimePrekey:
      claimed.oneTimePrekey === null || ids.oneTimePrekeyId === null
        ? null
        : { id: ids.oneTimePrekeyId, publicKey: claimed.oneTimePrekey.publicKey },
  });
  return {
    prekeys: claimed.state,
    initiator: { signingKey: initiator.signingKey.slice(), agreementKey: initiator.agreementKey.slice() },
    sharedSecret: deriveSharedSecret([...dhs, ss], transcript),
    associatedData: handshakeAssociatedData(initiator, responder),
    ratchetKeyPair: claimed.signedPrekey,
  };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const difference = (a[i] as number) - (b[i] as number);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

/**
 * Simultaneous initiation (both devices start a session to each other before either initial
 * message arrives). Both sides answer the other's initiation, so each holds two sessions; both
 * then SEND on the session initiated by the device whose identity (signing key, then agreement
 * key, compared as unsigned bytes) is lower, and keep the other session only to decrypt messages
 * already in flight on it. The rule needs no message: both sides compute the same answer.
 *
 * Returns true when the session that `ours` initiated is the one both keep sending on.
 */
export function ourInitiationWins(ours: PublicDeviceIdentity, theirs: PublicDeviceIdentity): boolean {
  checkIdentity(ours, 'our identity');
  checkIdentity(theirs, 'their identity');
  const order =
    compareBytes(ours.signingKey, theirs.signingKey) || compareBytes(ours.agreementKey, theirs.agreementKey);
  if (order === 0) throw new CryptoError('bad_parameter', 'a device does not initiate a session with itself');
  return order < 0;
}
