import { generateEd25519KeyPair } from '@opendescent/crypto';
import { decodeAttestation, signDeviceCertificate } from '@opendescent/protocol';
import { AdminRequestError } from '../net/admin-errors';
import type { Contacts } from './contacts';
import type { MessengerContext } from './context';
import { TABLES, type ContactRecord, type SelfRecord } from './records';

/**
 * How often an approved device looks its own address up for a device its user key did not approve
 * ("a device was added to your account without your approval", user-keys.md §2.5), and how often
 * a device waiting for the link checks whether it became the only one (every other revoked: the
 * re-enrolment path). The directory is rate limited; ten minutes is one look-up in six per hour.
 */
export const OWN_DEVICES_CHECK_MS = 10 * 60_000;

/**
 * This person's user key on this device (user-keys.md §2.4): the first device of a person makes
 * it and certifies itself; any later device waits for the device link (device-link.ts). Which one
 * this device is, is read from the directory: a device of the same address with a certificate
 * means another device holds the key. The admin app could lie about that (A3, user-keys.md §6):
 * the worst it gets is a new user key that every contact sees as a security-key change.
 */
export class UserKey {
  private lastLinkCheck = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ctx: MessengerContext,
    private readonly contacts: Contacts,
  ) {}

  private get checkEveryMs(): number {
    return this.ctx.env.ownDevicesCheckMs ?? OWN_DEVICES_CHECK_MS;
  }

  /**
   * Settles where this device stands, outside `exclusive` (it asks the admin app): publishes its
   * certificate if not done yet, or decides first device / awaiting the link. Safe to call again.
   */
  async settle(): Promise<void> {
    const self = this.ctx.self;
    if (!self || !this.ctx.identity) return;
    if (self.userKey) {
      if (!self.certificatePublished) await this.publish(self);
      const own = this.ctx.tx().get<ContactRecord>(TABLES.contacts, self.address);
      if (this.ctx.now() - (own?.lookedUpAt ?? 0) >= this.checkEveryMs) this.contacts.refreshLater(self.address);
      return;
    }
    if (self.awaitingLink && this.ctx.now() - this.lastLinkCheck < this.checkEveryMs) return;
    this.lastLinkCheck = this.ctx.now();
    if (await this.anotherDeviceHoldsTheKey()) {
      if (!self.awaitingLink)
        await this.update((current) => (current.userKey ? current : { ...current, awaitingLink: true }));
      return;
    }
    await this.becomeFirstDevice();
  }

  /** A valid, unrevoked device of this address (not this one) with a certificate in the directory. */
  private async anotherDeviceHoldsTheKey(): Promise<boolean> {
    return (await this.contacts.ownSiblings()).some(({ entry }) => entry.certificate !== undefined);
  }

  /** Makes the user key and this device's certificate, stores both, then publishes the certificate. */
  private async becomeFirstDevice(): Promise<void> {
    const pair = await generateEd25519KeyPair();
    const self = this.ctx.requireSelf();
    const attestation = decodeAttestation(self.attestation).attestation;
    const certificate = await signDeviceCertificate(
      {
        orgId: self.orgId,
        userAddress: self.address,
        deviceId: self.deviceId,
        signingKey: attestation.signingKey,
        agreementKey: attestation.agreementKey,
        issuedAt: this.ctx.nowSeconds(),
      },
      pair.privateKey,
    );
    // Stored before it is published: a certificate the admin app holds is never without its key here.
    const stored = await this.update((current) =>
      current.userKey
        ? current
        : {
            ...current,
            userKey: pair.privateKey.exposeBytes().slice(),
            certificate,
            certificatePublished: false,
            awaitingLink: false,
          },
    );
    pair.privateKey.wipe();
    if (stored.userKey && !stored.certificatePublished) await this.publish(stored);
  }

  private async publish(self: SelfRecord): Promise<void> {
    if (!self.certificate) return;
    try {
      await this.ctx.env.admin.certify({
        orgId: self.orgId,
        deviceId: self.deviceId,
        identity: this.ctx.requireIdentity(),
        certificate: self.certificate,
      });
    } catch (error) {
      // Another device of this person certified itself first (two enrolled at once): the admin
      // app keeps that key; this one was never published, so it is dropped and this device waits
      // for the link like any later device.
      if (error instanceof AdminRequestError && error.code === 'user_key_mismatch') {
        await this.update(({ userKey: _k, certificate: _c, certificatePublished: _p, ...rest }) => ({
          ...rest,
          awaitingLink: true,
        }));
        return;
      }
      throw error;
    }
    await this.update((current) => ({ ...current, certificatePublished: true }));
  }

  /** One change of this device's record, inside `exclusive`; the page hears of it. */
  private async update(change: (self: SelfRecord) => SelfRecord): Promise<SelfRecord> {
    return this.ctx.exclusive(async () => {
      const tx = this.ctx.tx();
      const next = change(this.ctx.requireSelf());
      tx.put(TABLES.self, 'device', next);
      await this.contacts.rejudge(tx, next.address);
      await this.ctx.commit(tx);
      return next;
    });
  }
}
