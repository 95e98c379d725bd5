import {
  ProtocolError,
  checkInclusion,
  checkTreeHeadConsistency,
  decodeTreeHead,
  logLeaf,
  logLeafHash,
  verifyTreeHead,
  type LogLeafKind,
  type TreeHead,
} from '@opendescent/protocol';
import type { MessengerContext } from './context';
import { systemLineForUser } from './conversations';
import { settleMessagesTo } from './delivery-status';
import { leavesOf, sayPending } from './log-clearance';
import { GossipedHeads } from './log-gossip';
import type { OrgKeys } from './org-keys';
import { TABLES, type ContactRecord, type SelfRecord } from './records';
import type { Transaction } from './transaction';

/** The transparency log is checked this often (transparency-log.md §3), and at start. */
export const LOG_CHECK_MS = 30 * 60_000;
/**
 * After a check that failed while something waits for a device's first check (§6.1), the check
 * is tried again this often (the messenger's timer), besides at every flush that holds a blob.
 */
export const PENDING_RETRY_MS = 15_000;

/** What the log check found wrong, kept in this device's record and shown until a check passes (a fork: for good). */
export type LogAlertCode = 'log_fork' | 'not_in_log' | 'bad_tree_head';

interface Finding {
  /** Absent: keep the head held (none was verified this time). */
  readonly head?: Uint8Array;
  readonly alert?: { readonly code: LogAlertCode; readonly evidence?: Uint8Array };
  /** Contacts' devices whose attestation was looked for under the head: found, or proven absent. Absent: none looked for. */
  readonly contacts?: readonly ContactFinding[];
  /** Devices waiting for a first check were left for another pass (MAX_CONTACT_CHECKS). */
  readonly more?: boolean;
}

interface CheckOutcome {
  /** Contacts' devices were looked for under a verified, current head. */
  readonly looked: boolean;
  /** At least one was found or proven absent. */
  readonly resolved: boolean;
  readonly more: boolean;
}

interface ContactFinding {
  readonly address: string;
  readonly deviceId: string;
  /** What was looked for (leavesOf): the attestation's leaf hash, and the certificate's if it has one. */
  readonly leaf: string;
  readonly logged: boolean;
}

/** Contacts' attestations looked for per check, at most (each is one request). */
export const MAX_CONTACT_CHECKS = 50;

interface Candidate {
  readonly address: string;
  readonly deviceId: string;
  readonly attestation: Uint8Array;
  readonly certificate?: Uint8Array;
  readonly leaf: string;
}

/**
 * This device's watch over the organisation's transparency log (transparency-log.md §3): the
 * newest signed tree head is verified and must extend the one held (a consistency proof; a head
 * that contradicts it is a fork, kept as evidence and never adopted), and this device's own
 * attestation must be in the log. Network calls run outside `exclusive`; only the outcome is
 * stored inside it. Besides the timer, a check runs as soon as the outbox holds a blob for a
 * device not checked yet (§6.1, log-clearance.ts); `cleared` then sends what waited.
 */
export class LogMonitor {
  private running: Promise<void> | undefined;
  /** A check was asked for while one ran: that one may have listed the devices before the new one. */
  private again = false;
  /** Devices said to wait for the log (`device_log_pending`), once each. */
  private readonly saidPending = new Set<string>();
  private readonly gossiped: GossipedHeads;

  constructor(
    private readonly ctx: MessengerContext,
    private readonly orgKeys: OrgKeys,
    /** Devices were found in the log or proven absent: the outbox sends or drops what waited for them. */
    private readonly cleared: () => void = () => undefined,
  ) {
    this.gossiped = new GossipedHeads(ctx, orgKeys);
  }

  /** One check at a time; asked for while one runs, another follows it. */
  check(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = this.checkUntilDone().finally(() => {
      this.running = undefined;
    });
    this.running = run;
    return run;
  }

  /** A contact's gossiped head (a `tree_head` payload), compared outside `exclusive` (log-gossip.ts). */
  compareGossiped(bytes: Uint8Array): Promise<void> {
    return this.gossiped.compare(bytes);
  }

