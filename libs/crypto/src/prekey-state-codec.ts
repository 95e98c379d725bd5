/**
 * The stored form of a PrekeyState (docs/protocol/crypto.md §9.5): versioned bytes that hold
 * every private half, so seal them with sealRecord before they touch storage. Reading is strict
 * (version, list bounds, kinds, no trailing bytes): a hostile stored record cannot grow the state
 * past the bounds prekeys.ts keeps.
 */
import { ByteReader, ByteWriter, expectVersion } from './byte-codec';
import { ED25519_SIGNATURE_LENGTH } from './ed25519';
import { CryptoError } from './errors';
import { MLKEM768_DECAPSULATION_KEY_LENGTH, MLKEM768_ENCAPSULATION_KEY_LENGTH } from './mlkem';
import {
  MAX_CONSUMED_RECORDS,
  MAX_ONE_TIME_KEM_PREKEYS,
  MAX_ONE_TIME_PREKEYS,
  MAX_SEEN_HANDSHAKES,
  MAX_SIGNED_PREKEY_RECORDS,
  PREKEY_KIND_BYTE,
  PREKEY_STATE_VERSION,
  type ConsumedPrekey,
  type KemPrekeyRecord,
  type OneTimePrekeyKind,
  type PrekeyRecordBase,
  type PrekeyState,
  type SeenHandshake,
  type X25519PrekeyRecord,
} from './prekeys';
import { keyBytes, SecretBytes, type KeyBytes } from './secret';
import { x25519KeyPairFromPrivateKey, X25519_KEY_LENGTH } from './x25519';

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
