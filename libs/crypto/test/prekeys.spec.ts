/** Prekeys (PQXDH §2.4, §3.2): generation, signatures, rotation, expiry, and the stored record. */
import { ed25519Verify } from '../src/ed25519';
import { generateDeviceIdentity, publicDeviceIdentity, type DeviceIdentity } from '../src/identity';
import { claimPrekeyBundle, publishedPrekeys, verifyPrekeyBundle } from '../src/prekey-bundle';
import { deserializePrekeyState, serializePrekeyState } from '../src/prekey-state-codec';
import {
  addOneTimePrekeys,
  createPrekeyState,
  DEFAULT_PREKEY_POLICY,
  expirePrekeys,
  prekeySignatureInput,
  PREKEY_SIGNATURE_LABEL,
  rotateSignedPrekeys,
  type PrekeyBundle,
  type PrekeyState,
} from '../src/prekeys';
import { expectCryptoError } from './sessions';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const DAY = 24 * 60 * 60 * 1000;

let owner: DeviceIdentity;
let stranger: DeviceIdentity;
let state: PrekeyState;

beforeAll(async () => {
  [owner, stranger] = await Promise.all([generateDeviceIdentity(), generateDeviceIdentity()]);
  state = await createPrekeyState(owner, { now: NOW, count: 5, kemCount: 2 });
});

function bundle(from: PrekeyState = state, now = NOW): PrekeyBundle {
  return claimPrekeyBundle(publishedPrekeys(from, now)).bundle;
}

describe('prekey generation and publication', () => {
  it('creates one signed X25519 prekey, one last-resort ML-KEM-768 prekey and the one-time batches, with distinct ids', () => {
    expect(state.signedPrekeys).toHaveLength(1);
    expect(state.lastResortKemPrekeys).toHaveLength(1);
    expect(state.oneTimePrekeys).toHaveLength(5);
    expect(state.oneTimeKemPrekeys).toHaveLength(2);
    const ids = [
      ...state.signedPrekeys,
      ...state.lastResortKemPrekeys,
      ...state.oneTimePrekeys,
      ...state.oneTimeKemPrekeys,
    ].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(state.nextId).toBe(Math.max(...ids) + 1);
    const spk = state.signedPrekeys[0];
    expect(spk?.createdAt).toBe(NOW);
    expect(spk?.expiresAt).toBe(NOW + DEFAULT_PREKEY_POLICY.signedPrekeyLifetimeMs);
  });

  it('signs each prekey over the documented input: label, kind, owner agreement key, id, times, key', async () => {
    const published = publishedPrekeys(state, NOW);
    const spk = published.signedPrekey;
    const input = prekeySignatureInput(owner.agreement.publicKey, spk);
    const label = new TextEncoder().encode(PREKEY_SIGNATURE_LABEL);
    expect(input.subarray(0, label.length)).toEqual(label);
    let offset = label.length;
    expect(input[offset]).toBe(0x01);
    offset += 1;
    expect(input.subarray(offset, offset + 32)).toEqual(owner.agreement.publicKey);
    offset += 32;
    const view = new DataView(input.buffer, input.byteOffset);
    expect(view.getUint32(offset)).toBe(spk.id);
    expect(Number(view.getBigUint64(offset + 4))).toBe(spk.createdAt);
    expect(Number(view.getBigUint64(offset + 12))).toBe(spk.expiresAt);
    expect(view.getUint16(offset + 20)).toBe(32);
    expect(input.subarray(offset + 22)).toEqual(spk.publicKey);
    for (const prekey of [
      spk,
      published.lastResortKemPrekey,
      ...published.oneTimePrekeys,
      ...published.oneTimeKemPrekeys,
    ]) {
      const message = prekeySignatureInput(owner.agreement.publicKey, prekey);
      expect(await ed25519Verify(owner.signing.publicKey, message, prekey.signature)).toBe(true);
    }
  });

  it('a directory never hands the same one-time prekey out twice, then falls back to the last-resort ML-KEM prekey', () => {
    let published = publishedPrekeys(state, NOW);
    const seen = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const { bundle: claimed, remaining } = claimPrekeyBundle(published);
      published = remaining;
      if (claimed.oneTimePrekey !== null) {
        expect(seen.has(claimed.oneTimePrekey.id)).toBe(false);
        seen.add(claimed.oneTimePrekey.id);
      }
      expect(claimed.kemPrekey.kind).toBe(i < 2 ? 'one-time-mlkem768' : 'last-resort-mlkem768');
      expect(claimed.oneTimePrekey === null).toBe(i >= 5);
    }
  });

  it('replenishes one-time prekeys with fresh ids', async () => {
    const more = await addOneTimePrekeys(state, owner, { now: NOW, count: 3 });
    expect(more.oneTimePrekeys).toHaveLength(8);
    expect(more.oneTimePrekeys[5]?.id).toBe(state.nextId);
    expect(state.oneTimePrekeys).toHaveLength(5); // the input is not modified
  });
});

