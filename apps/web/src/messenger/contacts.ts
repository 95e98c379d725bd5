import { constantTimeEqual } from '@opendescent/crypto';
import {
  ALLOWED_CLOCK_SKEW_SECONDS,
  decodeAttestation,
  isRevoked,
  ProtocolError,
  verifyAttestation,
  type DeviceAttestation,
} from '@opendescent/protocol';
import type { SystemEvent } from './api';
import type { MessengerContext } from './context';
import { systemLineForUser } from './conversations';
import { fromHex, toHex } from './encoding';
import { MessengerError } from './errors';
import type { DirectoryDevice } from './ports';
import { acceptChangedUserKey, approvalLost, judgeDevices, ownUserKey } from './person-keys';
import { TABLES, type ContactDeviceRecord, type ContactRecord, type SelfRecord } from './records';
import { rotateSenderKeysWith } from './sender-key-rotation';
import type { Transaction } from './transaction';

/** A contact's devices are looked up again when older than this (the directory is rate limited). */
export const CONTACT_REFRESH_MS = 60 * 60_000;
/** A directory answer fetched ahead of its change is used by it only while this fresh. */
const PREFETCH_FRESH_MS = 60_000;

interface DirectoryAnswer {
  readonly devices: readonly DirectoryDevice[];
  readonly at: number;
}

/** A device a message goes to, and the user it belongs to. */
export interface RecipientDevice {
  readonly address: string;
  readonly device: ContactDeviceRecord;
}

export function normaliseAddress(address: string): string {
  return address.trim().normalize('NFC').toLowerCase();
}

/**
 * The one rule for a device seen with a verified attestation, whether the directory named it or
 * it wrote to us (messages.md §5): its keys and attestation are kept, its trust carries over
 * unless its keys changed, and the system line to show (if any) is returned.
 */
export function mergeDevice(
  known: ContactDeviceRecord | undefined,
  attestation: DeviceAttestation,
  bytes: Uint8Array,
  slotId: Uint8Array | undefined,
  now: number,
  certificate: Uint8Array | undefined = known?.certificate,
): { device: ContactDeviceRecord; keysChanged: boolean } {
  const keysChanged =
    known !== undefined &&
    (!constantTimeEqual(known.signingKey, attestation.signingKey) ||
      !constantTimeEqual(known.agreementKey, attestation.agreementKey));
  const device: ContactDeviceRecord = {
    deviceId: toHex(attestation.deviceId),
    attestation: bytes,
    signingKey: attestation.signingKey,
    agreementKey: attestation.agreementKey,
    ...(slotId ? { slotId } : {}),
    trust: keysChanged ? 'key_changed' : (known?.trust ?? 'unverified'),
    addedAt: known?.addedAt ?? now,
    // The certificate is judged again by the caller (person-keys.ts); until then, what was known.
    ...(certificate ? { certificate } : {}),
    ...(known?.approved !== undefined && !keysChanged ? { approved: known.approved } : {}),
    // What the log check found is kept while the keys are the same (log-clearance.ts compares it
    // with the entries the device now rests on); a proven absence, while those entries are the same.
    ...(known?.loggedLeaf !== undefined && !keysChanged ? { loggedLeaf: known.loggedLeaf } : {}),
    ...(known?.notLogged && sameEntries(known, bytes, certificate) ? { notLogged: true } : {}),
  };
  return { device, keysChanged };
}

/** The device still rests on the same attestation and certificate (the same log entries). */
function sameEntries(known: ContactDeviceRecord, bytes: Uint8Array, certificate?: Uint8Array): boolean {
  const same = (a: Uint8Array | undefined, b: Uint8Array | undefined) =>
    a === undefined || b === undefined ? a === b : constantTimeEqual(a, b);
  return same(known.attestation, bytes) && same(known.certificate, certificate);
}

/**
 * Other users and their devices: directory look-ups (asked outside the exclusive section where the
 * caller can, see `fetch`), devices that wrote to us, and which devices a message goes to.
 */
export class Contacts {
  private readonly prefetched = new Map<string, DirectoryAnswer>();
  private readonly refreshing = new Map<string, ((tx: Transaction) => Promise<void>)[]>();

  constructor(private readonly ctx: MessengerContext) {}

