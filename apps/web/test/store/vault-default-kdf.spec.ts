/**
 * The production Argon2id costs take about 20 s inside Jest's vm context (docs/protocol/crypto.md
 * §8.1), so this file replaces the derivation with a cheap one and checks what the vault asks for
 * and records. The real derivation at these costs is measured by libs/crypto.
 */
import * as crypto from '@opendescent/crypto';
import { MemoryRecordStore } from '../../src/store/memory-record-store';
import { Vault, VAULT_HEADER_KEY } from '../../src/store/vault';
import { CHEAP_KDF, PASSPHRASE } from './vault-helpers';

jest.mock('@opendescent/crypto', () => {
  const actual = jest.requireActual<typeof crypto>('@opendescent/crypto');
  return {
    ...actual,
    deriveStorageKey: jest.fn((passphrase: string, salt: Uint8Array, _params: unknown, onProgress?: (f: number) => void) =>
      actual.deriveStorageKey(passphrase, salt, CHEAP_KDF, onProgress),
    ),
  };
});

it('create without kdfParams derives with STORAGE_KDF_PARAMS (64 MiB, t=2, p=1) and records them in the header', async () => {
  const store = new MemoryRecordStore();
  const vault = await Vault.create(store, PASSPHRASE);
  expect(crypto.STORAGE_KDF_PARAMS).toEqual({ memoryKiB: 65536, iterations: 2, parallelism: 1 });
  expect(crypto.deriveStorageKey).toHaveBeenCalledWith(PASSPHRASE, expect.any(Uint8Array), crypto.STORAGE_KDF_PARAMS, undefined);

  const header = (await store.get(VAULT_HEADER_KEY)) as Uint8Array;
  const view = new DataView(header.buffer, header.byteOffset);
  expect([view.getUint32(1), view.getUint32(5), view.getUint32(9)]).toEqual([65536, 2, 1]);

  // Unlocking derives with the costs read back from the header.
  vault.lock();
  await Vault.unlock(store, PASSPHRASE);
  expect(jest.mocked(crypto.deriveStorageKey).mock.lastCall?.[2]).toEqual(crypto.STORAGE_KDF_PARAMS);
});
