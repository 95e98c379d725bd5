/**
 * The production Argon2id costs take about 20 s inside Jest's vm context (docs/protocol/crypto.md
 * §8.1), so this file replaces the derivation with a cheap one and checks what the vault asks for
 * and records. The real derivation at these costs is measured by libs/crypto.
 */
import * as crypto from '@opendescent/crypto';
import type { StorageKdfParams } from '@opendescent/crypto';
import { MemoryRecordStore } from '../../src/store/memory-record-store';
import type { RawWrite, RecordStore } from '../../src/store/record-store';
import { Vault } from '../../src/store/vault';
import { SUPERSEDED_KDF_PARAMS, VAULT_HEADER_KEY, VAULT_KDF_PARAMS } from '../../src/store/vault-header';
import { CHEAP_KDF, expectVaultError, PASSPHRASE, snapshot } from './vault-helpers';

jest.mock('@opendescent/crypto', () => {
  const actual = jest.requireActual<typeof crypto>('@opendescent/crypto');
  return {
    ...actual,
    deriveStorageKey: jest.fn(
      (passphrase: string, salt: Uint8Array, _params: unknown, onProgress?: (f: number) => void) =>
        actual.deriveStorageKey(passphrase, salt, CHEAP_KDF, onProgress),
    ),
  };
});

/** The version 1 default until t = 3, p = 4: what every vault made before holds. */
const OLD_DEFAULT: StorageKdfParams = { memoryKiB: 65536, iterations: 2, parallelism: 1 };

async function headerCosts(store: RecordStore): Promise<number[]> {
  const header = (await store.get(VAULT_HEADER_KEY)) as Uint8Array;
  const view = new DataView(header.buffer, header.byteOffset);
  return [view.getUint32(1), view.getUint32(5), view.getUint32(9)];
}

/** A vault as the previous client left it: a header with the old costs, and one record. */
async function oldVault(): Promise<MemoryRecordStore> {
  const store = new MemoryRecordStore();
  const vault = await Vault.create(store, PASSPHRASE, { kdfParams: OLD_DEFAULT });
  await vault.commit(vault.batch().put('contacts', '', 'bob', { name: 'Bob' }));
  vault.lock();
  expect(await headerCosts(store)).toEqual([65536, 2, 1]);
  return store;
}

beforeEach(() => jest.mocked(crypto.deriveStorageKey).mockClear());

it('create without kdfParams derives with RFC 9106 §4 option 2 (64 MiB, t=3, p=4) and records them in the header', async () => {
  const store = new MemoryRecordStore();
  const vault = await Vault.create(store, PASSPHRASE);
  expect(VAULT_KDF_PARAMS).toEqual({ memoryKiB: 65536, iterations: 3, parallelism: 4 });
  expect(crypto.deriveStorageKey).toHaveBeenCalledWith(PASSPHRASE, expect.any(Uint8Array), VAULT_KDF_PARAMS, undefined);
  expect(await headerCosts(store)).toEqual([65536, 3, 4]);

  // Unlocking derives with the costs read back from the header, and has nothing to upgrade.
  vault.lock();
  const apply = jest.spyOn(store, 'apply');
  await Vault.unlock(store, PASSPHRASE);
  expect(jest.mocked(crypto.deriveStorageKey).mock.lastCall?.[2]).toEqual(VAULT_KDF_PARAMS);
  expect(apply).not.toHaveBeenCalled();
});

it('the superseded costs are exactly the old default (64 MiB, t=2, p=1)', () => {
  expect(SUPERSEDED_KDF_PARAMS).toEqual([OLD_DEFAULT]);
});

