import type { StorageKdfParams } from '@opendescent/crypto';
import type { RecordStore } from '../../src/store/record-store';
import { VaultError, type VaultErrorCode } from '../../src/store/vault-error';

/** Cheap Argon2id costs: the production ones take about 20 s inside Jest's vm context. */
export const CHEAP_KDF: StorageKdfParams = { memoryKiB: 256, iterations: 1, parallelism: 1 };
export const PASSPHRASE = 'correct horse battery staple';

/** Every raw entry, to compare a store before and after an operation that must change nothing. */
export const snapshot = (store: RecordStore) => store.list('');

/** Awaits `action` and checks that it failed with a VaultError of `code`. */
export async function expectVaultError(
  action: Promise<unknown> | (() => unknown),
  code: VaultErrorCode,
): Promise<void> {
  const error = await Promise.resolve()
    .then(typeof action === 'function' ? action : () => action)
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(VaultError);
  expect((error as VaultError).code).toBe(code);
}
