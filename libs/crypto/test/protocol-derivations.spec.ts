/**
 * The handshake, ratchet and sender key derivations re-implemented from docs/protocol/crypto.md
 * (§9-§12) with Node's own HKDF, HMAC, SHA-256 and Ed25519 and noble's raw primitives, none of it
 * through our facade or protocol code, so that the code and the document are checked against each
 * other byte by byte.
 */
import { createHash, createHmac, createPublicKey, hkdfSync, verify as nodeVerify } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { ratchetEncrypt, startInitiatorSession } from '../src/double-ratchet';
import { initiateHandshake } from '../src/handshake';
import { generateDeviceIdentity, publicDeviceIdentity } from '../src/identity';
import { claimPrekeyBundle, publishedPrekeys } from '../src/prekey-bundle';
import { createPrekeyState, prekeySignatureInput } from '../src/prekeys';
import { randomBytes } from '../src/random';
import { createSenderKey, groupEncrypt, senderKeyDistribution } from '../src/sender-keys';

const NOW = Date.UTC(2026, 10, 26);
const ascii = (label: string): Buffer => Buffer.from(label, 'ascii');
const u32 = (value: number): Buffer => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
};
const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Buffer =>
  Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
const hmac = (key: Uint8Array, byte: number): Buffer =>
  createHmac('sha256', key)
    .update(Buffer.from([byte]))
    .digest();
const openSealed = (key: Uint8Array, sealed: Uint8Array, ad: Uint8Array): Uint8Array =>
  xchacha20poly1305(key, sealed.subarray(0, 24), ad).decrypt(sealed.subarray(24));
const ed25519Spki = (publicKey: Uint8Array) =>
  createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]),
    format: 'der',
    type: 'spki',
  });

