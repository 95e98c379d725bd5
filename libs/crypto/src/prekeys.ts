/**
 * Prekeys (docs/protocol/crypto.md §9; Signal's PQXDH §2.4 "Keys" and §3.2
 * "Publishing keys"). A device publishes, signed by its Ed25519 identity key:
 *  - a signed X25519 prekey (SPK), rotated periodically;
 *  - a signed ML-KEM-768 "last-resort" prekey (PQSPK), rotated with the SPK;
 *  - a batch of one-time X25519 prekeys (OPK) and, optionally, one-time ML-KEM-768 prekeys
 *    (PQOPK), each handed out once by the directory.
 * Every prekey carries an id, a creation time and an expiry, all covered by its signature. Unlike
 * PQXDH, one-time X25519 prekeys are signed too: the directory hands them out one at a time and
 * the initiator can then check every key it is given, not only some.
 *
 * The private halves stay in a `PrekeyState`: plain, versioned, serialisable data. Every function
 * here is pure (a new state is returned, the input is never modified) and takes the time as
 * `now` (ms since the Unix epoch): nothing here reads a clock.
 */
import { ByteReader, ByteWriter, expectVersion } from './byte-codec';
import { constantTimeEqual, expectBytes, isBytes, utf8Encode } from './bytes';
import { ed25519Sign, ed25519Verify, ED25519_SIGNATURE_LENGTH } from './ed25519';
import { CryptoError } from './errors';
import type { DeviceIdentity, PublicDeviceIdentity } from './identity';
import {
  generateMlKem768KeyPair,
  MLKEM768_DECAPSULATION_KEY_LENGTH,
  MLKEM768_ENCAPSULATION_KEY_LENGTH,
  type MlKem768KeyPair,
} from './mlkem';
import { keyBytes, SecretBytes, type KeyBytes } from './secret';
import { generateX25519KeyPair, x25519KeyPairFromPrivateKey, X25519_KEY_LENGTH, type X25519KeyPair } from './x25519';

export const PREKEY_STATE_VERSION = 1;
/** Domain separation for prekey signatures: no other signature by an identity key starts so. */
export const PREKEY_SIGNATURE_LABEL = 'OpenDescent-Prekey-v1';

export type PrekeyKind = 'signed-x25519' | 'last-resort-mlkem768' | 'one-time-x25519' | 'one-time-mlkem768';
export type OneTimePrekeyKind = 'one-time-x25519' | 'one-time-mlkem768';

/**
 * The kind byte of the signature input keeps a key of one kind from passing as another, as the
 * type byte of PQXDH's EncodeEC / EncodeKEM does (PQXDH §2.1).
 */
export const PREKEY_KIND_BYTE: Readonly<Record<PrekeyKind, number>> = Object.freeze({
  'signed-x25519': 0x01,
  'last-resort-mlkem768': 0x02,
  'one-time-x25519': 0x03,
  'one-time-mlkem768': 0x04,
});

const PUBLIC_KEY_LENGTH: Readonly<Record<PrekeyKind, number>> = {
  'signed-x25519': X25519_KEY_LENGTH,
  'last-resort-mlkem768': MLKEM768_ENCAPSULATION_KEY_LENGTH,
  'one-time-x25519': X25519_KEY_LENGTH,
  'one-time-mlkem768': MLKEM768_ENCAPSULATION_KEY_LENGTH,
};

/** A published prekey: its public half, its validity, and the identity key's signature over all of it. */
export interface PublicPrekey {
  readonly kind: PrekeyKind;
  /** u32, unique across all kinds for one device. */
  readonly id: number;
  /** X25519 public key (32 bytes) or ML-KEM-768 encapsulation key (1184 bytes). */
  readonly publicKey: Uint8Array;
  /** ms since the Unix epoch. */
  readonly createdAt: number;
  /** ms since the Unix epoch; an initiator refuses the prekey from this instant on. */
  readonly expiresAt: number;
  /** Ed25519 over prekeySignatureInput(...) by the owner's identity signing key. */
  readonly signature: Uint8Array;
}

/** Everything a device uploads to the directory. */
export interface PublishedPrekeys {
  readonly signedPrekey: PublicPrekey;
  readonly lastResortKemPrekey: PublicPrekey;
  readonly oneTimePrekeys: readonly PublicPrekey[];
  readonly oneTimeKemPrekeys: readonly PublicPrekey[];
}

