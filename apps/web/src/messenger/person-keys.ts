import { constantTimeEqual } from '@opendescent/crypto';
import {
  decodeAttestation,
  decodeDeviceCertificate,
  verifyDeviceCertificate,
  type DeviceCertificate,
} from '@opendescent/protocol';
import type { SystemEvent } from './api';
import { MessengerError } from './errors';
import type { ContactDeviceRecord, ContactRecord, SelfRecord } from './records';

/**
 * Which of a person's devices their user key approved (user-keys.md §2.5): the rule every
 * message's recipients go through. A device is approved only when its certificate verifies, under
 * the person's pinned user key, against its own verified attestation; every other device is shown
 * as unapproved and is sent nothing, whoever attested it (a hostile admin app, A3, can attest a
 * device but cannot certify it).
 */

/** The person is verified under the key pinned now (a change waiting does not undo it: sending is held instead). */
export function isVerified(contact: ContactRecord): boolean {
  return (
    contact.verifiedUserKey !== undefined &&
    contact.userKey !== undefined &&
    constantTimeEqual(contact.verifiedUserKey, contact.userKey)
  );
}

/** The user key this device holds for its own person (from its own certificate), if any. */
export function ownUserKey(self: SelfRecord): Uint8Array | undefined {
  return self.certificate ? decodeDeviceCertificate(self.certificate).certificate.userKey : undefined;
}

async function certifiedUnder(device: ContactDeviceRecord, userKey: Uint8Array): Promise<DeviceCertificate | null> {
  if (!device.certificate) return null;
  try {
    return await verifyDeviceCertificate(device.certificate, {
      userKey,
      attestation: decodeAttestation(device.attestation).attestation,
    });
  } catch {
    return null;
  }
}

/** The user key a device's certificate names, when it verifies under that same key (else none). */
async function selfConsistentKey(device: ContactDeviceRecord): Promise<DeviceCertificate | null> {
  if (!device.certificate) return null;
  let named: Uint8Array;
  try {
    named = decodeDeviceCertificate(device.certificate).certificate.userKey;
  } catch {
    return null;
  }
  return certifiedUnder(device, named);
}

/**
 * Trust on first use: with no key pinned yet, the key of the earliest certificate that verifies
 * under the key it names. An honest admin app serves one user key per person (admin-api.md §12);
 * if it serves two, the earlier approval wins and the other key's devices stay unapproved.
 */
async function firstKey(devices: readonly ContactDeviceRecord[]): Promise<Uint8Array | undefined> {
  let first: DeviceCertificate | undefined;
  for (const device of devices) {
    const certificate = await selfConsistentKey(device);
    if (certificate && (!first || certificate.issuedAt < first.issuedAt)) first = certificate;
  }
  return first?.userKey;
}

export interface Judgement {
  readonly contact: ContactRecord;
  /** System lines to show in the person's conversations (never for one's own address). */
  readonly events: readonly SystemEvent[];
  /** Devices unapproved because a changed user key certified them: the key change explains them. */
  readonly underChangedKey: readonly string[];
}

/**
 * Judges every device of one person. `ownKey`: this device's own user key when `contact` is its
 * own address (its other devices are approved under it, never by first use); undefined otherwise.
 * `isNew(id)`: the device was not known before this change (its line is `device_unapproved`
 * rather than nothing when it is not approved).
 */
export async function judgeDevices(
  contact: ContactRecord,
  own: { readonly isSelf: boolean; readonly ownKey: Uint8Array | undefined },
  isNew: (deviceId: string) => boolean,
): Promise<Judgement> {
  const devices = Object.values(contact.devices);
  const pinned = own.isSelf ? own.ownKey : (contact.userKey ?? (await firstKey(devices)));
  let changedUserKey = own.isSelf ? undefined : contact.changedUserKey;
  const events: SystemEvent[] = [];
  const underChangedKey: string[] = [];
  const judged: Record<string, ContactDeviceRecord> = {};
  for (const device of devices) {
    const approved = pinned !== undefined && (await certifiedUnder(device, pinned)) !== null;
    judged[device.deviceId] = { ...device, approved };
    if (approved || own.isSelf) continue;
    if (device.trust === 'revoked') continue;
    const other = await selfConsistentKey(device);
    const replaced = (contact.replacedUserKeys ?? []).some((key) => other && constantTimeEqual(key, other.userKey));
    if (other && pinned && !constantTimeEqual(other.userKey, pinned)) {
      // A key this user already moved away from (accepted a change) is not a new change.
      if (replaced) continue;
      underChangedKey.push(device.deviceId);
      // Certified by another key than the pinned one: a security-key change (§2.5), said once per key.
      if (!changedUserKey || !constantTimeEqual(changedUserKey, other.userKey)) {
        changedUserKey = other.userKey;
        events.push({ type: 'user_key_changed', member: contact.address });
      }
    } else if (isNew(device.deviceId) || device.approved === true) {
      events.push({ type: 'device_unapproved', member: contact.address, deviceId: device.deviceId });
    }
  }
  const next: ContactRecord = {
    ...contact,
    devices: judged,
    ...(pinned && !own.isSelf ? { userKey: pinned } : {}),
    ...(changedUserKey ? { changedUserKey } : {}),
  };
  return { contact: next, events, underChangedKey };
}

/** The person's new user key replaces the pinned one (the user accepted the change); devices are judged again. */
export async function acceptChangedUserKey(contact: ContactRecord): Promise<Judgement> {
  if (!contact.changedUserKey) throw new MessengerError('not_found', 'this person’s user key has not changed');
  // A verified person whose key changed is unverified under the new one until compared again.
  const { changedUserKey, verifiedUserKey: _verified, ...rest } = contact;
  const replacedUserKeys = [...(contact.replacedUserKeys ?? []), ...(contact.userKey ? [contact.userKey] : [])];
  const judged = await judgeDevices(
    { ...rest, userKey: changedUserKey, replacedUserKeys: replacedUserKeys.slice(-8) },
    { isSelf: false, ownKey: undefined },
    () => false,
  );
  return {
    contact: judged.contact,
    events: [{ type: 'user_key_accepted', member: contact.address }],
    underChangedKey: judged.underChangedKey,
  };
}

/**
 * A device approved before is not now: its approval lapsed (a user key changed or accepted, a
 * certificate that no longer verifies), it is gone, or other keys took its id. It may hold our
 * Sender Keys, and it is no longer sent to.
 */
export function approvalLost(before: ContactRecord | undefined, after: ContactRecord): boolean {
  return Object.values(before?.devices ?? {}).some((was) => {
    const now = after.devices[was.deviceId];
    return (
      was.approved === true &&
      (now?.approved !== true ||
        !constantTimeEqual(was.signingKey, now.signingKey) ||
        !constantTimeEqual(was.agreementKey, now.agreementKey))
    );
  });
}
