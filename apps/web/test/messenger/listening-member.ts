/**
 * A device that should no longer read a group (removed, or its approval lost) but keeps listening
 * on its queues and keeps the old Sender Key, and a relay that hands it copies of what a member
 * sends to the others, as a relay dump or a live operator could (A2). The sender's relay client
 * records every blob it puts; the sender's vault is read (locked) to see its group key.
 */
import { RelayClient } from '@opendescent/relay-client';
import type { RelayFactory } from '../../src/messenger/ports';
import { TABLES, type GroupKeyRecord, type PeerRecord } from '../../src/messenger/records';
import { Vault } from '../../src/store';
import { PASSPHRASE, eventually, texts, type TestMessenger } from './support';

const CHEAP_KDF = { kdfParams: { memoryKiB: 1024, iterations: 1, parallelism: 1 } };

/** The real client, recording every blob it puts and where. */
export class RecordingRelay extends RelayClient {
  readonly recorded: { senderId: Uint8Array; blob: Uint8Array }[] = [];

  /** Every shared blob it stored (relay.md §3.13), in order. */
  readonly shared: Uint8Array[] = [];

  override putMany(...args: Parameters<RelayClient['putMany']>): ReturnType<RelayClient['putMany']> {
    this.recorded.push(...args[0].map(({ senderId, blob }) => ({ senderId, blob })));
    return super.putMany(...args);
  }

  override putShared(...args: Parameters<RelayClient['putShared']>): ReturnType<RelayClient['putShared']> {
    this.shared.push(args[0]);
    return super.putShared(...args);
  }
}

/** A relay factory whose clients record into `relays`. */
export function recordingRelays(relays: RecordingRelay[]): RelayFactory {
  return (url, credentials) => {
    const client = new RecordingRelay({ url, credentials, backoff: { initialMs: 50, maxMs: 500 } });
    relays.push(client);
    return client;
  };
}

export const idOf = async (entry: TestMessenger): Promise<string> =>
  (await entry.api.snapshot()).device?.deviceId ?? '';

/** The sender's own records as stored: its group key and its channel with one device (the vault read while locked). */
export async function storedAt(entry: TestMessenger, groupId: string, deviceId: string) {
  await entry.api.lock();
  const vault = await Vault.unlock(entry.store, PASSPHRASE, CHEAP_KDF);
  const key = await vault.get<GroupKeyRecord>(TABLES.groupKeys, '', groupId);
  const peer = await vault.get<PeerRecord>(TABLES.peers, '', deviceId);
  vault.lock();
  await entry.api.unlock(PASSPHRASE);
  await eventually(async () => (await entry.api.snapshot()).device?.reachable, `${entry.name} open again`);
  return { key, peer };
}

export interface Listening {
  /** The sender's relay clients (recording), the last one in use. */
  readonly relays: readonly RecordingRelay[];
  readonly sender: TestMessenger;
  /** A member who still reads the group. */
  readonly reader: TestMessenger;
  /** The device that must read nothing more, and its id. */
  readonly listener: TestMessenger;
  readonly listenerId: string;
  readonly group: string;
}

/**
 * What the change left at the sender (its Sender Key marked for rotation, given to nobody yet);
 * then the sender sends `text`, and once the reader reads it every blob the sender put for it
 * is put into the queue the sender used to write to the listener, as a relay dump would give it:
 * the listener, holding only the old chain and fan-out key, reads none of it.
 */
export async function expectRotatedAndUnreadable(g: Listening, text: string): Promise<void> {
  const { relays, sender, reader, listener, listenerId, group } = g;
  const marked = await storedAt(sender, group, listenerId);
  expect(marked.key).toMatchObject({ rotate: true, distributedTo: [] });
  const listenerQueue = marked.peer?.outbox?.senderId;
  if (!listenerQueue) throw new Error('the sender holds no queue of the listening device');

  const client = relays[relays.length - 1] as RecordingRelay;
  // Reading the vault locked and reopened the sender: what its outbox held then (receipts, a log
  // head for the listener's device, queued before the change) leaves after the reconnection. Only
  // what the send below puts is looked at.
  await settled(client);
  const from = client.recorded.length;
  await sender.api.send(group, text);
  await eventually(async () => (await texts(reader.api, group)).includes(text), 'the reader reads it');
  const copies = client.recorded.slice(from);
  expect(copies.some((c) => Buffer.compare(Buffer.from(c.senderId), Buffer.from(listenerQueue)) === 0)).toBe(false);
  await client.putMany(copies.map(({ blob }) => ({ senderId: listenerQueue, blob })));

  const sent = await storedAt(sender, group, listenerId);
  expect(Buffer.from(sent.key?.fanoutKey ?? [])).not.toEqual(Buffer.from(marked.key?.fanoutKey ?? []));
  expect(sent.key?.distributedTo).toContain(await idOf(reader));
  expect(sent.key?.distributedTo).not.toContain(listenerId);
  // Time for the handed copies to arrive and be tried (without the rotation they are read by then).
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(await texts(listener.api, group)).not.toContain(text);
}

/** Resolves once the client has put nothing for a second (10 s at most). */
async function settled(client: RecordingRelay): Promise<void> {
  const deadline = Date.now() + 10_000;
  let count = client.recorded.length;
  let since = Date.now();
  while (Date.now() - since < 1_000 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (client.recorded.length !== count) [count, since] = [client.recorded.length, Date.now()];
  }
}