/** What an initiator fetches for one handshake (PQXDH §3.3). */
export interface PrekeyBundle {
  readonly signedPrekey: PublicPrekey;
  /** A one-time ML-KEM-768 prekey when the directory had one, else the last-resort one. */
  readonly kemPrekey: PublicPrekey;
  /** A one-time X25519 prekey, or null when the directory ran out (PQXDH §3.3 allows it). */
  readonly oneTimePrekey: PublicPrekey | null;
}

interface PrekeyRecordBase {
  readonly id: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** The private half is deleted by expirePrekeys from this instant on (and refused after it). */
  readonly deleteAfter: number;
  readonly signature: Uint8Array;
}

export interface X25519PrekeyRecord extends PrekeyRecordBase {
  readonly keyPair: X25519KeyPair;
}

export interface KemPrekeyRecord extends PrekeyRecordBase {
  readonly keyPair: MlKem768KeyPair;
}

export interface ConsumedPrekey {
  readonly kind: OneTimePrekeyKind;
  readonly id: number;
  readonly consumedAt: number;
}

/** An initial message already accepted, remembered while its signed prekey lives (PQXDH §4.2). */
export interface SeenHandshake {
  readonly signedPrekeyId: number;
  readonly ephemeralKey: Uint8Array;
}

export interface PrekeyState {
  readonly version: typeof PREKEY_STATE_VERSION;
  /** The next prekey id to issue (ids are never reused). */
  readonly nextId: number;
  /** Newest first: [0] is the one published; the others are in their grace period. */
  readonly signedPrekeys: readonly X25519PrekeyRecord[];
  /** Newest first, as signedPrekeys. */
  readonly lastResortKemPrekeys: readonly KemPrekeyRecord[];
  readonly oneTimePrekeys: readonly X25519PrekeyRecord[];
  readonly oneTimeKemPrekeys: readonly KemPrekeyRecord[];
  /** One-time prekeys already used, so that a reuse is reported as such (PQXDH §4.3). */
  readonly consumedOneTimePrekeys: readonly ConsumedPrekey[];
  readonly seenHandshakes: readonly SeenHandshake[];
}

export interface PrekeyPolicy {
  /** How long a signed prekey (and the last-resort ML-KEM prekey) is valid for initiators. */
  readonly signedPrekeyLifetimeMs: number;
  /** How long a one-time prekey is valid for initiators. */
  readonly oneTimePrekeyLifetimeMs: number;
  /**
   * How long a private half outlives its expiry or its replacement, so that an initial message
   * built just before that instant and delayed in a relay queue can still be answered.
   */
  readonly gracePeriodMs: number;
  /** How long a consumed one-time prekey id is remembered, to report its reuse as such. */
  readonly consumedRetentionMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Signal rotates signed prekeys every few days; a week of validity plus a week of grace keeps an
 * SPK private key alive at most two weeks (forward secrecy for initial messages without OPK),
 * while covering the longest relay TTL a deployment may configure.
 */
export const DEFAULT_PREKEY_POLICY: PrekeyPolicy = Object.freeze({
  signedPrekeyLifetimeMs: 7 * DAY_MS,
  oneTimePrekeyLifetimeMs: 30 * DAY_MS,
  gracePeriodMs: 7 * DAY_MS,
  consumedRetentionMs: 60 * DAY_MS,
});

/** Bounds that keep the state (and a hostile stored record) small. */
export const MAX_ONE_TIME_PREKEYS = 1000;
export const MAX_ONE_TIME_KEM_PREKEYS = 200;
const MAX_SIGNED_PREKEY_RECORDS = 16;
const MAX_CONSUMED_RECORDS = 10_000;
export const MAX_SEEN_HANDSHAKES = 2048;
const MAX_PREKEY_ID = 0xffff_ffff;

function expectTime(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`${what} must be a non-negative integer (ms)`);
  return value;
}

function checkPolicy(policy: PrekeyPolicy): PrekeyPolicy {
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new CryptoError('bad_parameter', `prekey policy: ${name} must be a positive integer (ms)`);
    }
  }
  return policy;
}

