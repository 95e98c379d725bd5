/**
 * Sending a file from the composer (attachment-send.ts, what the picker, a paste and a drop all
 * call): the file goes to the worker with its name and the typed caption; the page refuses what the
 * worker would (oversized, a caption over the limit) before anything is sealed; a rejection is
 * translated by its code.
 */
import { MAX_MESSAGE_CHARACTERS } from '../../src/messenger/api';
import { MAX_ATTACHMENT_FILE_BYTES } from '../../src/messenger/attachment-api';
import { sendAttachment } from '../../src/ui/main/attachment-send';
import { FakeMessenger } from './fake-messenger';

/** An enrolled, unlocked fake with its seeded conversations (the first one is c1, with Alex). */
const messenger = () => new FakeMessenger(() => undefined, { seeded: true });

const file = (name = 'report.pdf', bytes = 3) => new File([new Uint8Array(bytes)], name, { type: 'application/pdf' });

/** A file that says it is `size` bytes long, without holding them. */
function fileOfSize(size: number): File {
  const big = file('video.mp4');
  Object.defineProperty(big, 'size', { value: size });
  return big;
}

describe('sending a file from the composer', () => {
  it('sends the picked file with its name and the typed caption (trimmed), and resolves with the message id', async () => {
    const api = messenger();
    const picked = file();
    const result = await sendAttachment(api, 'c1', picked, '  Here is the report  ');
    expect(result.ok).toBe(true);
    const messageId = result.ok ? result.messageId : '';
    expect(api.files.get(messageId)).toBe(picked);
    const sent = (await api.messages('c1')).find((message) => message.id === messageId);
    expect(sent?.text).toBe('Here is the report');
    expect(sent?.attachment).toMatchObject({ name: 'report.pdf', type: 'application/pdf', size: 3 });
  });

  it('sends no caption argument at all for a blank one (the worker’s call check takes a string or nothing)', async () => {
    const api = messenger();
    const sendFile = jest.spyOn(api, 'sendFile');
    await sendAttachment(api, 'c1', file(), '   ');
    expect(sendFile.mock.calls[0]).toHaveLength(3);
  });

  it('sends a file as a reply, its caption mentioning whom it names', async () => {
    const api = messenger();
    const [first] = await api.messages('c1');
    expect(first?.id).toEqual(expect.any(String));
    const sendFile = jest.spyOn(api, 'sendFile');
    const result = await sendAttachment(api, 'c1', file(), '', { replyTo: first?.id as string });
    expect(sendFile.mock.calls[0]).toEqual(['c1', expect.anything(), 'report.pdf', '', { replyTo: first?.id }]);
    const sent = (await api.messages('c1')).find((message) => result.ok && message.id === result.messageId);
    expect(sent?.replyTo?.messageId).toBe(first?.id);
  });

  it('names a file that has no name (a pasted image in some browsers)', async () => {
    const api = messenger();
    const sendFile = jest.spyOn(api, 'sendFile');
    await sendAttachment(api, 'c1', file(''), '');
    expect(sendFile.mock.calls[0]?.[2]).toBe('file');
  });

  it('refuses an oversized file before the worker seals anything', async () => {
    const api = messenger();
    const sendFile = jest.spyOn(api, 'sendFile');
    const result = await sendAttachment(api, 'c1', fileOfSize(MAX_ATTACHMENT_FILE_BYTES + 1), '');
    expect(result).toEqual({ ok: false, error: { key: 'error.file_too_large' } });
    expect(sendFile).not.toHaveBeenCalled();
  });

  it('shows the worker’s file_too_large rejection translated', async () => {
    const api = messenger();
    jest.spyOn(api, 'sendFile').mockRejectedValue({ code: 'file_too_large', message: 'too large' });
    expect(await sendAttachment(api, 'c1', file(), '')).toEqual({ ok: false, error: { key: 'error.file_too_large' } });
  });

  it('shows storage_full and not_allowed by their codes, and anything unexpected as internal', async () => {
    const api = messenger();
    const sendFile = jest.spyOn(api, 'sendFile');
    sendFile.mockRejectedValueOnce({ code: 'storage_full', message: 'full' });
    expect(await sendAttachment(api, 'c1', file(), '')).toEqual({ ok: false, error: { key: 'error.storage_full' } });
    sendFile.mockRejectedValueOnce({ code: 'not_allowed', message: 'announcement only' });
    expect(await sendAttachment(api, 'c1', file(), '')).toEqual({ ok: false, error: { key: 'error.not_allowed' } });
    sendFile.mockRejectedValueOnce(new Error('the worker stopped'));
    expect(await sendAttachment(api, 'c1', file(), '')).toEqual({ ok: false, error: { key: 'error.internal' } });
  });

  it('refuses a caption over the message limit without sending the file, and says the limit', async () => {
    const api = messenger();
    const sendFile = jest.spyOn(api, 'sendFile');
    const result = await sendAttachment(api, 'c1', file(), 'x'.repeat(MAX_MESSAGE_CHARACTERS + 1));
    expect(result).toEqual({
      ok: false,
      error: { key: 'composer.too-long', params: { max: MAX_MESSAGE_CHARACTERS } },
    });
    expect(sendFile).not.toHaveBeenCalled();
  });
});
