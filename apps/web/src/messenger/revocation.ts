import { constantTimeEqual } from '@opendescent/crypto';
import {
  ProtocolError,
  decodeAttestation,
  isRevoked,
  revocationListFreshness,
  supersedes,
  verifyRevocationList,
  type RevocationList,
} from '@opendescent/protocol';
import type { RevocationView } from './api';
import type { MessengerContext } from './context';
import { systemLineForUser } from './conversations';
import { settleMessagesTo } from './delivery-status';
import { fromHex } from './encoding';
import { TABLES, type ContactRecord, type PeerRecord, type SelfRecord } from './records';
import { rotateSenderKeysWith } from './sender-key-rotation';
import type { Transaction } from './transaction';

/**
 * How long past the held list's next update this device still sends (attestations.md §3.5,
 * threat-model.md A1): a day. With the admin app's default validity of a day, that is at most
 * 48 hours after the last list it signed. Past it, any device this one would write to may have
 * been revoked since, so it vouches for none and holds what it sends until a fresh list arrives.
 */
export const REVOCATION_SEND_GRACE_SECONDS = 24 * 3_600;

export type RevocationState = RevocationView['state'];

/**
 * §3.5, all in Unix seconds: `fresh` before the list's next update, `stale` from it, and
 * `sending_held` once the grace is over too. With no list held yet (a device just enrolled), the
 * grace runs from `waitingSince` (`none` until then: nothing to say yet).
 */
export function revocationState(list: RevocationList | undefined, waitingSince: number, now: number): RevocationState {
  if (!list) return now >= waitingSince + REVOCATION_SEND_GRACE_SECONDS ? 'sending_held' : 'none';
  if (revocationListFreshness(list, now) === 'fresh') return 'fresh';
  return now >= list.nextUpdate + REVOCATION_SEND_GRACE_SECONDS ? 'sending_held' : 'stale';
}

/** A list that could not be verified (§3.4), shown until a newer verified list is applied. */
interface Unverified {
  readonly at: number;
  readonly code: string;
  /** The version held when it came: a list above it ends the alert. */
  readonly heldVersion: number;
}

/**
 * The organisation's revocation list (attestations.md §3): fetched from the admin app (outside
 * the exclusive section) or pushed by a relay, verified, applied if it supersedes ours. Our own
 * device on it: everything is wiped. A contact's device on it: its sessions and keys go, the
 * groups it is in rotate their Sender Keys, and every conversation with its user says so.
 * Its freshness (§3.5) is this device's to state: `view()` for the page, `sendingHeld()` for the
 * outbox, which holds everything past the grace; the outbox is flushed again when a fresh list
 * ends the hold. A list that does not verify is surfaced, and the one held is kept.
 */
export class Revocation {
  private unverified: Unverified | undefined;
  /** A stored list dropped at start (older format, signer no longer honoured): only a higher version replaces it. */
  private floor = 0;
  /** What the page was last told (state, version, next update, alert), to tell it only of changes. */
  private shown = '';
  /** Sending was held when last looked at: the end of the hold flushes the outbox. */
  private held = false;
  private waiting: { readonly attestation: Uint8Array; readonly since: number } | undefined;

  constructor(
    private readonly ctx: MessengerContext,
    /** This device was revoked: stop, then wipe with the reason. */
    private readonly revokedSelf: (reason: string) => Promise<void>,
    /** A fresh list ended the hold: send what waited. Never awaited inside `exclusive`. */
    private readonly sendingResumed: () => void,
  ) {}

  /**
   * At start: the stored list, verified again. One that no longer verifies (a version 1 list from
   * before §3.5, a signer no longer honoured) is dropped, never fatal and never wiping anything,
   * and the admin app is asked for a fresh one by the first check.
   */
  async load(self: SelfRecord): Promise<void> {
    this.ctx.revocation = undefined;
    if (!self.revocationList) return;
    try {
      this.ctx.revocation = await verifyRevocationList(self.revocationList, this.ctx.trusted(self));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      // §3.4 across the drop: the versions still only go up.
      this.floor = self.revocationVersion;
      if (error.code === 'unknown_signer') this.ctx.followOrgKeys();
    }
  }

  async check(): Promise<void> {
    if (!this.ctx.self) return;
    try {
      await this.receive(await this.ctx.env.admin.revocationList());
    } finally {
      this.refresh();
    }
  }

  /** A list from a relay or the admin app. Never rejects: a list that does not verify is shown (`view().unverified`). */
  async receive(bytes: Uint8Array): Promise<void> {
    try {
      await this.apply(bytes);
    } catch {
      // Refusals are in the view; anything else (a vault write) is retried with the next list.
    }
    this.refresh();
  }

  /** This device vouches for no other device now: the outbox sends nothing (§3.5). */
  sendingHeld(): boolean {
    const held = this.view()?.state === 'sending_held';
    // Remembered here too: a flush held back must be followed by one when the hold ends, even if
    // no refresh saw the held state in between (a restart while held, a fresh list at once).
    if (held) this.held = true;
    return held;
  }

