import { SecretBytes, utf8Encode } from '@opendescent/crypto';
import { IndexedDbRecordStore } from '../../src/store/indexeddb-record-store';
import { MemoryRecordStore } from '../../src/store/memory-record-store';
import { UNLOCK_BACKOFF_KEY } from '../../src/store/unlock-backoff';
import { Vault } from '../../src/store/vault';
import { VAULT_HEADER_KEY } from '../../src/store/vault-header';
import { freshIdbFactory } from './fake-indexeddb';
import { CHEAP_KDF, expectVaultError, PASSPHRASE, snapshot } from './vault-helpers';

const options = { kdfParams: CHEAP_KDF };

interface Contact {
  address: string;
  name: string;
  identityKey: Uint8Array;
}

const alice: Contact = {
  address: 'alice.liddell@wonderland.example',
  name: 'Alice Liddell',
  identityKey: Uint8Array.from({ length: 32 }, (_, i) => i),
};

async function newVault(): Promise<{ store: MemoryRecordStore; vault: Vault }> {
  const store = new MemoryRecordStore();
  return { store, vault: await Vault.create(store, PASSPHRASE, options) };
}

async function putOne(vault: Vault, table: string, group: string, id: string, value: unknown): Promise<void> {
  await vault.commit(vault.batch().put(table, group, id, value));
}

/** Replaces the raw value of one entry, as someone editing a copied profile would. */
async function overwriteRaw(
  store: MemoryRecordStore,
  key: string,
  edit: (value: Uint8Array) => Uint8Array,
): Promise<void> {
  const value = await store.get(key);
  if (value === undefined) throw new Error(`no entry ${key}`);
  await store.apply([{ key, value: edit(value) }]);
}

async function recordKeys(store: MemoryRecordStore): Promise<string[]> {
  return (await store.list('r:')).map((entry) => entry.key);
}

describe('Vault: records', () => {
  it('round-trips records through create, lock and unlock with the same passphrase', async () => {
    const { store, vault } = await newVault();
    const message = { text: 'hello', at: 1_700_000_000_000, read: false, reply: null, parts: [Uint8Array.of(1, 2)] };
    await vault.commit(
      vault.batch().put('contacts', '', alice.address, alice).put('messages', 'conv-1', 'm1', message),
    );
    vault.lock();

    const reopened = await Vault.unlock(store, PASSPHRASE);
    expect(await reopened.get<Contact>('contacts', '', alice.address)).toEqual(alice);
    expect(await reopened.get('messages', 'conv-1', 'm1')).toEqual(message);
    expect(await reopened.list('messages', 'conv-1')).toEqual([message]);
  });

  it('returns undefined for a record never written and [] for an empty group', async () => {
    const { vault } = await newVault();
    expect(await vault.get('contacts', '', 'nobody')).toBeUndefined();
    expect(await vault.list('messages', 'conv-1')).toEqual([]);
  });

  it('keeps tables and groups apart: the same ids elsewhere are other records', async () => {
    const { vault } = await newVault();
    await vault.commit(
      vault
        .batch()
        .put('messages', 'conv-1', 'm1', 'a')
        .put('messages', 'conv-2', 'm1', 'b')
        .put('drafts', 'conv-1', 'm1', 'c'),
    );
    expect(await vault.list('messages', 'conv-1')).toEqual(['a']);
    expect(await vault.list('messages', 'conv-2')).toEqual(['b']);
    expect(await vault.list('drafts', 'conv-1')).toEqual(['c']);
    expect(await vault.get('drafts', 'conv-1', 'm1')).toBe('c');
  });

  it('writes nothing until commit, then the whole batch in one RecordStore.apply; a later write wins', async () => {
    const { store, vault } = await newVault();
    await putOne(vault, 'messages', 'conv-1', 'old', 'old');
    const before = await snapshot(store);
    const batch = vault.batch().put('messages', 'conv-1', 'm1', 'first').put('messages', 'conv-1', 'm1', 'second');
    batch
      .put('messages', 'conv-1', 'm2', 'gone')
      .delete('messages', 'conv-1', 'm2')
      .delete('messages', 'conv-1', 'old');
    expect(await snapshot(store)).toEqual(before);

    const apply = jest.spyOn(store, 'apply');
    await vault.commit(batch);
    expect(apply).toHaveBeenCalledTimes(1);
    expect(apply.mock.calls[0]?.[0]).toHaveLength(3);
    expect(await vault.list('messages', 'conv-1')).toEqual(['second']);
  });

  it('deleteGroup deletes the stored and pending records of that group only', async () => {
    const { vault } = await newVault();
    await vault.commit(vault.batch().put('messages', 'conv-1', 'm1', 1).put('messages', 'conv-2', 'm1', 2));
    const batch = vault.batch().put('messages', 'conv-1', 'm2', 3);
    await batch.deleteGroup('messages', 'conv-1');
    batch.put('messages', 'conv-1', 'm3', 4);
    await vault.commit(batch);
    expect(await vault.list('messages', 'conv-1')).toEqual([4]);
    expect(await vault.list('messages', 'conv-2')).toEqual([2]);
  });

  it('refuses a value that is not plain data at put, before anything is written', async () => {
    const { store, vault } = await newVault();
    const before = await snapshot(store);
    const batch = vault.batch().put('keys', '', 'ok', 1);
    expect(() => batch.put('keys', '', 'identity', { key: new SecretBytes(new Uint8Array(32)) })).toThrow(TypeError);
    expect(batch.size).toBe(1);
    expect(await snapshot(store)).toEqual(before);
  });

  it.each([
    ['a table containing U+0000', ['a\0b', 'g', 'id']],
    ['a group containing U+0000', ['t', 'a\0b', 'id']],
    ['an id with a lone surrogate', ['t', 'g', 'x\ud800']],
  ])('refuses %s: two addresses must never hash alike', async (_what, [table, group, id]) => {
    const { vault } = await newVault();
    await expect(vault.get(table as string, group as string, id as string)).rejects.toThrow(TypeError);
  });

  it('refuses at commit a batch made by another vault', async () => {
    const { vault } = await newVault();
    const { vault: other } = await newVault();
    await expect(vault.commit(other.batch().put('t', 'g', 'i', 1))).rejects.toThrow(TypeError);
  });
});

