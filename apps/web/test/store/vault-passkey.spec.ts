import { randomBytes } from '@opendescent/crypto';
import { MemoryRecordStore } from '../../src/store/memory-record-store';
import { VAULT_PASSKEY_HEADER_KEY } from '../../src/store/passkey-header';
import { Vault } from '../../src/store/vault';
import { VAULT_HEADER_KEY } from '../../src/store/vault-header';
import { CHEAP_KDF, expectVaultError, PASSPHRASE, snapshot } from './vault-helpers';

const options = { kdfParams: CHEAP_KDF };
const credentialId = Uint8Array.from({ length: 48 }, (_, i) => i + 1);

interface Passkey {
  readonly prfSalt: Uint8Array;
  readonly prfOutput: Uint8Array;
}

const newPasskey = (): Passkey => ({ prfSalt: randomBytes(32), prfOutput: randomBytes(32) });

/** A vault with one record and a passkey; returned locked. */
async function vaultWithPasskey(): Promise<{ store: MemoryRecordStore; passkey: Passkey }> {
  const store = new MemoryRecordStore();
  const vault = await Vault.create(store, PASSPHRASE, options);
  await vault.commit(vault.batch().put('contacts', '', 'bob', 'Bob'));
  const passkey = newPasskey();
  await vault.addPasskey(credentialId, passkey.prfSalt, passkey.prfOutput);
  vault.lock();
  return { store, passkey };
}

async function editRaw(store: MemoryRecordStore, key: string, edit: (value: Uint8Array) => Uint8Array): Promise<void> {
  const value = await store.get(key);
  if (value === undefined) throw new Error(`no entry ${key}`);
  await store.apply([{ key, value: edit(value.slice()) }]);
}