describe('verifyPrekeyBundle (PQXDH §3.3: the initiator verifies every prekey signature)', () => {
  const ownerPublic = (): ReturnType<typeof publicDeviceIdentity> => publicDeviceIdentity(owner);

  it('accepts an honest bundle', async () => {
    await expect(verifyPrekeyBundle(bundle(), ownerPublic(), NOW)).resolves.toBeUndefined();
  });

  it('forged bundle signature: a substituted key, a stretched expiry or a flipped signature bit is bad_signature', async () => {
    const honest = bundle();
    const substituted = {
      ...honest,
      signedPrekey: { ...honest.signedPrekey, publicKey: stranger.agreement.publicKey },
    };
    const stretched = {
      ...honest,
      signedPrekey: { ...honest.signedPrekey, expiresAt: honest.signedPrekey.expiresAt + 365 * DAY },
    };
    const flipped = honest.kemPrekey.signature.slice();
    flipped[10] = (flipped[10] as number) ^ 1;
    const badKem = { ...honest, kemPrekey: { ...honest.kemPrekey, signature: flipped } };
    const opk = honest.oneTimePrekey;
    if (opk === null) throw new Error('expected a one-time prekey');
    const renumbered = { ...honest, oneTimePrekey: { ...opk, id: opk.id + 1 } };
    for (const forged of [substituted, stretched, badKem, renumbered]) {
      await expectCryptoError(verifyPrekeyBundle(forged, ownerPublic(), NOW), 'bad_signature');
    }
  });

  it('missing signature: an absent or empty signature is bad_signature', async () => {
    const honest = bundle();
    const empty = { ...honest, signedPrekey: { ...honest.signedPrekey, signature: new Uint8Array(0) } };
    const absent = {
      ...honest,
      signedPrekey: { ...honest.signedPrekey, signature: undefined as unknown as Uint8Array },
    };
    await expectCryptoError(verifyPrekeyBundle(empty, ownerPublic(), NOW), 'bad_signature');
    await expectCryptoError(verifyPrekeyBundle(absent, ownerPublic(), NOW), 'bad_signature');
  });

  it("another device's bundle presented as this device's is bad_signature (the identity comes from the attestation)", async () => {
    await expectCryptoError(verifyPrekeyBundle(bundle(), publicDeviceIdentity(stranger), NOW), 'bad_signature');
    // Same signing key, another agreement key: the owner agreement key is in the signed input.
    const mixed = { signingKey: owner.signing.publicKey, agreementKey: stranger.agreement.publicKey };
    await expectCryptoError(verifyPrekeyBundle(bundle(), mixed, NOW), 'bad_signature');
  });

  it('expired signed prekey: from expiresAt on, the bundle is refused with expired_prekey', async () => {
    const honest = bundle();
    await expect(verifyPrekeyBundle(honest, ownerPublic(), honest.signedPrekey.expiresAt - 1)).resolves.toBeUndefined();
    await expectCryptoError(verifyPrekeyBundle(honest, ownerPublic(), honest.signedPrekey.expiresAt), 'expired_prekey');
  });

  it('a malformed bundle (wrong kind, wrong key length, no signed prekey) is refused before any signature check', async () => {
    const honest = bundle();
    const wrongKind = { ...honest, signedPrekey: { ...honest.signedPrekey, kind: 'one-time-x25519' as const } };
    const noSpk = { ...honest, signedPrekey: undefined as unknown as PrekeyBundle['signedPrekey'] };
    await expectCryptoError(verifyPrekeyBundle(wrongKind, ownerPublic(), NOW), 'malformed_message');
    await expectCryptoError(verifyPrekeyBundle(noSpk, ownerPublic(), NOW), 'malformed_message');
    const shortKey = {
      ...honest,
      kemPrekey: { ...honest.kemPrekey, publicKey: honest.kemPrekey.publicKey.subarray(1) },
    };
    await expectCryptoError(verifyPrekeyBundle(shortKey, ownerPublic(), NOW), 'bad_length');
  });
});

