import {
  constantTimeEqual,
  exportDeviceIdentity,
  generateDeviceIdentity,
  randomBytes,
  serializePrekeyState,
} from '@opendescent/crypto';
import { decodeOrgKeyStatement, verifyAttestation } from '@opendescent/protocol';
import type { MessengerContext } from './context';
import { toHex } from './encoding';
import { MessengerError } from './errors';
import { initialPrekeys } from './prekeys';
import { TABLES, type SelfRecord } from './records';

/**
 * This device's attestation (admin-api.md §4, §5): enrolment with a one-time code, and renewal
 * before it lapses. The admin app is asked outside the exclusive section; only the verified
 * answer is stored inside it.
 */
export class Enrolment {
  constructor(
    private readonly ctx: MessengerContext,
    /** Outside `exclusive`: follows a key rotation first when a document names a signer not honoured (org-keys.ts). */
    private readonly followIfUnknown: (document: Uint8Array) => Promise<void>,
  ) {}

  async enrol(code: string): Promise<SelfRecord> {
    if (this.ctx.self) throw new MessengerError('already_enrolled', 'this device is already enrolled');
    const identity = await generateDeviceIdentity();
    const slotId = randomBytes(16);
    const answer = await this.ctx.env.admin.enrol({ code, identity, prekeySlotId: slotId });
    // Every key the organisation document lists is pinned now (admin-api.md §9.1), retired ones
    // with their end; later rotations are followed through statements only (org-keys.ts).
    const orgKeys = answer.org.keys.map((k) => k.publicKey);
    const orgKeyEnds: Record<string, number> = {};
    for (const key of answer.org.keys)
      if (key.pinnedUntil !== undefined) orgKeyEnds[toHex(key.publicKey)] = key.pinnedUntil;
    const statements = answer.org.statements.map((bytes) => decodeOrgKeyStatement(bytes).statement.sequence);
    const trusted = orgKeys.map((publicKey) => ({ orgId: answer.org.orgId, publicKey }));
    const attestation = await verifyAttestation(answer.attestation, { trusted, now: this.ctx.nowSeconds() });
    if (
      !constantTimeEqual(attestation.signingKey, identity.signing.publicKey) ||
      !constantTimeEqual(attestation.agreementKey, identity.agreement.publicKey)
    ) {
      throw new MessengerError('enrolment_refused', 'the attestation names other keys than this device’s');
    }
    const prekeys = await initialPrekeys(identity, this.ctx.now());
    const self: SelfRecord = {
      v: 1,
      identity: exportDeviceIdentity(identity).exposeBytes().slice(),
      address: attestation.userAddress,
      displayName: attestation.displayName,
      deviceId: attestation.deviceId,
      orgId: answer.org.orgId,
      orgKeys,
      orgKeyEnds,
      orgKeySequence: Math.max(0, ...statements),
      attestation: answer.attestation,
      expiresAt: answer.expiresAt,
      renewAfter: answer.renewAfter,
      slotId,
      slotKeySeed: randomBytes(32),
      prekeys: serializePrekeyState(prekeys).exposeBytes().slice(),
      published: false,
      revocationVersion: 0,
      clock: 0,
    };
    return this.ctx.exclusive(async () => {
      if (this.ctx.self) throw new MessengerError('already_enrolled', 'this device is already enrolled');
      const tx = this.ctx.tx();
      tx.put(TABLES.self, 'device', self);
      await tx.commit();
      this.ctx.identity = identity;
      return self;
    });
  }

  /** Renews when due; true when a new attestation was stored. Outside `exclusive`. */
  async renewIfDue(): Promise<boolean> {
    const self = this.ctx.self;
    const identity = this.ctx.identity;
    if (!self || !identity || this.ctx.nowSeconds() < self.renewAfter) return false;
    const answer = await this.ctx.env.admin.renew({
      orgId: self.orgId,
      deviceId: self.deviceId,
      identity,
      prekeySlotId: self.slotId,
    });
    // Renewed after a rotation, the attestation is signed by the new key: follow it first.
    await this.followIfUnknown(answer.attestation);
    await verifyAttestation(answer.attestation, { trusted: this.ctx.trusted(self), now: this.ctx.nowSeconds() });
    await this.ctx.exclusive(async () => {
      const tx = this.ctx.tx();
      tx.put(TABLES.self, 'device', {
        ...this.ctx.requireSelf(),
        attestation: answer.attestation,
        expiresAt: answer.expiresAt,
        renewAfter: answer.renewAfter,
      });
      await tx.commit();
    });
    this.ctx.changed();
    return true;
  }
}