describe('upgrade of an old vault at the next passphrase unlock (storage.md §2.2)', () => {
  it('re-seals the header with t=3, p=4 and a fresh salt in one write; records and passphrase unchanged', async () => {
    const store = await oldVault();
    const oldHeader = (await store.get(VAULT_HEADER_KEY)) as Uint8Array;
    const apply = jest.spyOn(store, 'apply');
    jest.mocked(crypto.deriveStorageKey).mockClear();

    const vault = await Vault.unlock(store, PASSPHRASE);
    expect(jest.mocked(crypto.deriveStorageKey).mock.calls.map((call) => call[2])).toEqual([
      OLD_DEFAULT,
      VAULT_KDF_PARAMS,
    ]);
    expect(apply).toHaveBeenCalledTimes(1);
    expect((apply.mock.calls[0]?.[0] as RawWrite[]).map((write) => write.key)).toEqual([VAULT_HEADER_KEY]);
    const newHeader = (await store.get(VAULT_HEADER_KEY)) as Uint8Array;
    expect(await headerCosts(store)).toEqual([65536, 3, 4]);
    expect(Buffer.from(newHeader.subarray(13, 29)).equals(Buffer.from(oldHeader.subarray(13, 29)))).toBe(false);
    expect(await vault.get('contacts', '', 'bob')).toEqual({ name: 'Bob' });

    vault.lock();
    apply.mockClear();
    const reopened = await Vault.unlock(store, PASSPHRASE);
    expect(apply).not.toHaveBeenCalled(); // upgraded once, not at every unlock
    expect(await reopened.get('contacts', '', 'bob')).toEqual({ name: 'Bob' });
  });

  it('a crash during the upgrade write leaves the old header, which still opens; the next unlock upgrades', async () => {
    const store = await oldVault();
    const before = await snapshot(store);
    jest.spyOn(store, 'apply').mockRejectedValueOnce(new Error('the tab was closed mid-write'));
    await expect(Vault.unlock(store, PASSPHRASE)).rejects.toThrow('the tab was closed mid-write');
    expect(await snapshot(store)).toEqual(before);

    const vault = await Vault.unlock(store, PASSPHRASE);
    expect(await vault.get('contacts', '', 'bob')).toEqual({ name: 'Bob' });
    expect(await headerCosts(store)).toEqual([65536, 3, 4]);
  });

  it('a crash after the upgrade write leaves the new header, which opens with the same passphrase', async () => {
    const store = await oldVault();
    // The unlock's answer is lost (the worker dies once the header is written): only the store is left.
    await Vault.unlock(store, PASSPHRASE);
    const survivor = new MemoryRecordStore();
    await survivor.apply(await snapshot(store));
    const vault = await Vault.unlock(survivor, PASSPHRASE);
    expect(await vault.get('contacts', '', 'bob')).toEqual({ name: 'Bob' });
  });

  it('a wrong passphrase on an old vault upgrades nothing', async () => {
    const store = await oldVault();
    const header = await store.get(VAULT_HEADER_KEY);
    await expectVaultError(Vault.unlock(store, 'not the passphrase'), 'wrong_passphrase');
    expect(await store.get(VAULT_HEADER_KEY)).toEqual(header);
  });

  it('a passkey unlock cannot upgrade (no passphrase to derive from); the next passphrase unlock does', async () => {
    const store = new MemoryRecordStore();
    const created = await Vault.create(store, PASSPHRASE, { kdfParams: OLD_DEFAULT });
    const prfOutput = crypto.randomBytes(32);
    await created.addPasskey(Uint8Array.of(1), crypto.randomBytes(32), prfOutput);
    created.lock();
    const old = await store.get(VAULT_HEADER_KEY);

    (await Vault.unlockWithPasskey(store, prfOutput)).lock();
    expect(await store.get(VAULT_HEADER_KEY)).toEqual(old);
    await Vault.unlock(store, PASSPHRASE);
    expect(await headerCosts(store)).toEqual([65536, 3, 4]);
    // The passkey header seals the same vault key, so it still opens after the upgrade.
    await expect(Vault.unlockWithPasskey(store, prfOutput)).resolves.toBeInstanceOf(Vault);
  });

  it('costs chosen on purpose that are not a superseded default are left as they are', async () => {
    const store = new MemoryRecordStore();
    await Vault.create(store, PASSPHRASE, { kdfParams: { memoryKiB: 32768, iterations: 2, parallelism: 1 } });
    await Vault.unlock(store, PASSPHRASE);
    expect(await headerCosts(store)).toEqual([32768, 2, 1]);
  });

  it('the upgraded header takes the costs given to unlock, if any', async () => {
    const store = await oldVault();
    await Vault.unlock(store, PASSPHRASE, { kdfParams: { memoryKiB: 131072, iterations: 4, parallelism: 4 } });
    expect(await headerCosts(store)).toEqual([131072, 4, 4]);
  });
});
