/**
 * The one contract every RecordStore meets (STYLE.md, principle 10): run by
 * memory-record-store.spec.ts and indexeddb-record-store.spec.ts.
 */
import type { RawWrite, RecordStore } from '../../src/store/record-store';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const put = (key: string, ...values: number[]): RawWrite => ({ key, value: bytes(...values) });
const keysOf = async (store: RecordStore, prefix: string): Promise<string[]> =>
  (await store.list(prefix)).map((entry) => entry.key);

export function describeRecordStoreContract(name: string, openStore: () => Promise<RecordStore>): void {
  describe(`${name}: the RecordStore contract`, () => {
    let store: RecordStore;
    beforeEach(async () => {
      store = await openStore();
    });
    afterEach(() => store.close());

    it('returns undefined for a key never written', async () => {
      await expect(store.get('missing')).resolves.toBeUndefined();
    });

    it('returns the bytes written, byte for byte', async () => {
      await store.apply([put('a', 0, 1, 255), put('empty')]);
      expect(await store.get('a')).toEqual(bytes(0, 1, 255));
      expect(await store.get('empty')).toEqual(bytes());
    });

    it('lists only the keys with the prefix, in UTF-16 code unit order', async () => {
      const keys = ['p:b', 'p:\u00e9', 'p:a\uffff', 'p:a', 'p', 'q:a', 'o:z', 'p;'];
      await store.apply(keys.map((key, i) => put(key, i)));
      expect(await keysOf(store, 'p:')).toEqual(['p:a', 'p:a\uffff', 'p:b', 'p:\u00e9']);
      expect(await keysOf(store, 'p:a\uffff')).toEqual(['p:a\uffff']);
      expect(await keysOf(store, 'zz')).toEqual([]);
      expect(await keysOf(store, '')).toEqual(['o:z', 'p', 'p:a', 'p:a\uffff', 'p:b', 'p:\u00e9', 'p;', 'q:a']);
      const listed = await store.list('p:');
      expect(listed.map((entry) => entry.value)).toEqual([bytes(3), bytes(2), bytes(0), bytes(1)]);
      // keys() is list() without the values.
      for (const prefix of ['p:', 'p:a\uffff', 'zz', ''])
        expect(await store.keys(prefix)).toEqual(await keysOf(store, prefix));
    });

    it('reads the entries between two keys, both included, in UTF-16 code unit order', async () => {
      const keys = ['a:01', 'a:02', 'a:02x', 'a:03', 'a:04', 'b:01', 'a:\u00e9'];
      await store.apply(keys.map((key, i) => put(key, i)));
      const between = async (first: string, last: string) =>
        (await store.between(first, last)).map((entry) => [entry.key, ...entry.value]);
      expect(await between('a:02', 'a:03')).toEqual([
        ['a:02', 1],
        ['a:02x', 2],
        ['a:03', 3],
      ]);
      expect(await between('a:03', 'a:03')).toEqual([['a:03', 3]]);
      expect(await between('a:05', 'a:\u00e9')).toEqual([['a:\u00e9', 6]]);
      expect(await between('a:03', 'a:02')).toEqual([]);
      expect(await between('c', 'd')).toEqual([]);
    });

    it('applies a batch in order: a later write to the same key wins, null deletes', async () => {
      await store.apply([put('a', 1), put('b', 2)]);
      await store.apply([put('a', 3), { key: 'b', value: null }, put('a', 4), { key: 'never', value: null }]);
      expect(await store.get('a')).toEqual(bytes(4));
      expect(await store.get('b')).toBeUndefined();
      expect(await keysOf(store, '')).toEqual(['a']);
    });

    it('an empty batch changes nothing', async () => {
      await store.apply([put('a', 1)]);
      await store.apply([]);
      expect(await store.list('')).toEqual([{ key: 'a', value: bytes(1) }]);
    });

    it.each([
      ['a key that is not a string', { key: 7 as unknown as string, value: bytes(9) }],
      ['a value that is not bytes', { key: 'c', value: [9] as unknown as Uint8Array }],
    ])('a batch with %s in the middle writes nothing at all', async (_what, badWrite) => {
      await store.apply([put('a', 1)]);
      await expect(store.apply([put('a', 2), put('b', 2), badWrite, put('d', 2)])).rejects.toThrow(TypeError);
      expect(await store.list('')).toEqual([{ key: 'a', value: bytes(1) }]);
    });

    it('clear deletes every entry', async () => {
      await store.apply([put('a', 1), put('meta:x', 2)]);
      await store.clear();
      expect(await store.list('')).toEqual([]);
      expect(await store.get('a')).toBeUndefined();
    });

    it('copies bytes in and out: a caller mutating its arrays cannot change what is stored', async () => {
      const written = bytes(1, 2, 3);
      await store.apply([{ key: 'a', value: written }]);
      written[0] = 99;
      const read = await store.get('a');
      read?.fill(0);
      const [listed] = await store.list('a');
      listed?.value.fill(0);
      expect(await store.get('a')).toEqual(bytes(1, 2, 3));
      expect(await store.list('')).toEqual([{ key: 'a', value: bytes(1, 2, 3) }]);
    });

    it('stores only the bytes a subarray views, not the rest of its buffer', async () => {
      const buffer = bytes(0xaa, 1, 2, 0xbb);
      await store.apply([{ key: 'a', value: buffer.subarray(1, 3) }]);
      const read = await store.get('a');
      expect(read).toEqual(bytes(1, 2));
      expect(read?.buffer.byteLength).toBe(2);
    });

    it('refuses to be used after close', async () => {
      store.close();
      await expect(store.get('a')).rejects.toThrow();
      await expect(store.apply([put('a', 1)])).rejects.toThrow();
    });
  });
}