describe('Vault: tampering with a stolen copy', () => {
  it('detects records swapped between entry keys, in one group or across groups (corrupt_record)', async () => {
    const { store, vault } = await newVault();
    await vault.commit(vault.batch().put('messages', 'conv-1', 'm1', 'one').put('messages', 'conv-1', 'm2', 'two'));
    await putOne(vault, 'messages', 'conv-2', 'm1', 'three');
    const entries = await store.list('r:');
    const [a, b, c] = entries;
    if (a === undefined || b === undefined || c === undefined) throw new Error('three entries expected');
    await store.apply([
      { key: a.key, value: b.value },
      { key: b.key, value: c.value },
      { key: c.key, value: a.value },
    ]);
    await expectVaultError(vault.get('messages', 'conv-1', 'm1'), 'corrupt_record');
    await expectVaultError(vault.get('messages', 'conv-2', 'm1'), 'corrupt_record');
    await expectVaultError(vault.list('messages', 'conv-1'), 'corrupt_record');
  });

  it('detects one altered byte anywhere in a sealed record', async () => {
    const { store, vault } = await newVault();
    await putOne(vault, 'contacts', '', 'bob', 'Bob');
    const [key] = await recordKeys(store);
    const original = (await store.get(key as string)) as Uint8Array;
    // Byte 0 is the record version: see the next test.
    for (let i = 1; i < original.length; i++) {
      await overwriteRaw(store, key as string, () => {
        const altered = original.slice();
        altered[i] = (original[i] as number) ^ 0x01;
        return altered;
      });
      await expectVaultError(vault.get('contacts', '', 'bob'), 'corrupt_record');
    }
  });

  it('refuses a record with an unknown version byte (unsupported_version) and a truncated one (corrupt_record)', async () => {
    const { store, vault } = await newVault();
    await putOne(vault, 'contacts', '', 'bob', 'Bob');
    const [key] = (await recordKeys(store)) as [string];
    const original = (await store.get(key)) as Uint8Array;
    await overwriteRaw(store, key, (value) => Uint8Array.of(2, ...value.subarray(1)));
    await expectVaultError(vault.get('contacts', '', 'bob'), 'unsupported_version');
    await overwriteRaw(store, key, () => original.subarray(0, 30));
    await expectVaultError(vault.get('contacts', '', 'bob'), 'corrupt_record');
    await overwriteRaw(store, key, () => new Uint8Array(0));
    await expectVaultError(vault.get('contacts', '', 'bob'), 'corrupt_record');
  });
});