/**
 * The bytes an identity key signs for one prekey (docs/protocol/crypto.md §9.1):
 *   "OpenDescent-Prekey-v1" || kind(1) || ownerAgreementKey(32) || u32 id || u64 createdAt
 *   || u64 expiresAt || u16 len(publicKey) || publicKey
 * The owner's X25519 identity key is included so a prekey cannot be presented beside another
 * agreement key than the one its owner holds.
 */
export function prekeySignatureInput(
  ownerAgreementKey: Uint8Array,
  prekey: Omit<PublicPrekey, 'signature'>,
): Uint8Array {
  const length = PUBLIC_KEY_LENGTH[prekey.kind];
  if (length === undefined) throw new CryptoError('malformed_message', 'unknown prekey kind');
  return new ByteWriter()
    .raw(utf8Encode(PREKEY_SIGNATURE_LABEL))
    .u8(PREKEY_KIND_BYTE[prekey.kind])
    .raw(ownerAgreementKey, X25519_KEY_LENGTH)
    .u32(prekey.id)
    .u64(prekey.createdAt)
    .u64(prekey.expiresAt)
    .bytes16(expectBytes(prekey.publicKey, 'prekey public key', length))
    .finish();
}

async function signPrekey(identity: DeviceIdentity, prekey: Omit<PublicPrekey, 'signature'>): Promise<Uint8Array> {
  return ed25519Sign(identity.signing.privateKey, prekeySignatureInput(identity.agreement.publicKey, prekey));
}

function nextIds(state: { nextId: number }, count: number): number[] {
  if (state.nextId + count - 1 > MAX_PREKEY_ID)
    throw new CryptoError('bad_parameter', 'the prekey id space is exhausted');
  return Array.from({ length: count }, (_, i) => state.nextId + i);
}

async function newX25519Record(
  identity: DeviceIdentity,
  kind: 'signed-x25519' | 'one-time-x25519',
  id: number,
  now: number,
  lifetimeMs: number,
  graceMs: number,
): Promise<X25519PrekeyRecord> {
  const keyPair = await generateX25519KeyPair();
  const fields = { kind, id, publicKey: keyPair.publicKey, createdAt: now, expiresAt: now + lifetimeMs };
  const signature = await signPrekey(identity, fields);
  return {
    id,
    createdAt: now,
    expiresAt: fields.expiresAt,
    deleteAfter: fields.expiresAt + graceMs,
    signature,
    keyPair,
  };
}

async function newKemRecord(
  identity: DeviceIdentity,
  kind: 'last-resort-mlkem768' | 'one-time-mlkem768',
  id: number,
  now: number,
  lifetimeMs: number,
  graceMs: number,
): Promise<KemPrekeyRecord> {
  const keyPair = generateMlKem768KeyPair();
  const fields = { kind, id, publicKey: keyPair.encapsulationKey, createdAt: now, expiresAt: now + lifetimeMs };
  const signature = await signPrekey(identity, fields);
  return {
    id,
    createdAt: now,
    expiresAt: fields.expiresAt,
    deleteAfter: fields.expiresAt + graceMs,
    signature,
    keyPair,
  };
}

export interface PrekeyGenerationOptions {
  readonly now: number;
  readonly policy?: PrekeyPolicy;
}

export interface OneTimePrekeyOptions extends PrekeyGenerationOptions {
  /** How many one-time X25519 prekeys to add. */
  readonly count: number;
  /** How many one-time ML-KEM-768 prekeys to add (default 0: the last-resort key serves). */
  readonly kemCount?: number;
}

/** A fresh state: one signed X25519 prekey, one last-resort ML-KEM prekey, and the one-time batches. */
export async function createPrekeyState(identity: DeviceIdentity, options: OneTimePrekeyOptions): Promise<PrekeyState> {
  const empty: PrekeyState = {
    version: PREKEY_STATE_VERSION,
    nextId: 1,
    signedPrekeys: [],
    lastResortKemPrekeys: [],
    oneTimePrekeys: [],
    oneTimeKemPrekeys: [],
    consumedOneTimePrekeys: [],
    seenHandshakes: [],
  };
  const rotated = await rotateSignedPrekeys(empty, identity, options);
  return addOneTimePrekeys(rotated, identity, options);
}

