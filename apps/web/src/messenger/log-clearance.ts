import { isRevoked, logLeafHash } from '@opendescent/protocol';
import type { MessengerContext } from './context';
import { systemLineForUser } from './conversations';
import { fromHex, toHex } from './encoding';
import { TABLES, type ContactDeviceRecord, type ContactRecord, type PeerRecord } from './records';
import type { Transaction } from './transaction';

/**
 * Whether another device may be written to, as far as the transparency log goes
 * (transparency-log.md §6.1): only once its attestation, and its device certificate when it has
 * one, were found in the log under a verified tree head. Until then it is `pending`: what is
 * encrypted for it waits in the outbox (outbox.ts) while the log is checked at once
 * (log-monitor.ts); proven absent it is `absent`, and it never receives. A hostile admin app that
 * shows a device to one person only thus gets nothing sent to it before the check that exposes it.
 */
export type LogClearance = 'logged' | 'pending' | 'absent';

/**
 * The log entries a device rests on (transparency-log.md §4.1): its attestation (kind 1) and,
 * once its person approved it, its device certificate (kind 4). Both must be in the log the
 * organisation shows everyone, so a certificate shown to one person only is caught like an
 * attestation would be.
 */
export function leavesOf(device: ContactDeviceRecord): string {
  const attestation = toHex(logLeafHash('attestation', device.attestation));
  return device.certificate
    ? `${attestation}:${toHex(logLeafHash('device_certificate', device.certificate))}`
    : attestation;
}

export function logClearance(device: ContactDeviceRecord): LogClearance {
  if (device.notLogged) return 'absent';
  return device.loggedLeaf === leavesOf(device) ? 'logged' : 'pending';
}

/**
 * The clearance of the device an outbox blob is for. Every blob is encrypted for a device some
 * contact record names (contacts are never forgotten); one that names none is held as absent
 * rather than sent unchecked.
 */
export function clearanceOf(tx: Transaction, recipient: string, deviceId: string): LogClearance {
  const address = tx.get<PeerRecord>(TABLES.peers, deviceId)?.address ?? recipient;
  const device = tx.get<ContactRecord>(TABLES.contacts, address)?.devices[deviceId];
  return device ? logClearance(device) : 'absent';
}

/**
 * Inside `exclusive`, after a check that could not look for them (the admin app out of reach, a
 * head that did not verify, a fork): each other person's device that would receive but waits for
 * its log check is said so once in the conversations with its person (`device_log_pending`), so a
 * message left `queued` is explained. `said` remembers (in memory) what was said; a restart may
 * say it once more.
 */
export function sayPending(tx: Transaction, ctx: MessengerContext, said: Set<string>): void {
  const self = ctx.requireSelf();
  for (const contact of tx.all<ContactRecord>(TABLES.contacts)) {
    if (contact.address === self.address) continue;
    for (const device of Object.values(contact.devices)) {
      if (device.trust === 'revoked' || device.approved !== true) continue;
      if (ctx.revocation && isRevoked(ctx.revocation, fromHex(device.deviceId))) continue;
      if (logClearance(device) !== 'pending') continue;
      const key = `${device.deviceId}:${leavesOf(device)}`;
      if (said.has(key)) continue;
      said.add(key);
      systemLineForUser(tx, ctx, contact.address, {
        type: 'device_log_pending',
        member: contact.address,
        deviceId: device.deviceId,
      });
    }
  }
}
