/** Sealed, padded envelopes (docs/protocol/envelopes.md). */
import fc from 'fast-check';
import { X25519PrivateKey, generateX25519KeyPair, type X25519KeyPair } from '@opendescent/crypto';
import {
  ENVELOPE_BUCKETS,
  ENVELOPE_OVERHEAD,
  MAX_ENVELOPE_BYTES,
  MAX_ENVELOPE_CONTENT,
  ProtocolError,
  envelopeSizeFor,
  openEnvelope,
  sealEnvelope,
  signAttestation,
  type EnvelopeSender,
} from '../src/index';
import { labelled, newOrgKey } from './support';

const now = 1_800_000_000;
let alice: EnvelopeSender & { keys: X25519KeyPair };
let bob: X25519KeyPair;

async function attestedSender(address: string, name: string): Promise<EnvelopeSender & { keys: X25519KeyPair }> {
  const org = await newOrgKey();
  const keys = await generateX25519KeyPair();
  const attestation = await signAttestation(
    {
      orgId: labelled('org', 16),
      deviceId: labelled(`device ${address}`, 16),
      userAddress: address,
      displayName: name,
      signingKey: labelled(`signing ${address}`, 32),
      agreementKey: keys.publicKey,
      issuedAt: now,
      expiresAt: now + 86_400,
    },
    org.privateKey,
  );
  return { attestation, agreementKey: keys.privateKey, keys };
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProtocolError);
  return (error as ProtocolError).code;
}

beforeAll(async () => {
  alice = await attestedSender('alice@ministry.example', 'Alice Martin');
  bob = await generateX25519KeyPair();
});

describe('sealed envelope', () => {
  it('opens for its recipient with the content and the sender attestation', async () => {
    const content = new TextEncoder().encode('lunch at noon?');
    const envelope = await sealEnvelope(alice, bob.publicKey, content);
    const opened = await openEnvelope(bob.privateKey, envelope);
    expect(new TextDecoder().decode(opened.content)).toBe('lunch at noon?');
    expect(opened.senderAttestation).toEqual(alice.attestation);
  });

  it('hides the sender: neither the attestation, the address nor the sender key appears in the bytes', async () => {
    const envelope = await sealEnvelope(alice, bob.publicKey, new Uint8Array(10));
    const haystack = Buffer.from(envelope);
    for (const needle of [
      alice.attestation.slice(0, 32),
      new TextEncoder().encode('alice@ministry.example'),
      alice.keys.publicKey,
    ]) {
      expect(haystack.indexOf(Buffer.from(needle))).toBe(-1);
    }
  });

  it('hides the length: every envelope is exactly a bucket size, whatever its content and sender', async () => {
    // The longest address the profile allows (254 bytes, a 64-byte local part) and the longest name.
    const longNamed = await attestedSender(
      `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`,
      'N'.repeat(128),
    );
    for (const length of [
      0,
      1,
      100,
      1024 - ENVELOPE_OVERHEAD,
      1024 - ENVELOPE_OVERHEAD + 1,
      5000,
      70_000,
      MAX_ENVELOPE_CONTENT,
    ]) {
      for (const sender of [alice, longNamed]) {
        const envelope = await sealEnvelope(sender, bob.publicKey, new Uint8Array(length));
        expect(envelope.length).toBe(envelopeSizeFor(length));
        expect(ENVELOPE_BUCKETS).toContain(envelope.length);
      }
    }
    expect(ENVELOPE_BUCKETS[ENVELOPE_BUCKETS.length - 1]).toBe(MAX_ENVELOPE_BYTES);
  });

  it('refuses oversized content before sealing anything', async () => {
    expect(await failure(sealEnvelope(alice, bob.publicKey, new Uint8Array(MAX_ENVELOPE_CONTENT + 1)))).toBe(
      'oversized',
    );
  });

  it('does not open for anyone else', async () => {
    const eve = await generateX25519KeyPair();
    const envelope = await sealEnvelope(alice, bob.publicKey, new Uint8Array(5));
    expect(await failure(openEnvelope(eve.privateKey, envelope))).toBe('undecryptable');
  });

  it('authenticates the sender: a forger who presents Alice’s attestation without her key is refused', async () => {
    const mallory = await generateX25519KeyPair();
    await expect(
      sealEnvelope(
        { attestation: alice.attestation, agreementKey: mallory.privateKey },
        bob.publicKey,
        new Uint8Array(1),
      ),
    ).rejects.toMatchObject({
      code: 'malformed',
    });
    // Bypassing the sender-side check with a key object that claims Alice's public key but holds
    // Mallory's private bytes: the static-static layer still refuses it at the recipient.
    const lying = new X25519PrivateKey(mallory.privateKey.exposeBytes(), alice.keys.publicKey);
    const forged = await sealEnvelope(
      { attestation: alice.attestation, agreementKey: lying },
      bob.publicKey,
      new Uint8Array(1),
    );
    expect(await failure(openEnvelope(bob.privateKey, forged))).toBe('undecryptable');
  });

  it.each([
    ['the version byte', 0],
    ['the ephemeral key', 5],
    ['the sender block', 300],
    ['the body', 900],
    ['the last byte of the tag', 1023],
  ])('detects tampering with %s', async (_part, position) => {
    const envelope = await sealEnvelope(alice, bob.publicKey, new Uint8Array(16));
    const tampered = envelope.slice();
    tampered[position] = (tampered[position] as number) ^ 0x40;
    const code = await failure(openEnvelope(bob.privateKey, tampered));
    expect(position === 0 ? ['version_unknown', 'version_too_old'] : ['undecryptable']).toContain(code);
  });

  it('refuses truncated, non-bucket and non-byte input as malformed, and too-large input as oversized', async () => {
    const envelope = await sealEnvelope(alice, bob.publicKey, new Uint8Array(16));
    expect(await failure(openEnvelope(bob.privateKey, envelope.subarray(0, 1000)))).toBe('malformed');
    expect(await failure(openEnvelope(bob.privateKey, 'x'))).toBe('malformed');
    expect(await failure(openEnvelope(bob.privateKey, new Uint8Array(MAX_ENVELOPE_BYTES + 1)))).toBe('oversized');
  });

  it('opens nothing but throws only ProtocolError on random bucket-sized bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1024, maxLength: 1024 }), async (bytes) => {
        await expect(openEnvelope(bob.privateKey, bytes)).rejects.toBeInstanceOf(ProtocolError);
      }),
      { numRuns: 200 },
    );
  });
});