describe('rotation and expiry', () => {
  it('rotation publishes a new signed prekey and keeps the previous one for the grace period only', async () => {
    const later = NOW + 6 * DAY;
    const rotated = await rotateSignedPrekeys(state, owner, { now: later });
    expect(rotated.signedPrekeys).toHaveLength(2);
    expect(publishedPrekeys(rotated, later).signedPrekey.id).toBe(rotated.signedPrekeys[0]?.id);
    const previous = rotated.signedPrekeys[1];
    expect(previous?.id).toBe(state.signedPrekeys[0]?.id);
    // Kept until min(its own expiry + grace, rotation + grace).
    expect(previous?.deleteAfter).toBe(later + DEFAULT_PREKEY_POLICY.gracePeriodMs);
    const justBefore = expirePrekeys(rotated, later + DEFAULT_PREKEY_POLICY.gracePeriodMs - 1);
    expect(justBefore.signedPrekeys).toHaveLength(2);
    const after = expirePrekeys(rotated, later + DEFAULT_PREKEY_POLICY.gracePeriodMs);
    expect(after.signedPrekeys.map((r) => r.id)).toEqual([rotated.signedPrekeys[0]?.id]);
    expect(after.lastResortKemPrekeys).toHaveLength(1);
  });

  it('expiry drops one-time prekeys past their deletion time and forgets consumed ids after the retention period', () => {
    const consumed: PrekeyState = {
      ...state,
      consumedOneTimePrekeys: [{ kind: 'one-time-x25519', id: 999, consumedAt: NOW }],
    };
    const deleteAt = NOW + DEFAULT_PREKEY_POLICY.oneTimePrekeyLifetimeMs + DEFAULT_PREKEY_POLICY.gracePeriodMs;
    expect(expirePrekeys(consumed, deleteAt - 1).oneTimePrekeys).toHaveLength(5);
    expect(expirePrekeys(consumed, deleteAt).oneTimePrekeys).toHaveLength(0);
    expect(
      expirePrekeys(consumed, NOW + DEFAULT_PREKEY_POLICY.consumedRetentionMs).consumedOneTimePrekeys,
    ).toHaveLength(0);
  });

  it('publishing with no valid signed prekey is refused (rotate first)', async () => {
    await expectCryptoError(() => publishedPrekeys(state, state.signedPrekeys[0]?.expiresAt ?? 0), 'expired_prekey');
  });
});

describe('prekey state record', () => {
  it('round-trips byte for byte and keeps working keys', async () => {
    const record = serializePrekeyState(state);
    expect(record.exposeBytes()[0]).toBe(0x01);
    const restored = await deserializePrekeyState(record);
    expect(serializePrekeyState(restored).exposeBytes()).toEqual(record.exposeBytes());
    expect(publishedPrekeys(restored, NOW)).toEqual(publishedPrekeys(state, NOW));
    expect(String(record)).not.toMatch(/\d{3,}/);
  });

  it('refuses an unknown version, a truncation and trailing bytes', async () => {
    const record = serializePrekeyState(state).exposeBytes();
    const altered = record.slice();
    altered[0] = 0x02;
    await expectCryptoError(deserializePrekeyState(altered), 'unknown_version');
    await expectCryptoError(deserializePrekeyState(record.subarray(0, record.length - 1)), 'bad_length');
    const trailing = new Uint8Array(record.length + 1);
    trailing.set(record);
    await expectCryptoError(deserializePrekeyState(trailing), 'bad_length');
  });
});
