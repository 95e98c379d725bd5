/**
 * The signed document pusher (docs/protocol/admin-api.md §6.3): every relay gets the newest
 * revocation list (and, the same way, the newest token key set), failures are retried with
 * backoff and logged, a newer version replaces an older one still waiting, and a relay that
 * already holds it ("stale") counts as done.
 */
import {
  REVOCATION_LIST_DOCUMENT,
  SignedDocumentPusher,
  TOKEN_KEY_SET_DOCUMENT,
  type FetchLike,
} from '../src/server/relay-push';

const bytes = (version: number) => new Uint8Array([version]);

function fakeRelays(answer: (url: string, version: number) => { status: number; body?: unknown } | Error) {
  const calls: { url: string; version: number }[] = [];
  const fetch: FetchLike = async (url, init) => {
    const version = init.body[0] as number;
    calls.push({ url, version });
    const result = answer(url, version);
    if (result instanceof Error) throw result;
    return { status: result.status, json: async () => result.body ?? {} };
  };
  return { calls, fetch };
}

const quiet = { info: jest.fn(), warn: jest.fn() };

afterEach(() => jest.clearAllMocks());

test('pushes to every relay, POST <relay>/revocation-list, and records what each holds', async () => {
  const relays = fakeRelays(() => ({ status: 200, body: { listVersion: 3 } }));
  const pusher = new SignedDocumentPusher(REVOCATION_LIST_DOCUMENT, ['http://a', 'http://b'], {
    fetch: relays.fetch,
    log: quiet,
  });
  pusher.publish(3, bytes(3));
  await pusher.settled();
  expect(relays.calls).toEqual([
    { url: 'http://a/revocation-list', version: 3 },
    { url: 'http://b/revocation-list', version: 3 },
  ]);
  expect(pusher.status().map((s) => [s.relayUrl, s.confirmedVersion, s.pendingVersion])).toEqual([
    ['http://a', 3, null],
    ['http://b', 3, null],
  ]);
  pusher.close();
});

test('a relay that already holds the version (revocation_list_stale) is done, not retried', async () => {
  const relays = fakeRelays(() => ({ status: 400, body: { error: 'revocation_list_stale' } }));
  const pusher = new SignedDocumentPusher(REVOCATION_LIST_DOCUMENT, ['http://a'], { fetch: relays.fetch, log: quiet });
  pusher.publish(2, bytes(2));
  await pusher.settled();
  expect(pusher.status()[0]).toMatchObject({ confirmedVersion: 2, pendingVersion: null });
  expect(relays.calls).toHaveLength(1);
  pusher.close();
});

test('a failing relay is retried with backoff and logged; publish never waits for it', async () => {
  let failures = 2;
  const relays = fakeRelays(() => (failures-- > 0 ? new Error('connect ECONNREFUSED') : { status: 200 }));
  const pusher = new SignedDocumentPusher(REVOCATION_LIST_DOCUMENT, ['http://down'], {
    fetch: relays.fetch,
    log: quiet,
  });
  const started = Date.now();
  pusher.publish(5, bytes(5));
  expect(Date.now() - started).toBeLessThan(50);
  await pusher.settled();
  expect(pusher.status()[0]).toMatchObject({ pendingVersion: 5, lastError: 'connect ECONNREFUSED' });
  expect(quiet.warn).toHaveBeenCalledWith(
    expect.stringContaining(
      'pushing revocation list version 5 to http://down failed (connect ECONNREFUSED); retrying in 1 s',
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 3_300));
  expect(pusher.status()[0]).toMatchObject({ confirmedVersion: 5, pendingVersion: null, lastError: null });
  expect(relays.calls).toHaveLength(3);
  pusher.close();
}, 10_000);

test('a newer list replaces an older one still waiting for a relay', async () => {
  const relays = fakeRelays((_url, version) => (version < 7 ? { status: 503 } : { status: 200 }));
  const pusher = new SignedDocumentPusher(REVOCATION_LIST_DOCUMENT, ['http://slow'], {
    fetch: relays.fetch,
    log: quiet,
  });
  pusher.publish(6, bytes(6));
  await pusher.settled();
  pusher.publish(7, bytes(7));
  await pusher.settled();
  expect(pusher.status()[0]).toMatchObject({ confirmedVersion: 7, pendingVersion: null });
  // An older list published late is not sent.
  pusher.publish(6, bytes(6));
  await pusher.settled();
  expect(relays.calls.map((c) => c.version)).toEqual([6, 7]);
  pusher.close();
});

test('after close nothing is sent', async () => {
  const relays = fakeRelays(() => ({ status: 200 }));
  const pusher = new SignedDocumentPusher(REVOCATION_LIST_DOCUMENT, ['http://a'], { fetch: relays.fetch, log: quiet });
  pusher.close();
  pusher.publish(1, bytes(1));
  await pusher.settled();
  expect(relays.calls).toEqual([]);
});

describe('the token key set, pushed by the same loop', () => {
  test('goes to POST <relay>/token-keys; a relay answering token_key_set_stale holds it', async () => {
    const relays = fakeRelays((url) =>
      url === 'http://a/token-keys'
        ? { status: 200, body: { setVersion: 4 } }
        : { status: 400, body: { error: 'token_key_set_stale' } },
    );
    const pusher = new SignedDocumentPusher(TOKEN_KEY_SET_DOCUMENT, ['http://a', 'http://b'], {
      fetch: relays.fetch,
      log: quiet,
    });
    pusher.publish(4, bytes(4));
    await pusher.settled();
    expect(relays.calls).toEqual([
      { url: 'http://a/token-keys', version: 4 },
      { url: 'http://b/token-keys', version: 4 },
    ]);
    expect(pusher.status().map((s) => [s.relayUrl, s.confirmedVersion, s.pendingVersion])).toEqual([
      ['http://a', 4, null],
      ['http://b', 4, null],
    ]);
    expect(quiet.info).toHaveBeenCalledWith('token key set version 4 pushed to http://a (holds version 4)');
    pusher.close();
  });

  test('token_key_set_invalid is a failure, retried (and revocation_list_stale means nothing here)', async () => {
    const relays = fakeRelays((url) =>
      url === 'http://a/token-keys'
        ? { status: 400, body: { error: 'token_key_set_invalid' } }
        : { status: 400, body: { error: 'revocation_list_stale' } },
    );
    const pusher = new SignedDocumentPusher(TOKEN_KEY_SET_DOCUMENT, ['http://a', 'http://b'], {
      fetch: relays.fetch,
      log: quiet,
    });
    pusher.publish(1, bytes(1));
    await pusher.settled();
    expect(pusher.status().map((s) => [s.relayUrl, s.confirmedVersion, s.pendingVersion, s.lastError])).toEqual([
      ['http://a', null, 1, 'HTTP 400 token_key_set_invalid'],
      ['http://b', null, 1, 'HTTP 400 revocation_list_stale'],
    ]);
    expect(quiet.warn).toHaveBeenCalledWith(
      expect.stringContaining('pushing token key set version 1 to http://a failed (HTTP 400 token_key_set_invalid)'),
    );
    pusher.close();
  });
});
