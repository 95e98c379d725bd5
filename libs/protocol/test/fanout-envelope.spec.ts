/** Fan-out envelopes for group messages (docs/protocol/envelopes.md §6). */
import fc from 'fast-check';
import { randomBytes } from '@opendescent/crypto';
import { protocolCode } from './support';
import {
  ENVELOPE_BUCKETS,
  FANOUT_ENVELOPE_OVERHEAD,
  ProtocolError,
  openFanoutEnvelope,
  sealFanoutEnvelope,
} from '../src/index';

const members = Array.from({ length: 5 }, () => randomBytes(32));
const content = new TextEncoder().encode('group message, encrypted once with the sender key');

describe('fan-out envelope', () => {
  it('opens with the member key it was sealed for, and says which', () => {
    const envelope = sealFanoutEnvelope(members[3] as Uint8Array, content);
    const opened = openFanoutEnvelope(members, envelope);
    expect(opened.keyIndex).toBe(3);
    expect(opened.content).toEqual(content);
  });

  it('gives every member a different blob for the same message, so queues cannot be linked by bytes', () => {
    const copies = members.map((key) => Buffer.from(sealFanoutEnvelope(key, content)).toString('hex'));
    expect(new Set(copies).size).toBe(members.length);
    const again = Buffer.from(sealFanoutEnvelope(members[0] as Uint8Array, content)).toString('hex');
    expect(again).not.toBe(copies[0]);
  });

  it('is exactly a bucket size, the same sizes as sealed envelopes', () => {
    for (const length of [0, 1024 - FANOUT_ENVELOPE_OVERHEAD, 1024 - FANOUT_ENVELOPE_OVERHEAD + 1, 100_000]) {
      expect(ENVELOPE_BUCKETS).toContain(sealFanoutEnvelope(members[0] as Uint8Array, new Uint8Array(length)).length);
    }
    expect(protocolCode(() => sealFanoutEnvelope(members[0] as Uint8Array, new Uint8Array(262_144)))).toBe('oversized');
  });

  it('is undecryptable for a device that holds none of the keys (a removed member)', () => {
    const envelope = sealFanoutEnvelope(members[1] as Uint8Array, content);
    expect(protocolCode(() => openFanoutEnvelope([randomBytes(32), randomBytes(32)], envelope))).toBe('undecryptable');
  });

  it.each([
    ['the hint', 3],
    ['the nonce', 12],
    ['the ciphertext', 100],
    ['the tag', 1023],
  ])('detects tampering with %s', (_part, position) => {
    const envelope = sealFanoutEnvelope(members[0] as Uint8Array, content);
    const tampered = envelope.slice();
    tampered[position] = (tampered[position] as number) ^ 1;
    expect(protocolCode(() => openFanoutEnvelope(members, tampered))).toBe('undecryptable');
  });

  it('tells unknown from too-old versions, and refuses non-bucket sizes', () => {
    const envelope = sealFanoutEnvelope(members[0] as Uint8Array, content);
    expect(protocolCode(() => openFanoutEnvelope(members, Uint8Array.of(2, ...envelope.subarray(1))))).toBe(
      'version_unknown',
    );
    expect(protocolCode(() => openFanoutEnvelope(members, Uint8Array.of(0, ...envelope.subarray(1))))).toBe(
      'version_too_old',
    );
    expect(protocolCode(() => openFanoutEnvelope(members, envelope.subarray(0, 1000)))).toBe('malformed');
  });

  it('throws only ProtocolError on random bytes of a bucket size', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1024, maxLength: 1024 }), (bytes) => {
        expect(() => openFanoutEnvelope(members, bytes)).toThrow(ProtocolError);
      }),
      { numRuns: 300 },
    );
  });
});