/**
 * Issues a new signed X25519 prekey and a new last-resort ML-KEM prekey. The previous ones are
 * kept for the grace period only (or until their own deletion time, if sooner), so initial
 * messages built from the previous bundle still succeed while it is in flight.
 */
export async function rotateSignedPrekeys(
  state: PrekeyState,
  identity: DeviceIdentity,
  options: PrekeyGenerationOptions,
): Promise<PrekeyState> {
  const now = expectTime(options.now, 'now');
  const policy = checkPolicy(options.policy ?? DEFAULT_PREKEY_POLICY);
  const [spkId, kemId] = nextIds(state, 2) as [number, number];
  const [spk, kem] = await Promise.all([
    newX25519Record(identity, 'signed-x25519', spkId, now, policy.signedPrekeyLifetimeMs, policy.gracePeriodMs),
    newKemRecord(identity, 'last-resort-mlkem768', kemId, now, policy.signedPrekeyLifetimeMs, policy.gracePeriodMs),
  ]);
  const retire = <T extends PrekeyRecordBase>(record: T): T => ({
    ...record,
    deleteAfter: Math.min(record.deleteAfter, now + policy.gracePeriodMs),
  });
  return {
    ...state,
    nextId: state.nextId + 2,
    signedPrekeys: [spk, ...state.signedPrekeys.map(retire)].slice(0, MAX_SIGNED_PREKEY_RECORDS),
    lastResortKemPrekeys: [kem, ...state.lastResortKemPrekeys.map(retire)].slice(0, MAX_SIGNED_PREKEY_RECORDS),
  };
}

/** Adds one-time prekeys (to replenish what the directory handed out). */
export async function addOneTimePrekeys(
  state: PrekeyState,
  identity: DeviceIdentity,
  options: OneTimePrekeyOptions,
): Promise<PrekeyState> {
  const now = expectTime(options.now, 'now');
  const policy = checkPolicy(options.policy ?? DEFAULT_PREKEY_POLICY);
  const count = options.count;
  const kemCount = options.kemCount ?? 0;
  if (!Number.isSafeInteger(count) || count < 0 || !Number.isSafeInteger(kemCount) || kemCount < 0) {
    throw new CryptoError('bad_parameter', 'one-time prekey counts must be non-negative integers');
  }
  if (state.oneTimePrekeys.length + count > MAX_ONE_TIME_PREKEYS) {
    throw new CryptoError('bad_parameter', `at most ${MAX_ONE_TIME_PREKEYS} one-time X25519 prekeys are held`);
  }
  if (state.oneTimeKemPrekeys.length + kemCount > MAX_ONE_TIME_KEM_PREKEYS) {
    throw new CryptoError('bad_parameter', `at most ${MAX_ONE_TIME_KEM_PREKEYS} one-time ML-KEM prekeys are held`);
  }
  const ids = nextIds(state, count + kemCount);
  const lifetime = policy.oneTimePrekeyLifetimeMs;
  const [oneTime, oneTimeKem] = await Promise.all([
    Promise.all(
      ids
        .slice(0, count)
        .map((id) => newX25519Record(identity, 'one-time-x25519', id, now, lifetime, policy.gracePeriodMs)),
    ),
    Promise.all(
      ids
        .slice(count)
        .map((id) => newKemRecord(identity, 'one-time-mlkem768', id, now, lifetime, policy.gracePeriodMs)),
    ),
  ]);
  return {
    ...state,
    nextId: state.nextId + count + kemCount,
    oneTimePrekeys: [...state.oneTimePrekeys, ...oneTime],
    oneTimeKemPrekeys: [...state.oneTimeKemPrekeys, ...oneTimeKem],
  };
}

/**
 * Deletes every private half whose deletion time has come, forgets consumed ids older than the
 * retention period, and the replay memory of signed prekeys that are gone. The current signed
 * prekeys are deleted too once past their time: rotate before that.
 */
