/**
 * Records at rest are padded to size buckets (storage.md §3.1): what a copy of the store shows of
 * a message's length, that records written before the padding still open, and that a malformed
 * frame is refused.
 */
import * as crypto from '@opendescent/crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryRecordStore } from '../../src/store/memory-record-store';
import * as padding from '../../src/store/record-padding';
import { Vault } from '../../src/store/vault';
import { CHEAP_KDF, expectVaultError, PASSPHRASE } from './vault-helpers';

jest.mock('../../src/store/record-padding', () => {
  const actual = jest.requireActual<typeof padding>('../../src/store/record-padding');
  return { ...actual, padRecordPlaintext: jest.fn(actual.padRecordPlaintext) };
});
jest.mock('@opendescent/crypto', () => {
  const actual = jest.requireActual<typeof crypto>('@opendescent/crypto');
  return { ...actual, sealRecord: jest.fn(actual.sealRecord), openRecord: jest.fn(actual.openRecord) };
});

/** The sealed size of a record: the at-rest version byte, nonce and tag (crypto.md §8.2) around the framed plaintext. */
const SEALED_OVERHEAD = 41;
const BUCKETS = [256, 512, 1024, 2048, 4096, 8192, 16_384, 32_768].map((bucket) => bucket + SEALED_OVERHEAD);

/** A message record shaped like the messenger's (messenger/records.ts). */
const message = (id: string, text: string) => ({
  v: 1,
  id,
  conversationId: 'conversation-7f3a9c',
  sender: { address: 'alice.liddell@wonderland.example', displayName: 'Alice Liddell', deviceId: 'ab'.repeat(16) },
  mine: false,
  text,
  sentAt: 1_700_000_000_000,
  receivedAt: 1_700_000_000_500,
});

async function newVault(): Promise<{ store: MemoryRecordStore; vault: Vault }> {
  const store = new MemoryRecordStore();
  return { store, vault: await Vault.create(store, PASSPHRASE, { kdfParams: CHEAP_KDF }) };
}

async function storedSize(store: MemoryRecordStore, vault: Vault, id: string, text: string): Promise<number> {
  const before = new Set((await store.list('r:')).map((entry) => entry.key));
  await vault.commit(vault.batch().put('messages', 'conversation-7f3a9c', id, message(id, text)));
  const added = (await store.list('r:')).find((entry) => !before.has(entry.key));
  if (!added) throw new Error('no record written');
  return added.value.length;
}

describe('Vault: record sizes at rest', () => {
  it('records for 2-, 500- and 3,000-character messages have sizes from a small set of buckets', async () => {
    const { store, vault } = await newVault();
    const sizes = {
      2: await storedSize(store, vault, 'm2', 'hi'),
      500: await storedSize(store, vault, 'm500', 'a'.repeat(500)),
      3000: await storedSize(store, vault, 'm3000', 'b'.repeat(3000)),
    };
    // Unpadded, each size gave the text's length away to the byte.
    expect(sizes).toEqual({ 2: 512 + SEALED_OVERHEAD, 500: 1024 + SEALED_OVERHEAD, 3000: 4096 + SEALED_OVERHEAD });
  });

  it('messages of different lengths in one bucket are stored at the same size', async () => {
    const { store, vault } = await newVault();
    const sizes = new Set<number>();
    for (const length of [0, 1, 2, 10, 40, 80, 160, 200])
      sizes.add(await storedSize(store, vault, `m${length}`, 'x'.repeat(length)));
    expect([...sizes]).toEqual([512 + SEALED_OVERHEAD]);
  });

  it('every record size, whatever the content, is one of the buckets', async () => {
    const { store, vault } = await newVault();
    for (const length of [0, 100, 333, 999, 1_500, 2_222, 4_000]) {
      expect(BUCKETS).toContain(await storedSize(store, vault, `m${length}`, '\u{1F511}é'.repeat(length / 2)));
    }
  });
});

