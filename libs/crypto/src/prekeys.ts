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
 *
 * This file holds the types, the policy, and making, rotating and expiring the state; the rest of
 * §9 is one concept a file: prekey-bundle.ts (what is published, handed out and verified),
 * prekey-claim.ts (the responder's claim for one initial message) and prekey-state-codec.ts (the
 * stored form).
 */
import { ByteWriter } from './byte-codec';
import { expectBytes, utf8Encode } from './bytes';
import { ed25519Sign } from './ed25519';
import { CryptoError } from './errors';
import type { DeviceIdentity } from './identity';
import { generateMlKem768KeyPair, MLKEM768_ENCAPSULATION_KEY_LENGTH, type MlKem768KeyPair } from './mlkem';
import { generateX25519KeyPair, X25519_KEY_LENGTH, type X25519KeyPair } from './x25519';

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

/** @internal Not in index.ts; prekey-bundle.ts checks a published key's length by it. */
export const PUBLIC_KEY_LENGTH: Readonly<Record<PrekeyKind, number>> = {
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

/** @internal Not in index.ts; shared with prekey-claim.ts and prekey-state-codec.ts. */
export interface PrekeyRecordBase {
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

/**
 * Bounds that keep the state (and a hostile stored record) small. The ones marked @internal are
 * exported only for the other prekey-*.ts files, not from index.ts.
 */
export const MAX_ONE_TIME_PREKEYS = 1000;
export const MAX_ONE_TIME_KEM_PREKEYS = 200;
/** @internal */
export const MAX_SIGNED_PREKEY_RECORDS = 16;
/** @internal */
export const MAX_CONSUMED_RECORDS = 10_000;
export const MAX_SEEN_HANDSHAKES = 2048;
/** @internal */
export const MAX_PREKEY_ID = 0xffff_ffff;

/** @internal Not in index.ts; every prekey-*.ts file checks `now` by it. */
export function expectTime(value: number, what: string): number {
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
