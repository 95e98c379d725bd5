/**
 * The unlock back-off (storage.md §5): wrong passphrases in a row are answered more and more
 * slowly, across reloads, and a successful unlock starts the count again.
 */
import * as crypto from '@opendescent/crypto';
import { IndexedDbRecordStore } from '../../src/store/indexeddb-record-store';
import { MemoryRecordStore } from '../../src/store/memory-record-store';
import {
  FREE_UNLOCK_ATTEMPTS,
  MAX_UNLOCK_DELAY_MS,
  UNLOCK_BACKOFF_KEY,
  unlockDelayMs,
  unlockRetryAt,
} from '../../src/store/unlock-backoff';
import { Vault } from '../../src/store/vault';
import { isVaultError, type VaultError } from '../../src/store/vault-error';
import { freshIdbFactory } from './fake-indexeddb';
import { CHEAP_KDF, expectVaultError, PASSPHRASE, snapshot } from './vault-helpers';

jest.mock('@opendescent/crypto', () => {
  const actual = jest.requireActual<typeof crypto>('@opendescent/crypto');
  return { ...actual, deriveStorageKey: jest.fn(actual.deriveStorageKey) };
});

const WRONG = 'not the passphrase at all';
const T0 = 1_800_000_000_000;

/** A clock the test moves by hand. */
function testClock(start = T0) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => void (now += ms),
    set: (at: number) => void (now = at),
  };
}

async function lockedVault(): Promise<MemoryRecordStore> {
  const store = new MemoryRecordStore();
  (await Vault.create(store, PASSPHRASE, { kdfParams: CHEAP_KDF })).lock();
  return store;
}

/** `count` wrong passphrases, each once the wait before it is over: afterwards the last wait runs. */
async function failTimes(
  store: MemoryRecordStore | IndexedDbRecordStore,
  count: number,
  clock: ReturnType<typeof testClock>,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    clock.advance(unlockDelayMs(i));
    await expectVaultError(Vault.unlock(store, WRONG, clock), 'wrong_passphrase');
  }
}

async function refusal(attempt: Promise<unknown>): Promise<VaultError> {
  const error = await attempt.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isVaultError(error)) throw new Error(`a VaultError was expected, got ${String(error)}`);
  return error;
}

describe('unlock back-off schedule', () => {
  it('answers the first 3 wrong passphrases at once, then waits 1 s doubling to a cap of 5 minutes', () => {
    const delays = Array.from({ length: 16 }, (_, i) => unlockDelayMs(i));
    expect(FREE_UNLOCK_ATTEMPTS).toBe(3);
    expect(delays).toEqual([0, 0, 0, 0, 1e3, 2e3, 4e3, 8e3, 16e3, 32e3, 64e3, 128e3, 256e3, 300e3, 300e3, 300e3]);
  });

  it('stays at the cap for any count, however large', () => {
    for (const failures of [100, 1_000, 0xffff_ffff]) expect(unlockDelayMs(failures)).toBe(MAX_UNLOCK_DELAY_MS);
  });

  it('lets the next try through at once when the last failure is in the future (the clock was set back)', () => {
    expect(unlockRetryAt({ failures: 10, lastFailureAt: T0 + 60_000 }, T0)).toBeUndefined();
    expect(unlockRetryAt({ failures: 10, lastFailureAt: T0 }, T0 + 1)).toBe(T0 + 64_000);
  });
});

