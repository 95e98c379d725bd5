/**
 * Devices for the messenger's tests: each a MessengerApi (the worker's service) with its own
 * store, the real RelayClient, the organisation played by FakeAdmin, cheap Argon2id costs, and a
 * clock that a test may move forward.
 */
import { IndexedDbRecordStore, MemoryRecordStore, type RecordStore } from '../../src/store';
import { RelayClient } from '@opendescent/relay-client';
import { createMessengerService } from '../../src/messenger/service';
import type { ClientSnapshot, MessengerApi, MessengerEvent } from '../../src/messenger/api';
import type { RelayFactory, Tamper } from '../../src/messenger/ports';
import type { DirectTiming } from '../../src/messenger/direct/direct-channels';
import type { DirectHostPort } from '../../src/messenger/direct/direct-ports';
import { FakeAdmin } from './fake-admin';
import { RelayProcess, newOrg } from '../net/support/relay-process';
import { freshIdbFactory } from '../store/fake-indexeddb';

export const PASSPHRASE = 'correct horse battery staple';
const CHEAP_KDF = { kdfParams: { memoryKiB: 1024, iterations: 1, parallelism: 1 } };

export interface TestMessenger {
  readonly name: string;
  readonly api: MessengerApi;
  readonly store: RecordStore;
  /** ms added to this device's clock. */
  clockOffset: number;
  latest: ClientSnapshot | undefined;
  /** Every message delta the page would have been sent (messages_changed), in order. */
  readonly deltas: Extract<MessengerEvent, { type: 'messages_changed' }>[];
  /** Who the page was last told is typing, per conversation (the `typing` event). */
  readonly typing: Map<string, readonly string[]>;
}

export async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface DeviceOptions {
  /** One relay, or several (the first holds the contact slots, messages.md §2). */
  readonly relayUrl: string | readonly string[];
  readonly admin: FakeAdmin;
  /** An IndexedDB (fake-indexeddb, in memory) instead of the memory store. */
  readonly indexedDb?: boolean;
  /** How often the admin app's revocation list is polled (default 1 s). */
  readonly revocationPollSeconds?: number;
  /** How often the transparency log is checked (default: the messenger's, 30 minutes). */
  readonly logCheckSeconds?: number;
  /** How often a device looks its own address up for unapproved devices (default: the messenger's, 10 minutes). */
  readonly ownDevicesCheckSeconds?: number;
  /** Instead of the real RelayClient with a short backoff. */
  readonly relayFactory?: RelayFactory;
  /** A member whose client writes what it likes into what it sends (ports.ts Tamper). */
  readonly tamper?: Tamper;
  /** false: returns once enrolled, without waiting for its prekeys to be published (default true). */
  readonly reachable?: boolean;
  /** Direct channels through this host (a FakeDirectNetwork's), with these timeouts. */
  readonly direct?: DirectHostPort;
  readonly directTiming?: DirectTiming;
  /** Received files up to this size are fetched on arrival (the app's AUTO_DOWNLOAD_BYTES when absent). */
  readonly autoDownloadBytes?: number;
}

export async function enrolDevice(
  name: string,
  address: string,
  displayName: string,
  options: DeviceOptions,
): Promise<TestMessenger> {
  let store: RecordStore;
  if (options.indexedDb) {
    store = await IndexedDbRecordStore.open(`messenger-${name}`, freshIdbFactory());
  } else {
    store = new MemoryRecordStore();
  }
  const entry = {
    name,
    store,
    clockOffset: 0,
    latest: undefined,
    deltas: [],
    typing: new Map(),
  } as unknown as TestMessenger;
  const api = createMessengerService(
    {
      relayUrls: typeof options.relayUrl === 'string' ? [options.relayUrl] : [...options.relayUrl],
      adminUrl: 'http://admin.invalid',
      revocationPollSeconds: options.revocationPollSeconds ?? 1,
      ...(options.logCheckSeconds !== undefined ? { logCheckSeconds: options.logCheckSeconds } : {}),
      ...(options.ownDevicesCheckSeconds !== undefined
        ? { ownDevicesCheckSeconds: options.ownDevicesCheckSeconds }
        : {}),
    },
    (event) => {
      if (event.type === 'snapshot') entry.latest = event.snapshot;
      if (event.type === 'messages_changed') entry.deltas.push(event);
      if (event.type === 'typing') entry.typing.set(event.conversationId, event.addresses);
    },
    {
      openStore: async () => store,
      admin: () => options.admin.port,
      relayFactory:
        options.relayFactory ??
        ((url, credentials) => new RelayClient({ url, credentials, backoff: { initialMs: 50, maxMs: 500 } })),
      now: () => Date.now() + entry.clockOffset,
      vaultOptions: CHEAP_KDF,
      ...(options.tamper ? { tamper: options.tamper } : {}),
      ...(options.direct ? { direct: options.direct } : {}),
      ...(options.directTiming ? { directTiming: options.directTiming } : {}),
      ...(options.autoDownloadBytes !== undefined ? { autoDownloadBytes: options.autoDownloadBytes } : {}),
    },
  );
  (entry as { api: MessengerApi }).api = api;
  await api.createVault(PASSPHRASE);
  await api.enrol(options.admin.code(address, displayName));
  if (options.reachable !== false)
    await eventually(async () => (await api.snapshot()).device?.reachable, `${name} reachable`);
  return entry;
}

export async function texts(api: MessengerApi, conversationId: string): Promise<string[]> {
  return (await api.messages(conversationId)).filter((m) => m.text !== undefined).map((m) => m.text as string);
}

export async function conversationWith(api: MessengerApi, predicate: (title: string) => boolean): Promise<string> {
  return eventually(
    async () => (await api.snapshot()).conversations.find((c) => predicate(c.title))?.id,
    'a conversation',
  );
}

/**
 * The device link as a person does it (user-keys.md §3.3): the new device shows its offer, an
 * approved device of the same person types the code and approves it, and the user key arrives.
 */
export async function linkDevice(newDevice: TestMessenger, approving: TestMessenger): Promise<void> {
  const offer = await newDevice.api.startDeviceLink();
  await approving.api.approveDeviceLink(offer.code);
  await eventually(
    async () => (await newDevice.api.snapshot()).device?.approval === 'approved',
    `${newDevice.name} approved by ${approving.name}`,
  );
}

/** A spec's organisation: a REAL relay (child process), FakeAdmin, and every device enrolled, locked at the end. */
export interface SpecWorld {
  readonly relay: RelayProcess;
  readonly admin: FakeAdmin;
  readonly devices: TestMessenger[];
}

/** Starts the organisation before the spec's tests and stops it after them (Jest hooks); read it inside tests. */
/** `relayEnv`: settings for the one relay process the file's tests share (an attachment folder to look into, say). */
export function useSpecWorld(relayEnv: Record<string, string> = {}): SpecWorld {
  const world = { devices: [] as TestMessenger[] } as {
    relay: RelayProcess;
    admin: FakeAdmin;
    devices: TestMessenger[];
  };
  beforeAll(async () => {
    const org = await newOrg();
    world.relay = await RelayProcess.start(org, relayEnv);
    world.admin = new FakeAdmin(org);
  }, 60_000);
  afterAll(async () => {
    for (const d of world.devices) await d.api.lock().catch(() => undefined);
    await world.relay?.stop();
  });
  return world;
}
