/**
 * What an attachment card's buttons do (attachment-commands.ts): Cancel and Download are the
 * worker's commands for that message; Save decrypts the file, hands it to the browser through a
 * temporary download link, and revokes the URL afterwards. The browser's part is a stand-in here.
 */
import {
  runAttachmentCommand,
  SAVE_URL_LIFETIME_MS,
  saveAttachment,
  type SaveTarget,
} from '../../src/ui/main/attachment-commands';
import { FakeMessenger } from './fake-messenger';

const message = { conversationId: 'c1', id: 'm42', name: 'report.pdf' };

/** A browser stand-in: records object URLs, the download link and its click, and runs `later` on demand. */
function browser() {
  const made: Blob[] = [];
  const revoked: string[] = [];
  const pending: { action: () => void; ms: number }[] = [];
  const link = { href: '', download: '', rel: '', clicks: 0, attached: false };
  const anchor = {
    set href(value: string) {
      link.href = value;
    },
    set download(value: string) {
      link.download = value;
    },
    set rel(value: string) {
      link.rel = value;
    },
    click: () => {
      if (!link.attached) throw new Error('clicked a link that is not in the document');
      link.clicks++;
    },
    remove: () => {
      link.attached = false;
    },
  };
  const target: SaveTarget = {
    createObjectURL: (blob) => {
      made.push(blob);
      return `blob:test/${made.length}`;
    },
    revokeObjectURL: (url) => revoked.push(url),
    document: {
      createElement: () => anchor,
      body: {
        append: () => {
          link.attached = true;
        },
      },
    } as unknown as SaveTarget['document'],
    later: (action, ms) => pending.push({ action, ms }),
  };
  return { target, made, revoked, pending, link };
}

describe('a card’s buttons', () => {
  it('Cancel stops that message’s transfer', async () => {
    const api = new FakeMessenger(() => undefined);
    const cancel = jest.spyOn(api, 'cancelAttachment').mockResolvedValue(undefined);
    await runAttachmentCommand(api, 'cancel', message);
    expect(cancel).toHaveBeenCalledWith('c1', 'm42');
  });

  it('Download fetches that message’s file now', async () => {
    const api = new FakeMessenger(() => undefined);
    const fetch = jest.spyOn(api, 'fetchAttachment').mockResolvedValue(undefined);
    await runAttachmentCommand(api, 'download', message);
    expect(fetch).toHaveBeenCalledWith('c1', 'm42');
  });

  it('a failed command rejects with the worker’s error, for the card to show', async () => {
    const api = new FakeMessenger(() => undefined);
    jest.spyOn(api, 'fetchAttachment').mockRejectedValue({ code: 'attachment_expired', message: 'gone' });
    await expect(runAttachmentCommand(api, 'download', message)).rejects.toEqual({
      code: 'attachment_expired',
      message: 'gone',
    });
  });
});

describe('saving a file', () => {
  it('opens the file, clicks a download link named after it, and revokes the URL only after a while', async () => {
    const api = new FakeMessenger(() => undefined);
    const bytes = new Uint8Array([37, 80, 68, 70]);
    const open = jest.spyOn(api, 'openAttachment').mockResolvedValue(new Blob([bytes], { type: 'application/pdf' }));
    const { target, made, revoked, pending, link } = browser();

    await runAttachmentCommand(api, 'save', message, target);

    expect(open).toHaveBeenCalledWith('c1', 'm42');
    expect(link).toMatchObject({ href: 'blob:test/1', download: 'report.pdf', clicks: 1, attached: false });
    expect(new Uint8Array(await (made[0] ?? new Blob()).arrayBuffer())).toEqual(bytes);
    expect(revoked).toEqual([]); // the browser may still be reading it
    expect(pending.map((step) => step.ms)).toEqual([SAVE_URL_LIFETIME_MS]);
    pending[0]?.action();
    expect(revoked).toEqual(['blob:test/1']);
  });

  it('re-types the bytes as a download, whatever type the sender declared (an HTML file never opens as a page)', async () => {
    const api = new FakeMessenger(() => undefined);
    jest.spyOn(api, 'openAttachment').mockResolvedValue(new Blob(['<script>'], { type: 'text/html' }));
    const { target, made } = browser();
    await saveAttachment(api, 'c1', 'm42', 'invoice.html', target);
    expect(made[0]?.type).toBe('application/octet-stream');
  });

  it('makes no URL and clicks nothing for a file not stored on this device (not_found)', async () => {
    const api = new FakeMessenger(() => undefined);
    const { target, made, link } = browser();
    await expect(saveAttachment(api, 'c1', 'm-unknown', 'report.pdf', target)).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(made).toEqual([]);
    expect(link.clicks).toBe(0);
  });
});