describe('Vault: passkey unlock (storage.md §2.1)', () => {
  it('round-trips: a passkey added while unlocked opens the same records', async () => {
    const { store, passkey } = await vaultWithPasskey();
    const vault = await Vault.unlockWithPasskey(store, passkey.prfOutput);
    expect(await vault.get('contacts', '', 'bob')).toBe('Bob');
  });

  it('reports the credential id and salt, not secret, while locked; nothing without a passkey', async () => {
    const { store, passkey } = await vaultWithPasskey();
    expect(await Vault.passkeyInfo(store)).toEqual({ credentialId, prfSalt: passkey.prfSalt });
    expect(await Vault.passkeyInfo(new MemoryRecordStore())).toBeUndefined();
  });

  it('writes a header of 108 + n bytes: version, u16 length, credential id, salt, sealed vault key', async () => {
    const { store, passkey } = await vaultWithPasskey();
    const header = (await store.get(VAULT_PASSKEY_HEADER_KEY)) as Uint8Array;
    expect(header).toHaveLength(108 + credentialId.length);
    expect(header[0]).toBe(1);
    expect((header[1] as number) * 256 + (header[2] as number)).toBe(credentialId.length);
    expect(header.subarray(3, 3 + credentialId.length)).toEqual(credentialId);
    expect(header.subarray(3 + credentialId.length, 35 + credentialId.length)).toEqual(passkey.prfSalt);
  });

  it('refuses a wrong PRF output (wrong_passphrase) and changes nothing', async () => {
    const { store } = await vaultWithPasskey();
    const before = await snapshot(store);
    await expectVaultError(Vault.unlockWithPasskey(store, randomBytes(32)), 'wrong_passphrase');
    expect(await snapshot(store)).toEqual(before);
  });

  it('refuses a PRF output that is not 32 bytes as a caller error (TypeError)', async () => {
    const { store, passkey } = await vaultWithPasskey();
    await expect(Vault.unlockWithPasskey(store, passkey.prfOutput.subarray(0, 16))).rejects.toThrow(TypeError);
    await expect(Vault.unlockWithPasskey(store, new Uint8Array(64))).rejects.toThrow(TypeError);
  });

  it('refuses a header with any altered byte after the version (wrong_passphrase or corrupt_record)', async () => {
    const { store, passkey } = await vaultWithPasskey();
    const original = (await store.get(VAULT_PASSKEY_HEADER_KEY)) as Uint8Array;
    for (let i = 1; i < original.length; i++) {
      await editRaw(store, VAULT_PASSKEY_HEADER_KEY, (value) => {
        value[i] = (value[i] as number) ^ 0x01;
        return value;
      });
      // Bytes 1..2 are the length: a changed one no longer matches the header's size.
      await expectVaultError(
        Vault.unlockWithPasskey(store, passkey.prfOutput),
        i <= 2 ? 'corrupt_record' : 'wrong_passphrase',
      );
      await store.apply([{ key: VAULT_PASSKEY_HEADER_KEY, value: original }]);
    }
    await expect(Vault.unlockWithPasskey(store, passkey.prfOutput)).resolves.toBeInstanceOf(Vault);
  });

  it('refuses an unknown header version (unsupported_version) and a truncated header (corrupt_record)', async () => {
    const { store, passkey } = await vaultWithPasskey();
    await editRaw(store, VAULT_PASSKEY_HEADER_KEY, (value) => Uint8Array.of(2, ...value.subarray(1)));
    await expectVaultError(Vault.unlockWithPasskey(store, passkey.prfOutput), 'unsupported_version');
    await expectVaultError(Vault.passkeyInfo(store), 'unsupported_version');
    await editRaw(store, VAULT_PASSKEY_HEADER_KEY, (value) => Uint8Array.of(1, ...value.subarray(1, value.length - 1)));
    await expectVaultError(Vault.unlockWithPasskey(store, passkey.prfOutput), 'corrupt_record');
  });

  it('refuses the right PRF output under a swapped salt: the salt is authenticated', async () => {
    const { store, passkey } = await vaultWithPasskey();
    const saltAt = 3 + credentialId.length;
    await editRaw(store, VAULT_PASSKEY_HEADER_KEY, (value) => {
      value.set(randomBytes(32), saltAt);
      return value;
    });
    await expectVaultError(Vault.unlockWithPasskey(store, passkey.prfOutput), 'wrong_passphrase');
  });

  it('a passkey header moved from another vault, with that vault’s passkey, reads none of this vault’s records', async () => {
    const { store } = await vaultWithPasskey();
    const other = await vaultWithPasskey();
    await store.apply([
      { key: VAULT_PASSKEY_HEADER_KEY, value: (await other.store.get(VAULT_PASSKEY_HEADER_KEY)) as Uint8Array },
    ]);
    const vault = await Vault.unlockWithPasskey(store, other.passkey.prfOutput);
    // Entry keys are HMACs under the other vault's index key: this vault's records are not even found.
    expect(await vault.get('contacts', '', 'bob')).toBeUndefined();
  });

  it('refuses not_found without a passkey header, and without a vault', async () => {
    const store = new MemoryRecordStore();
    await expectVaultError(Vault.unlockWithPasskey(store, randomBytes(32)), 'not_found');
    await Vault.create(store, PASSPHRASE, options);
    await expectVaultError(Vault.unlockWithPasskey(store, randomBytes(32)), 'not_found');
  });

  it('keeps the passphrase working after a passkey is added', async () => {
    const { store } = await vaultWithPasskey();
    const vault = await Vault.unlock(store, PASSPHRASE);
    expect(await vault.get('contacts', '', 'bob')).toBe('Bob');
  });

  it('keeps the passkey working after the passphrase changes (same vault key)', async () => {
    const { store, passkey } = await vaultWithPasskey();
    const vault = await Vault.unlock(store, PASSPHRASE);
    await vault.changePassphrase(PASSPHRASE, 'a brand new passphrase', options);
    vault.lock();
    const reopened = await Vault.unlockWithPasskey(store, passkey.prfOutput);
    expect(await reopened.get('contacts', '', 'bob')).toBe('Bob');
    await expectVaultError(Vault.unlock(store, PASSPHRASE), 'wrong_passphrase');
  });

  it('replaces an earlier passkey when another is added', async () => {
    const { store, passkey } = await vaultWithPasskey();
    const vault = await Vault.unlockWithPasskey(store, passkey.prfOutput);
    const next = newPasskey();
    await vault.addPasskey(Uint8Array.of(9), next.prfSalt, next.prfOutput);
    expect(await Vault.passkeyInfo(store)).toEqual({ credentialId: Uint8Array.of(9), prfSalt: next.prfSalt });
    await expectVaultError(Vault.unlockWithPasskey(store, passkey.prfOutput), 'wrong_passphrase');
    await expect(Vault.unlockWithPasskey(store, next.prfOutput)).resolves.toBeInstanceOf(Vault);
  });

  it('removes the passkey: it no longer unlocks, the passphrase still does', async () => {
    const { store, passkey } = await vaultWithPasskey();
    const vault = await Vault.unlock(store, PASSPHRASE);
    await vault.removePasskey();
    expect(await Vault.passkeyInfo(store)).toBeUndefined();
    await expectVaultError(Vault.unlockWithPasskey(store, passkey.prfOutput), 'not_found');
    await expect(Vault.unlock(store, PASSPHRASE)).resolves.toBeInstanceOf(Vault);
  });

  it('refuses adding or removing a passkey while locked (locked), writing nothing', async () => {
    const store = new MemoryRecordStore();
    const vault = await Vault.create(store, PASSPHRASE, options);
    vault.lock();
    const before = await snapshot(store);
    const passkey = newPasskey();
    await expectVaultError(vault.addPasskey(credentialId, passkey.prfSalt, passkey.prfOutput), 'locked');
    await expectVaultError(vault.removePasskey(), 'locked');
    expect(await snapshot(store)).toEqual(before);
  });

  it.each([
    ['an empty credential id', new Uint8Array(0), randomBytes(32), randomBytes(32)],
    ['a credential id over 1023 bytes', new Uint8Array(1024), randomBytes(32), randomBytes(32)],
    ['a short salt', credentialId, randomBytes(16), randomBytes(32)],
    ['a long PRF output', credentialId, randomBytes(32), randomBytes(33)],
  ])('refuses to add a passkey with %s (TypeError), writing nothing', async (_what, id, salt, output) => {
    const store = new MemoryRecordStore();
    const vault = await Vault.create(store, PASSPHRASE, options);
    const before = await snapshot(store);
    await expect(vault.addPasskey(id, salt, output)).rejects.toThrow(TypeError);
    expect(await snapshot(store)).toEqual(before);
  });

  it('accepts a credential id of exactly 1023 bytes', async () => {
    const store = new MemoryRecordStore();
    const vault = await Vault.create(store, PASSPHRASE, options);
    const passkey = newPasskey();
    await vault.addPasskey(new Uint8Array(1023).fill(7), passkey.prfSalt, passkey.prfOutput);
    await expect(Vault.unlockWithPasskey(store, passkey.prfOutput)).resolves.toBeInstanceOf(Vault);
  });

  it('wipe deletes both headers', async () => {
    const { store, passkey } = await vaultWithPasskey();
    const vault = await Vault.unlockWithPasskey(store, passkey.prfOutput);
    await vault.wipe();
    expect(await store.get(VAULT_HEADER_KEY)).toBeUndefined();
    expect(await store.get(VAULT_PASSKEY_HEADER_KEY)).toBeUndefined();
    expect(await Vault.passkeyInfo(store)).toBeUndefined();
  });
});