  /** Asks the directory now (a network call: outside `exclusive`); the next look-up of the address uses the answer. */
  async fetch(address: string): Promise<void> {
    const normalised = normaliseAddress(address);
    this.prefetched.set(normalised, await this.ask(normalised));
  }

  /**
   * Before a change that sends to these users: one never looked up is fetched now (the change
   * needs its devices); one looked up longer than CONTACT_REFRESH_MS ago is refreshed in the
   * background, and the change uses what it knows (a slow directory never holds up a message).
   */
  async fetchStale(addresses: Iterable<string>): Promise<void> {
    const tx = this.ctx.tx();
    for (const address of new Set(addresses)) {
      const cached = tx.get<ContactRecord>(TABLES.contacts, address);
      if (!cached) await this.fetch(address).catch(() => undefined);
      else if (this.ctx.now() - cached.lookedUpAt >= CONTACT_REFRESH_MS) this.refreshLater(address);
    }
  }

  /** Looks an address up again in the background and merges the answer in its own change (one at a time per address). */
  refreshLater(address: string, then?: (tx: Transaction) => Promise<void>): void {
    const normalised = normaliseAddress(address);
    const waiting = this.refreshing.get(normalised);
    if (waiting) {
      if (then) waiting.push(then);
      return;
    }
    const next = then ? [then] : [];
    this.refreshing.set(normalised, next);
    void this.ask(normalised)
      .then((answer) =>
        this.ctx.later(async () => {
          const tx = this.ctx.tx();
          await this.merge(tx, normalised, answer);
          // What waited for this person (a group change by a device not known before) runs in the same change.
          for (const step of next) await step(tx);
          await this.ctx.commit(tx);
        }),
      )
      .catch(() => undefined)
      .finally(() => this.refreshing.delete(normalised));
  }

  /**
   * The directory's answer for one address, verified, merged into the contact (messages.md §5).
   * Without `force`, a contact already known is used as it is (fetchStale refreshes old ones).
   * The answer fetched ahead (fetch) is used when there is one; else the directory is asked here.
   */
  async lookUp(tx: Transaction, address: string, force = false): Promise<ContactRecord> {
    const normalised = normaliseAddress(address);
    const cached = tx.get<ContactRecord>(TABLES.contacts, normalised);
    if (cached && !force) return cached;
    const ready = this.prefetched.get(normalised);
    this.prefetched.delete(normalised);
    const answer = ready && this.ctx.now() - ready.at < PREFETCH_FRESH_MS ? ready : await this.ask(normalised);
    return this.merge(tx, normalised, answer);
  }

  /**
   * This person's other devices in a fresh directory answer (a network call: outside `exclusive`),
   * each with its attestation verified (organisation keys, revocation list) and naming this
   * person's address and organisation; entries that do not verify are left out.
   */
  async ownSiblings(): Promise<{ readonly entry: DirectoryDevice; readonly attestation: DeviceAttestation }[]> {
    const self = this.ctx.requireSelf();
    const siblings = [];
    for (const entry of (await this.ask(self.address)).devices) {
      if (constantTimeEqual(entry.deviceId, self.deviceId)) continue;
      const attestation = await this.verifyPeerAttestation(entry.attestation).catch(() => undefined);
      if (!attestation || attestation.userAddress !== self.address) continue;
      if (!constantTimeEqual(attestation.orgId, self.orgId)) continue;
      siblings.push({ entry, attestation });
    }
    return siblings;
  }

  private async ask(normalised: string): Promise<DirectoryAnswer> {
    const self = this.ctx.requireSelf();
    const answer = await this.ctx.env.admin.lookup({
      orgId: self.orgId,
      deviceId: self.deviceId,
      attestation: self.attestation,
      identity: this.ctx.requireIdentity(),
      address: normalised,
    });
    return { devices: answer.devices, at: this.ctx.now() };
  }