describe('Vault: the raw store holds no plaintext', () => {
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
  /** The forms a string could leak in: UTF-8, hex, and base64/base64url at each of the 3 alignments. */
  function leakForms(text: string): string[] {
    const bytes = utf8Encode(text);
    const forms = [Buffer.from(bytes).toString('latin1'), hex(bytes), hex(bytes).toUpperCase()];
    for (let shift = 0; shift < 3; shift++) {
      const aligned = bytes.subarray(shift, shift + Math.floor((bytes.length - shift) / 3) * 3);
      forms.push(Buffer.from(aligned).toString('base64'), Buffer.from(aligned).toString('base64url'));
    }
    return forms;
  }
  const leaksIn = (haystack: string, secrets: string[]) =>
    secrets.filter((secret) => leakForms(secret).some((form) => haystack.includes(form)));

  it('the leak detector itself finds a string stored as UTF-8 or inside base64', () => {
    const secret = 'Project Looking-Glass';
    expect(leaksIn(`xx${secret}`, [secret])).toEqual([secret]);
    expect(leaksIn(Buffer.from(`ab${secret}cd`).toString('base64'), [secret])).toEqual([secret]);
  });

  it('no entry key or value contains an address, a message, a title, a table, group or id, or the passphrase', async () => {
    const { store, vault } = await newVault();
    const conversationId = 'conversation-7f3a9c';
    const secrets = [
      alice.address,
      'Meet me at the rabbit hole at noon',
      'Project Looking-Glass',
      'Alice Liddell',
      conversationId,
      'messages',
      'contacts',
      'conversations',
      'message-000042',
      PASSPHRASE,
    ];
    await vault.commit(
      vault
        .batch()
        .put('contacts', '', alice.address, alice)
        .put('conversations', '', conversationId, {
          id: conversationId,
          title: 'Project Looking-Glass',
          members: [alice.address],
        })
        .put('messages', conversationId, 'message-000042', {
          id: 'message-000042',
          from: alice.address,
          text: 'Meet me at the rabbit hole at noon',
          attachment: utf8Encode('Project Looking-Glass'),
        }),
    );
    const entries = await snapshot(store);
    expect(entries).toHaveLength(4);
    for (const { key, value } of entries) {
      expect(leaksIn(key, secrets)).toEqual([]);
      expect(leaksIn(Buffer.from(value).toString('latin1'), secrets)).toEqual([]);
      expect(key === VAULT_HEADER_KEY || /^r:[0-9a-f]{32}:[0-9a-f]{32}$/.test(key)).toBe(true);
    }
  });
});

