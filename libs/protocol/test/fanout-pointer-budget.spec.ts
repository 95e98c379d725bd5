/**
 * The byte budget of envelopes.md §7: what a relay receives for one group message to 1,000
 * member devices, with pointers and one shared blob against one fan-out envelope per member.
 * Every figure comes from the real encoders (sealFanoutPointer, sealFanoutEnvelope, encodePutMany,
 * encodePutShared); none is written down here.
 */
import { randomBytes } from '@opendescent/crypto';
import {
  FANOUT_SHARED_ID_LENGTH,
  MAX_PUT_MANY_ENTRIES,
  SHARED_ID_LENGTH,
  encodePutMany,
  encodePutShared,
  sealFanoutEnvelope,
  sealFanoutPointer,
  type PutManyEntry,
} from '../src/index';

const MEMBER_DEVICES = 1_000;
/** The goal for one group message to 1,000 member devices. */
const GOAL_BYTES = 100_000;

/** The bytes of the put_many frames that carry `entries`, split at the relay's entry ceiling (relay.md §3.5). */
function putManyBytes(entries: readonly PutManyEntry[]): { bytes: number; frames: number } {
  let bytes = 0;
  let frames = 0;
  for (let start = 0; start < entries.length; start += MAX_PUT_MANY_ENTRIES) {
    const frame = encodePutMany({ requestId: frames + 1, entries: entries.slice(start, start + MAX_PUT_MANY_ENTRIES) });
    bytes += frame.length;
    frames++;
  }
  return { bytes, frames };
}

describe('fan-out pointer byte budget (envelopes.md §7)', () => {
  const fanoutKey = randomBytes(32);
  const message = randomBytes(1024); // a 1 KiB group message (the Sender Key message the envelope carries)
  const senderIds = Array.from({ length: MEMBER_DEVICES }, () => randomBytes(16));

  it('stays under 100 KB for 1,000 member devices, against about 4 MB with one envelope each', () => {
    const shared = sealFanoutEnvelope(fanoutKey, message);
    const sharedId = randomBytes(16);
    const pointers = senderIds.map((senderId) => ({ senderId, blob: sealFanoutPointer(fanoutKey, sharedId) }));
    const withPointers = putManyBytes(pointers);
    // relay.md §3.13: the one frame that stores the shared blob, under an id the relay draws.
    const sharedFrame = encodePutShared({ requestId: 1, blob: shared }).length;
    const envelopes = senderIds.map((senderId) => ({ senderId, blob: sealFanoutEnvelope(fanoutKey, message) }));
    const today = putManyBytes(envelopes);

    // A put_many frame's own bytes (header, ttl, count): one frame of one 1-byte entry, less that entry.
    const frameHeader =
      encodePutMany({ requestId: 1, entries: [{ senderId: randomBytes(16), blob: Uint8Array.of(0) }] }).length -
      (16 + 4 + 1);
    const pointerEntry = (withPointers.bytes - frameHeader * withPointers.frames) / MEMBER_DEVICES;
    const figures = {
      pointer: pointers[0]?.blob.length,
      frameHeader,
      pointerEntry,
      sharedEnvelope: shared.length,
      putManyFrames: withPointers.frames,
      putManyBytes: withPointers.bytes,
      sharedFrame,
      total: withPointers.bytes + sharedFrame,
      todayFrames: today.frames,
      todayBytes: today.bytes,
      todayEntriesOnly: today.bytes - frameHeader * today.frames,
    };
    // Reported so the figures quoted in envelopes.md §7 can be checked against a run.
    console.info(`fan-out pointer budget, ${MEMBER_DEVICES} member devices: ${JSON.stringify(figures)}`);

    expect(figures.pointer).toBe(65);
    expect(frameHeader).toBe(12);
    expect(pointerEntry).toBe(16 + 4 + 65);
    expect(withPointers.frames).toBe(Math.ceil(MEMBER_DEVICES / MAX_PUT_MANY_ENTRIES));
    expect(shared.length).toBe(4096);
    expect(FANOUT_SHARED_ID_LENGTH).toBe(SHARED_ID_LENGTH);
    expect(figures.total).toBeLessThan(GOAL_BYTES);
    expect(figures.todayEntriesOnly).toBe(MEMBER_DEVICES * (16 + 4 + shared.length));
    expect(today.bytes / figures.total).toBeGreaterThan(40);
  });
});