  private async checkUntilDone(): Promise<void> {
    let outcome: CheckOutcome;
    do {
      this.again = false;
      try {
        outcome = await this.checkNow();
      } catch (error) {
        // The admin app out of reach: what waits for a first check stays pending, and says so.
        await this.sayPendingAfterFailure();
        throw error;
      }
      if (outcome.resolved) this.cleared();
      if (!outcome.looked) await this.sayPendingAfterFailure();
      else await this.gossiped.compareKept();
    } while ((this.again || outcome.more) && !this.ctx.stopped);
  }

  private async sayPendingAfterFailure(): Promise<void> {
    if (this.ctx.stopped) return;
    await this.ctx.exclusive(async () => {
      if (!this.ctx.self || this.ctx.stopped) return;
      const tx = this.ctx.tx();
      sayPending(tx, this.ctx, this.saidPending);
      await this.ctx.commit(tx);
    });
  }

  private async checkNow(): Promise<CheckOutcome> {
    const self = this.ctx.self;
    if (!self || this.ctx.stopped) return { looked: true, resolved: false, more: false };
    const finding = await this.inspect(self);
    await this.ctx.exclusive(async () => {
      const current = this.ctx.self;
      if (!current || this.ctx.stopped) return;
      // A fork, once seen, stays: both heads are signed, and together they prove it.
      const fork = current.logAlert?.code === 'log_fork' ? current.logAlert : undefined;
      const alert = fork ?? (finding.alert ? { ...finding.alert, at: this.ctx.now() } : undefined);
      const updated: SelfRecord = {
        ...current,
        ...(finding.head ? { logHead: finding.head } : {}),
        logCheckedAt: this.ctx.now(),
        logAlert: alert,
      };
      const tx = this.ctx.tx();
      tx.put(TABLES.self, 'device', updated);
      for (const found of finding.contacts ?? []) await this.recordContact(tx, found, current.address);
      await this.ctx.commit(tx);
    });
    return {
      looked: finding.contacts !== undefined,
      resolved: (finding.contacts ?? []).length > 0,
      more: finding.contacts !== undefined && (finding.more ?? false),
    };
  }

  /** Outside `exclusive`: the head to hold from now on, and what is wrong, if anything. */
  private async inspect(self: SelfRecord): Promise<Finding> {
    const admin = this.ctx.env.admin;
    const held = self.logHead ? decodeTreeHead(self.logHead).head : undefined;
    // Taken before the head is asked for: each of these attestations was issued, and its log
    // entry committed in the same transaction, before this device had it, so before that head.
    const { candidates, more } = this.unconfirmedContacts();
    const bytes = await admin.logHead();
    await this.orgKeys.followIfUnknown(bytes);
    let seen: TreeHead;
    try {
      seen = await verifyTreeHead(bytes, this.ctx.trusted(self));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      return { alert: { code: 'bad_tree_head' } };
    }
    let newest = { head: seen, bytes };
    let current = true;
    if (held && self.logHead) {
      try {
        if (seen.treeSize > held.treeSize)
          checkTreeHeadConsistency(held, seen, await admin.logConsistency(held.treeSize, seen.treeSize));
        else if (seen.treeSize === held.treeSize) checkTreeHeadConsistency(held, seen, []);
        else {
          // An older head (another instance, a cache): it must be a prefix of the one held.
          checkTreeHeadConsistency(seen, held, await admin.logConsistency(seen.treeSize, held.treeSize));
          newest = { head: held, bytes: self.logHead };
          current = false;
        }
      } catch (error) {
        if (error instanceof ProtocolError && error.code === 'log_fork')
          return { alert: { code: 'log_fork', evidence: bytes } };
        throw error;
      }
    }
    // Under an older head than the one asked for, a missing contact entry would prove nothing.
    const contacts = current ? await this.lookForContacts(candidates, newest.head) : undefined;
    // The attestation this device presents must be in the log the organisation shows everyone.
    if (!(await this.documentLogged('attestation', self.attestation, newest.head)))
      return { head: newest.bytes, alert: { code: 'not_in_log' }, contacts, more };
    return { head: newest.bytes, contacts, more };
  }

