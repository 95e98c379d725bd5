import { SecretBytes } from '../src/secret';
import {
  generateMlKem768KeyPair,
  mlKem768Decapsulate,
  mlKem768Encapsulate,
  MLKEM768_CIPHERTEXT_LENGTH,
  MLKEM768_DECAPSULATION_KEY_LENGTH,
  MLKEM768_ENCAPSULATION_KEY_LENGTH,
} from '../src/mlkem';

describe('ML-KEM-768 (FIPS 203)', () => {
  const pair = generateMlKem768KeyPair();

  it('round-trips: decapsulation recovers the encapsulated 32-byte secret; FIPS 203 Table 3 sizes', () => {
    expect(pair.encapsulationKey).toHaveLength(MLKEM768_ENCAPSULATION_KEY_LENGTH);
    expect(pair.decapsulationKey.length).toBe(MLKEM768_DECAPSULATION_KEY_LENGTH);
    const { ciphertext, sharedSecret } = mlKem768Encapsulate(pair.encapsulationKey);
    expect(ciphertext).toHaveLength(MLKEM768_CIPHERTEXT_LENGTH);
    expect(sharedSecret.length).toBe(32);
    expect(mlKem768Decapsulate(pair.decapsulationKey, ciphertext).exposeBytes()).toEqual(sharedSecret.exposeBytes());
  });

  it('fresh key pairs and encapsulations differ', () => {
    expect(generateMlKem768KeyPair().encapsulationKey).not.toEqual(pair.encapsulationKey);
    const a = mlKem768Encapsulate(pair.encapsulationKey);
    const b = mlKem768Encapsulate(pair.encapsulationKey);
    expect(a.ciphertext).not.toEqual(b.ciphertext);
    expect(a.sharedSecret.exposeBytes()).not.toEqual(b.sharedSecret.exposeBytes());
  });

  it('implicit rejection (FIPS 203 §6.3): a tampered ciphertext gives an unrelated secret, not an error', () => {
    const { ciphertext, sharedSecret } = mlKem768Encapsulate(pair.encapsulationKey);
    const tampered = ciphertext.slice();
    tampered[100] = (tampered[100] as number) ^ 1;
    const recovered = mlKem768Decapsulate(pair.decapsulationKey, tampered);
    expect(recovered.length).toBe(32);
    expect(recovered.exposeBytes()).not.toEqual(sharedSecret.exposeBytes());
  });

  it('bad_length: encapsulation keys, ciphertexts and decapsulation keys of the wrong size', () => {
    const { ciphertext } = mlKem768Encapsulate(pair.encapsulationKey);
    expect(() => mlKem768Encapsulate(pair.encapsulationKey.subarray(1))).toThrow(
      expect.objectContaining({ code: 'bad_length' }),
    );
    expect(() => mlKem768Decapsulate(pair.decapsulationKey, ciphertext.subarray(1))).toThrow(
      expect.objectContaining({ code: 'bad_length' }),
    );
    expect(() => mlKem768Decapsulate(pair.decapsulationKey, new Uint8Array(MLKEM768_CIPHERTEXT_LENGTH + 1))).toThrow(
      expect.objectContaining({ code: 'bad_length' }),
    );
    const shortKey = new SecretBytes(pair.decapsulationKey.exposeBytes().slice(0, 2399));
    expect(() => mlKem768Decapsulate(shortKey, ciphertext)).toThrow(expect.objectContaining({ code: 'bad_length' }));
  });

  it('malformed_key: an encapsulation key with a coefficient >= q fails the FIPS 203 §7.2 modulus check', () => {
    const bad = pair.encapsulationKey.slice();
    bad[0] = 0xff; // the first 12-bit coefficient becomes 0x?ff with its high nibble from byte 1
    bad[1] = (bad[1] as number) | 0x0f; // = 0xfff = 4095 >= 3329
    expect(() => mlKem768Encapsulate(bad)).toThrow(expect.objectContaining({ code: 'malformed_key' }));
  });

  it('malformed_key: a decapsulation key whose embedded H(ek) does not match fails the FIPS 203 §7.3 check', () => {
    const { ciphertext } = mlKem768Encapsulate(pair.encapsulationKey);
    const corrupted = pair.decapsulationKey.exposeBytes().slice();
    corrupted[1152 + 10] = (corrupted[1152 + 10] as number) ^ 1; // inside the embedded ek
    expect(() => mlKem768Decapsulate(new SecretBytes(corrupted), ciphertext)).toThrow(
      expect.objectContaining({ code: 'malformed_key' }),
    );
  });
});
