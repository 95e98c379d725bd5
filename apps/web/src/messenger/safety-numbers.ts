import { formatSafetyNumber } from '@opendescent/crypto';
import {
  ProtocolError,
  comparePersonSafetyQr,
  personSafetyNumber,
  personSafetyQr,
  type SafetyNumberPerson,
} from '@opendescent/protocol';
import type { SafetyNumberView } from './api';
import { normaliseAddress } from './contacts';
import type { MessengerContext } from './context';
import { othersIn, requireConversation } from './conversations';
import { fromB64, toB64 } from './encoding';
import { MessengerError } from './errors';
import { isVerified, ownUserKey } from './person-keys';
import { TABLES, type ContactRecord, type SelfRecord } from './records';
import type { Transaction } from './transaction';

/** What a person's safety QR code encodes (user-keys.md §5.2): this prefix, then the 62 bytes in base64url. */
export const SAFETY_QR_PREFIX = 'opendescent:verify?v=2&q=';

/** The person this device's user is, for safety numbers; undefined before it holds the user key. */
function ourselves(self: SelfRecord): SafetyNumberPerson | undefined {
  const userKey = ownUserKey(self);
  return userKey ? { address: self.address, userKey } : undefined;
}

/**
 * One safety number per other member of a conversation (user-keys.md §5.1), over this person's
 * user key and theirs as pinned here, with the QR code this device shows for the pair (§5.2).
 */
export async function safetyNumbers(ctx: MessengerContext, conversationId: string): Promise<SafetyNumberView[]> {
  const self = ctx.requireSelf();
  const tx = ctx.tx();
  const ours = ourselves(self);
  const { toString: qrToString } = await import('qrcode');
  const out: SafetyNumberView[] = [];
  for (const address of othersIn(requireConversation(tx, conversationId))) {
    const contact = tx.get<ContactRecord>(TABLES.contacts, address);
    const theirs = contact?.userKey ? { address, userKey: contact.userKey } : undefined;
    let digits = '';
    let qrPayload = '';
    let qrSvg = '';
    if (ours && theirs) {
      digits = formatSafetyNumber(personSafetyNumber(ours, theirs));
      qrPayload = `${SAFETY_QR_PREFIX}${toB64(personSafetyQr(ours, theirs))}`;
      qrSvg = await qrToString(qrPayload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    }
    out.push({
      address,
      displayName: contact?.displayName ?? address,
      digits,
      qrPayload,
      qrSvg,
      verified: contact ? isVerified(contact) : false,
      userKeyChanged: contact?.changedUserKey !== undefined,
      devices: Object.values(contact?.devices ?? {}).map((d) => ({
        deviceId: d.deviceId,
        trust: d.trust,
        approved: d.approved === true,
      })),
    });
  }
  return out;
}

function pinnedContact(tx: Transaction, address: string): ContactRecord & { userKey: Uint8Array } {
  const contact = tx.get<ContactRecord>(TABLES.contacts, normaliseAddress(address));
  if (!contact?.userKey) throw new MessengerError('not_found', 'no safety number for this person yet');
  return contact as ContactRecord & { userKey: Uint8Array };
}

/** Marks the person verified under the user key pinned now (inside `exclusive`). */
export function markVerified(tx: Transaction, address: string): void {
  const contact = pinnedContact(tx, address);
  tx.put(TABLES.contacts, contact.address, { ...contact, verifiedUserKey: contact.userKey });
}

/**
 * Compares the QR code scanned from the person's screen with the one this device shows for the
 * pair (comparePersonSafetyQr): true marks them verified; false changes nothing.
 */
export function verifySafetyQr(tx: Transaction, self: SelfRecord, address: string, scanned: string): boolean {
  const contact = pinnedContact(tx, address);
  const ours = ourselves(self);
  if (!ours) throw new MessengerError('not_approved', 'this device holds no user key yet');
  const text = scanned.trim();
  try {
    if (!text.startsWith(SAFETY_QR_PREFIX)) throw new ProtocolError('malformed', 'not a safety QR code');
    const matches = comparePersonSafetyQr(
      fromB64(text.slice(SAFETY_QR_PREFIX.length)),
      personSafetyQr(ours, { address: contact.address, userKey: contact.userKey }),
    );
    if (matches) markVerified(tx, address);
    return matches;
  } catch (error) {
    if (error instanceof ProtocolError) throw new MessengerError('safety_qr_invalid', 'that is not a safety QR code');
    throw error;
  }
}