describe('Vault: passphrase and header', () => {
  it('exists is false on an empty store and true once a vault is created', async () => {
    const store = new MemoryRecordStore();
    expect(await Vault.exists(store)).toBe(false);
    await Vault.create(store, PASSPHRASE, options);
    expect(await Vault.exists(store)).toBe(true);
  });

  it('unlock of a store without a vault is not_found', async () => {
    await expectVaultError(Vault.unlock(new MemoryRecordStore(), PASSPHRASE), 'not_found');
  });

  it.each([
    ['7 letters', 'seven77'],
    ['7 emoji (14 UTF-16 units)', '\u{1F511}'.repeat(7)],
    ['7 decomposed accents (14 code points before NFC)', 'e\u0301'.repeat(7)],
    ['nothing', ''],
  ])('create refuses a weak passphrase of %s and writes nothing', async (_what, passphrase) => {
    const store = new MemoryRecordStore();
    await expectVaultError(Vault.create(store, passphrase, options), 'weak_passphrase');
    expect(await snapshot(store)).toEqual([]);
  });

  it('create accepts a passphrase of exactly 8 characters', async () => {
    await expect(Vault.create(new MemoryRecordStore(), '\u{1F511}'.repeat(8), options)).resolves.toBeInstanceOf(Vault);
  });

  it('create refuses a store that already holds a vault (already_exists) and leaves it as it was', async () => {
    const { store, vault } = await newVault();
    await putOne(vault, 'contacts', '', 'bob', 'Bob');
    const before = await snapshot(store);
    await expectVaultError(Vault.create(store, 'another passphrase', options), 'already_exists');
    expect(await snapshot(store)).toEqual(before);
  });

  it('unlock with a wrong passphrase is wrong_passphrase and changes nothing but the failure count', async () => {
    const { store, vault } = await newVault();
    await putOne(vault, 'contacts', '', 'bob', 'Bob');
    const withoutCount = async () => (await snapshot(store)).filter((entry) => entry.key !== UNLOCK_BACKOFF_KEY);
    const before = await withoutCount();
    await expectVaultError(Vault.unlock(store, 'correct horse battery stapler'), 'wrong_passphrase');
    expect(await withoutCount()).toEqual(before);
    expect(await Vault.unlockBackoff(store)).toEqual({ failures: 1 });
  });

  it('the same passphrase typed with composed or decomposed accents unlocks (NFC)', async () => {
    const store = new MemoryRecordStore();
    await Vault.create(store, 'caf\u00e9 cr\u00e8me br\u00fbl\u00e9e', options);
    await expect(Vault.unlock(store, 'cafe\u0301 cre\u0300me bru\u0302le\u0301e')).resolves.toBeInstanceOf(Vault);
  });

  it('the header records version 1, the KDF costs used and a fresh salt', async () => {
    const first = await newVault();
    const second = await newVault();
    const header = (await first.store.get(VAULT_HEADER_KEY)) as Uint8Array;
    const view = new DataView(header.buffer, header.byteOffset);
    expect(header).toHaveLength(102);
    expect(header[0]).toBe(1);
    expect([view.getUint32(1), view.getUint32(5), view.getUint32(9)]).toEqual([256, 1, 1]);
    const otherHeader = (await second.store.get(VAULT_HEADER_KEY)) as Uint8Array;
    expect(Buffer.from(header.subarray(13, 29)).equals(Buffer.from(otherHeader.subarray(13, 29)))).toBe(false);
  });

  it.each([
    ['2 (newer)', 2],
    ['0', 0],
  ])('unlock refuses a header of unknown version %s (unsupported_version)', async (_what, version) => {
    const { store } = await newVault();
    await overwriteRaw(store, VAULT_HEADER_KEY, (header) => Uint8Array.of(version, ...header.subarray(1)));
    await expectVaultError(Vault.unlock(store, PASSPHRASE), 'unsupported_version');
  });

  it('unlock refuses a truncated or empty header (corrupt_record)', async () => {
    const { store } = await newVault();
    await overwriteRaw(store, VAULT_HEADER_KEY, (header) => header.subarray(0, 101));
    await expectVaultError(Vault.unlock(store, PASSPHRASE), 'corrupt_record');
    await overwriteRaw(store, VAULT_HEADER_KEY, () => new Uint8Array(0));
    await expectVaultError(Vault.unlock(store, PASSPHRASE), 'corrupt_record');
  });

  it.each([
    ['the memory cost (m)', 4],
    ['the passes (t)', 8],
    ['the salt', 20],
    ['the sealed vault key', 60],
  ])('a header with altered %s does not open with the right passphrase', async (_what, offset) => {
    const { store } = await newVault();
    await overwriteRaw(store, VAULT_HEADER_KEY, (header) => {
      const altered = header.slice();
      // ^ 0x02 keeps every cost in range: the derivation runs, with other costs or another salt.
      altered[offset] = (altered[offset] as number) ^ 0x02;
      return altered;
    });
    await expectVaultError(Vault.unlock(store, PASSPHRASE), 'wrong_passphrase');
  });

  it('a header with out-of-range KDF costs is refused (corrupt_record) before Argon2id runs', async () => {
    const { store } = await newVault();
    await overwriteRaw(store, VAULT_HEADER_KEY, (header) => {
      const altered = header.slice();
      new DataView(altered.buffer).setUint32(1, 0xffffffff);
      return altered;
    });
    await expectVaultError(Vault.unlock(store, PASSPHRASE), 'corrupt_record');
  });

  it('changePassphrase: the new passphrase opens the same records, the old one no longer does', async () => {
    const { store, vault } = await newVault();
    await putOne(vault, 'contacts', '', alice.address, alice);
    await vault.changePassphrase(PASSPHRASE, 'a brand new passphrase', options);
    expect(await vault.get('contacts', '', alice.address)).toEqual(alice);
    await expectVaultError(Vault.unlock(store, PASSPHRASE), 'wrong_passphrase');
    const reopened = await Vault.unlock(store, 'a brand new passphrase');
    expect(await reopened.get('contacts', '', alice.address)).toEqual(alice);
  });

  it('changePassphrase refuses a wrong old passphrase or a weak new one and changes nothing', async () => {
    const { store, vault } = await newVault();
    const before = await snapshot(store);
    await expectVaultError(
      vault.changePassphrase('not the passphrase', 'a brand new passphrase', options),
      'wrong_passphrase',
    );
    await expectVaultError(vault.changePassphrase(PASSPHRASE, 'short', options), 'weak_passphrase');
    expect(await snapshot(store)).toEqual(before);
  });
});