  private async merge(tx: Transaction, normalised: string, answer: DirectoryAnswer): Promise<ContactRecord> {
    const self = this.ctx.requireSelf();
    const cached = tx.get<ContactRecord>(TABLES.contacts, normalised);
    const devices: Record<string, ContactDeviceRecord> = { ...(cached?.devices ?? {}) };
    let displayName = cached?.displayName ?? normalised;
    const added = new Set<string>();
    const keyChanges: string[] = [];
    for (const entry of answer.devices) {
      let attestation: DeviceAttestation;
      try {
        attestation = await this.verifyPeerAttestation(entry.attestation);
      } catch {
        continue;
      }
      if (attestation.userAddress !== normalised || !constantTimeEqual(attestation.deviceId, entry.deviceId)) continue;
      const hex = toHex(attestation.deviceId);
      if (hex === toHex(self.deviceId)) continue;
      displayName = attestation.displayName;
      const known = devices[hex];
      // No certificate in the answer: the one known is kept (mergeDevice's default).
      const merged = mergeDevice(
        known,
        attestation,
        entry.attestation,
        entry.prekeySlotId,
        this.ctx.now(),
        entry.certificate,
      );
      devices[hex] = merged.device;
      if (cached && !known) added.add(hex);
      if (merged.keysChanged) keyChanges.push(hex);
    }
    const hinted = cached?.hintedAt !== undefined ? { hintedAt: cached.hintedAt } : {};
    const contact: ContactRecord = {
      ...(cached ?? {}),
      v: 1,
      address: normalised,
      displayName,
      lookedUpAt: this.ctx.now(),
      devices,
      ...hinted,
    };
    return this.judge(tx, contact, added, keyChanges);
  }

  /**
   * Judges a person's devices against their user key (person-keys.ts), stores the contact and
   * says what changed in their conversations: a device added (approved), unapproved, a key change.
   */
  private async judge(
    tx: Transaction,
    contact: ContactRecord,
    added: ReadonlySet<string>,
    keyChanges: readonly string[],
  ): Promise<ContactRecord> {
    // This change's own record: a user key stored in this same change counts already.
    const self = tx.get<SelfRecord>(TABLES.self, 'device') ?? this.ctx.requireSelf();
    const isSelf = contact.address === self.address;
    const judged = await judgeDevices(contact, { isSelf, ownKey: ownUserKey(self) }, (id) => added.has(id));
    storeJudged(tx, judged.contact);
    if (isSelf) return judged.contact;
    for (const id of added)
      if (judged.contact.devices[id]?.approved)
        this.line(tx, contact.address, { type: 'device_added', member: contact.address, deviceId: id });
    for (const id of keyChanges)
      this.line(tx, contact.address, { type: 'key_changed', member: contact.address, deviceId: id });
    dropUnapprovedLines(tx, contact.address, judged.underChangedKey);
    for (const event of judged.events) this.line(tx, contact.address, event);
    return judged.contact;
  }

  /** Judges a contact again (a certificate arrived in a hello, this device got its user key). */
  async rejudge(tx: Transaction, address: string): Promise<void> {
    const contact = tx.get<ContactRecord>(TABLES.contacts, address);
    if (contact) await this.judge(tx, contact, new Set(), []);
  }

  /** A certificate a device sent about itself (its hello, user-keys.md §2.5): kept and judged. */
  async noteCertificate(tx: Transaction, address: string, deviceId: string, certificate: Uint8Array): Promise<void> {
    const contact = tx.get<ContactRecord>(TABLES.contacts, address);
    const device = contact?.devices[deviceId];
    if (!contact || !device) return;
    if (device.certificate && constantTimeEqual(device.certificate, certificate)) return;
    const devices = { ...contact.devices, [deviceId]: { ...device, certificate } };
    await this.judge(tx, { ...contact, devices }, new Set(), []);
  }

  /** The user accepted a person's new user key: its devices are judged under it from now on. */
  async acceptUserKey(tx: Transaction, address: string): Promise<void> {
    const contact = tx.get<ContactRecord>(TABLES.contacts, normaliseAddress(address));
    if (!contact) throw new MessengerError('not_found', 'no such contact');
    const accepted = await acceptChangedUserKey(contact);
    storeJudged(tx, accepted.contact);
    for (const event of accepted.events) this.line(tx, contact.address, event);
  }

