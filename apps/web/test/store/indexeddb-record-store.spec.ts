import { IndexedDbRecordStore, MIGRATIONS, SCHEMA_VERSION } from '../../src/store/indexeddb-record-store';
import { STORE_NAMES } from '../../src/store/record-store';
import { freshIdbFactory, openRawDatabase } from './fake-indexeddb';
import { describeRecordStoreContract } from './record-store-contract';

describeRecordStoreContract('IndexedDbRecordStore', () => IndexedDbRecordStore.open('contract', freshIdbFactory()));

describe('IndexedDbRecordStore: schema and lifetime', () => {
  it('migration 1 creates the one entries store, at schema version 1', async () => {
    expect(MIGRATIONS).toHaveLength(SCHEMA_VERSION);
    const factory = freshIdbFactory();
    (await IndexedDbRecordStore.open('od', factory)).close();
    const db = await openRawDatabase(factory, 'od');
    expect(db.version).toBe(1);
    expect([...db.objectStoreNames]).toEqual([...STORE_NAMES]);
    db.close();
  });

  it('refuses a database written by a newer client, leaving it as it was', async () => {
    const factory = freshIdbFactory();
    (await openRawDatabase(factory, 'od', SCHEMA_VERSION + 1)).close();
    await expect(IndexedDbRecordStore.open('od', factory)).rejects.toThrow(/newer client/);
    const db = await openRawDatabase(factory, 'od');
    expect(db.version).toBe(SCHEMA_VERSION + 1);
    db.close();
  });

  it('keeps its entries when closed and reopened by name on the same factory', async () => {
    const factory = freshIdbFactory();
    const first = await IndexedDbRecordStore.open('od', factory);
    await first.apply([{ key: 'a', value: Uint8Array.of(1, 2) }]);
    first.close();
    const second = await IndexedDbRecordStore.open('od', factory);
    expect(await second.get('a')).toEqual(Uint8Array.of(1, 2));
    second.close();
  });

  it('does not block a newer schema opened elsewhere: it closes on versionchange', async () => {
    const factory = freshIdbFactory();
    const store = await IndexedDbRecordStore.open('od', factory);
    const newer = await openRawDatabase(factory, 'od', SCHEMA_VERSION + 1);
    expect(newer.version).toBe(SCHEMA_VERSION + 1);
    newer.close();
    await expect(store.get('a')).rejects.toThrow();
  });
});
