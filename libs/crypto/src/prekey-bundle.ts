/**
 * What a device's prekeys look like from outside (docs/protocol/crypto.md §9; PQXDH §3.2
 * "Publishing keys", §3.3 "Sending the initial message"): the public halves a device uploads,
 * the bundle a directory hands one initiator, and the initiator's checks on that bundle before
 * any key in it is used. Only public data crosses here; the private halves stay in the
 * PrekeyState (prekeys.ts). Pure, and the time is passed in as `now`.
 */
import { expectBytes, isBytes } from './bytes';
import { ed25519Verify, ED25519_SIGNATURE_LENGTH } from './ed25519';
import { CryptoError } from './errors';
import type { PublicDeviceIdentity } from './identity';
import {
  expectTime,
  MAX_PREKEY_ID,
  prekeySignatureInput,
  PUBLIC_KEY_LENGTH,
  type PrekeyBundle,
  type PrekeyKind,
  type PrekeyRecordBase,
  type PrekeyState,
  type PublicPrekey,
  type PublishedPrekeys,
} from './prekeys';
import { X25519_KEY_LENGTH } from './x25519';

/** A record's public half as published: copies, so the state and the upload share no buffer. */
function publicHalf(kind: PrekeyKind, record: PrekeyRecordBase, publicKey: Uint8Array): PublicPrekey {
  const { id, createdAt, expiresAt } = record;
  return {
    kind,
    id,
    publicKey: publicKey.slice(),
    createdAt,
    expiresAt,
    signature: record.signature.slice(),
  };
}

/** The public halves to upload: the newest signed prekeys and every one-time prekey not yet expired. */
export function publishedPrekeys(state: PrekeyState, now: number): PublishedPrekeys {
  expectTime(now, 'now');
  const signed = state.signedPrekeys[0];
  const kem = state.lastResortKemPrekeys[0];
  if (signed === undefined || kem === undefined || now >= signed.expiresAt || now >= kem.expiresAt) {
    throw new CryptoError('expired_prekey', 'no valid signed prekey to publish: rotate first');
  }
  return {
    signedPrekey: publicHalf('signed-x25519', signed, signed.keyPair.publicKey),
    lastResortKemPrekey: publicHalf('last-resort-mlkem768', kem, kem.keyPair.encapsulationKey),
    oneTimePrekeys: state.oneTimePrekeys
      .filter((r) => now < r.expiresAt)
      .map((r) => publicHalf('one-time-x25519', r, r.keyPair.publicKey)),
    oneTimeKemPrekeys: state.oneTimeKemPrekeys
      .filter((r) => now < r.expiresAt)
      .map((r) => publicHalf('one-time-mlkem768', r, r.keyPair.encapsulationKey)),
  };
}

/**
 * What a directory does for one initiator (PQXDH §3.3): the signed prekey, one one-time ML-KEM
 * prekey if any is left (else the last-resort one), and one one-time X25519 prekey if any is
 * left; the ones handed out are removed from `remaining`, never handed out twice.
 */
export function claimPrekeyBundle(published: PublishedPrekeys): { bundle: PrekeyBundle; remaining: PublishedPrekeys } {
  const [oneTimePrekey, ...otherOneTime] = published.oneTimePrekeys;
  const [oneTimeKemPrekey, ...otherOneTimeKem] = published.oneTimeKemPrekeys;
  return {
    bundle: {
      signedPrekey: published.signedPrekey,
      kemPrekey: oneTimeKemPrekey ?? published.lastResortKemPrekey,
      oneTimePrekey: oneTimePrekey ?? null,
    },
    remaining: { ...published, oneTimePrekeys: otherOneTime, oneTimeKemPrekeys: otherOneTimeKem },
  };
}

function checkPublicPrekeyShape(
  prekey: PublicPrekey | null | undefined,
  kinds: readonly PrekeyKind[],
  what: string,
): PublicPrekey {
  if (prekey === null || prekey === undefined || typeof prekey !== 'object') {
    throw new CryptoError('malformed_message', `the bundle has no ${what}`);
  }
  if (!kinds.includes(prekey.kind))
    throw new CryptoError('malformed_message', `the ${what} has kind ${String(prekey.kind)}`);
  if (!Number.isSafeInteger(prekey.id) || prekey.id < 0 || prekey.id > MAX_PREKEY_ID) {
    throw new CryptoError('malformed_message', `the ${what} id is not a u32`);
  }
  for (const time of [prekey.createdAt, prekey.expiresAt]) {
    if (!Number.isSafeInteger(time) || time < 0)
      throw new CryptoError('malformed_message', `the ${what} has a malformed time`);
  }
  if (prekey.createdAt >= prekey.expiresAt)
    throw new CryptoError('malformed_message', `the ${what} expires before it is created`);
  expectBytes(prekey.publicKey, `${what} public key`, PUBLIC_KEY_LENGTH[prekey.kind]);
  return prekey;
}

/**
 * The initiator's checks on a fetched bundle (PQXDH §3.3: "Alice verifies the prekey
 * signatures and aborts the protocol if verification fails"), in this order:
 *  1. shape: kinds, u32 ids, times, key lengths (CryptoError 'malformed_message' / 'bad_length');
 *  2. every signature, under `owner.signingKey`, which the caller takes from the device
 *     attestation, never from the bundle ('bad_signature', also for a missing signature);
 *  3. expiry: `now` must be before every prekey's expiresAt ('expired_prekey').
 * Signatures come before expiry so that an unsigned time is never trusted.
 */
export async function verifyPrekeyBundle(
  bundle: PrekeyBundle,
  owner: PublicDeviceIdentity,
  now: number,
): Promise<void> {
  expectTime(now, 'now');
  expectBytes(owner.signingKey, 'owner signing key', 32);
  expectBytes(owner.agreementKey, 'owner agreement key', X25519_KEY_LENGTH);
  const prekeys = [
    checkPublicPrekeyShape(bundle.signedPrekey, ['signed-x25519'], 'signed prekey'),
    checkPublicPrekeyShape(bundle.kemPrekey, ['last-resort-mlkem768', 'one-time-mlkem768'], 'ML-KEM prekey'),
    ...(bundle.oneTimePrekey === null
      ? []
      : [checkPublicPrekeyShape(bundle.oneTimePrekey, ['one-time-x25519'], 'one-time prekey')]),
  ];
  const verdicts = await Promise.all(
    prekeys.map(async (prekey) => {
      const signature: unknown = prekey.signature;
      if (!isBytes(signature) || signature.length !== ED25519_SIGNATURE_LENGTH) return false;
      return ed25519Verify(owner.signingKey, prekeySignatureInput(owner.agreementKey, prekey), signature);
    }),
  );
  if (verdicts.includes(false)) {
    throw new CryptoError(
      'bad_signature',
      'a prekey signature is missing or does not verify under the owner identity key',
    );
  }
  for (const prekey of prekeys) {
    if (now >= prekey.expiresAt)
      throw new CryptoError('expired_prekey', `the ${prekey.kind} prekey ${prekey.id} has expired`);
  }
}