  /** What the page shows about the list; undefined before enrolment. */
  view(): RevocationView | undefined {
    const self = this.ctx.self;
    if (!self) return undefined;
    const list = this.ctx.revocation;
    const waitingSince = this.waitingSince(self);
    const state = revocationState(list, waitingSince, this.ctx.nowSeconds());
    const heldFrom = (list ? list.nextUpdate : waitingSince) + REVOCATION_SEND_GRACE_SECONDS;
    return {
      state,
      version: list?.listVersion ?? 0,
      ...(list ? { nextUpdate: list.nextUpdate * 1000 } : {}),
      ...(state === 'stale' || state === 'sending_held' ? { sendingHeldFrom: heldFrom * 1000 } : {}),
      ...(this.unverified ? { unverified: { at: this.unverified.at, code: this.unverified.code } } : {}),
    };
  }

  /**
   * Tells the page when what it shows changed (the clock moves a list from fresh to stale with no
   * event: every check comes here), and sends what waited once the hold ends.
   */
  refresh(): void {
    if (this.ctx.stopped) return;
    const view = this.view();
    const held = view?.state === 'sending_held';
    const shown = JSON.stringify(view ?? null);
    if (shown !== this.shown) {
      this.shown = shown;
      this.ctx.changed();
    }
    if (this.held && !held) this.sendingResumed();
    this.held = held;
  }

  /**
   * With no list held, the grace runs from this device's attestation: issued at enrolment (or its
   * last renewal), when the admin app was last reached. One that cannot be read counts as issued
   * at time 0: held at once (fail closed).
   */
  private waitingSince(self: SelfRecord): number {
    if (this.waiting?.attestation !== self.attestation) {
      let since = 0;
      try {
        since = decodeAttestation(self.attestation).attestation.issuedAt;
      } catch {
        // since = 0
      }
      this.waiting = { attestation: self.attestation, since };
    }
    return this.waiting.since;
  }

  private async apply(bytes: Uint8Array): Promise<void> {
    await this.ctx.exclusive(async () => {
      if (this.ctx.stopped) return;
      const self = this.ctx.self;
      if (!self) return;
      const current = this.ctx.revocation;
      let list: RevocationList;
      try {
        list = await verifyRevocationList(bytes, this.ctx.trusted(self));
      } catch (error) {
        if (error instanceof ProtocolError) this.notVerified(error, current);
        throw error;
      }
      // A replay, an older list or a fork of the one held (§3.4): nothing to apply, nothing to show.
      if (current === undefined ? list.listVersion <= this.floor : !supersedesOrNot(current, list)) return;
      if (isRevoked(list, self.deviceId)) {
        const entry = list.revoked.find((d) => constantTimeEqual(d.deviceId, self.deviceId));
        await this.revokedSelf(entry?.reason ?? 'unspecified');
        return;
      }
      const tx = this.ctx.tx();
      tx.put(TABLES.self, 'device', { ...self, revocationList: bytes, revocationVersion: list.listVersion });
      for (const contact of tx.all<ContactRecord>(TABLES.contacts))
        await this.applyToContact(tx, list, contact, self.address);
      await tx.commit();
      this.ctx.revocation = list;
      this.floor = 0;
      if (this.unverified && list.listVersion > this.unverified.heldVersion) this.unverified = undefined;
      this.ctx.emitTx(tx);
    });
  }

  private notVerified(error: ProtocolError, current: RevocationList | undefined): void {
    this.unverified = { at: this.ctx.now(), code: error.code, heldVersion: current?.listVersion ?? this.floor };
    // Perhaps a rotation this device has not followed yet: the keys are fetched, the list asked again.
    if (error.code === 'unknown_signer') this.ctx.followOrgKeys();
  }

  private async applyToContact(
    tx: Transaction,
    list: RevocationList,
    contact: ContactRecord,
    selfAddress: string,
  ): Promise<void> {
    let devices = contact.devices;
    for (const device of Object.values(contact.devices)) {
      if (device.trust === 'revoked' || !isRevoked(list, fromHex(device.deviceId))) continue;
      devices = { ...devices, [device.deviceId]: { ...device, trust: 'revoked' } };
      systemLineForUser(tx, this.ctx, contact.address, {
        type: 'device_revoked',
        member: contact.address,
        deviceId: device.deviceId,
      });
      const peer = tx.get<PeerRecord>(TABLES.peers, device.deviceId);
      if (peer) tx.put(TABLES.peers, peer.deviceId, { ...peer, revoked: true, sessions: [], groupKeys: [], held: [] });
      rotateSenderKeysWith(tx, contact.address);
    }
    if (devices === contact.devices) return;
    tx.put(TABLES.contacts, contact.address, { ...contact, devices });
    // Messages waiting on that user may now be delivered (everyone else has them) or failed.
    await settleMessagesTo(tx, this.ctx.vault, selfAddress, contact.address);
  }
}

/** `supersedes`, with its `stale` refusal read as "do not apply" (§3.4). */
function supersedesOrNot(current: RevocationList, candidate: RevocationList): boolean {
  try {
    return supersedes(current, candidate);
  } catch (error) {
    if (error instanceof ProtocolError && error.code === 'stale') return false;
    throw error;
  }
}
