import type { DirectLink } from '../messenger/direct/direct-ports';

/**
 * A data channel the page transferred to the worker (decision 0015), as the messenger's
 * DirectLink: binary frames in and out, nothing read or kept here.
 */
export function dataChannelLink(channel: RTCDataChannel): DirectLink {
  channel.binaryType = 'arraybuffer';
  const opened = new Promise<void>((resolve, reject) => {
    if (channel.readyState === 'open') resolve();
    channel.addEventListener('open', () => resolve());
    channel.addEventListener('close', () => reject(new Error('the data channel closed before it opened')));
  });
  opened.catch(() => undefined);
  return {
    whenOpen: () => opened,
    send: (frame) => channel.send(frame as Uint8Array<ArrayBuffer>),
    close: () => channel.close(),
    // A string is passed on as it is: the frame decoder refuses it (direct.md §5, malformed).
    onFrame: (listener) =>
      channel.addEventListener('message', (event: MessageEvent<unknown>) =>
        listener(event.data instanceof ArrayBuffer ? new Uint8Array(event.data) : event.data),
      ),
    onClose: (listener) => channel.addEventListener('close', () => listener()),
  };
}
