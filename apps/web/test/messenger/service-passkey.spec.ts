/**
 * The worker's passkey commands (storage.md §2.1): the UI hands over the PRF output, the service
 * seals the vault key with it and unlocks with it. No relay or admin app is needed before
 * enrolment, so both are stubs that must never be used.
 */
import { randomBytes } from '@opendescent/crypto';
import type { ClientSnapshot, MessengerApi, MessengerErrorShape } from '../../src/messenger/api';
import type { AdminPort, RelayPort } from '../../src/messenger/ports';
import { createMessengerService } from '../../src/messenger/service';
import { encodeBase64Url } from '@opendescent/protocol';
import { MemoryRecordStore, VAULT_PASSKEY_HEADER_KEY } from '../../src/store';

const PASSPHRASE = 'correct horse battery staple';

const unused = (): never => {
  throw new Error('the admin app must not be called before enrolment');
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

/** A relay that never connects. */
function offlineRelay(url: string): RelayPort {
  const never = () => Promise.reject(new Error('offline'));
  return {
    url,
    status: 'offline',
    start: () => undefined,
    stop: () => undefined,
    onStatus: () => undefined,
    onRevocation: () => undefined,
    onTokenRefused: () => undefined,
    onDeliver: () => undefined,
    onSubscriptionError: () => undefined,
    createQueue: never,
    putMany: never,
    putShared: never,
    fetchShared: never,
    createAttachment: never,
    subscribe: never,
    ack: never,
    publishPrekeys: never,
    fetchPrekeys: never,
    claimPrekeys: never,
  };
}

function newService(): { api: MessengerApi; store: MemoryRecordStore } {
  const store = new MemoryRecordStore();
  const api = createMessengerService(
    { relayUrls: ['ws://relay.invalid'], adminUrl: 'http://admin.invalid', revocationPollSeconds: 60 },
    () => undefined,
    {
      openStore: async () => store,
      admin: () => admin,
      relayFactory: offlineRelay,
      now: () => Date.now(),
      vaultOptions: { kdfParams: { memoryKiB: 1024, iterations: 1, parallelism: 1 } },
    },
  );
  return { api, store };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = (await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )) as MessengerErrorShape | undefined;
  return error?.code ?? 'resolved';
}

const passkeyOf = (snapshot: ClientSnapshot) => snapshot.passkey;

describe('messenger service: passkey unlock', () => {
  it('enables a passkey, shows it while locked, unlocks with the right PRF output only, and disables it', async () => {
    const { api, store } = newService();
    await api.createVault(PASSPHRASE);
    expect(passkeyOf(await api.snapshot())).toBeUndefined();

    const credentialId = encodeBase64Url(randomBytes(16));
    const prfSalt = encodeBase64Url(randomBytes(32));
    const prfOutput = randomBytes(32);
    const sent = prfOutput.slice();
    await api.enablePasskey(credentialId, prfSalt, sent);
    // The service zeroes the copy it was handed (in the browser, the worker's structured clone).
    expect(sent).toEqual(new Uint8Array(32));

    await api.lock();
    const locked = await api.snapshot();
    expect(locked.vault).toBe('locked');
    expect(locked.passkey).toEqual({ credentialId, prfSalt });

    const before = await store.list('');
    expect(await refusal(api.unlockWithPasskey(randomBytes(32)))).toBe('wrong_passphrase');
    expect((await api.snapshot()).vault).toBe('locked');
    expect(await store.list('')).toEqual(before);

    await api.unlockWithPasskey(prfOutput.slice());
    expect((await api.snapshot()).vault).toBe('unlocked');

    await api.disablePasskey();
    expect(passkeyOf(await api.snapshot())).toBeUndefined();
    expect(await store.get(VAULT_PASSKEY_HEADER_KEY)).toBeUndefined();

    await api.lock();
    expect(await refusal(api.unlockWithPasskey(prfOutput.slice()))).toBe('internal');
    await api.unlock(PASSPHRASE);
    expect((await api.snapshot()).vault).toBe('unlocked');
  });

  it('refuses to enable or disable a passkey while locked (locked)', async () => {
    const { api } = newService();
    await api.createVault(PASSPHRASE);
    await api.lock();
    expect(
      await refusal(
        api.enablePasskey(encodeBase64Url(randomBytes(16)), encodeBase64Url(randomBytes(32)), randomBytes(32)),
      ),
    ).toBe('locked');
    expect(await refusal(api.disablePasskey())).toBe('locked');
    expect((await api.snapshot()).passkey).toBeUndefined();
  });

  it('refuses a malformed salt or a PRF output that is not 32 bytes, and stores no passkey', async () => {
    const { api } = newService();
    await api.createVault(PASSPHRASE);
    const id = encodeBase64Url(randomBytes(16));
    expect(await refusal(api.enablePasskey(id, encodeBase64Url(randomBytes(16)), randomBytes(32)))).toBe('internal');
    expect(await refusal(api.enablePasskey(id, 'not base64url!', randomBytes(32)))).toBe('internal');
    expect(await refusal(api.enablePasskey(id, encodeBase64Url(randomBytes(32)), randomBytes(31)))).toBe('internal');
    expect((await api.snapshot()).passkey).toBeUndefined();
  });

  it('wipe removes the passkey with everything else', async () => {
    const { api } = newService();
    await api.createVault(PASSPHRASE);
    await api.enablePasskey(encodeBase64Url(randomBytes(16)), encodeBase64Url(randomBytes(32)), randomBytes(32));
    await api.wipe();
    const wiped = await api.snapshot();
    expect(wiped.vault).toBe('none');
    expect(wiped.passkey).toBeUndefined();
  });
});
