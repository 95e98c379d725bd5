import type { MessageRef } from './payload';
import { TABLES, type ContactRecord, type MessageRecord } from './records';
import type { Transaction } from './transaction';

/**
 * Which stored message a received id names (messages.md §5.2). An id is chosen by its sender, so
 * another member can send the same one: a message is what the receiver can authenticate, the
 * sending device and its id, never the id alone. The vault keys messages accordingly (the
 * message's `id`, storage.md §3):
 *
 * - this device's own messages keep the id it chose (nobody else sends as this device);
 * - a message received from another device: `<device hex>:<id>`;
 * - a copy from a history bundle, which names no device: `h:<claimed sender address>:<id>`.
 *
 * A wire id is 32 hex digits and a device id is hex, so the three forms never meet. Messages stored
 * before this rule keep their plain ids; they are still found, by the sender recorded in them.
 */
export function receivedKey(deviceId: string, id: string): string {
  return `${deviceId}:${id}`;
}

export function sharedKey(address: string, id: string): string {
  return `h:${address}:${id}`;
}

/** The id the sender chose, as sent and shared again in a history bundle. */
export function wireIdOf(message: Pick<MessageRecord, 'id' | 'wireId'>): string {
  return message.wireId ?? message.id;
}

/** The message `id` from this device, if held: a second copy (a replay, a relay delivering twice) is a duplicate. */
export async function heldFromDevice(
  tx: Transaction,
  conversationId: string,
  deviceId: string,
  id: string,
): Promise<MessageRecord | undefined> {
  const held = await tx.message(conversationId, receivedKey(deviceId, id));
  if (held) return held;
  // Stored under its plain id before the rule: the same message only if the same device sent it.
  const legacy = await tx.message(conversationId, id);
  return legacy && legacy.sharedBy === undefined && legacy.sender?.deviceId === deviceId ? legacy : undefined;
}

/**
 * Copies of `address`'s message `id` that a history bundle brought (the sharer's word): the real
 * message, from the sender's own device, takes their place.
 */
export async function sharedCopies(
  tx: Transaction,
  conversationId: string,
  address: string,
  id: string,
): Promise<MessageRecord[]> {
  const copies = [await tx.message(conversationId, sharedKey(address, id)), await tx.message(conversationId, id)];
  return copies.filter((m): m is MessageRecord => m?.sharedBy !== undefined && m.sender?.address === address);
}

/**
 * Whether `address`'s message `id` is already held, from any of its devices we know, from this
 * device (our own messages) or from an earlier bundle: a bundle then adds nothing. A message of
 * another sender with the same id is another message and does not count.
 */
export async function heldFromAddress(
  tx: Transaction,
  conversationId: string,
  address: string,
  id: string,
): Promise<boolean> {
  const plain = await tx.message(conversationId, id);
  if (plain?.sender?.address === address) return true;
  if (await tx.message(conversationId, sharedKey(address, id))) return true;
  const devices = Object.values(tx.get<ContactRecord>(TABLES.contacts, address)?.devices ?? {});
  for (const device of devices) if (await tx.message(conversationId, receivedKey(device.deviceId, id))) return true;
  return false;
}

/**
 * How a payload names one of the messages held here (messages.md §5.8): its author, its id and
 * the device that sent it (none for a bundled copy, which names no device).
 */
export function refOf(message: MessageRecord): MessageRef {
  const from = message.sender?.address as string;
  const device = message.sharedBy === undefined ? message.sender?.deviceId : undefined;
  return { from, id: wireIdOf(message), ...(device !== undefined ? { device } : {}) };
}

/** The key the message a reference names has, or will have, in this vault. */
export function keyOfRef(ref: MessageRef, selfDeviceId: string): string {
  if (ref.device === undefined) return sharedKey(ref.from, ref.id);
  return ref.device === selfDeviceId ? ref.id : receivedKey(ref.device, ref.id);
}

/**
 * The message a reference names, if held and really by `ref.from`: a reference that names a
 * device of one person and the address of another names nothing. A bundled copy of the same
 * message (same author and id) stands in for it until the real one arrives.
 */
export async function resolveRef(
  tx: Transaction,
  conversationId: string,
  ref: MessageRef,
  selfDeviceId: string,
): Promise<MessageRecord | undefined> {
  let found: MessageRecord | undefined;
  if (ref.device === selfDeviceId) found = await tx.message(conversationId, ref.id);
  else if (ref.device !== undefined) found = await heldFromDevice(tx, conversationId, ref.device, ref.id);
  found ??= (await sharedCopies(tx, conversationId, ref.from, ref.id))[0];
  if (!found || found.system !== undefined || found.sender?.address !== ref.from) return undefined;
  return found;
}
