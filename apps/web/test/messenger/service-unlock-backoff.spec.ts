/**
 * The worker's side of the unlock back-off (storage.md §5): the refusal the UI receives and the
 * wait the snapshot carries, on the service's own clock. No relay or admin app is needed before
 * enrolment, so both are stubs that must never be used.
 */
import type { MessengerApi, MessengerErrorShape } from '../../src/messenger/api';
import type { AdminPort, RelayPort } from '../../src/messenger/ports';
import { createMessengerService } from '../../src/messenger/service';
import { MemoryRecordStore } from '../../src/store';

const PASSPHRASE = 'correct horse battery staple';
const T0 = 1_800_000_000_000;

const unused = (): never => {
  throw new Error('the admin app and the relays must not be called before enrolment');
};
const admin: AdminPort = {
  enrol: unused,
  renew: unused,
  lookup: unused,
  revocationList: unused,
  org: unused,
  logHead: unused,
  logInclusion: unused,
  logConsistency: unused,
  tokenKeys: unused,
  tokens: unused,
  certify: unused,
};

function newService(clock: { now: number }): MessengerApi {
  const store = new MemoryRecordStore();
  return createMessengerService(
    { relayUrls: [], adminUrl: 'http://admin.invalid', revocationPollSeconds: 60 },
    () => undefined,
    {
      openStore: async () => store,
      admin: () => admin,
      relayFactory: unused as unknown as (url: string) => RelayPort,
      now: () => clock.now,
      vaultOptions: { kdfParams: { memoryKiB: 256, iterations: 1, parallelism: 1 } },
    },
  );
}

async function refusal(promise: Promise<unknown>): Promise<MessengerErrorShape | undefined> {
  return (await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )) as MessengerErrorShape | undefined;
}

describe('messenger service: unlock back-off', () => {
  it('after 4 wrong passphrases refuses unlock_delayed until the snapshot’s unlockRetryAt, then unlocks', async () => {
    const clock = { now: T0 };
    const api = newService(clock);
    await api.createVault(PASSPHRASE);
    await api.lock();
    for (let i = 0; i < 3; i++)
      expect((await refusal(api.unlock('not the passphrase')))?.code).toBe('wrong_passphrase');
    expect((await api.snapshot()).unlockRetryAt).toBeUndefined();
    expect((await refusal(api.unlock('not the passphrase')))?.code).toBe('wrong_passphrase');
    expect((await api.snapshot()).unlockRetryAt).toBe(T0 + 1_000);

    expect((await refusal(api.unlock(PASSPHRASE)))?.code).toBe('unlock_delayed');
    clock.now = T0 + 1_000;
    expect((await api.snapshot()).unlockRetryAt).toBeUndefined();
    await api.unlock(PASSPHRASE);
    expect((await api.snapshot()).vault).toBe('unlocked');
  }, 30_000); // seven Argon2id runs, slow inside Jest's vm
});
