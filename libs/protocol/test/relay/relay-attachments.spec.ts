/** attach_create (docs/protocol/relay.md §3.15) and its reply, strictly; the lengths it admits (attachments.md §2). */
import {
  ATTACH_CREATE_COST,
  ATTACHMENT_ID_LENGTH,
  MAX_ATTACHMENT_FETCHES,
  RELAY_COMMANDS,
  UPLOAD_ID_LENGTH,
  attachmentCiphertextLength,
  attachmentHex,
  attachmentIdFromHex,
  decodeRelayCommand,
  decodeRelayReply,
  encodeAttachCreate,
  encodeRelayReply,
  isAttachmentCiphertextLength,
  relayCommandName,
  type RelayReply,
} from '../../src/index';
import { expectGolden, hex, labelled, protocolCode } from '../support';

const length = attachmentCiphertextLength(65_537);
const frame = (): Uint8Array => encodeAttachCreate({ requestId: 15, ttl: 86_400, length, fetches: 3 });

const replies: RelayReply[] = [
  {
    ok: true,
    requestId: 15,
    command: 'attach_create',
    uploadId: labelled('upload id', 16),
    attachmentId: labelled('attachment id', 16),
    expiresAt: 1_800_000_000,
  },
  { ok: false, requestId: 15, command: 'attach_create', error: 'oversized', detail: 'larger than this relay takes' },
  { ok: false, requestId: 15, command: 'attach_create', error: 'store_full', detail: 'the attachment store is full' },
];

/** Writes `value` as the u64 length field of an attach_create frame (offset 10). */
function withLength(bytes: Uint8Array, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setBigUint64(10, BigInt(value));
  return copy;
}

describe('attach_create', () => {
  it('matches its golden vector (a format change is a visible diff)', () => {
    expectGolden('relay-attachments-v1', {
      description: 'relay.md §3.15: attach_create and its replies; version 1',
      frame: hex(frame()),
      replies: replies.map((reply) => hex(encodeRelayReply(reply))),
    });
  });

  it('is command 0x0F, costs 4 tokens, and hands out two 16-byte ids', () => {
    expect(RELAY_COMMANDS.attach_create).toBe(0x0f);
    expect(relayCommandName(0x0f)).toBe('attach_create');
    expect(ATTACH_CREATE_COST).toBe(4);
    expect([UPLOAD_ID_LENGTH, ATTACHMENT_ID_LENGTH]).toEqual([16, 16]);
  });

  it('round trip: header ‖ ttl (u32) ‖ length (u64) ‖ fetches (u16); every reply shape', () => {
    const bytes = frame();
    expect(bytes).toHaveLength(6 + 4 + 8 + 2);
    expect(decodeRelayCommand('attach_create', bytes)).toEqual({
      command: 'attach_create',
      requestId: 15,
      ttl: 86_400,
      length,
      fetches: 3,
    });
    const largest = encodeAttachCreate({
      requestId: 1,
      length: attachmentCiphertextLength(2 ** 32),
      fetches: MAX_ATTACHMENT_FETCHES,
    });
    expect(decodeRelayCommand('attach_create', largest)).toMatchObject({ ttl: 0, fetches: MAX_ATTACHMENT_FETCHES });
    for (const reply of replies) expect(decodeRelayReply(encodeRelayReply(reply))).toEqual(reply);
  });

  describe('malformed', () => {
    it('a length that is not the ciphertext of a padded file (unpadded, no room for the tags, zero)', () => {
      // 1,000 bytes of file pad to 1,024: a sender that skipped the padding would upload 1,016.
      for (const bad of [1_000 + 16, 15, 0, attachmentCiphertextLength(65_537) + 1])
        expect(protocolCode(() => decodeRelayCommand('attach_create', withLength(frame(), bad)))).toBe('malformed');
      expect(() => encodeAttachCreate({ requestId: 1, length: 1_016, fetches: 1 })).toThrow(/padded file/);
    });

    it('no fetches, a truncated frame, trailing bytes, or another event', () => {
      const none = frame();
      new DataView(none.buffer).setUint16(18, 0);
      expect(protocolCode(() => decodeRelayCommand('attach_create', none))).toBe('malformed');
      for (let n = 0; n < frame().length; n++)
        expect(protocolCode(() => decodeRelayCommand('attach_create', frame().slice(0, n)))).toBe('malformed');
      const trailing = new Uint8Array([...frame(), 0]);
      expect(protocolCode(() => decodeRelayCommand('attach_create', trailing))).toBe('malformed');
      expect(protocolCode(() => decodeRelayCommand('put_shared', frame()))).toBe('malformed');
    });
  });

  it('oversized: more fetches than a 1,000-member group needs', () => {
    const many = frame();
    new DataView(many.buffer).setUint16(18, MAX_ATTACHMENT_FETCHES + 1);
    expect(protocolCode(() => decodeRelayCommand('attach_create', many))).toBe('oversized');
    expect(() => encodeAttachCreate({ requestId: 1, length, fetches: MAX_ATTACHMENT_FETCHES + 1 })).toThrow(/fetches/);
  });
});

describe('attachment lengths (attachments.md §2)', () => {
  it('admit exactly the ciphertext lengths of padded files', () => {
    for (const size of [0, 1, 9, 1_000, 65_535, 65_536, 65_537, 20 * 1024 * 1024 + 1, 100 * 1024 * 1024])
      expect(isAttachmentCiphertextLength(attachmentCiphertextLength(size))).toBe(true);
    // A 100 MiB file is already a Padmé length: 1,600 chunks of 64 KiB and their tags.
    expect(attachmentCiphertextLength(100 * 1024 * 1024)).toBe(100 * 1024 * 1024 + 1_600 * 16);
    expect(attachmentCiphertextLength(0)).toBe(16);
    let admitted = 0;
    for (let n = 0; n < 70_000; n++) if (isAttachmentCiphertextLength(n)) admitted += 1;
    // Padmé keeps few lengths: far fewer than one in ten below 70,000 bytes.
    expect(admitted).toBeGreaterThan(100);
    expect(admitted).toBeLessThan(7_000);
  });

  it('ids travel as exactly 32 lower-case hexadecimal characters', () => {
    const id = labelled('attachment id', 16);
    expect(attachmentIdFromHex(attachmentHex(id), 16)).toEqual(id);
    for (const bad of [undefined, '', attachmentHex(id).toUpperCase(), `${attachmentHex(id)}00`, 'zz'.repeat(16)])
      expect(attachmentIdFromHex(bad, 16)).toBeUndefined();
  });
});