  /** A device that wrote to us: its attestation is verified, so it joins the contact's devices (approved or not). */
  async rememberDevice(tx: Transaction, attestation: DeviceAttestation, bytes: Uint8Array): Promise<ContactRecord> {
    const address = attestation.userAddress;
    const deviceId = toHex(attestation.deviceId);
    const contact = tx.get<ContactRecord>(TABLES.contacts, address) ?? {
      v: 1,
      address,
      displayName: attestation.displayName,
      lookedUpAt: 0,
      devices: {},
    };
    const known = contact.devices[deviceId];
    if (
      known &&
      constantTimeEqual(known.signingKey, attestation.signingKey) &&
      constantTimeEqual(known.agreementKey, attestation.agreementKey)
    ) {
      if (known.attestation.length === bytes.length && constantTimeEqual(known.attestation, bytes)) return contact;
    }
    const merged = mergeDevice(known, attestation, bytes, known?.slotId, this.ctx.now());
    const updated: ContactRecord = {
      ...contact,
      displayName: attestation.displayName,
      devices: { ...contact.devices, [deviceId]: merged.device },
    };
    const added = new Set(!known && contact.lookedUpAt > 0 ? [deviceId] : []);
    const judged = await this.judge(tx, updated, added, merged.keysChanged ? [deviceId] : []);
    // Not approved yet: perhaps a device approved since the last look-up; ask again in the background.
    if (!judged.devices[deviceId]?.approved && this.ctx.now() - judged.lookedUpAt >= PREFETCH_FRESH_MS)
      this.refreshLater(address);
    return judged;
  }

  async verifyPeerAttestation(bytes: Uint8Array): Promise<DeviceAttestation> {
    const self = this.ctx.requireSelf();
    const attestation = await verifyAttestation(bytes, {
      trusted: this.ctx.trusted(self),
      now: this.ctx.nowSeconds(),
    }).catch((error: unknown) => {
      // Perhaps signed by a key of a rotation this device has not followed yet.
      if (error instanceof ProtocolError && error.code === 'unknown_signer') this.ctx.followOrgKeys();
      throw error;
    });
    if (this.ctx.revocation && isRevoked(this.ctx.revocation, attestation.deviceId))
      throw new MessengerError('revoked', 'that device was revoked');
    return attestation;
  }

  /**
   * The devices a message for these users goes to: theirs and our other devices, approved and never
   * revoked. One whose log check has not passed yet is among them: what is encrypted for it waits
   * in the outbox until it passes (log-clearance.ts); one proven absent from the log is not.
   */
  recipientDevices(tx: Transaction, addresses: readonly string[]): RecipientDevice[] {
    const self = this.ctx.requireSelf();
    const ownId = toHex(self.deviceId);
    const out: RecipientDevice[] = [];
    for (const address of new Set([...addresses, self.address])) {
      const contact = tx.get<ContactRecord>(TABLES.contacts, address);
      for (const device of Object.values(contact?.devices ?? {})) {
        if (device.trust === 'revoked' || device.notLogged || device.deviceId === ownId) continue;
        // Only devices the person's user key approved (user-keys.md §2.5): a ghost device gets nothing.
        if (device.approved !== true) continue;
        if (this.ctx.revocation && isRevoked(this.ctx.revocation, fromHex(device.deviceId))) continue;
        // An attestation that lapsed (never renewed: a device lost and silent) no longer vouches
        // for the keys; the device is written to again once a fresh one is seen (look-up or message).
        if (
          decodeAttestation(device.attestation).attestation.expiresAt + ALLOWED_CLOCK_SKEW_SECONDS <
          this.ctx.nowSeconds()
        )
          continue;
        out.push({ address, device });
      }
    }
    return out;
  }

  private line(tx: Transaction, address: string, event: SystemEvent): void {
    systemLineForUser(tx, this.ctx, address, event);
  }
}

/** A device that lost its approval may hold our Sender Keys: they rotate in this same change (messages.md §5.3). */
function storeJudged(tx: Transaction, contact: ContactRecord): void {
  const before = tx.get<ContactRecord>(TABLES.contacts, contact.address);
  tx.put(TABLES.contacts, contact.address, contact);
  if (approvalLost(before, contact)) rotateSenderKeysWith(tx, contact.address);
}

/**
 * A device under a new user key that writes first is judged before its hello names that key, so
 * this change already says it is unapproved; the key change explains it, and that line goes.
 */
function dropUnapprovedLines(tx: Transaction, address: string, deviceIds: readonly string[]): void {
  if (deviceIds.length === 0) return;
  for (const { conversationId, upserted } of tx.messageChanges())
    for (const message of upserted)
      if (
        message.system?.type === 'device_unapproved' &&
        message.system.member === address &&
        deviceIds.includes(message.system.deviceId)
      )
        tx.deleteMessage(conversationId, message.id);
}