describe('docs/protocol/crypto.md, re-implemented independently', () => {
  it('§9 prekey signature, §10 handshake KDF and AD, §11 ratchet initialisation, KDFs, header and body of the first message', async () => {
    const alice = await generateDeviceIdentity();
    const bob = await generateDeviceIdentity();
    const prekeys = await createPrekeyState(bob, { now: NOW, count: 1, kemCount: 1 });
    const { bundle } = claimPrekeyBundle(publishedPrekeys(prekeys, NOW));
    if (bundle.oneTimePrekey === null) throw new Error('expected a one-time prekey');

    // §9: Ed25519 over "OpenDescent-Prekey-v1" || kind || owner X25519 key || id || times || u16 len || key.
    const spk = bundle.signedPrekey;
    const times = Buffer.alloc(16);
    times.writeBigUInt64BE(BigInt(spk.createdAt), 0);
    times.writeBigUInt64BE(BigInt(spk.expiresAt), 8);
    const signed = Buffer.concat([
      ascii('OpenDescent-Prekey-v1'),
      Buffer.from([0x01]),
      bob.agreement.publicKey,
      u32(spk.id),
      times,
      Buffer.from([0, 32]),
      spk.publicKey,
    ]);
    expect(Buffer.from(prekeySignatureInput(bob.agreement.publicKey, spk))).toEqual(signed);
    expect(nodeVerify(null, signed, ed25519Spki(bob.signing.publicKey), spk.signature)).toBe(true);

    const handshake = await initiateHandshake({
      identity: alice,
      responder: publicDeviceIdentity(bob),
      bundle,
      now: NOW,
    });
    const init = handshake.initiation;

    // §10, from the responder's private keys.
    const spkPrivate = prekeys.signedPrekeys[0]?.keyPair.privateKey.exposeBytes() as Uint8Array;
    const opkPrivate = prekeys.oneTimePrekeys[0]?.keyPair.privateKey.exposeBytes() as Uint8Array;
    const kemPrivate = prekeys.oneTimeKemPrekeys[0]?.keyPair.decapsulationKey.exposeBytes() as Uint8Array;
    const dh1 = x25519.getSharedSecret(spkPrivate, alice.agreement.publicKey);
    const dh2 = x25519.getSharedSecret(bob.agreement.privateKey.exposeBytes(), init.ephemeralKey);
    const dh3 = x25519.getSharedSecret(spkPrivate, init.ephemeralKey);
    const dh4 = x25519.getSharedSecret(opkPrivate, init.ephemeralKey);
    const ss = ml_kem768.decapsulate(init.kemCiphertext, kemPrivate);
    const identities = Buffer.concat([
      alice.signing.publicKey,
      alice.agreement.publicKey,
      bob.signing.publicKey,
      bob.agreement.publicKey,
    ]);
    const transcript = Buffer.concat([
      Buffer.from([0x01]),
      identities,
      init.ephemeralKey,
      u32(spk.id),
      spk.publicKey,
      Buffer.from([0x04]), // a one-time ML-KEM prekey
      u32(bundle.kemPrekey.id),
      bundle.kemPrekey.publicKey,
      init.kemCiphertext,
      Buffer.from([0x01]),
      u32(bundle.oneTimePrekey.id),
      bundle.oneTimePrekey.publicKey,
    ]);
    const info = Buffer.concat([
      ascii('OpenDescent_PQXDH_X25519_SHA-256_ML-KEM-768'),
      createHash('sha256').update(transcript).digest(),
    ]);
    const ikm = Buffer.concat([Buffer.alloc(32, 0xff), dh1, dh2, dh3, dh4, ss]);
    const sk = hkdf(ikm, Buffer.alloc(32), info, 32);
    expect(Buffer.from(handshake.sharedSecret.exposeBytes())).toEqual(sk);
    const ad = Buffer.concat([Buffer.from([0x01]), identities]);
    expect(Buffer.from(handshake.associatedData)).toEqual(ad);

    // §11: the first ratchet message, opened as the responder.
    const session = await startInitiatorSession(handshake);
    const plaintext = new TextEncoder().encode('first message');
    const callerAd = new TextEncoder().encode('routing');
    const { message } = ratchetEncrypt(session, plaintext, callerAd);
    expect(message[0]).toBe(0x01);
    const initKeys = hkdf(sk, Buffer.alloc(32), ascii('OpenDescent-DR-Init-v1'), 96);
    const headerKeyA = initKeys.subarray(32, 64);
    const encryptedHeader = message.subarray(1, 81);
    const header = openSealed(
      headerKeyA,
      encryptedHeader,
      Buffer.concat([ascii('OpenDescent-DR-Header-v1'), Buffer.from([0x01])]),
    );
    expect(header).toHaveLength(40);
    const aliceRatchetKey = header.subarray(0, 32);
    expect(Buffer.from(header.subarray(32))).toEqual(Buffer.alloc(8)); // PN = 0, N = 0
    const rootOut = hkdf(
      x25519.getSharedSecret(spkPrivate, aliceRatchetKey),
      initKeys.subarray(0, 32),
      ascii('OpenDescent-DR-Root-v1'),
      96,
    );
    const messageKey = hmac(rootOut.subarray(32, 64), 0x01);
    const bodyAd = Buffer.concat([
      ascii('OpenDescent-DR-Message-v1'),
      u32(ad.length),
      ad,
      u32(callerAd.length),
      callerAd,
      Buffer.from([0x01]),
      encryptedHeader,
    ]);
    expect(openSealed(messageKey, message.subarray(81), bodyAd)).toEqual(plaintext);
  });

  it('§12 sender key distribution, message key, AEAD AD and signature input', async () => {
    const distributionId = randomBytes(16);
    const sender = await createSenderKey(distributionId);
    const distribution = Buffer.from(senderKeyDistribution(sender).exposeBytes());
    expect(distribution).toHaveLength(89);
    expect(distribution[0]).toBe(0x01);
    expect(distribution.subarray(1, 17)).toEqual(Buffer.from(distributionId));
    const chainId = distribution.readUInt32BE(17);
    expect(distribution.readUInt32BE(21)).toBe(0);
    const chainKey = distribution.subarray(25, 57);
    const signingKey = distribution.subarray(57, 89);

    const first = await groupEncrypt(sender, new TextEncoder().encode('zero'));
    const ad = new TextEncoder().encode('group epoch 7');
    const { message } = await groupEncrypt(first.state, new TextEncoder().encode('one'), ad);
    const header = Buffer.from(message.subarray(0, 25));
    expect(header[0]).toBe(0x01);
    expect(header.subarray(1, 17)).toEqual(Buffer.from(distributionId));
    expect(header.readUInt32BE(17)).toBe(chainId);
    expect(header.readUInt32BE(21)).toBe(1);
    const unsigned = message.subarray(0, message.length - 64);
    const signatureInput = Buffer.concat([ascii('OpenDescent-SenderKey-Signature-v1'), u32(ad.length), ad, unsigned]);
    expect(nodeVerify(null, signatureInput, ed25519Spki(signingKey), message.subarray(message.length - 64))).toBe(true);
    const messageKey = hmac(hmac(chainKey, 0x02), 0x01); // iteration 1
    const aeadAd = Buffer.concat([ascii('OpenDescent-SenderKey-Message-v1'), header, u32(ad.length), ad]);
    expect(new TextDecoder().decode(openSealed(messageKey, unsigned.subarray(25), aeadAd))).toBe('one');
  });
});