describe('Vault: lock and wipe', () => {
  it('after lock, reads, batches, commits and passphrase changes are refused (locked) and the keys are zeroed', async () => {
    const { vault } = await newVault();
    const pending = vault.batch().put('contacts', '', 'bob', 'Bob');
    const wipe = jest.spyOn(SecretBytes.prototype, 'wipe');
    vault.lock();
    // The vault key (kept for addPasskey), the record key and the index key.
    expect(wipe).toHaveBeenCalledTimes(3);
    wipe.mockRestore();
    expect(vault.isLocked).toBe(true);
    await expectVaultError(vault.get('contacts', '', 'bob'), 'locked');
    await expectVaultError(vault.list('contacts', ''), 'locked');
    await expectVaultError(() => vault.batch(), 'locked');
    await expectVaultError(() => pending.put('contacts', '', 'carol', 'Carol'), 'locked');
    await expectVaultError(vault.commit(pending), 'locked');
    await expectVaultError(vault.changePassphrase(PASSPHRASE, 'a brand new passphrase', options), 'locked');
  });

  it('a read in flight when the vault locks is refused (locked), not answered', async () => {
    const { vault } = await newVault();
    await putOne(vault, 'contacts', '', 'bob', 'Bob');
    const read = vault.get('contacts', '', 'bob');
    vault.lock();
    await expectVaultError(read, 'locked');
  });

  it('wipe deletes every entry, the header too, and locks', async () => {
    const { store, vault } = await newVault();
    await putOne(vault, 'contacts', '', 'bob', 'Bob');
    await vault.wipe();
    expect(await snapshot(store)).toEqual([]);
    expect(await Vault.exists(store)).toBe(false);
    await expectVaultError(vault.get('contacts', '', 'bob'), 'locked');
  });
});

describe('Vault on IndexedDB', () => {
  it('keeps its records across close and reopen of the database, and needs the passphrase again', async () => {
    const factory = freshIdbFactory();
    const store = await IndexedDbRecordStore.open('opendescent', factory);
    const vault = await Vault.create(store, PASSPHRASE, options);
    await putOne(vault, 'contacts', '', alice.address, alice);
    vault.lock();
    store.close();

    const reopenedStore = await IndexedDbRecordStore.open('opendescent', factory);
    expect(await Vault.exists(reopenedStore)).toBe(true);
    await expectVaultError(Vault.unlock(reopenedStore, 'not the passphrase'), 'wrong_passphrase');
    const reopened = await Vault.unlock(reopenedStore, PASSPHRASE);
    expect(await reopened.get('contacts', '', alice.address)).toEqual(alice);
    expect(await reopened.list('contacts', '')).toEqual([alice]);
    reopenedStore.close();
  });
});
