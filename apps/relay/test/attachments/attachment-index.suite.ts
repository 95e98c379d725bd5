/**
 * The contract every attachment index passes (relay.md §3.15): the memory index now, a Redis one
 * later, run by the same suite. Time is the `now` argument; nothing here waits.
 */
import { randomBytes } from 'node:crypto';
import type { AttachmentIndex, NewAttachment } from '../../src/attachments/attachment-store';

const T0 = 1_800_000_000_000;
const TTL = 60_000;

export const randomId = (): Uint8Array => new Uint8Array(randomBytes(16));
const hashOf = (): Uint8Array => new Uint8Array(randomBytes(32));

export function newAttachment(fields: Partial<NewAttachment> = {}): NewAttachment {
  return {
    attachmentId: randomId(),
    uploadIdHash: hashOf(),
    length: 1_000,
    fetches: 2,
    expiresAt: T0 + TTL,
    ...fields,
  };
}

/** `makeIndex(budget)`: a fresh, empty index reserving at most `budget` bytes (record reserves included). */
export function attachmentIndexContract(
  name: string,
  makeIndex: (budget: number) => Promise<AttachmentIndex>,
  reservePerRecord: number,
): void {
  describe(`attachment index contract (${name})`, () => {
    let index: AttachmentIndex;
    beforeEach(async () => {
      index = await makeIndex(10 * 1024 * 1024);
    });
    afterEach(async () => {
      await index.close();
    });

    /** Writes the whole length in one claim, so the record is complete. */
    async function completed(attachment: NewAttachment): Promise<void> {
      expect(await index.create(attachment, T0)).toBe('created');
      expect((await index.claimWrite(attachment.uploadIdHash, 0, T0)).ok).toBe(true);
      await index.releaseWrite(attachment.attachmentId, attachment.length, T0);
    }

    it('a new record is found by its upload hash and by its attachment id, at offset 0, not complete', async () => {
      const attachment = newAttachment();
      expect(await index.create(attachment, T0)).toBe('created');
      const expected = {
        attachmentId: attachment.attachmentId,
        length: 1_000,
        received: 0,
        complete: false,
        fetchesRemaining: 2,
        expiresAt: T0 + TTL,
      };
      expect(await index.byUpload(attachment.uploadIdHash, T0)).toEqual(expected);
      expect(await index.byAttachment(attachment.attachmentId, T0)).toEqual(expected);
    });

    it('unauthorised: an attachment id is not an upload hash, and an unknown one finds nothing', async () => {
      const attachment = newAttachment();
      await index.create(attachment, T0);
      expect(await index.byUpload(attachment.attachmentId, T0)).toBeUndefined();
      expect(await index.byUpload(hashOf(), T0)).toBeUndefined();
      expect(await index.byAttachment(randomId(), T0)).toBeUndefined();
      expect(await index.claimWrite(hashOf(), 0, T0)).toEqual({ ok: false, reason: 'unknown' });
    });

    it('collision: an attachment id or an upload hash already held is refused, and nothing changes', async () => {
      const first = newAttachment();
      await index.create(first, T0);
      expect(await index.create(newAttachment({ attachmentId: first.attachmentId }), T0)).toBe('collision');
      expect(await index.create(newAttachment({ uploadIdHash: first.uploadIdHash }), T0)).toBe('collision');
      expect((await index.byAttachment(first.attachmentId, T0))?.length).toBe(1_000);
    });

    it('store_full: the declared lengths (and the reserve per record) of live records stay under the budget', async () => {
      const small = await makeIndex(2 * (1_000 + reservePerRecord));
      try {
        expect(await small.create(newAttachment(), T0)).toBe('created');
        expect(await small.create(newAttachment({ length: 1_001 }), T0)).toBe('store_full');
        expect(await small.create(newAttachment(), T0)).toBe('created');
        expect(await small.create(newAttachment({ length: 16 }), T0)).toBe('store_full');
      } finally {
        await small.close();
      }
    });

    it('expired: the reservation is released by the sweep, and the record answers nothing even before it', async () => {
      const small = await makeIndex(1_000 + reservePerRecord);
      try {
        const attachment = newAttachment();
        await small.create(attachment, T0);
        expect(await small.create(newAttachment({ expiresAt: T0 + 2 * TTL }), T0)).toBe('store_full');
        const later = T0 + TTL;
        expect(await small.byUpload(attachment.uploadIdHash, later)).toBeUndefined();
        expect(await small.byAttachment(attachment.attachmentId, later)).toBeUndefined();
        expect(await small.claimWrite(attachment.uploadIdHash, 0, later)).toEqual({ ok: false, reason: 'unknown' });
        expect(await small.knows(attachment.attachmentId)).toBe(true);
        expect(await small.sweep(later)).toEqual([attachment.attachmentId]);
        expect(await small.knows(attachment.attachmentId)).toBe(false);
        expect(await small.create(newAttachment({ expiresAt: later + TTL }), later)).toBe('created');
      } finally {
        await small.close();
      }
    });

    it('the sweep leaves live records alone', async () => {
      const live = newAttachment({ expiresAt: T0 + 2 * TTL });
      const expired = newAttachment();
      await index.create(live, T0);
      await index.create(expired, T0);
      expect(await index.sweep(T0 + TTL)).toEqual([expired.attachmentId]);
      expect(await index.sweep(T0 + TTL)).toEqual([]);
      expect(await index.byAttachment(live.attachmentId, T0 + TTL)).toBeDefined();
    });

    it('one writer at a time, at the current offset only; the offset moves on release', async () => {
      const attachment = newAttachment();
      await index.create(attachment, T0);
      expect(await index.claimWrite(attachment.uploadIdHash, 5, T0)).toEqual({
        ok: false,
        reason: 'offset',
        received: 0,
      });
      expect((await index.claimWrite(attachment.uploadIdHash, 0, T0)).ok).toBe(true);
      expect(await index.claimWrite(attachment.uploadIdHash, 0, T0)).toEqual({
        ok: false,
        reason: 'busy',
        received: 0,
      });
      expect(await index.releaseWrite(attachment.attachmentId, 400, T0)).toMatchObject({
        received: 400,
        complete: false,
      });
      expect((await index.claimWrite(attachment.uploadIdHash, 400, T0)).ok).toBe(true);
      expect(await index.releaseWrite(attachment.attachmentId, 1_000, T0)).toMatchObject({
        received: 1_000,
        complete: true,
      });
    });

    it('an offset never moves back nor past the length', async () => {
      const attachment = newAttachment();
      await index.create(attachment, T0);
      await index.claimWrite(attachment.uploadIdHash, 0, T0);
      await index.releaseWrite(attachment.attachmentId, 10, T0);
      await index.claimWrite(attachment.uploadIdHash, 10, T0);
      await expect(index.releaseWrite(attachment.attachmentId, 9, T0)).rejects.toThrow(RangeError);
      await expect(index.releaseWrite(attachment.attachmentId, 1_001, T0)).rejects.toThrow(RangeError);
    });

    it('expired while writing: the release answers undefined', async () => {
      const attachment = newAttachment();
      await index.create(attachment, T0);
      await index.claimWrite(attachment.uploadIdHash, 0, T0);
      expect(await index.releaseWrite(attachment.attachmentId, 10, T0 + TTL)).toBeUndefined();
      await index.sweep(T0 + TTL);
      expect(await index.releaseWrite(attachment.attachmentId, 10, T0 + TTL)).toBeUndefined();
    });

    it('fetched: counted once per distinct nonce; the last one removes the record', async () => {
      const attachment = newAttachment({ fetches: 3 });
      await completed(attachment);
      const [a, b, c] = [randomId(), randomId(), randomId()];
      expect(await index.fetched(attachment.attachmentId, a, T0)).toBe('counted');
      expect(await index.fetched(attachment.attachmentId, a, T0)).toBe('repeated');
      expect(await index.fetched(attachment.attachmentId, b, T0)).toBe('counted');
      expect((await index.byAttachment(attachment.attachmentId, T0))?.fetchesRemaining).toBe(1);
      expect(await index.fetched(attachment.attachmentId, c, T0)).toBe('last');
      expect(await index.byAttachment(attachment.attachmentId, T0)).toBeUndefined();
      expect(await index.knows(attachment.attachmentId)).toBe(false);
      expect(await index.fetched(attachment.attachmentId, randomId(), T0)).toBe('unknown');
    });

    it('fetched before the upload is complete, after expiry, or of an unknown id: unknown, nothing counted', async () => {
      const incomplete = newAttachment({ fetches: 1 });
      await index.create(incomplete, T0);
      expect(await index.fetched(incomplete.attachmentId, randomId(), T0)).toBe('unknown');
      expect((await index.byAttachment(incomplete.attachmentId, T0))?.fetchesRemaining).toBe(1);
      const complete = newAttachment({ fetches: 1 });
      await completed(complete);
      expect(await index.fetched(complete.attachmentId, randomId(), T0 + TTL)).toBe('unknown');
      expect(await index.fetched(randomId(), randomId(), T0)).toBe('unknown');
    });

    it('the last fetch releases the reservation', async () => {
      const small = await makeIndex(1_000 + reservePerRecord);
      try {
        const attachment = newAttachment({ fetches: 1 });
        expect(await small.create(attachment, T0)).toBe('created');
        await small.claimWrite(attachment.uploadIdHash, 0, T0);
        await small.releaseWrite(attachment.attachmentId, 1_000, T0);
        expect(await small.create(newAttachment(), T0)).toBe('store_full');
        expect(await small.fetched(attachment.attachmentId, randomId(), T0)).toBe('last');
        expect(await small.create(newAttachment(), T0)).toBe('created');
      } finally {
        await small.close();
      }
    });

    it('remove: gone whatever its state, and its reservation with it', async () => {
      const attachment = newAttachment();
      await index.create(attachment, T0);
      expect(await index.remove(attachment.attachmentId)).toBe(true);
      expect(await index.remove(attachment.attachmentId)).toBe(false);
      expect(await index.byUpload(attachment.uploadIdHash, T0)).toBeUndefined();
      expect(await index.create(newAttachment({ uploadIdHash: attachment.uploadIdHash }), T0)).toBe('created');
    });

    it('attachmentIds lists every record held', async () => {
      const [a, b] = [newAttachment(), newAttachment()];
      await index.create(a, T0);
      await index.create(b, T0);
      const held = (await index.attachmentIds()).map((id) => Buffer.from(id).toString('hex')).sort();
      expect(held).toEqual([a, b].map((x) => Buffer.from(x.attachmentId).toString('hex')).sort());
    });
  });
}
