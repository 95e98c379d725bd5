/**
 * The UI ↔ messenger-worker protocol (src/worker/rpc.ts) over a real structured-clone channel
 * (node:worker_threads' MessageChannel, as between a page and its worker).
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { MESSENGER_ERROR_CODES, type MessengerApi, type MessengerEvent } from '../../src/messenger/api';
import {
  createMessengerRpcClient,
  MESSENGER_METHODS,
  serveMessengerApi,
  serveMessengerWorker,
  toErrorShape,
  type RpcPort,
} from '../../src/worker/rpc';
import { FakeMessenger } from './fake-messenger';

const openPorts: MessagePort[] = [];

function channel(): { ui: RpcPort & MessagePort; worker: RpcPort & MessagePort } {
  const { port1, port2 } = new MessageChannel();
  openPorts.push(port1, port2);
  return { ui: port1 as RpcPort & MessagePort, worker: port2 as RpcPort & MessagePort };
}

afterEach(() => {
  for (const port of openPorts.splice(0)) port.close();
});

/** Every message the worker side posts, to check what crosses the boundary. */
function recordPosts(port: RpcPort): unknown[] {
  const posted: unknown[] = [];
  const original = port.postMessage.bind(port);
  port.postMessage = (message: unknown) => {
    posted.push(message);
    original(message);
  };
  return posted;
}

/** An api whose every method rejects as `broken`, except the ones given. */
function apiWith(methods: Partial<Record<keyof MessengerApi, (...args: never[]) => unknown>>): MessengerApi {
  const api: Record<string, unknown> = {};
  for (const method of MESSENGER_METHODS)
    api[method] = methods[method] ?? (() => Promise.reject(new Error('not in this test')));
  return api as unknown as MessengerApi;
}

/** The next message `port` receives (to see raw responses). */
const nextMessage = (port: MessagePort) => new Promise<unknown>((resolve) => port.once('message', resolve));

