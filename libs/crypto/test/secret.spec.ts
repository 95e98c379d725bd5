import { inspect } from 'node:util';
import { CryptoError } from '../src/errors';
import { SecretBytes } from '../src/secret';
import { generateEd25519KeyPair } from '../src/ed25519';
import { generateDeviceIdentity } from '../src/identity';
import { generateX25519KeyPair, x25519SharedSecret } from '../src/x25519';
import { deriveStorageKey } from '../src/at-rest';
import { mlKem768Encapsulate, generateMlKem768KeyPair } from '../src/mlkem';

/** Every way the bytes could show in text: hex, decimal list (inspect of a Uint8Array), base64. */
function renderings(bytes: Uint8Array): string[] {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return [
    hex,
    hex.slice(0, 16),
    Array.from(bytes.subarray(0, 8)).join(', '),
    Buffer.from(bytes).toString('base64').slice(0, 12),
  ];
}

function expectRedacted(secret: SecretBytes, holder: unknown = { secret }): void {
  const bytes = secret.exposeBytes().slice();
  const outputs = [
    JSON.stringify(holder),
    JSON.stringify(secret),
    inspect(holder, { depth: 10, showHidden: true }),
    inspect(secret, { showHidden: true }),
    `${secret}`,
    String(secret),
    secret.toString(),
  ];
  for (const output of outputs) {
    expect(output).toContain('redacted');
    for (const rendering of renderings(bytes)) expect(output).not.toContain(rendering);
  }
}

describe('SecretBytes redaction', () => {
  const distinctive = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i);

  it('redacted in JSON.stringify, util.inspect (console.log), template strings and String()', () => {
    const secret = SecretBytes.copyOf(distinctive, 'test secret');
    expectRedacted(secret);
    expect(JSON.stringify({ secret })).toBe('{"secret":"[test secret: redacted]"}');
    expect(`${secret}`).toBe('[test secret: redacted]');
  });

  it('shows no bytes through enumeration or spreading', () => {
    const secret = SecretBytes.copyOf(distinctive);
    expect(Object.keys(secret)).toEqual(['kind']);
    expect({ ...secret }).toEqual({ kind: 'secret' });
  });

  it('redacts X25519 and Ed25519 private keys, shared secrets, key pairs and a whole device identity', async () => {
    const x = await generateX25519KeyPair();
    const e = await generateEd25519KeyPair();
    const shared = await x25519SharedSecret(x.privateKey, (await generateX25519KeyPair()).publicKey);
    const identity = await generateDeviceIdentity();
    expectRedacted(x.privateKey, x);
    expectRedacted(e.privateKey, e);
    expectRedacted(shared);
    expectRedacted(identity.signing.privateKey, identity);
    expectRedacted(identity.agreement.privateKey, identity);
    expect(JSON.stringify(x)).toContain('X25519 private key: redacted');
  });

  it('redacts ML-KEM decapsulation keys and shared secrets and the storage key', async () => {
    const pair = generateMlKem768KeyPair();
    expectRedacted(pair.decapsulationKey, pair);
    expectRedacted(mlKem768Encapsulate(pair.encapsulationKey).sharedSecret);
    const storageKey = await deriveStorageKey('pw', new Uint8Array(16), {
      memoryKiB: 64,
      iterations: 1,
      parallelism: 1,
    });
    expectRedacted(storageKey);
  });

  it('wipe() zeroes the bytes and any later use is a secret_wiped CryptoError', () => {
    const backing = distinctive.slice();
    const secret = new SecretBytes(backing);
    secret.wipe();
    expect(backing.every((b) => b === 0)).toBe(true);
    expect(secret.isWiped).toBe(true);
    expect(() => secret.exposeBytes()).toThrow(CryptoError);
    expect(() => secret.exposeBytes()).toThrow(expect.objectContaining({ code: 'secret_wiped' }));
    expect(() => secret.wipe()).not.toThrow();
  });

  it('copyOf copies; the constructor takes ownership', () => {
    const source = distinctive.slice();
    const copied = SecretBytes.copyOf(source);
    copied.wipe();
    expect(source).toEqual(distinctive);
    expect(new SecretBytes(source).exposeBytes()).toBe(source);
  });
});