export function expirePrekeys(
  state: PrekeyState,
  now: number,
  policy: PrekeyPolicy = DEFAULT_PREKEY_POLICY,
): PrekeyState {
  expectTime(now, 'now');
  checkPolicy(policy);
  const alive = <T extends PrekeyRecordBase>(record: T): boolean => now < record.deleteAfter;
  const signedPrekeys = state.signedPrekeys.filter(alive);
  const liveSpkIds = new Set(signedPrekeys.map((record) => record.id));
  return {
    ...state,
    signedPrekeys,
    lastResortKemPrekeys: state.lastResortKemPrekeys.filter(alive),
    oneTimePrekeys: state.oneTimePrekeys.filter(alive),
    oneTimeKemPrekeys: state.oneTimeKemPrekeys.filter(alive),
    consumedOneTimePrekeys: state.consumedOneTimePrekeys.filter((c) => now < c.consumedAt + policy.consumedRetentionMs),
    seenHandshakes: state.seenHandshakes.filter((seen) => liveSpkIds.has(seen.signedPrekeyId)),
  };
}

function publicX25519(kind: 'signed-x25519' | 'one-time-x25519', record: X25519PrekeyRecord): PublicPrekey {
  const { id, createdAt, expiresAt } = record;
  return {
    kind,
    id,
    publicKey: record.keyPair.publicKey.slice(),
    createdAt,
    expiresAt,
    signature: record.signature.slice(),
  };
}