describe('Vault.unlock back-off', () => {
  beforeEach(() => jest.mocked(crypto.deriveStorageKey).mockClear());

  it('slows the 5th try by 1 s after 4 wrong passphrases, refusing even the right one unlock_delayed', async () => {
    const store = await lockedVault();
    const clock = testClock();
    for (let i = 0; i < 4; i++) await expectVaultError(Vault.unlock(store, WRONG, clock), 'wrong_passphrase');
    expect(await Vault.unlockBackoff(store, clock.now())).toEqual({ failures: 4, retryAt: T0 + 1_000 });

    clock.advance(999);
    const early = await refusal(Vault.unlock(store, PASSPHRASE, clock));
    expect(early.code).toBe('unlock_delayed');
    expect(early.retryAt).toBe(T0 + 1_000);
    clock.advance(1);
    await expect(Vault.unlock(store, PASSPHRASE, clock)).resolves.toBeInstanceOf(Vault);
  });

  it('refuses during the delay without running Argon2id and without counting or writing anything', async () => {
    const store = await lockedVault();
    const clock = testClock();
    await failTimes(store, 6, clock);
    clock.advance(3_999); // 1 ms before the 4 s wait after the 6th failure ends
    const before = await snapshot(store);
    jest.mocked(crypto.deriveStorageKey).mockClear();
    await expectVaultError(Vault.unlock(store, WRONG, clock), 'unlock_delayed');
    expect(crypto.deriveStorageKey).not.toHaveBeenCalled();
    expect(await snapshot(store)).toEqual(before);
  });

  it('doubles the wait with each further wrong passphrase, up to 5 minutes', async () => {
    const store = await lockedVault();
    const clock = testClock();
    const waits: number[] = [];
    for (let i = 0; i < 15; i++) {
      await expectVaultError(Vault.unlock(store, WRONG, clock), 'wrong_passphrase');
      const { retryAt } = (await Vault.unlockBackoff(store, clock.now())) ?? {};
      waits.push(retryAt === undefined ? 0 : retryAt - clock.now());
      clock.set(retryAt ?? clock.now());
    }
    expect(waits).toEqual([0, 0, 0, 1e3, 2e3, 4e3, 8e3, 16e3, 32e3, 64e3, 128e3, 256e3, 300e3, 300e3, 300e3]);
  });

  it('keeps the count across a reload (the same IndexedDB opened again)', async () => {
    const factory = freshIdbFactory();
    const clock = testClock();
    const first = await IndexedDbRecordStore.open('opendescent', factory);
    (await Vault.create(first, PASSPHRASE, { kdfParams: CHEAP_KDF })).lock();
    await failTimes(first, 5, clock);
    first.close();

    const reloaded = await IndexedDbRecordStore.open('opendescent', factory);
    expect(await Vault.unlockBackoff(reloaded, clock.now())).toEqual({ failures: 5, retryAt: clock.now() + 2_000 });
    await expectVaultError(Vault.unlock(reloaded, PASSPHRASE, clock), 'unlock_delayed');
    reloaded.close();
  });

  it('a successful unlock clears the count: the next wrong passphrases are free again', async () => {
    const store = await lockedVault();
    const clock = testClock();
    for (let i = 0; i < 3; i++) await expectVaultError(Vault.unlock(store, WRONG, clock), 'wrong_passphrase');
    (await Vault.unlock(store, PASSPHRASE, clock)).lock();
    expect(await store.get(UNLOCK_BACKOFF_KEY)).toBeUndefined();
    expect(await Vault.unlockBackoff(store, clock.now())).toBeUndefined();
    for (let i = 0; i < 3; i++) await expectVaultError(Vault.unlock(store, WRONG, clock), 'wrong_passphrase');
    expect(await Vault.unlockBackoff(store, clock.now())).toEqual({ failures: 3 });
  });

  it('a passkey unlock is not slowed by the passphrase back-off, and clears the count', async () => {
    const store = new MemoryRecordStore();
    const vault = await Vault.create(store, PASSPHRASE, { kdfParams: CHEAP_KDF });
    const prfOutput = crypto.randomBytes(32);
    await vault.addPasskey(Uint8Array.of(7), crypto.randomBytes(32), prfOutput);
    vault.lock();
    const clock = testClock();
    await failTimes(store, 8, clock);
    await expectVaultError(Vault.unlock(store, PASSPHRASE, clock), 'unlock_delayed');

    await expect(Vault.unlockWithPasskey(store, prfOutput)).resolves.toBeInstanceOf(Vault);
    expect(await Vault.unlockBackoff(store, clock.now())).toBeUndefined();
    await expect(Vault.unlock(store, PASSPHRASE, clock)).resolves.toBeInstanceOf(Vault);
  });

  it('a wrong passkey counts nothing', async () => {
    const store = new MemoryRecordStore();
    const vault = await Vault.create(store, PASSPHRASE, { kdfParams: CHEAP_KDF });
    await vault.addPasskey(Uint8Array.of(7), crypto.randomBytes(32), crypto.randomBytes(32));
    for (let i = 0; i < 5; i++)
      await expectVaultError(Vault.unlockWithPasskey(store, crypto.randomBytes(32)), 'wrong_passphrase');
    expect(await Vault.unlockBackoff(store)).toBeUndefined();
  });

  it('counts every one of many wrong passphrases tried at the same time (attempts run one after another)', async () => {
    const store = await lockedVault();
    const clock = testClock();
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => Vault.unlock(store, WRONG, clock)));
    const codes = results.map((result) =>
      result.status === 'rejected' ? (result.reason as VaultError).code : 'unlocked',
    );
    // Four are tried (3 free, then the 4th starts the wait); the two after it wait.
    expect(codes).toEqual([
      'wrong_passphrase',
      'wrong_passphrase',
      'wrong_passphrase',
      'wrong_passphrase',
      'unlock_delayed',
      'unlock_delayed',
    ]);
    expect(await Vault.unlockBackoff(store, clock.now())).toEqual({ failures: 4, retryAt: T0 + 1_000 });
  });

  it('an unreadable count (unknown version, wrong length) counts as none rather than locking the owner out', async () => {
    for (const entry of [Uint8Array.of(9, ...new Uint8Array(12)), Uint8Array.of(1, 0, 0, 0, 50)]) {
      const store = await lockedVault();
      await store.apply([{ key: UNLOCK_BACKOFF_KEY, value: entry }]);
      expect(await Vault.unlockBackoff(store)).toBeUndefined();
      await expect(Vault.unlock(store, PASSPHRASE)).resolves.toBeInstanceOf(Vault);
      expect(await store.get(UNLOCK_BACKOFF_KEY)).toBeUndefined();
    }
  });

  it('wipe deletes the count with everything else', async () => {
    const store = await lockedVault();
    await expectVaultError(Vault.unlock(store, WRONG), 'wrong_passphrase');
    await (await Vault.unlock(store, PASSPHRASE)).wipe();
    expect(await snapshot(store)).toEqual([]);
  });

  it('stores a 13-byte clear-text entry: version 1, u32be count, u64be time of the last failure', async () => {
    const store = await lockedVault();
    await expectVaultError(Vault.unlock(store, WRONG, testClock()), 'wrong_passphrase');
    await expectVaultError(Vault.unlock(store, WRONG, testClock(T0 + 5)), 'wrong_passphrase');
    const entry = (await store.get(UNLOCK_BACKOFF_KEY)) as Uint8Array;
    expect(Buffer.from(entry).toString('hex')).toBe('01' + '00000002' + (T0 + 5).toString(16).padStart(16, '0'));
  });
});
