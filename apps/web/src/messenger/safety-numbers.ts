import { formatSafetyNumber, safetyNumber } from '@opendescent/crypto';
import type { SafetyNumberView } from './api';
import type { MessengerContext } from './context';
import { requireConversation } from './conversations';
import { toHex } from './encoding';
import { TABLES, type ContactRecord } from './records';

/** The safety number of this device with each device in a conversation, with its QR code. */
export async function safetyNumbers(ctx: MessengerContext, conversationId: string): Promise<SafetyNumberView[]> {
  const self = ctx.requireSelf();
  const tx = ctx.tx();
  const conversation = requireConversation(tx, conversationId);
  const identity = ctx.requireIdentity();
  const ours = {
    identity: { signingKey: identity.signing.publicKey, agreementKey: identity.agreement.publicKey },
    stableId: `${self.address}/${toHex(self.deviceId)}`,
  };
  const out: SafetyNumberView[] = [];
  const { toString: qrToString } = await import('qrcode');
  for (const address of conversation.members.length > 0 ? conversation.members : [conversation.peer as string]) {
    const contact = tx.get<ContactRecord>(TABLES.contacts, address);
    for (const device of Object.values(contact?.devices ?? {})) {
      const theirs = {
        identity: { signingKey: device.signingKey, agreementKey: device.agreementKey },
        stableId: `${address}/${device.deviceId}`,
      };
      const digits = formatSafetyNumber(safetyNumber(ours, theirs));
      const qrPayload = `opendescent:verify?v=1&n=${digits.replace(/\s+/g, '')}`;
      out.push({
        address,
        displayName: contact?.displayName ?? address,
        deviceId: device.deviceId,
        digits,
        qrPayload,
        qrSvg: await qrToString(qrPayload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
        trust: device.trust,
      });
    }
  }
  return out;
}