describe('Vault: records written before the padding (format 1)', () => {
  /** A vault written by the client before record padding (commit 55ce6da), as IndexedDB held it. */
  const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures/vault-v1-unpadded.json'), 'utf8')) as {
    passphrase: string;
    entries: { key: string; value: string }[];
  };
  async function legacyStore(): Promise<MemoryRecordStore> {
    const store = new MemoryRecordStore();
    await store.apply(
      fixture.entries.map(({ key, value }) => ({ key, value: Uint8Array.from(Buffer.from(value, 'hex')) })),
    );
    return store;
  }

  it('still open, and keep their exact sizes until rewritten', async () => {
    const store = await legacyStore();
    const sizesBefore = (await store.list('r:')).map((entry) => entry.value.length).sort((a, b) => a - b);
    expect(sizesBefore).toEqual([98, 143, 1095]); // unpadded: exact lengths

    const vault = await Vault.unlock(store, fixture.passphrase);
    expect(await vault.get('contacts', '', 'alice.liddell@wonderland.example')).toEqual({
      v: 1,
      address: 'alice.liddell@wonderland.example',
      displayName: 'Alice Liddell',
      key: Uint8Array.of(1, 2, 3),
    });
    const messages = await vault.list<{ id: string; text: string }>('messages', 'conversation-1');
    expect(messages.map((m) => [m.id, m.text.length]).sort()).toEqual([
      ['m-long', 500],
      ['m-short', 2],
    ]);
  });

  it('are padded once rewritten, next to old ones in the same group', async () => {
    const store = await legacyStore();
    const vault = await Vault.unlock(store, fixture.passphrase);
    const short = await vault.get<{ text: string }>('messages', 'conversation-1', 'm-short');
    await vault.commit(vault.batch().put('messages', 'conversation-1', 'm-short', { ...short, text: 'hi!' }));
    const sizes = (await store.list('r:')).map((entry) => entry.value.length).sort((a, b) => a - b);
    expect(sizes).toEqual([143, 256 + SEALED_OVERHEAD, 1095]);
    expect((await vault.list<{ text: string }>('messages', 'conversation-1')).map((m) => m.text.length).sort()).toEqual(
      [3, 500],
    );
  });
});

describe('Vault: malformed frames and plaintext copies', () => {
  it('refuses a record whose padding is malformed (corrupt_record) and one framed by a newer client (unsupported_version)', async () => {
    const { vault } = await newVault();
    const actual = jest.requireActual<typeof padding>('../../src/store/record-padding');
    const badPadding = (content: Uint8Array) => {
      const framed = actual.padRecordPlaintext(content);
      framed[framed.length - 1] = 0x01;
      return framed;
    };
    jest.mocked(padding.padRecordPlaintext).mockImplementationOnce(badPadding);
    await vault.commit(vault.batch().put('t', 'g', 'bad-padding', { text: 'hello' }));
    await expectVaultError(vault.get('t', 'g', 'bad-padding'), 'corrupt_record');
    await expectVaultError(vault.list('t', 'g'), 'corrupt_record');

    const newerFrame = (content: Uint8Array) => Uint8Array.of(0x03, ...actual.padRecordPlaintext(content).subarray(1));
    jest.mocked(padding.padRecordPlaintext).mockImplementationOnce(newerFrame);
    await vault.commit(vault.batch().put('t', 'h', 'newer', { text: 'hello' }));
    await expectVaultError(vault.get('t', 'h', 'newer'), 'unsupported_version');
  });

  it('zeroes every plaintext copy it made once a record is sealed or read', async () => {
    const { vault } = await newVault();
    jest.mocked(crypto.sealRecord).mockClear();
    jest.mocked(crypto.openRecord).mockClear();
    await vault.commit(vault.batch().put('t', 'g', 'secret', { text: 'Meet me at the rabbit hole at noon' }));
    expect(await vault.get('t', 'g', 'secret')).toEqual({ text: 'Meet me at the rabbit hole at noon' });

    const sealedPlaintexts = jest.mocked(crypto.sealRecord).mock.calls.map((call) => call[1]);
    const openedPlaintexts = jest.mocked(crypto.openRecord).mock.results.map((result) => result.value as Uint8Array);
    expect(sealedPlaintexts).toHaveLength(1);
    expect(openedPlaintexts).toHaveLength(1);
    for (const plaintext of [...sealedPlaintexts, ...openedPlaintexts])
      expect(plaintext.every((byte) => byte === 0)).toBe(true);
    // The unpadded encoding handed to the padding, too.
    const content = jest.mocked(padding.padRecordPlaintext).mock.lastCall?.[0] as Uint8Array;
    expect(content.every((byte) => byte === 0)).toBe(true);
  });
});