  /**
   * Contacts' devices whose current attestation has not been found in the log yet (§3.1): looked
   * for under the verified head. One proven absent is no longer written to and every conversation
   * with its user says so (contacts.ts recipientDevices, `device_not_logged`).
   */
  private async lookForContacts(candidates: readonly Candidate[], head: TreeHead): Promise<ContactFinding[]> {
    const found: ContactFinding[] = [];
    for (const candidate of candidates) {
      const logged =
        (await this.documentLogged('attestation', candidate.attestation, head)) &&
        (!candidate.certificate || (await this.documentLogged('device_certificate', candidate.certificate, head)));
      found.push({ address: candidate.address, deviceId: candidate.deviceId, leaf: candidate.leaf, logged });
    }
    return found;
  }

  /**
   * Devices whose current entries were not found yet, at most MAX_CONTACT_CHECKS: first those
   * waiting for a first check (something may wait to be sent to them), then those proven absent
   * before (looked for again, in case the log now holds them). `more`: devices waiting were left
   * for another pass.
   */
  private unconfirmedContacts(): { candidates: Candidate[]; more: boolean } {
    const pending: Candidate[] = [];
    const absent: Candidate[] = [];
    for (const contact of this.ctx.tx().all<ContactRecord>(TABLES.contacts)) {
      for (const device of Object.values(contact.devices)) {
        if (device.trust === 'revoked') continue;
        const leaf = leavesOf(device);
        if (device.loggedLeaf === leaf) continue;
        (device.notLogged ? absent : pending).push({
          address: contact.address,
          deviceId: device.deviceId,
          attestation: device.attestation,
          ...(device.certificate ? { certificate: device.certificate } : {}),
          leaf,
        });
      }
    }
    return {
      candidates: [...pending, ...absent].slice(0, MAX_CONTACT_CHECKS),
      more: pending.length > MAX_CONTACT_CHECKS,
    };
  }

  /** Inside `exclusive`: the device record says what was found, if its attestation is still the one looked for. */
  private async recordContact(tx: Transaction, found: ContactFinding, selfAddress: string): Promise<void> {
    const contact = tx.get<ContactRecord>(TABLES.contacts, found.address);
    const device = contact?.devices[found.deviceId];
    if (!contact || !device || leavesOf(device) !== found.leaf) return;
    if (found.logged) {
      const { notLogged: _was, ...rest } = device;
      tx.put(TABLES.contacts, contact.address, {
        ...contact,
        devices: { ...contact.devices, [found.deviceId]: { ...rest, loggedLeaf: found.leaf } },
      });
      return;
    }
    if (device.notLogged) return;
    tx.put(TABLES.contacts, contact.address, {
      ...contact,
      devices: { ...contact.devices, [found.deviceId]: { ...device, notLogged: true } },
    });
    systemLineForUser(tx, this.ctx, contact.address, {
      type: 'device_not_logged',
      member: contact.address,
      deviceId: found.deviceId,
    });
    // Messages waiting on that device: delivered when everyone else has them, failed when nobody can.
    await settleMessagesTo(tx, this.ctx.vault, selfAddress, contact.address);
  }

  /** Whether a document is in the log under `head` (§3.1); a proof that fails is not. */
  private async documentLogged(kind: LogLeafKind, document: Uint8Array, head: TreeHead): Promise<boolean> {
    try {
      const answer = await this.ctx.env.admin.logInclusion(logLeafHash(kind, document), head.treeSize);
      checkInclusion(head, logLeaf(kind, document), answer.leafIndex, answer.proof);
      return true;
    } catch (error) {
      if (error instanceof ProtocolError && error.code === 'not_in_log') return false;
      if ((error as { code?: unknown }).code === 'not_in_log') return false;
      throw error;
    }
  }
}
