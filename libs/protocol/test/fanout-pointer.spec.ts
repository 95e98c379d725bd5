/** Fan-out pointers: the per-member pointer to a group message stored once (docs/protocol/envelopes.md 7). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { concatBytes, hmacSha256, open, randomBytes, seal } from '@opendescent/crypto';
import { fromHex, hex, labelled, protocolCode } from './support';
import {
  FANOUT_POINTER_BYTES,
  FANOUT_POINTER_TYPE,
  FANOUT_SHARED_ID_LENGTH,
  ProtocolError,
  isFanoutPointer,
  openFanoutEnvelope,
  openFanoutPointer,
  sealFanoutEnvelope,
  sealFanoutPointer,
} from '../src/index';

const members = Array.from({ length: 5 }, () => randomBytes(32));
const sharedId = randomBytes(16);
const utf8 = (text: string) => new TextEncoder().encode(text);

/** 7's hint, written from the document: HMAC-SHA256(K, label ‖ nonce)[0..8]. */
function hintFromSpec(key: Uint8Array, label: string, nonce: Uint8Array): Uint8Array {
  return hmacSha256(key, concatBytes(utf8(label), nonce)).slice(0, 8);
}

/**
 * A second implementation of 7, written from the document, with the hint label and associated
 * data as parameters: so the specs can show that 6's label or associated data never make a pointer.
 */
function pointerFromSpec(
  key: Uint8Array,
  id: Uint8Array,
  label = 'OpenDescent fan-out pointer hint v1',
  associatedData = Uint8Array.of(0x11),
): Uint8Array {
  const sealed = seal(key, id, associatedData);
  return concatBytes(Uint8Array.of(0x11), hintFromSpec(key, label, sealed.subarray(0, 24)), sealed);
}

function flip(bytes: Uint8Array, position: number): Uint8Array {
  const out = bytes.slice();
  out[position] = (out[position] as number) ^ 1;
  return out;
}

