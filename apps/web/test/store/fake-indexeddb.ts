/**
 * IndexedDB for tests, from fake-indexeddb. idb recognises IndexedDB objects with `instanceof` on
 * the global IDB* classes (a browser and a worker have them), so those classes are installed as
 * globals; the factory is not: each test makes a fresh, empty one and passes it in.
 */
import * as fake from 'fake-indexeddb';

const INTERFACE_CLASSES = [
  'IDBCursor',
  'IDBCursorWithValue',
  'IDBDatabase',
  'IDBIndex',
  'IDBKeyRange',
  'IDBObjectStore',
  'IDBOpenDBRequest',
  'IDBRequest',
  'IDBTransaction',
  'IDBVersionChangeEvent',
] as const;

for (const name of INTERFACE_CLASSES) {
  Object.defineProperty(globalThis, name, { value: fake[name], configurable: true, writable: true });
}

export function freshIdbFactory(): IDBFactory {
  return new fake.IDBFactory();
}

/** Opens `name` on `factory` without the store's code, to inspect what is on disk. */
export function openRawDatabase(factory: IDBFactory, name: string, version?: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, version);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}