describe('messenger RPC', () => {
  it('answers a call with the value the messenger returned', async () => {
    const { ui, worker } = channel();
    const snapshot = { vault: 'none', relays: [], conversations: [], pendingOutgoing: 0 };
    serveMessengerApi(worker, apiWith({ snapshot: async () => snapshot }));
    const client = createMessengerRpcClient(ui);
    await expect(client.api.snapshot()).resolves.toEqual(snapshot);
  });

  it('passes the arguments through, in order', async () => {
    const { ui, worker } = channel();
    const send = jest.fn(async (conversationId: string, text: string) => `${conversationId}:${text}`);
    serveMessengerApi(worker, apiWith({ send }));
    const client = createMessengerRpcClient(ui);
    await expect(client.api.send('c1', 'hello\nworld')).resolves.toBe('c1:hello\nworld');
    expect(send).toHaveBeenCalledWith('c1', 'hello\nworld');
  });

  it('matches answers to calls by id when the worker answers out of order', async () => {
    const { ui, worker } = channel();
    let releaseSlow: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    serveMessengerApi(
      worker,
      apiWith({
        messages: async (conversationId: string) => {
          if (conversationId === 'slow') await slow;
          return [{ id: conversationId }];
        },
      }),
    );
    const client = createMessengerRpcClient(ui);
    const first = client.api.messages('slow');
    const second = client.api.messages('fast');
    await expect(second).resolves.toEqual([{ id: 'fast' }]);
    releaseSlow();
    await expect(first).resolves.toEqual([{ id: 'slow' }]);
  });

  it('rejects with the messenger error code and message a person can read', async () => {
    const { ui, worker } = channel();
    serveMessengerApi(
      worker,
      apiWith({ unlock: () => Promise.reject({ code: 'wrong_passphrase', message: 'wrong passphrase' }) }),
    );
    const client = createMessengerRpcClient(ui);
    await expect(client.api.unlock('guess')).rejects.toEqual({ code: 'wrong_passphrase', message: 'wrong passphrase' });
  });

  it('never lets an error message, stack or extra field out of the worker', async () => {
    const { ui, worker } = channel();
    const posted = recordPosts(worker);
    const leaky = Object.assign(new Error('decrypt failed for key 5f3a-SECRET-KEY-BYTES'), {
      plaintext: 'SECRET-PLAINTEXT',
    });
    const codedButLeaky = { code: 'revoked', message: 'revoked', stack: 'at SECRET-STACK', key: 'SECRET-KEY-BYTES' };
    serveMessengerApi(
      worker,
      apiWith({
        send: () => Promise.reject(leaky),
        leave: () => {
          throw codedButLeaky; // a synchronous throw is answered the same way
        },
      }),
    );
    const client = createMessengerRpcClient(ui);
    await expect(client.api.send('c1', 'hi')).rejects.toEqual({ code: 'internal', message: 'internal error' });
    await expect(client.api.leave('c1')).rejects.toEqual({ code: 'revoked', message: 'revoked' });
    expect(JSON.stringify(posted)).not.toMatch(/SECRET/);
  });

  it('lets every code of the messenger cross unchanged (one list: MESSENGER_ERROR_CODES)', () => {
    for (const code of MESSENGER_ERROR_CODES)
      expect(toErrorShape({ code, message: 'm' })).toEqual({ code, message: 'm' });
    expect(toErrorShape({ code: 'own_address', message: 'that is your own address' }).code).toBe('own_address');
  });

  it('turns an error with an unknown code into internal', () => {
    expect(toErrorShape({ code: 'ENOENT', message: '/home/someone/.keys' })).toEqual({
      code: 'internal',
      message: 'internal error',
    });
    expect(toErrorShape('a string')).toEqual({ code: 'internal', message: 'internal error' });
    expect(toErrorShape({ code: 'rate_limited', message: 'x'.repeat(10_000) }).message).toHaveLength(300);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'exportIdentity', ''])(
    'refuses the unknown method %p without calling anything',
    async (method) => {
      const { ui, worker } = channel();
      const api = apiWith({});
      serveMessengerApi(worker, api);
      const answer = nextMessage(ui);
      ui.postMessage({ type: 'request', id: 7, method, args: [] });
      expect(await answer).toEqual({
        type: 'response',
        id: 7,
        ok: false,
        error: { code: 'internal', message: 'unknown method' },
      });
    },
  );

  it.each([
    ['send', ['c1']],
    ['send', ['c1', 42]],
    ['send', ['c1', 'hi', 'extra']],
    ['createGroup', ['title', 'not-a-list']],
    ['createGroup', ['title', [], { announcementOnly: 'yes' }]],
    ['createGroup', ['title', [], { addBy: 'anyone' }]],
    ['setRole', ['0123456789abcdef0123456789abcdef', 'ann@example.org', 'owner']],
    ['setTitle', ['0123456789abcdef0123456789abcdef', 'T'.repeat(201)]],
    ['setGroupSettings', ['0123456789abcdef0123456789abcdef', { announcementOnly: true, extra: 1 }]],
    ['setDisappearing', ['c1', -5]],
    ['setDisappearing', ['c1', '300']],
    ['unlock', [{ toString: 'passphrase' }]],
    ['snapshot', 'not-an-array'],
    ['startDeviceLink', ['extra']],
    ['checkDeviceLink', []],
    ['checkDeviceLink', ['']],
    ['checkDeviceLink', ['A'.repeat(513)]],
    ['approveDeviceLink', [42]],
    // A person is verified as a whole now (user-keys.md §5): the old per-device form is refused.
    ['markVerified', ['ann@example.org', 'a1b2c3d4e5f60718293a4b5c6d7e8f90']],
    ['markVerified', ['']],
    ['verifySafetyQr', ['ann@example.org']],
    ['verifySafetyQr', ['ann@example.org', '']],
    ['verifySafetyQr', ['ann@example.org', 42]],
    ['verifySafetyQr', ['ann@example.org', `opendescent:verify?v=2&q=${'A'.repeat(488)}`]],
    ['verifySafetyQr', ['', 'opendescent:verify?v=2&q=AQ']],
    ['verifySafetyQr', ['ann@example.org', 'opendescent:verify?v=2&q=AQ', 'extra']],
    // A file is a Blob (structured-cloned from the page), never bytes or a path.
    ['sendFile', ['c1', new Uint8Array(4), 'a.pdf']],
    ['sendFile', ['c1', 'C:/secret.pdf', 'a.pdf']],
    ['sendFile', ['c1', new Blob(['x']), 'n'.repeat(1_001)]],
    ['sendFile', ['c1', new Blob(['x'])]],
    ['openAttachment', ['c1']],
    ['fetchAttachment', ['c1', 42]],
    ['cancelAttachment', ['', 'm1']],
    // Replies, reactions, edits, deletions, typing and settings (messages.md §5.8).
    ['send', ['c1', 'hi', { replyTo: '' }]],
    ['send', ['c1', 'hi', { mentions: ['x'.repeat(321)] }]],
    ['send', ['c1', 'hi', { mentions: Array(51).fill('ann@example.org') }]],
    ['send', ['c1', 'hi', { quote: 'words put in their mouth' }]],
    ['react', ['c1', 'm1', 'x'.repeat(33)]],
    ['react', ['c1', 'm1']],
    ['editMessage', ['c1', 'm1']],
    ['deleteForEveryone', ['c1']],
    ['setTyping', ['c1', 'yes']],
    ['setPreferences', [{ readReceipts: 'no' }]],
    ['setPreferences', [{ showOnline: true }]],
    ['setNotify', ['c1', 'loud']],
  ])('refuses %s with malformed arguments %j and does not call the messenger', async (method, args) => {
    const { ui, worker } = channel();
    const called = jest.fn(async () => 'called');
    serveMessengerApi(worker, apiWith({ [method]: called }));
    const answer = nextMessage(ui);
    ui.postMessage({ type: 'request', id: 3, method, args });
    expect(await answer).toEqual({
      type: 'response',
      id: 3,
      ok: false,
      error: { code: 'internal', message: `malformed arguments for ${method}` },
    });
    expect(called).not.toHaveBeenCalled();
  });

  it('accepts enrol with or without an admin URL', async () => {
    const { ui, worker } = channel();
    const enrol = jest.fn(async () => ({ address: 'me@example.org' }));
    serveMessengerApi(worker, apiWith({ enrol }));
    const client = createMessengerRpcClient(ui);
    await client.api.enrol('ABCD-EFGH-JKMN-PQRS-TVWX-YZ12');
    await client.api.enrol('ABCD-EFGH-JKMN-PQRS-TVWX-YZ12', 'https://admin.example.org');
    expect(enrol.mock.calls).toEqual([
      ['ABCD-EFGH-JKMN-PQRS-TVWX-YZ12'],
      ['ABCD-EFGH-JKMN-PQRS-TVWX-YZ12', 'https://admin.example.org'],
    ]);
  });

  it('passes a scanned safety QR text through and answers whether it matched', async () => {
    const { ui, worker } = channel();
    const verifySafetyQr = jest.fn(async (_address: string, scanned: string) => scanned.endsWith('theirs'));
    serveMessengerApi(worker, apiWith({ verifySafetyQr }));
    const client = createMessengerRpcClient(ui);
    await expect(client.api.verifySafetyQr('ann@example.org', 'opendescent:verify?v=2&q=theirs')).resolves.toBe(true);
    await expect(client.api.verifySafetyQr('ann@example.org', 'opendescent:verify?v=2&q=ours')).resolves.toBe(false);
    expect(verifySafetyQr).toHaveBeenNthCalledWith(1, 'ann@example.org', 'opendescent:verify?v=2&q=theirs');
  });

  it('ignores messages that are not requests (nothing to answer)', async () => {
    const { ui, worker } = channel();
    const posted = recordPosts(worker);
    serveMessengerApi(worker, apiWith({ snapshot: async () => 'ok' }));
    for (const junk of [
      null,
      'text',
      42,
      { type: 'request' },
      { type: 'request', id: 'x', method: 'snapshot', args: [] },
      { type: 'response', id: 1 },
    ]) {
      ui.postMessage(junk);
    }
    const client = createMessengerRpcClient(ui);
    await expect(client.api.snapshot()).resolves.toBe('ok');
    expect(posted).toHaveLength(1);
  });

  it('answers internal when the value cannot be cloned', async () => {
    const { ui, worker } = channel();
    serveMessengerApi(worker, apiWith({ snapshot: async () => ({ leak: () => 'functions do not clone' }) }));
    const client = createMessengerRpcClient(ui);
    await expect(client.api.snapshot()).rejects.toEqual({ code: 'internal', message: 'internal error' });
  });

  it('delivers events to subscribers until they unsubscribe', async () => {
    const { ui, worker } = channel();
    const client = createMessengerRpcClient(ui);
    const seen: MessengerEvent[] = [];
    const unsubscribe = client.subscribe((event) => seen.push(event));
    worker.postMessage({ type: 'event', event: { type: 'messages', conversationId: 'c1' } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    unsubscribe();
    worker.postMessage({ type: 'event', event: { type: 'messages', conversationId: 'c2' } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual([{ type: 'messages', conversationId: 'c1' }]);
  });

  it('rejects pending and later calls once the worker failed', async () => {
    const { ui, worker } = channel();
    serveMessengerApi(worker, apiWith({ snapshot: () => new Promise(() => undefined) }));
    const client = createMessengerRpcClient(ui);
    const pending = client.api.snapshot();
    client.fail({ code: 'internal', message: 'the messenger stopped' });
    await expect(pending).rejects.toEqual({ code: 'internal', message: 'the messenger stopped' });
    await expect(client.api.lock()).rejects.toEqual({ code: 'internal', message: 'the messenger stopped' });
  });

  it('exposes exactly the methods of the contract', () => {
    const { ui } = channel();
    const client = createMessengerRpcClient(ui);
    expect(Object.keys(client.api).sort()).toEqual([...MESSENGER_METHODS].sort());
    expect(MESSENGER_METHODS).toHaveLength(42);
  });
});

describe('messenger worker start', () => {
  const config = { relayUrls: ['http://127.0.0.1:3002'], adminUrl: 'http://127.0.0.1:3001', revocationPollSeconds: 30 };
  const parse = (value: unknown) => {
    if (JSON.stringify(value) !== JSON.stringify(config)) throw new Error('bad config');
    return value as typeof config;
  };

  it('refuses requests that come before the configuration', async () => {
    const { ui, worker } = channel();
    serveMessengerWorker(worker, parse, () => apiWith({}));
    const answer = nextMessage(ui);
    ui.postMessage({ type: 'request', id: 1, method: 'snapshot', args: [] });
    expect(await answer).toEqual({
      type: 'response',
      id: 1,
      ok: false,
      error: { code: 'internal', message: 'the messenger has not started' },
    });
  });

  it('makes the messenger from the first init message, then serves it and forwards its events', async () => {
    const { ui, worker } = channel();
    const created = jest.fn((_config: typeof config, emit: (event: MessengerEvent) => void) => {
      const fake = new FakeMessenger(emit);
      return fake;
    });
    serveMessengerWorker(worker, parse, created);
    const client = createMessengerRpcClient(ui);
    const events: MessengerEvent[] = [];
    client.subscribe((event) => events.push(event));
    ui.postMessage({ type: 'init', config });
    await client.api.createVault('correct horse battery');
    await expect(client.api.snapshot()).resolves.toMatchObject({ vault: 'unlocked' });
    expect(created).toHaveBeenCalledTimes(1);
    expect(created.mock.calls[0]?.[0]).toEqual(config);
    expect(events).toContainEqual({ type: 'snapshot', snapshot: expect.objectContaining({ vault: 'unlocked' }) });
  });

  it('answers every request with internal when the configuration is refused, without its reason', async () => {
    const { ui, worker } = channel();
    const posted = recordPosts(worker);
    serveMessengerWorker(worker, parse, () => apiWith({}));
    const client = createMessengerRpcClient(ui);
    ui.postMessage({ type: 'init', config: { relayUrls: 'SECRET-NOT-A-LIST' } });
    await expect(client.api.snapshot()).rejects.toEqual({ code: 'internal', message: 'internal error' });
    expect(JSON.stringify(posted)).not.toMatch(/SECRET|bad config/);
  });
});