describe('fan-out pointer', () => {
  it('opens its golden vector (sealed once; key and id derived from public labels): the format is fixed', () => {
    const file = path.join(__dirname, 'golden', 'fanout-pointer-v1.json');
    const key = labelled('OpenDescent golden vector fan-out key', 32);
    const id = labelled('OpenDescent golden vector shared id', 16);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
      if (process.env.CI === 'true') throw new Error('golden vector fanout-pointer-v1 is missing');
      const vector = {
        description:
          'envelopes.md 7: a fan-out pointer, version 1 (type byte 0x11), to the shared id below under the fan-out key below (both SHA-256 of a public label, truncated); random nonce, so the test opens it rather than rebuilding it, and recomputes its hint',
        fanoutKey: hex(key),
        sharedId: hex(id),
        bytes: hex(sealFanoutPointer(key, id)),
      };
      writeFileSync(file, `${JSON.stringify(vector, null, 2)}\n`);
    }
    const vector = JSON.parse(readFileSync(file, 'utf8')) as { fanoutKey: string; sharedId: string; bytes: string };
    expect(vector.fanoutKey).toBe(hex(key));
    expect(vector.sharedId).toBe(hex(id));
    const bytes = fromHex(vector.bytes);
    expect(bytes.length).toBe(65);
    expect(bytes[0]).toBe(0x11);
    expect(hex(bytes.subarray(1, 9))).toBe(
      hex(hintFromSpec(key, 'OpenDescent fan-out pointer hint v1', bytes.subarray(9, 33))),
    );
    expect(hex(open(key, bytes.subarray(9), Uint8Array.of(0x11)))).toBe(vector.sharedId);
    const opened = openFanoutPointer(bytes, [randomBytes(32), key]);
    expect(hex(opened.sharedId)).toBe(vector.sharedId);
    expect(opened.keyIndex).toBe(1);
  });

  it('is exactly 65 bytes, 0x11 first: 1 + 8 + 24 + 16 + 16', () => {
    expect(FANOUT_POINTER_BYTES).toBe(1 + 8 + 24 + 16 + 16);
    expect(FANOUT_POINTER_TYPE).toBe(0x11);
    expect(FANOUT_SHARED_ID_LENGTH).toBe(16);
    const pointer = sealFanoutPointer(members[0] as Uint8Array, sharedId);
    expect(pointer.length).toBe(65);
    expect(pointer[0]).toBe(0x11);
  });

  it('round-trips, and says which candidate key opened it', () => {
    const opened = openFanoutPointer(sealFanoutPointer(members[2] as Uint8Array, sharedId), members);
    expect(opened.sharedId).toEqual(sharedId);
    expect(opened.keyIndex).toBe(2);
  });

  it('opens only with the right candidate among several', () => {
    const pointer = sealFanoutPointer(members[4] as Uint8Array, sharedId);
    expect(openFanoutPointer(pointer, members).keyIndex).toBe(4);
    expect(openFanoutPointer(pointer, [members[4] as Uint8Array]).keyIndex).toBe(0);
    expect(protocolCode(() => openFanoutPointer(pointer, members.slice(0, 4)))).toBe('undecryptable');
    expect(protocolCode(() => openFanoutPointer(pointer, []))).toBe('undecryptable');
  });

  it('matches the independent implementation of 7', () => {
    const opened = openFanoutPointer(pointerFromSpec(members[1] as Uint8Array, sharedId), members);
    expect(opened).toEqual({ sharedId, keyIndex: 1, key: members[1] });
  });

  it('gives two pointers to the same id under the same key different bytes (fresh nonce), so a dump cannot link members', () => {
    const key = members[0] as Uint8Array;
    const pointers = Array.from({ length: 20 }, () => hex(sealFanoutPointer(key, sharedId)));
    expect(new Set(pointers).size).toBe(pointers.length);
    const hints = pointers.map((pointer) => pointer.slice(2, 18));
    expect(new Set(hints).size).toBe(hints.length);
  });

  it('a pointer never opens as a fan-out envelope: not a bucket size', () => {
    const pointer = sealFanoutPointer(members[0] as Uint8Array, sharedId);
    expect(protocolCode(() => openFanoutEnvelope(members, pointer))).toBe('malformed');
  });

  it('a fan-out envelope never opens as a pointer: not 65 bytes, and not a pointer by isFanoutPointer', () => {
    const envelope = sealFanoutEnvelope(members[0] as Uint8Array, utf8('group message'));
    expect(isFanoutPointer(envelope)).toBe(false);
    expect(protocolCode(() => openFanoutPointer(envelope, members))).toBe('malformed');
    // Cut to a pointer's length and given the pointer's byte, it is still nothing: its hint is 6's.
    const cut = concatBytes(Uint8Array.of(0x11), envelope.subarray(1, 65));
    expect(protocolCode(() => openFanoutPointer(cut, members))).toBe('undecryptable');
  });

  it("refuses a pointer hinted with 6's label: the labels keep the two hints apart", () => {
    const key = members[0] as Uint8Array;
    expect(
      protocolCode(() => openFanoutPointer(pointerFromSpec(key, sharedId, 'OpenDescent fan-out hint v1'), [key])),
    ).toBe('undecryptable');
  });

  it("refuses a box sealed with 6's associated data (0x01): the right hint does not make it a pointer", () => {
    const key = members[0] as Uint8Array;
    const forged = pointerFromSpec(key, sharedId, undefined, Uint8Array.of(0x01));
    expect(protocolCode(() => openFanoutPointer(forged, [key]))).toBe('undecryptable');
  });

  it.each([
    ['the hint', 1],
    ['the hint', 8],
    ['the nonce', 9],
    ['the nonce', 32],
    ['the ciphertext', 33],
    ['the ciphertext', 48],
    ['the tag', 49],
    ['the tag', 64],
  ])('detects tampering with %s (byte %i): undecryptable', (_part, position) => {
    const pointer = sealFanoutPointer(members[0] as Uint8Array, sharedId);
    expect(protocolCode(() => openFanoutPointer(flip(pointer, position), members))).toBe('undecryptable');
  });

  it.each([
    ['empty', 0],
    ['one byte short', 64],
    ['one byte long', 66],
    ['a bucket size', 1024],
  ])('refuses a blob of the wrong length (%s) as malformed', (_case, length) => {
    const pointer = sealFanoutPointer(members[0] as Uint8Array, sharedId);
    const bytes = new Uint8Array(length);
    bytes.set(pointer.subarray(0, Math.min(length, 65)));
    expect(protocolCode(() => openFanoutPointer(bytes, members))).toBe('malformed');
    expect(isFanoutPointer(bytes)).toBe(false);
  });

  it('refuses what is not bytes as malformed', () => {
    for (const input of [undefined, null, 'pointer', Array.from(new Uint8Array(65)), new ArrayBuffer(65)]) {
      expect(protocolCode(() => openFanoutPointer(input, members))).toBe('malformed');
      expect(isFanoutPointer(input)).toBe(false);
    }
  });

  it.each([0x00, 0x01, 0x10, 0x12, 0xff])('refuses the first byte %i on 65 bytes as version_unknown', (first) => {
    const pointer = sealFanoutPointer(members[0] as Uint8Array, sharedId);
    const other = concatBytes(Uint8Array.of(first), pointer.subarray(1));
    expect(protocolCode(() => openFanoutPointer(other, members))).toBe('version_unknown');
    expect(isFanoutPointer(other)).toBe(false);
    expect(isFanoutPointer(pointer)).toBe(true);
  });

  it('refuses to seal with a key or shared id of the wrong length', () => {
    expect(protocolCode(() => sealFanoutPointer(randomBytes(31), sharedId))).toBe('malformed');
    expect(protocolCode(() => sealFanoutPointer(members[0] as Uint8Array, randomBytes(15)))).toBe('malformed');
    expect(protocolCode(() => sealFanoutPointer(members[0] as Uint8Array, randomBytes(17)))).toBe('malformed');
  });

  it('throws only ProtocolError on random 65-byte blobs, with or without the pointer byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 65, maxLength: 65 }), fc.boolean(), (bytes, typed) => {
        if (typed) bytes[0] = 0x11;
        expect(() => openFanoutPointer(bytes, members)).toThrow(ProtocolError);
      }),
      { numRuns: 300 },
    );
  });
});
