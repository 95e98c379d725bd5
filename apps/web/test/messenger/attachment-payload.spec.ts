/**
 * The attachment between a message record and the `text` payload (attachments.md §3): the format
 * travels with the key and digest, a payload without one is format 1 (what earlier clients sent),
 * and what opens the file is built from the secret with that format.
 */
import { attachmentRef, decryptParams, receivedAttachment } from '../../src/messenger/attachment-payload';
import type { AttachmentRef } from '../../src/messenger/payload';
import type { MessageRecord } from '../../src/messenger/records';

const RELAY = 'https://relay.agency.example';
const ref = (extra: Partial<AttachmentRef> = {}): AttachmentRef => ({
  relay: RELAY,
  id: '00112233445566778899aabbccddeeff',
  key: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8',
  digest: 'ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8',
  size: 70_000,
  name: 'devis.pdf',
  type: 'application/pdf',
  expiresAt: 2_000_000_000,
  ...extra,
});

describe('the attachment format in a received payload', () => {
  it('format 2 is kept with the secret and opens as format 2', () => {
    const { secret } = receivedAttachment(ref({ format: 2 }), [RELAY], 1_800_000_000);
    expect(secret.version).toBe(2);
    expect(decryptParams(secret, 70_000)).toMatchObject({ size: 70_000, version: 2 });
  });

  it('no format is format 1, as earlier clients sent it', () => {
    const { secret } = receivedAttachment(ref(), [RELAY], 1_800_000_000);
    expect(secret.version).toBeUndefined();
    expect(decryptParams(secret, 70_000).version).toBe(1);
  });

  it('our own message names the format its file was sealed in; one without a format names none', () => {
    const record = (version?: 2) =>
      ({
        attachment: { name: 'devis.pdf', type: 'application/pdf', size: 70_000, state: 'sent' },
        attachmentSecret: {
          key: new Uint8Array(32),
          digest: new Uint8Array(32),
          ...(version ? { version } : {}),
          length: 70_000,
          relay: RELAY,
          attachmentId: '00112233445566778899aabbccddeeff',
          relayExpiresAt: 2_000_000_000,
        },
      }) as unknown as MessageRecord;
    expect(attachmentRef(record(2)).format).toBe(2);
    expect('format' in attachmentRef(record())).toBe(false);
  });
});