function publicKem(kind: 'last-resort-mlkem768' | 'one-time-mlkem768', record: KemPrekeyRecord): PublicPrekey {
  const { id, createdAt, expiresAt } = record;
  return {
    kind,
    id,
    publicKey: record.keyPair.encapsulationKey.slice(),
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
    signedPrekey: publicX25519('signed-x25519', signed),
    lastResortKemPrekey: publicKem('last-resort-mlkem768', kem),
    oneTimePrekeys: state.oneTimePrekeys
      .filter((r) => now < r.expiresAt)
      .map((r) => publicX25519('one-time-x25519', r)),
    oneTimeKemPrekeys: state.oneTimeKemPrekeys
      .filter((r) => now < r.expiresAt)
      .map((r) => publicKem('one-time-mlkem768', r)),
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

/** The prekeys an initial message names (PQXDH §3.3: "identifiers stating which of Bob's prekeys Alice used"). */
export interface HandshakePrekeyIds {
  readonly signedPrekeyId: number;
  readonly kemPrekeyId: number;
  readonly oneTimePrekeyId: number | null;
}

export interface ClaimedPrekeys {
  /** The state with the one-time prekeys removed and the handshake remembered. */
  readonly state: PrekeyState;
  readonly signedPrekey: X25519KeyPair;
  readonly kemPrekey: MlKem768KeyPair;
  readonly kemPrekeyKind: 'last-resort-mlkem768' | 'one-time-mlkem768';
  readonly oneTimePrekey: X25519KeyPair | null;
}

function findLive<T extends PrekeyRecordBase>(
  records: readonly T[],
  id: number,
  now: number,
  what: string,
): T | undefined {
  const record = records.find((r) => r.id === id);
  if (record !== undefined && now >= record.deleteAfter) {
    throw new CryptoError('expired_prekey', `${what} ${id} is past its deletion time`);
  }
  return record;
}

function missing(state: PrekeyState, kind: OneTimePrekeyKind | null, id: number, what: string): CryptoError {
  if (kind !== null && state.consumedOneTimePrekeys.some((c) => c.kind === kind && c.id === id)) {
    return new CryptoError('reused_prekey', `${what} ${id} was already consumed by an earlier handshake`);
  }
  return new CryptoError('unknown_prekey', `${what} ${id} is not held by this device`);
}

/**
 * The responder's side (PQXDH §3.4): finds the private halves an initial message names and
 * returns a new state in which the one-time prekeys are deleted ("Bob deletes any one-time
 * prekey private keys used, for forward secrecy") and recorded as consumed, and the initial
 * message is remembered for as long as its signed prekey lives, so that a replay of it is
 * refused (PQXDH §4.2) even when no one-time prekey was used.
 *
 * Errors: 'unknown_prekey', 'expired_prekey', 'reused_prekey' (a consumed one-time prekey),
 * 'duplicate_message' (this very initial message was accepted before).
 */
export function claimPrekeysForHandshake(
  state: PrekeyState,
  ids: HandshakePrekeyIds,
  ephemeralKey: Uint8Array,
  now: number,
): ClaimedPrekeys {
  expectTime(now, 'now');
  expectBytes(ephemeralKey, 'ephemeral key', X25519_KEY_LENGTH);
  const signed = findLive(state.signedPrekeys, ids.signedPrekeyId, now, 'signed prekey');
  if (signed === undefined) throw missing(state, null, ids.signedPrekeyId, 'signed prekey');

  const lastResort = findLive(state.lastResortKemPrekeys, ids.kemPrekeyId, now, 'ML-KEM prekey');
  const oneTimeKem =
    lastResort === undefined ? findLive(state.oneTimeKemPrekeys, ids.kemPrekeyId, now, 'ML-KEM prekey') : undefined;
  const kem = lastResort ?? oneTimeKem;
  if (kem === undefined) throw missing(state, 'one-time-mlkem768', ids.kemPrekeyId, 'ML-KEM prekey');

  let oneTime: X25519PrekeyRecord | undefined;
  if (ids.oneTimePrekeyId !== null) {
    oneTime = findLive(state.oneTimePrekeys, ids.oneTimePrekeyId, now, 'one-time prekey');
    if (oneTime === undefined) throw missing(state, 'one-time-x25519', ids.oneTimePrekeyId, 'one-time prekey');
  }

  if (
    state.seenHandshakes.some((s) => s.signedPrekeyId === signed.id && constantTimeEqual(s.ephemeralKey, ephemeralKey))
  ) {
    throw new CryptoError('duplicate_message', 'this initial message was already accepted');
  }

  const consumed: ConsumedPrekey[] = [];
  if (oneTime !== undefined) consumed.push({ kind: 'one-time-x25519', id: oneTime.id, consumedAt: now });
  if (oneTimeKem !== undefined) consumed.push({ kind: 'one-time-mlkem768', id: oneTimeKem.id, consumedAt: now });
  const next: PrekeyState = {
    ...state,
    oneTimePrekeys: oneTime === undefined ? state.oneTimePrekeys : state.oneTimePrekeys.filter((r) => r !== oneTime),
    oneTimeKemPrekeys:
      oneTimeKem === undefined ? state.oneTimeKemPrekeys : state.oneTimeKemPrekeys.filter((r) => r !== oneTimeKem),
    consumedOneTimePrekeys: [...state.consumedOneTimePrekeys, ...consumed].slice(-MAX_CONSUMED_RECORDS),
    seenHandshakes: [...state.seenHandshakes, { signedPrekeyId: signed.id, ephemeralKey: ephemeralKey.slice() }].slice(
      -MAX_SEEN_HANDSHAKES,
    ),
  };
  return {
    state: next,
    signedPrekey: signed.keyPair,
    kemPrekey: kem.keyPair,
    kemPrekeyKind: oneTimeKem === undefined ? 'last-resort-mlkem768' : 'one-time-mlkem768',
    oneTimePrekey: oneTime?.keyPair ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Stored form (docs/protocol/crypto.md §9.5). Seal it with sealRecord.

/** FIPS 203 §7.1: dk = dk_PKE (384·k bytes) || ek || H(ek) || z; for ML-KEM-768 ek starts at 1152. */
const EK_OFFSET_IN_DK = 1152;

function writeRecordBase(writer: ByteWriter, record: PrekeyRecordBase): void {
  writer
    .u32(record.id)
    .u64(record.createdAt)
    .u64(record.expiresAt)
    .u64(record.deleteAfter)
    .raw(record.signature, ED25519_SIGNATURE_LENGTH);
}

function readRecordBase(reader: ByteReader): PrekeyRecordBase {
  return {
    id: reader.u32(),
    createdAt: reader.u64(),
    expiresAt: reader.u64(),
    deleteAfter: reader.u64(),
    signature: reader.raw(64),
  };
}

/** version(1) || u32 nextId || four lists || consumed ids || seen handshakes; see the spec for each list. */
export function serializePrekeyState(state: PrekeyState): SecretBytes {
  const w = new ByteWriter().u8(PREKEY_STATE_VERSION).u32(state.nextId);
  for (const list of [state.signedPrekeys, state.oneTimePrekeys]) {
    w.u16(list.length);
    for (const record of list) {
      writeRecordBase(w, record);
      w.raw(record.keyPair.privateKey.exposeBytes(), X25519_KEY_LENGTH);
    }
  }
  for (const list of [state.lastResortKemPrekeys, state.oneTimeKemPrekeys]) {
    w.u16(list.length);
    for (const record of list) {
      writeRecordBase(w, record);
      w.raw(record.keyPair.decapsulationKey.exposeBytes(), MLKEM768_DECAPSULATION_KEY_LENGTH);
    }
  }
  w.u16(state.consumedOneTimePrekeys.length);
  for (const c of state.consumedOneTimePrekeys) w.u8(PREKEY_KIND_BYTE[c.kind]).u32(c.id).u64(c.consumedAt);
  w.u16(state.seenHandshakes.length);
  for (const seen of state.seenHandshakes) w.u32(seen.signedPrekeyId).raw(seen.ephemeralKey, X25519_KEY_LENGTH);
  return new SecretBytes(w.finish(), 'prekey state record');
}

export async function deserializePrekeyState(record: KeyBytes): Promise<PrekeyState> {
  const r = new ByteReader(keyBytes(record, 'prekey state record'), 'prekey state record');
  expectVersion(r, PREKEY_STATE_VERSION);
  const nextId = r.u32();
  const readX25519List = async (max: number): Promise<X25519PrekeyRecord[]> => {
    const count = r.count(r.u16(), max, 'an X25519 prekey list');
    const out: X25519PrekeyRecord[] = [];
    for (let i = 0; i < count; i++) {
      const base = readRecordBase(r);
      out.push({ ...base, keyPair: await x25519KeyPairFromPrivateKey(r.raw(X25519_KEY_LENGTH)) });
    }
    return out;
  };
  const readKemList = (max: number): KemPrekeyRecord[] => {
    const count = r.count(r.u16(), max, 'an ML-KEM prekey list');
    const out: KemPrekeyRecord[] = [];
    for (let i = 0; i < count; i++) {
      const base = readRecordBase(r);
      const dk = r.raw(MLKEM768_DECAPSULATION_KEY_LENGTH);
      const encapsulationKey = dk.slice(EK_OFFSET_IN_DK, EK_OFFSET_IN_DK + MLKEM768_ENCAPSULATION_KEY_LENGTH);
      out.push({
        ...base,
        keyPair: { encapsulationKey, decapsulationKey: new SecretBytes(dk, 'ML-KEM-768 decapsulation key') },
      });
    }
    return out;
  };
  const signedPrekeys = await readX25519List(MAX_SIGNED_PREKEY_RECORDS);
  const oneTimePrekeys = await readX25519List(MAX_ONE_TIME_PREKEYS);
  const lastResortKemPrekeys = readKemList(MAX_SIGNED_PREKEY_RECORDS);
  const oneTimeKemPrekeys = readKemList(MAX_ONE_TIME_KEM_PREKEYS);
  const consumedCount = r.count(r.u16(), MAX_CONSUMED_RECORDS, 'the consumed list');
  const consumedOneTimePrekeys: ConsumedPrekey[] = [];
  for (let i = 0; i < consumedCount; i++) {
    const kindByte = r.u8();
    const kind: OneTimePrekeyKind | undefined =
      kindByte === PREKEY_KIND_BYTE['one-time-x25519']
        ? 'one-time-x25519'
        : kindByte === PREKEY_KIND_BYTE['one-time-mlkem768']
          ? 'one-time-mlkem768'
          : undefined;
    if (kind === undefined)
      throw new CryptoError('malformed_message', `prekey state record: consumed kind ${kindByte}`);
    consumedOneTimePrekeys.push({ kind, id: r.u32(), consumedAt: r.u64() });
  }
  const seenCount = r.count(r.u16(), MAX_SEEN_HANDSHAKES, 'the seen-handshake list');
  const seenHandshakes: SeenHandshake[] = [];
  for (let i = 0; i < seenCount; i++)
    seenHandshakes.push({ signedPrekeyId: r.u32(), ephemeralKey: r.raw(X25519_KEY_LENGTH) });
  r.end();
  return {
    version: PREKEY_STATE_VERSION,
    nextId,
    signedPrekeys,
    lastResortKemPrekeys,
    oneTimePrekeys,
    oneTimeKemPrekeys,
    consumedOneTimePrekeys,
    seenHandshakes,
  };
}
