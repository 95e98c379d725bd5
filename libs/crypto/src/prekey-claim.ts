/**
 * The responder's claim on its own prekeys for one initial message (docs/protocol/crypto.md §9,
 * §10.4; PQXDH §3.4 "Receiving the initial message", §4.2, §4.3): the private halves the message
 * names, and the new state in which its one-time prekeys are spent and the message is remembered,
 * so that a replay is refused. Pure, as prekeys.ts: a new state out, the input never modified,
 * the time passed in as `now`.
 */
import { constantTimeEqual, expectBytes } from './bytes';
import { CryptoError } from './errors';
import type { MlKem768KeyPair } from './mlkem';
import {
  expectTime,
  MAX_CONSUMED_RECORDS,
  MAX_SEEN_HANDSHAKES,
  type ConsumedPrekey,
  type OneTimePrekeyKind,
  type PrekeyRecordBase,
  type PrekeyState,
  type X25519PrekeyRecord,
} from './prekeys';
import { X25519_KEY_LENGTH, type X25519KeyPair } from './x25519';

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
