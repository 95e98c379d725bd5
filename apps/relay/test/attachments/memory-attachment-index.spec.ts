import { ATTACHMENT_RECORD_RESERVE_BYTES, MemoryAttachmentIndex } from '../../src/attachments/memory-attachment-index';
import { attachmentIndexContract, newAttachment } from './attachment-index.suite';

attachmentIndexContract('memory', async (budget) => new MemoryAttachmentIndex(budget), ATTACHMENT_RECORD_RESERVE_BYTES);

describe('memory attachment index', () => {
  it('is volatile, so its bytes are deleted when it closes (open-attachment-store.ts)', () => {
    expect(new MemoryAttachmentIndex(1024 ** 2).durable).toBe(false);
  });

  it('reserves the declared length plus a fixed reserve per record, and releases both', async () => {
    const index = new MemoryAttachmentIndex(1024 ** 3);
    const attachment = newAttachment({ length: 123_456 });
    await index.create(attachment, 0);
    expect(index.reservedBytes).toBe(123_456 + ATTACHMENT_RECORD_RESERVE_BYTES);
    await index.remove(attachment.attachmentId);
    expect(index.reservedBytes).toBe(0);
  });
});
