/**
 * Known-answer tests typed in from the specifications (public examples), through our facade.
 * Curve families run on both backends.
 */
import { bytesToHex, hexToBytes } from '@noble/curves/utils.js';
import { xchacha20Poly1305Decrypt, xchacha20Poly1305Encrypt } from '../src/aead';
import { utf8Encode } from '../src/bytes';
import { ed25519KeyPairFromSeed, ed25519Sign, ed25519Verify } from '../src/ed25519';
import { hkdfSha256, hmacSha256, verifyHmacSha256 } from '../src/kdf';
import { x25519KeyPairFromPrivateKey, x25519SharedSecret } from '../src/x25519';
import { describeEachCurveBackend } from './backends';

const repeat = (byte: number, length: number): Uint8Array => new Uint8Array(length).fill(byte);
const range = (from: number, to: number): Uint8Array => Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function x25519(scalarHex: string | Uint8Array, uHex: string | Uint8Array): Promise<string> {
  const scalar = typeof scalarHex === 'string' ? hexToBytes(scalarHex) : scalarHex;
  const u = typeof uHex === 'string' ? hexToBytes(uHex) : uHex;
  const pair = await x25519KeyPairFromPrivateKey(scalar);
  return bytesToHex((await x25519SharedSecret(pair.privateKey, u)).exposeBytes());
}

describeEachCurveBackend('RFC 7748', () => {
  it('§5.2 test vector 1 (scalar multiplication)', async () => {
    expect(
      await x25519(
        'a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4',
        'e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c',
      ),
    ).toBe('c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552');
  });

  it('§5.2 test vector 2 (u with bit 255 set is masked)', async () => {
    expect(
      await x25519(
        '4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d',
        'e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493',
      ),
    ).toBe('95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957');
  });

  it('§5.2 iterated: after 1 and 1,000 iterations (the 1,000,000 one is left out for time)', async () => {
    let k: Uint8Array = new Uint8Array(32);
    k[0] = 9;
    let u: Uint8Array = k.slice();
    for (let i = 1; i <= 1000; i++) {
      const next = hexToBytes(await x25519(k, u));
      u = k;
      k = next;
      if (i === 1) expect(bytesToHex(k)).toBe('422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079');
    }
    expect(bytesToHex(k)).toBe('684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51');
  });

  it('§6.1 Diffie-Hellman: both public keys and the shared secret', async () => {
    const alice = await x25519KeyPairFromPrivateKey(
      hexToBytes('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'),
    );
    const bob = await x25519KeyPairFromPrivateKey(
      hexToBytes('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'),
    );
    expect(bytesToHex(alice.publicKey)).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    expect(bytesToHex(bob.publicKey)).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    const k = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    expect(bytesToHex((await x25519SharedSecret(alice.privateKey, bob.publicKey)).exposeBytes())).toBe(k);
    expect(bytesToHex((await x25519SharedSecret(bob.privateKey, alice.publicKey)).exposeBytes())).toBe(k);
  });
});

describeEachCurveBackend('RFC 8032 §7.1', () => {
  const cases = [
    {
      name: 'TEST 1 (empty message)',
      secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
      publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
      message: '',
      signature:
        'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    },
    {
      name: 'TEST 2 (one byte)',
      secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
      publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
      message: '72',
      signature:
        '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
    },
    {
      name: 'TEST 3 (two bytes)',
      secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
      publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
      message: 'af82',
      signature:
        '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
    },
  ];

  it.each(cases)('$name: public key, signature and verification', async ({ secret, publicKey, message, signature }) => {
    const pair = await ed25519KeyPairFromSeed(hexToBytes(secret));
    expect(bytesToHex(pair.publicKey)).toBe(publicKey);
    expect(bytesToHex(await ed25519Sign(pair.privateKey, hexToBytes(message)))).toBe(signature);
    expect(await ed25519Verify(hexToBytes(publicKey), hexToBytes(message), hexToBytes(signature))).toBe(true);
  });
});

describe('RFC 5869 Appendix A (HKDF-SHA256)', () => {
  it('A.1 basic test case', () => {
    expect(bytesToHex(hkdfSha256(repeat(0x0b, 22), range(0x00, 0x0c), range(0xf0, 0xf9), 42))).toBe(
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
  });

  it('A.2 longer inputs and outputs', () => {
    expect(bytesToHex(hkdfSha256(range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82))).toBe(
      'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c' +
        '59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71' +
        'cc30c58179ec3e87c14c01d5c1f3434f1d87',
    );
  });

  it('A.3 zero-length salt and info', () => {
    expect(bytesToHex(hkdfSha256(repeat(0x0b, 22), new Uint8Array(0), new Uint8Array(0), 42))).toBe(
      '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
    );
  });
});

describe('RFC 4231 §4 (HMAC-SHA-256)', () => {
  const cases = [
    [
      '4.2 test case 1',
      repeat(0x0b, 20),
      utf8Encode('Hi There'),
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    ],
    [
      '4.3 test case 2 (key shorter than the output)',
      utf8Encode('Jefe'),
      utf8Encode('what do ya want for nothing?'),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    ],
    [
      '4.4 test case 3',
      repeat(0xaa, 20),
      repeat(0xdd, 50),
      '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
    ],
    [
      '4.5 test case 4',
      range(0x01, 0x19),
      repeat(0xcd, 50),
      '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
    ],
    [
      '4.7 test case 6 (key larger than a block)',
      repeat(0xaa, 131),
      utf8Encode('Test Using Larger Than Block-Size Key - Hash Key First'),
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    ],
    [
      '4.8 test case 7 (key and data larger than a block)',
      repeat(0xaa, 131),
      utf8Encode(
        'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
      ),
      '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    ],
  ] as const;

  it.each(cases)('%s', (_name, key, data, mac) => {
    expect(bytesToHex(hmacSha256(key, data))).toBe(mac);
    expect(verifyHmacSha256(key, data, hexToBytes(mac))).toBe(true);
  });

  it('4.6 test case 5: the 128-bit truncation is a prefix of our full tag, and verifyHmacSha256 refuses it', () => {
    const key = repeat(0x0c, 20);
    const data = utf8Encode('Test With Truncation');
    expect(bytesToHex(hmacSha256(key, data).subarray(0, 16))).toBe('a3b6167473100ee06e0c796c2955552b');
    expect(verifyHmacSha256(key, data, hexToBytes('a3b6167473100ee06e0c796c2955552b'))).toBe(false);
  });
});

describe('draft-irtf-cfrg-xchacha-03 §A.3.1 (AEAD_XChaCha20_Poly1305)', () => {
  const key = range(0x80, 0x9f);
  const nonce = range(0x40, 0x57);
  const aad = hexToBytes('50515253c0c1c2c3c4c5c6c7');
  const plaintext = utf8Encode(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  );
  const ciphertext =
    'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb' +
    '731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452' +
    '2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9' +
    '21f9664c97637da9768812f615c68b13b52e';
  const tag = 'c0875924c1c7987947deafd8780acf49';

  it('encrypts to the published ciphertext and tag', () => {
    expect(bytesToHex(xchacha20Poly1305Encrypt(key, nonce, plaintext, aad))).toBe(ciphertext + tag);
  });

  it('decrypts the published ciphertext and tag', () => {
    expect(xchacha20Poly1305Decrypt(key, nonce, hexToBytes(ciphertext + tag), aad)).toEqual(plaintext);
  });
});
