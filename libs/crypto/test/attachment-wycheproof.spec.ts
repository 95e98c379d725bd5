/**
 * Wycheproof aes_gcm_test.json against both AES-256-GCM backends of the attachment cipher
 * (attachment-backend.ts). The groups with the parameters the format uses (256-bit key, 96-bit
 * nonce, 128-bit tag) must encrypt and decrypt exactly, and their modified tags be refused; every
 * other group has a key or nonce size the format never uses, and the backends refuse it by length.
 */
import { bytesToHex, hexToBytes } from '@noble/ciphers/utils.js';
import { aesGcmBackend, ATTACHMENT_CIPHER_BACKENDS } from '../src/attachment-backend';
import { CryptoError, type CryptoErrorCode } from '../src/errors';
import {
  CaseFailures,
  countTests,
  describeWycheproof,
  loadWycheproof,
  type WycheproofGroup,
  type WycheproofTest,
} from './wycheproof';

interface AeadTest extends WycheproofTest {
  readonly key: string;
  readonly iv: string;
  readonly aad: string;
  readonly msg: string;
  readonly ct: string;
  readonly tag: string;
}

interface AeadGroup extends WycheproofGroup<AeadTest> {
  readonly keySize: number;
  readonly ivSize: number;
  readonly tagSize: number;
}

type Outcome = { ok: true; hex: string } | { ok: false; code: CryptoErrorCode | 'not a CryptoError' };

async function outcomeOf(run: () => Promise<Uint8Array>): Promise<Outcome> {
  try {
    return { ok: true, hex: bytesToHex(await run()) };
  } catch (error) {
    return { ok: false, code: error instanceof CryptoError ? error.code : 'not a CryptoError' };
  }
}

const usedByTheFormat = (group: AeadGroup) => group.keySize === 256 && group.ivSize === 96 && group.tagSize === 128;

describeWycheproof('Wycheproof aes_gcm_test.json (attachment cipher backends)', () => {
  const file = loadWycheproof<AeadTest, AeadGroup>('aes_gcm_test.json');

  it('has cases, and some with the format’s parameters', () => {
    expect(countTests(file)).toBe(file.numberOfTests);
    expect(file.testGroups.filter(usedByTheFormat).reduce((sum, group) => sum + group.tests.length, 0)).toBeGreaterThan(
      0,
    );
  });

  describe.each(ATTACHMENT_CIPHER_BACKENDS)('%s backend', (name) => {
    const backend = aesGcmBackend(name);

    it('AES-256-GCM, 96-bit nonce, 128-bit tag: valid cases exact both ways, modified tags auth_failed', async () => {
      const failures = new CaseFailures();
      const tally = { valid: 0, invalid: 0 };
      for (const group of file.testGroups.filter(usedByTheFormat)) {
        for (const test of group.tests) {
          const [key, iv, aad, msg] = [test.key, test.iv, test.aad, test.msg].map(hexToBytes) as [
            Uint8Array,
            Uint8Array,
            Uint8Array,
            Uint8Array,
          ];
          const opened = await outcomeOf(() => backend.open(key, iv, aad, hexToBytes(test.ct + test.tag)));
          failures.check(test.result !== 'acceptable', test, 'undecided acceptable case');
          if (test.result === 'valid') {
            tally.valid++;
            const sealed = await outcomeOf(() => backend.seal(key, iv, aad, msg));
            failures.check(sealed.ok && sealed.hex === test.ct + test.tag, test, 'encryption differs');
            failures.check(opened.ok && opened.hex === test.msg, test, 'decryption differs');
          } else {
            tally.invalid++;
            failures.check(!opened.ok && opened.code === 'auth_failed', test, 'an invalid case was not auth_failed');
          }
        }
      }
      expect(failures.lines).toEqual([]);
      expect(tally.valid).toBeGreaterThan(0);
      expect(tally.invalid).toBeGreaterThan(0);
    });

    it('every other key or nonce size is refused with bad_length, both ways', async () => {
      const failures = new CaseFailures();
      let cases = 0;
      for (const group of file.testGroups.filter((g) => !usedByTheFormat(g))) {
        for (const test of group.tests) {
          cases++;
          const [key, iv, aad, msg] = [test.key, test.iv, test.aad, test.msg].map(hexToBytes) as [
            Uint8Array,
            Uint8Array,
            Uint8Array,
            Uint8Array,
          ];
          const sealed = await outcomeOf(() => backend.seal(key, iv, aad, msg));
          const opened = await outcomeOf(() => backend.open(key, iv, aad, hexToBytes(test.ct + test.tag)));
          failures.check(!sealed.ok && sealed.code === 'bad_length', test, 'sealing was not bad_length');
          failures.check(!opened.ok && opened.code === 'bad_length', test, 'opening was not bad_length');
        }
      }
      expect(failures.lines).toEqual([]);
      expect(cases).toBeGreaterThan(0);
    });
  });
});
