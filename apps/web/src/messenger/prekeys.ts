import {
  addOneTimePrekeys,
  createPrekeyState,
  DEFAULT_PREKEY_POLICY,
  deserializePrekeyState,
  ed25519KeyPairFromSeed,
  expirePrekeys,
  publishedPrekeys,
  randomBytes,
  rotateSignedPrekeys,
  serializePrekeyState,
  type DeviceIdentity,
  type PrekeyState,
  type PrekeyStore,
} from '@opendescent/crypto';
import { encodeContactSlot, encodeSlotUpload } from '@opendescent/protocol';
import type { MessengerContext } from './context';
import { MessengerError } from './errors';
import type { QueueIndex } from './queues';
import type { RelayPool } from './relay-pool';
import { TABLES, type SelfRecord } from './records';
import type { RelayPort } from './ports';
import type { Transaction } from './transaction';

/** One-time prekeys published at enrolment and topped up to (messages.md §2). */
export const ONE_TIME_PREKEYS = 20;
/** Below this many one-time prekeys on the relay, 20 more are published. */
const ONE_TIME_PREKEYS_LOW = 10;

export function initialPrekeys(identity: DeviceIdentity, now: number): Promise<PrekeyState> {
  return createPrekeyState(identity, { now, count: ONE_TIME_PREKEYS, kemCount: ONE_TIME_PREKEYS });
}

/** This device's prekeys as a SessionCipher consumes them: in the self record of this transaction. */
export function prekeyStore(tx: Transaction): PrekeyStore {
  const current = (): SelfRecord => {
    const self = tx.get<SelfRecord>(TABLES.self, 'device');
    if (!self) throw new MessengerError('not_enrolled', 'this device is not enrolled yet');
    return self;
  };
  return {
    load: () => deserializePrekeyState(current().prekeys),
    save: (state) =>
      tx.put(TABLES.self, 'device', { ...current(), prekeys: serializePrekeyState(state).exposeBytes().slice() }),
  };
}

/**
 * This device's contact slot and intro queue on the first relay (messages.md §2): made once the
 * relay is reachable, and kept usable: signed prekeys rotate at half their lifetime (crypto.md §9)
 * and one-time prekeys are added when the relay holds few.
 */
export class Prekeys {
  constructor(
    private readonly ctx: MessengerContext,
    private readonly relays: RelayPool,
    private readonly queues: QueueIndex,
    /** Told once the slot is published (not awaited): the user's other devices are then introduced. */
    private readonly published: () => void,
  ) {}

  /** The intro queue and the contact slot; true when they were published just now. */
  async publishIfNeeded(relay: RelayPort): Promise<boolean> {
    let self = this.ctx.requireSelf();
    if (self.published) return false;
    let intro = self.intro;
    if (!intro) {
      const keySeed = randomBytes(32);
      const ids = await relay.createQueue(await ed25519KeyPairFromSeed(keySeed));
      intro = { relay: relay.url, ...ids, keySeed };
    }
    const prekeys = await deserializePrekeyState(self.prekeys);
    const upload = encodeSlotUpload(publishedPrekeys(prekeys, this.ctx.now()));
    const slot = await encodeContactSlot(
      { bundle: upload.bundle, introSenderId: intro.senderId },
      this.ctx.requireIdentity().signing.privateKey,
    );
    await relay.publishPrekeys(
      self.slotId,
      await ed25519KeyPairFromSeed(self.slotKeySeed),
      'replace',
      slot,
      upload.oneTimeItems,
    );
    self = { ...this.ctx.requireSelf(), intro, published: true };
    const tx = this.ctx.tx();
    tx.put(TABLES.self, 'device', self);
    await tx.commit();
    await this.queues.add(intro);
    this.published();
    return true;
  }

  /**
   * Rotation and top-up. The relay is asked how many one-time prekeys it holds before the
   * exclusive section; the new state is stored inside it (the private halves are stored before
   * anything is published); publishing follows outside it. Only new one-time prekeys are
   * appended, never one the relay may already have handed out.
   */
  async maintain(): Promise<void> {
    const self = this.ctx.self;
    const relay = this.relays.primaryOnline;
    if (!self?.published || !self.intro || !this.ctx.identity || !relay) return;
    const { remaining } = await relay.fetchPrekeys(self.slotId);
    const upload = await this.ctx.exclusive(() => this.renew(remaining < ONE_TIME_PREKEYS_LOW));
    if (upload)
      await relay.publishPrekeys(
        self.slotId,
        await ed25519KeyPairFromSeed(self.slotKeySeed),
        'append',
        upload.slot,
        upload.oneTimeItems,
      );
  }

  private async renew(topUp: boolean): Promise<{ slot: Uint8Array; oneTimeItems: readonly Uint8Array[] } | undefined> {
    const self = this.ctx.self;
    const identity = this.ctx.identity;
    if (!self?.intro || !identity || this.ctx.stopped) return undefined;
    const now = this.ctx.now();
    let state = await deserializePrekeyState(self.prekeys);
    const current = state.signedPrekeys[0];
    const rotate = !current || now >= current.createdAt + DEFAULT_PREKEY_POLICY.signedPrekeyLifetimeMs / 2;
    if (!rotate && !topUp) return undefined;
    const firstNewId = state.nextId;
    if (rotate) state = await rotateSignedPrekeys(state, identity, { now });
    if (topUp)
      state = await addOneTimePrekeys(state, identity, { now, count: ONE_TIME_PREKEYS, kemCount: ONE_TIME_PREKEYS });
    state = expirePrekeys(state, now);
    const published = publishedPrekeys(state, now);
    const upload = encodeSlotUpload({
      ...published,
      oneTimePrekeys: published.oneTimePrekeys.filter((prekey) => prekey.id >= firstNewId),
      oneTimeKemPrekeys: published.oneTimeKemPrekeys.filter((prekey) => prekey.id >= firstNewId),
    });
    const slot = await encodeContactSlot(
      { bundle: upload.bundle, introSenderId: self.intro.senderId },
      identity.signing.privateKey,
    );
    const tx = this.ctx.tx();
    tx.put(TABLES.self, 'device', { ...self, prekeys: serializePrekeyState(state).exposeBytes().slice() });
    await tx.commit();
    return { slot, oneTimeItems: upload.oneTimeItems };
  }
}
