import {
  createSenderKey,
  deserializeSenderKeyState,
  groupEncrypt,
  randomBytes,
  rotateSenderKey,
  senderKeyDistribution,
  serializeSenderKeyState,
} from '@opendescent/crypto';
import { sealFanoutEnvelope } from '@opendescent/protocol';
import type { Contacts, RecipientDevice } from './contacts';
import type { MessengerContext } from './context';
import { othersIn } from './conversations';
import { fromHex, toB64 } from './encoding';
import type { Outbox, Routed } from './outbox';
import { encodeAppPayload, type AppPayload } from './payload';
import type { Peers } from './peers';
import { TABLES, type ConversationRecord, type GroupKeyRecord, type OutboxRecord } from './records';
import type { Transaction } from './transaction';

/**
 * From this many member devices a group message is stored once on each relay and every device
 * gets a pointer to it (envelopes.md §7): fewer bytes uploaded from 2 devices on, but each member
 * fetches the shared blob, which a live relay sees (threat model A2L). Below it, one sealed copy
 * per device, as before: small groups upload what they did and give a live relay no fetch to link.
 */
export const SHARED_FANOUT_MIN_DEVICES = 8;

/**
 * Sends one payload to everyone in a conversation (messages.md §5): pairwise to each device of a
 * direct conversation, Sender Keys and fan-out envelopes for a group (envelopes.md §6).
 */
export class Delivery {
  constructor(
    private readonly ctx: MessengerContext,
    private readonly contacts: Contacts,
    private readonly peers: Peers,
    private readonly outbox: Outbox,
  ) {}

  /** Returns the other users it is for (none: nobody can receive it). */
  async deliver(
    tx: Transaction,
    conversation: ConversationRecord,
    payload: AppPayload,
    messageRef?: OutboxRecord['messageRef'],
  ): Promise<string[]> {
    const others = othersIn(conversation);
    // Fetched ahead by the caller where it could (Contacts.fetchStale), so usually no network here.
    for (const address of others) await this.contacts.lookUp(tx, address).catch(() => undefined);
    const targets = this.contacts.recipientDevices(tx, others);
    const self = this.ctx.requireSelf();
    const forOthers = [...new Set(targets.map((target) => target.address))].filter(
      (address) => address !== self.address,
    );
    if (conversation.kind === 'direct') await this.directSend(tx, targets, payload, messageRef);
    else await this.groupSend(tx, conversation, targets, payload, messageRef);
    return forOthers;
  }

  private async directSend(
    tx: Transaction,
    targets: readonly RecipientDevice[],
    payload: AppPayload,
    messageRef?: OutboxRecord['messageRef'],
  ): Promise<void> {
    const routed: Routed[] = [];
    for (const { address, device } of targets) {
      try {
        await this.peers.ensure(tx, address, device);
      } catch {
        continue;
      }
      const blob = await this.peers.encrypt(tx, device, payload);
      const route = this.outbox.route(tx, device.deviceId, address, blob);
      if (route) routed.push(route);
    }
    this.outbox.queueRouted(tx, routed, messageRef);
  }

  /** Sender Keys + fan-out envelopes (envelopes.md §6, design brief flow 5). */
  private async groupSend(
    tx: Transaction,
    conversation: ConversationRecord,
    targets: readonly RecipientDevice[],
    payload: AppPayload,
    messageRef?: OutboxRecord['messageRef'],
  ): Promise<void> {
    let key = tx.get<GroupKeyRecord>(TABLES.groupKeys, conversation.id);
    if (!key || key.rotate) {
      const state = key
        ? await rotateSenderKey(await deserializeSenderKeyState(key.senderKey))
        : await createSenderKey(fromHex(conversation.id));
      key = {
        v: 1,
        groupId: conversation.id,
        senderKey: serializeSenderKeyState(state).exposeBytes().slice(),
        fanoutKey: randomBytes(32),
        distributedTo: [],
        rotate: false,
      };
    }
    const senderState = await deserializeSenderKeyState(key.senderKey);
    const distributedTo = new Set(key.distributedTo);
    const ready: { address: string; device: string }[] = [];
    for (const { address, device } of targets) {
      try {
        await this.peers.ensure(tx, address, device);
      } catch {
        continue;
      }
      if (!distributedTo.has(device.deviceId)) {
        await this.peers.send(tx, device, {
          t: 'sender_key',
          groupId: conversation.id,
          distribution: toB64(senderKeyDistribution(senderState).exposeBytes()),
          fanoutKey: toB64(key.fanoutKey),
        });
        distributedTo.add(device.deviceId);
      }
      ready.push({ address, device: device.deviceId });
    }
    const { state: next, message } = await groupEncrypt(
      senderState,
      encodeAppPayload(this.ctx.env.tamper?.payload?.(payload) ?? payload),
    );
    tx.put(TABLES.groupKeys, conversation.id, {
      ...key,
      senderKey: serializeSenderKeyState(next).exposeBytes().slice(),
      distributedTo: [...distributedTo],
    } satisfies GroupKeyRecord);
    const fanoutKey = key.fanoutKey;
    if (ready.length >= SHARED_FANOUT_MIN_DEVICES) {
      // Stored once per relay; each member device gets a 65-byte pointer (messages.md §5.3).
      const envelope = sealFanoutEnvelope(fanoutKey, message);
      const routed = ready.map(({ address, device }) =>
        this.outbox.route(tx, device, address, envelope, { pointer: true }),
      );
      this.outbox.queueRouted(tx, routed, messageRef, { envelope, fanoutKey });
      return;
    }
    // One symmetric seal per member device: a different random blob in every queue.
    this.outbox.queueRouted(
      tx,
      ready.map(({ address, device }) =>
        this.outbox.route(tx, device, address, sealFanoutEnvelope(fanoutKey, message)),
      ),
      messageRef,
    );
  }
}
